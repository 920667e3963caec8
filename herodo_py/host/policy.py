"""What the running script may do on the host, and who watches what it does.

:class:`HostPolicy` is made by the Lua host for each runtime and made current while its script runs
(``with policy.active():``; a ``ContextVar``, so a runtime in another thread has its own):

- ``commands``: host commands may run (``run``, ``os.execute``, ``io.popen``); ``False`` in a sandbox;
- ``roots``: ``None``, files anywhere; else file helpers reach only inside these folders (the script's
  folder, and the temporary folders the script made), checked by the kernel at use time;
- ``base``: the folder relative paths start from (``None``: the current folder; a sandbox: the
  script's folder, since a sandboxed script cannot know where it is run from);
- ``loopback_only``: waits reach only loopback addresses (a sandbox), with no HTTP redirects;
- ``stop_requested`` and ``starting``: the host's signal handlers raise inside a waiting call to stop
  the script, but not while a command is being started (``starting``), when the child would be
  left without a handle to kill it: the start then checks ``stop_requested`` itself.

Watching (process-wide, like the engine executor's): ``settings.dry_run`` skips commands and file
changes; listeners receive ``("start" | "end" | "skip", argv, result)`` (``--trace``).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Listener = Callable[[str, list[str], Any], None]


class HostSettings:
    def __init__(self) -> None:
        self.dry_run = False  # report commands and file changes instead of doing them


settings = HostSettings()
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify(event: str, argv: list[str], result: Any) -> None:
    for listener in _listeners:
        listener(event, argv, result)


class HostPolicy:
    """See the module doc. ``temp_dirs``: folders ``temp_dir()`` made for this script (removed at exit).
    (A plain class, not a dataclass: it is made for every runtime, and start-up stays light.)"""

    def __init__(self, *, commands: bool = True, roots: list[str] | None = None, loopback_only: bool = False,
                 base: str | None = None) -> None:
        self.commands = commands
        self.roots = roots
        self.loopback_only = loopback_only
        self.base = base
        self.temp_dirs: list[str] = []
        self.stop_requested: Callable[[], bool] = lambda: False  # the script was asked to stop
        self.starting = 0  # > 0 while a command is being started: a stop must not raise there (process._start)

    @classmethod
    def sandboxed(cls, folder: str | None) -> HostPolicy:
        return cls(commands=False, roots=[folder] if folder else [], loopback_only=True, base=folder)

    @contextmanager
    def active(self) -> Iterator[HostPolicy]:
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    def add_temp_dir(self, path: str) -> None:
        self.temp_dirs.append(path)
        if self.roots is not None:
            self.roots.append(path)
        with _lock:
            _made.append(path)

    def remove_temp_dirs(self) -> None:
        """Remove this script's temporary folders now (also done at process exit)."""
        import shutil

        for path in self.temp_dirs:
            shutil.rmtree(path, ignore_errors=True)
            with _lock:
                if path in _made:
                    _made.remove(path)
        self.temp_dirs.clear()


TRUSTED = HostPolicy()
_current: ContextVar[HostPolicy] = ContextVar("herodo_host_policy", default=TRUSTED)
_made: list[str] = []
_lock = threading.Lock()


def current() -> HostPolicy:
    """The policy of the script running in this context (trusted outside any script)."""
    return _current.get()


@atexit.register
def _remove_made() -> None:
    if not _made:
        return
    import shutil

    for path in _made:
        shutil.rmtree(path, ignore_errors=True)


__all__ = ["HostPolicy", "HostSettings", "add_listener", "current", "notify", "remove_listener", "settings"]
