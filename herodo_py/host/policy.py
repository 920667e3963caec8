"""What the running script may do on the host, and who watches what it does.

:class:`HostPolicy` is made by the Lua host for each runtime and made current while its script runs
(``with policy.active():``; a ``ContextVar``, so a runtime in another thread has its own):

- ``commands``: host commands may run (``run``, ``os.execute``, ``io.popen``); ``False`` in a sandbox;
- ``roots``: ``None``, files anywhere; else file helpers reach only inside these folders (the script's
  folder, and the temporary folders the script made), checked by the kernel at use time;
- ``base``: the folder relative paths start from (``None``: the current folder; a sandbox: the
  script's folder, since a sandboxed script cannot know where it is run from);
- ``loopback_only``: waits reach only loopback addresses (a sandbox), with no HTTP redirects;
- ``guard``: the host's signal handlers raise inside a waiting call to stop the script, but not while
  a command is being started, when the child would be left without a handle to kill it
  (:class:`herodo_py.processes.StartGuard`).

Watching: the policy's ``watcher`` (a callable giving an object with ``settings.dry_run`` and
``notify(event, argv, result)``: the Lua host gives its runtime's engine executor) decides dry runs
and hears ``("start" | "end" | "skip", argv, result)``, so ``--trace`` and ``--dry-run`` treat host
commands as they treat engine commands. Without a watcher (Python callers) nothing is watched.
"""

from __future__ import annotations

import _thread  # (threading's Lock, without importing threading on a first engine call)
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..processes import StartGuard

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Watcher(Protocol):
        """What watches host commands: an engine executor (its ``settings.dry_run`` and listeners)."""

        settings: Any

        def notify(self, event: str, argv: list[str], result: Any) -> None: ...


class HostPolicy:
    """See the module doc. ``temp_dirs``: folders ``temp_dir()`` made for this script (removed at exit).
    (A plain class, not a dataclass: it is made for every runtime, and start-up stays light.)"""

    def __init__(self, *, commands: bool = True, roots: list[str] | None = None, loopback_only: bool = False,
                 base: str | None = None, watcher: Callable[[], Watcher] | None = None) -> None:
        self.commands = commands
        self.roots = roots
        self.loopback_only = loopback_only
        self.base = base
        self.watcher = watcher
        self.temp_dirs: list[str] = []
        self.guard = StartGuard()  # holds back a stop while a command is being started (herodo_py.processes)

    @classmethod
    def sandboxed(cls, folder: str | None, watcher: Callable[[], Watcher] | None = None) -> HostPolicy:
        return cls(commands=False, roots=[folder] if folder else [], loopback_only=True, base=folder,
                   watcher=watcher)

    def dry_run(self) -> bool:
        """Whether commands and file changes are to be reported instead of done (``--dry-run``)."""
        return self.watcher is not None and bool(self.watcher().settings.dry_run)

    def notify(self, event: str, argv: list[str], result: Any) -> None:
        """Tell the watcher's listeners (``--trace``) what a command did."""
        if self.watcher is not None:
            self.watcher().notify(event, argv, result)

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
            if not _made:
                import atexit  # here: only a script that made a temporary folder needs the exit hook

                atexit.register(_remove_made)
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
_lock = _thread.allocate_lock()


def current() -> HostPolicy:
    """The policy of the script running in this context (trusted outside any script)."""
    return _current.get()


def dry_run() -> bool:
    return _current.get().dry_run()


def notify(event: str, argv: list[str], result: Any) -> None:
    _current.get().notify(event, argv, result)


def _remove_made() -> None:
    if not _made:
        return
    import shutil

    for path in _made:
        shutil.rmtree(path, ignore_errors=True)


__all__ = ["HostPolicy", "current", "dry_run", "notify"]
