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
    import shlex  # here: a runtime that shows no command does not load them
    import shutil

    argv = list(argv)
    if argv and os.sep in argv[0]:
        name = os.path.basename(argv[0])
        if shutil.which(name) == argv[0]:
            argv = [name, *argv[1:]]
    return shlex.join(argv)


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


__all__ = ["StartGuard", "kill_group", "shown_command", "start"]
