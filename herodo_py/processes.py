"""What the engine executor (:mod:`herodo_py.nerdctl.executor`) and host commands
(:mod:`herodo_py.host.process`) share to show, start and kill a command in its own process group, without
leaving it behind when a stop (Ctrl-C, a time limit) arrives while it is being started. (Light to
import: every Lua runtime makes a :class:`StartGuard`; the record of a finished command is in
:mod:`herodo_py.result`.)
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable


def shown_command(argv: Sequence[str]) -> str:
    """The argv as one shell line, the program by its name when that name finds the same binary
    (``docker ps``, not ``/usr/bin/docker ps``): how ``--trace`` and error messages show a command."""
    argv = list(argv)
    if argv and os.sep in argv[0]:
        name = os.path.basename(argv[0])
        if _found_on_path(name) == argv[0]:
            argv = [name, *argv[1:]]
    return " ".join(map(_quoted, argv))


def _quoted(arg: str) -> str:
    """``shlex.quote`` (the same rule and result), without importing shlex for every shown command."""
    import re  # (loaded with the engine library already)

    if not arg:
        return "''"
    if re.search(r"[^\w@%+=:,./-]", arg, re.ASCII) is None:
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


_FOUND: dict[tuple[str, str | None], str | None] = {}


def _found_on_path(name: str) -> str | None:
    """:func:`which` remembered per PATH: every engine result shown to Lua (its ``command``) asks it
    again, and the answer only decides how a command is displayed."""
    key = (name, os.environ.get("PATH"))
    if key not in _FOUND:
        if len(_FOUND) > 64:
            _FOUND.clear()
        _FOUND[key] = which(name)
    return _FOUND[key]


def which(name: str) -> str | None:
    """``shutil.which(name)`` for an executable on PATH (POSIX): shutil itself imports zlib, bz2 and
    lzma, which herodo's first engine call does not need."""
    path = os.environ.get("PATH") or os.confstr("CS_PATH") or os.defpath
    for folder in dict.fromkeys(path.split(os.pathsep)):
        candidate = os.path.join(folder, name)
        try:
            if os.access(candidate, os.F_OK | os.X_OK) and not os.path.isdir(candidate):
                return candidate
        except ValueError:  # a name the file system cannot hold (a lone surrogate, a NUL): not there
            continue
    return None


SPAWNED: Callable[[subprocess.Popen[bytes]], None] | None = None
"""A seam for fault-injection tests: called with each new child while its start is still guarded (a
stop arriving now is the start-up race :class:`StartGuard` exists for). ``None`` in normal runs."""


class StartGuard:
    """Holds back a stop while a command is being started.

    The Lua host's signal handlers raise inside a waiting call to stop the script; raised inside
    ``Popen`` they would leave the child running with no handle to kill it. While ``starting`` is
    above 0 they set ``deferred`` instead of raising, and :func:`start`, once it has the handle, kills
    the group and raises ``KeyboardInterrupt``. (A stop already under way before the start, e.g. the
    script's cleanup after Ctrl-C running a command, does not prevent it: only one deferred here.)"""

    __slots__ = ("starting", "deferred")

    def __init__(self) -> None:
        self.starting = 0
        self.deferred = False


def start(argv: list[str], guard: StartGuard | None = None, **options: object) -> subprocess.Popen[bytes]:
    """``Popen(argv, **options)`` in a process group of its own (a timeout or Ctrl-C kills it whole),
    under ``guard`` (see :class:`StartGuard`). ``OSError`` from ``Popen`` is the caller's to explain."""
    import subprocess  # here: a runtime that starts no command does not load it

    if guard is None:
        return subprocess.Popen(argv, start_new_session=True, **options)  # type: ignore[call-overload,no-any-return]
    if not guard.starting:
        guard.deferred = False
    guard.starting += 1
    try:
        proc: subprocess.Popen[bytes] = subprocess.Popen(argv, start_new_session=True, **options)  # type: ignore[call-overload]
    except BaseException:
        guard.starting -= 1
        raise
    try:
        try:
            if SPAWNED is not None:
                SPAWNED(proc)
        finally:
            guard.starting -= 1  # from here a stop raises where it comes, and the child is killed
        if guard.deferred and not guard.starting:
            guard.deferred = False
            raise KeyboardInterrupt
        return proc
    except BaseException:
        kill_group(proc, reap=True)
        raise


def kill_group(proc: subprocess.Popen[bytes], *, reap: bool = False) -> None:
    """Kill the command's whole process group; ``reap``: also close its pipes and wait for it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if not reap:
        return
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    proc.wait()


__all__ = ["StartGuard", "kill_group", "shown_command", "start", "which"]
