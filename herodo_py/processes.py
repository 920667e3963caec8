"""What the engine executor (:mod:`herodo_py.nerdctl.executor`) and host commands
(:mod:`herodo_py.host.process`) share to show, start and kill a command in its own process group, without
leaving it behind when a stop (Ctrl-C, a time limit) arrives while it is being started. (Light to
import: every Lua runtime makes a :class:`StartGuard`; the record of a finished command is in
:mod:`herodo_py.result`.)
"""

from __future__ import annotations

import io
import os
import sys
import time
from _signal import SIGKILL, SIGPIPE, SIGXFSZ  # (signal itself builds its enums: not needed for three numbers)
from collections.abc import Mapping, Sequence

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable


def shown_command(argv: Sequence[str]) -> str:
    """The argv as one shell line, the program by its name when that name finds the same binary
    (``docker ps``, not ``/usr/bin/docker ps``): how ``--trace`` and error messages show a command."""
    argv = list(argv)
    if argv:
        argv[0] = _shown_program(argv[0])
    return " ".join(map(_quoted, argv))


# Linux holds one argv string in at most 32 pages, its NUL included (MAX_ARG_STRLEN); a value also
# travels with its flag's prefix ('KEY=' of -e KEY=VALUE), which the executor's argv check counts once more.
MAX_ARGUMENT_BYTES = 32 * 4096 - 1
BIG_DATA_HINT = "one command-line argument holds at most 128 KiB on Linux; pass bigger data in a file " \
                "(a volume, or nerdctl_copy into the container)"

_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"  # shlex's, unquoted


def _quoted(arg: str) -> str:
    """``shlex.quote`` (the same rule and result), without importing shlex (or re) to show a command."""
    if not arg:
        return "''"
    if not arg.strip(_SAFE):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


_SHOWN: dict[tuple[str, bytes | None], str] = {}


def _shown_program(path: str) -> str:
    """How :func:`shown_command` shows the program ``path``: its name when :func:`which` finds it there,
    remembered per PATH (every engine result handed to Lua shows its command)."""
    key = (path, ENVIRON.get(b"PATH"))
    shown = _SHOWN.get(key)
    if shown is None:
        if len(_SHOWN) > 64:
            _SHOWN.clear()
        name = os.path.basename(path) if os.sep in path else path
        shown = _SHOWN[key] = name if name != path and which(name) == path else path
    return shown


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

    return _guarded(guard, subprocess.Popen, argv, start_new_session=True, **options)  # type: ignore[arg-type]


def spawn(argv: list[str], guard: StartGuard | None = None, *, with_input: bool = False,
          env: dict[bytes, bytes] | None = None) -> Spawned:
    """``argv`` started with ``os.posix_spawn`` in a session (so a process group) of its own, under
    ``guard``: its stdout and stderr are pipes, its stdin a pipe (``with_input``) or /dev/null; ``env``
    (bytes) or herodo's environment. What an engine command needs of ``Popen``, without importing
    ``subprocess`` (with locale, threading, signal's enums) or duplicating its work per command: as
    ``Popen`` does, it closes the command's other inherited descriptors and restores SIGPIPE and SIGXFSZ
    to their defaults. ``OSError`` (FileNotFoundError...) is the caller's to explain."""
    return _guarded(guard, Spawned, argv, with_input, ENVIRON if env is None else env)


def _environment_data() -> Mapping[bytes, bytes]:
    data = getattr(os.environb, "_data", None)
    return data if isinstance(data, dict) else os.environb


ENVIRON = _environment_data()
"""herodo's environment, as the dict behind ``os.environb`` (``_data``, which every change through
``os.environ`` updates in place): ``posix_spawn`` and the argv size check read a dict in C, where iterating
the ``os.environb`` mapping runs ~600 Python calls for each command. ``os.environb`` if it has none."""


def getenv(name: str) -> str | None:
    """``os.environ.get(name)``, read from :data:`ENVIRON` in C: ``os.environ``'s mapping runs four
    Python calls a look-up, and every engine command asks a few."""
    value = ENVIRON.get(name.encode("utf-8", "surrogateescape"))
    return None if value is None else value.decode(sys.getfilesystemencoding(), "surrogateescape")


def _guarded(guard: StartGuard | None, launch: Callable[..., _Proc], *args: object, **options: object) -> _Proc:
    """``launch(*args, **options)`` under ``guard`` (see :class:`StartGuard`)."""
    if guard is None:
        return launch(*args, **options)
    if not guard.starting:
        guard.deferred = False
    guard.starting += 1
    try:
        proc = launch(*args, **options)
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


def kill_group(proc: subprocess.Popen[bytes] | Spawned, *, reap: bool = False) -> None:
    """Kill the command's whole process group; ``reap``: also close its pipes and wait for it."""
    try:
        os.killpg(proc.pid, SIGKILL)
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


class StillRunning(Exception):
    """:meth:`Spawned.wait` ran out of time: the command still runs."""


class Spawned:
    """A command started by :func:`spawn`: what the engine executor uses of a ``Popen`` (``args``,
    ``pid``, the ``stdin``/``stdout``/``stderr`` pipes as unbuffered files or ``None``, ``wait``,
    ``poll`` and ``returncode``: the exit code, or -N when signal N killed it)."""

    __slots__ = ("args", "pid", "stdin", "stdout", "stderr", "returncode")

    def __init__(self, argv: list[str], with_input: bool, env: object) -> None:
        self.args = argv
        self.returncode: int | None = None
        child: list[int] = []  # the command's ends, closed here once it has them
        mine: list[int] = []  # ours, closed here if it does not start
        try:
            if with_input:
                stdin_end, writer = _pipe(mine, child, child_reads=True)
            else:
                stdin_end, writer = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC), None
                if stdin_end <= 2:  # (only when herodo started with a standard stream closed)
                    stdin_end = _high(stdin_end)
                child.append(stdin_end)
            reader, stdout_end = _pipe(mine, child)
            errors, stderr_end = _pipe(mine, child)
            actions = [(os.POSIX_SPAWN_DUP2, stdin_end, 0), (os.POSIX_SPAWN_DUP2, stdout_end, 1),
                       (os.POSIX_SPAWN_DUP2, stderr_end, 2), *_closing_inherited()]
            self.pid = os.posix_spawn(argv[0], argv, env, file_actions=actions,  # type: ignore[arg-type]
                                      setsid=True, setsigdef=(SIGPIPE, SIGXFSZ))
        except BaseException:
            for fd in mine:
                os.close(fd)
            raise
        finally:
            for fd in child:
                os.close(fd)
        self.stdin = None if writer is None else io.FileIO(writer, "wb")
        self.stdout = io.FileIO(reader, "rb")
        self.stderr = io.FileIO(errors, "rb")

    def poll(self) -> int | None:
        """The exit code once it has ended (reaped here), else ``None``."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until it ends (:class:`StillRunning` after ``timeout`` seconds); its exit code."""
        if self.returncode is not None:
            return self.returncode
        if timeout is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            return self.returncode
        deadline = time.monotonic() + timeout
        delay = 0.0005  # (as subprocess: its exit is usually a matter of microseconds here)
        while self.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StillRunning(f"{self.args[0]} still runs after {timeout:g}s")
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.05)
        return self.returncode  # type: ignore[return-value]


def _high(fd: int) -> int:
    """``fd``, moved above 2 when it is a standard stream's number (herodo started with one closed): a
    spawned command's stdin, stdout and stderr are made by dup2 onto 0, 1 and 2."""
    if fd > 2:
        return fd
    import fcntl  # here: only when herodo runs with a standard stream closed

    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    finally:
        os.close(fd)


def _pipe(mine: list[int], child: list[int], *, child_reads: bool = False) -> tuple[int, int]:
    """A new pipe (close-on-exec, above 2): (read end, write end). The child's end (the read end for its
    stdin, else the write end) goes to ``child``, the other to ``mine``."""
    read_end, write_end = os.pipe()
    if read_end <= 2 or write_end <= 2:  # (only when herodo started with a standard stream closed)
        read_end, write_end = _high(read_end), _high(write_end)
    child.append(read_end if child_reads else write_end)
    mine.append(write_end if child_reads else read_end)
    return read_end, write_end


def _closing_inherited() -> list[tuple[int, int]]:
    """posix_spawn actions closing every descriptor above 2 a command would inherit (Popen's
    ``close_fds``): Python makes none, but files opened by Lua's C library are inheritable."""
    actions = []
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return []
    for name in fds:
        fd = int(name)
        try:
            if fd > 2 and os.get_inheritable(fd):
                actions.append((os.POSIX_SPAWN_CLOSE, fd))
        except OSError:  # (the listing's own descriptor, closed by now)
            continue
    return actions


if TYPE_CHECKING:
    from typing import TypeVar

    _Proc = TypeVar("_Proc", "subprocess.Popen[bytes]", Spawned)


__all__ = ["ENVIRON", "Spawned", "StartGuard", "StillRunning", "getenv", "kill_group", "shown_command", "spawn",
           "start", "which"]
