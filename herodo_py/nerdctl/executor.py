"""The one place that runs an engine command: an :class:`Executor` with its own settings.

``execute_nerdctl_command(["ps", "-a"])`` runs the chosen CLI (nerdctl, docker or podman) on the
current executor with an argv list (never a shell), its global flags first, a timeout that kills the
whole process group, and returns a :class:`CommandResult` or raises a classified :class:`CommandFailed`.

There are no process-wide settings to swap: the process has a default executor, a block can make
another one current (``with executor.active():``, a ContextVar), and each Lua runtime, the ``herodo
test`` janitor and each test owns one (see :class:`Executor`).
"""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar

from ..processes import (
    BIG_DATA_HINT,
    ENVIRON,
    MAX_ARGUMENT_BYTES,
    Spawned,
    StartGuard,
    StillRunning,
    getenv,
    kill_group,
    shown_command,
    spawn,
    which,
)
from ..result import CommandResult
from .context_setting import CANCEL_SCOPE, ContextSetting
from .engine_settings import ENGINE_VARIABLE, EngineSettings
from .errors import (
    CommandExecutionFailed,
    CommandTimeout,
    ConversionError,
    EngineNotFound,
    UnsupportedByEngine,
    classify_failure,
)

TYPE_CHECKING = False  # typing stays off herodo's first engine call (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any, Literal

    from .concurrency import CancelScope

    EngineKind = Literal["nerdctl", "docker", "podman"]

KINDS: tuple[EngineKind, ...] = ("nerdctl", "docker", "podman")


# Subcommands that move or build whole images get the long timeout.
LONG_SUBCOMMANDS = frozenset({"pull", "push", "build", "load", "save", "import", "export", "commit"})
# Subcommands that change state; in dry-run mode they are reported and not run.
MUTATING_SUBCOMMANDS = frozenset({
    "run", "create", "start", "stop", "restart", "kill", "rm", "rmi", "pull", "push", "tag", "build",
    "commit", "export", "cp", "exec", "load", "save", "import", "pause", "unpause", "prune",
    "connect", "disconnect", "rename",
})
# After a timeout kill: how long to wait for the output pipes to close.
DRAIN_SECONDS = 2.0
DRY_PREFIX = "dry-run:"  # the placeholder id of a container built in a dry run (``dry-run:NAME``)
# Group words that may precede the real subcommand (``container rm``, ``image pull``...).
GROUP_WORDS = frozenset({"container", "image", "network", "volume", "system", "builder"})


class Engine:
    """A resolved engine CLI: its ``path`` and ``kind`` (read-only, compared by value). A plain class,
    not a frozen dataclass: the ``dataclasses`` module would cost every first engine call ~6 ms."""

    __slots__ = ("path", "kind")
    path: str
    kind: EngineKind

    def __init__(self, path: str, kind: EngineKind) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "kind", kind)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: an Engine is read-only")

    __delattr__ = __setattr__  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Engine:
            return NotImplemented
        return (self.path, self.kind) == (other.path, other.kind)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.path, self.kind))

    def __repr__(self) -> str:
        return f"Engine(path={self.path!r}, kind={self.kind!r})"

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


CommandListener = Callable[[str, list[str], "CommandResult | None"], None]
"""Called with ("start" | "end" | "skip", argv, result-or-None) around every command."""

def _kind_from_version(path: str) -> EngineKind | None:
    import subprocess  # here: only an engine whose file name does not say which it is

    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10,
                             stdin=subprocess.DEVNULL).stdout.lower()
    except (OSError, subprocess.SubprocessError):
        return None
    for kind in KINDS:
        if kind in out:
            return kind
    return None


class Executor:
    """Runs engine commands with its own :class:`EngineSettings`, engine cache and listeners.

    Library functions run their commands on :func:`current_executor`: the one made current with
    ``with executor.active():`` in this context (a ContextVar, so threads and asyncio tasks each see
    their own; a worker thread gets its starter's with ``contextvars.copy_context().run``), else the
    process default. A :meth:`child` starts from a copy of its parent's settings, and its commands are
    heard by its parent's listeners too (``--trace`` sees every script's commands).
    """

    def __init__(self, settings: EngineSettings | None = None, *, parent: Executor | None = None) -> None:
        self.settings = settings if settings is not None else EngineSettings()
        self.parent = parent
        self._engines: dict[str | None, Engine] = dict(parent._engines) if parent is not None else {}
        self._listeners: list[CommandListener] = []
        self.start_guard: StartGuard | None = None  # a Lua runtime's: Ctrl-C held back while Popen starts a command

    def child(self) -> Executor:
        """A new executor with a copy of these settings, whose commands these listeners hear too."""
        return Executor(self.settings.copy(), parent=self)

    def active(self) -> ContextSetting:
        """``with executor.active():`` makes it the current executor for the block."""
        return ContextSetting(_current, self)

    def serving(self, output_limit: int | None) -> Serving:
        """``with executor.serving(limit):`` makes it the current executor for the block, its commands under
        an :class:`OutputLimit` of ``output_limit`` bytes (``None``: none): a Lua binding's call."""
        return Serving(self, output_limit)

    def configure(self, **changes: object) -> EngineSettings:
        """Change settings (``configure(engine="podman", timeout=30)``); unknown names are refused."""
        self.settings.changed(**changes)
        if "engine" in changes:
            self._engines.clear()
        return self.settings

    def forget_engine(self) -> None:
        """Resolve the engine again on the next command (after PATH or HERODO_ENGINE changed)."""
        self._engines.clear()

    # -- listeners ---------------------------------------------------------------------------

    def add_listener(self, listener: CommandListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: CommandListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, event: str, argv: list[str], result: CommandResult | None) -> None:
        """Tell this executor's listeners, then its parents' (nearest first)."""
        executor: Executor | None = self
        while executor is not None:
            if executor._listeners:
                for listener in list(executor._listeners):
                    listener(event, argv, result)
            executor = executor.parent

    # -- the engine ----------------------------------------------------------------------------

    def resolve_engine(self, pin: str | None = None) -> Engine:
        """Find the engine CLI: ``pin`` (name or path), else the setting, else ``HERODO_ENGINE``, else
        the first of nerdctl, docker, podman on PATH."""
        pin = pin or self.settings.engine or getenv(ENGINE_VARIABLE) or None
        if pin in self._engines:
            return self._engines[pin]
        for candidate in [pin] if pin else list(KINDS):
            path = candidate if os.sep in candidate else which(candidate)
            if not path or not (os.path.isfile(path) and os.access(path, os.X_OK)):
                continue
            base = os.path.basename(path)
            kind = base if base in KINDS else _kind_from_version(path)
            if kind is None:
                raise EngineNotFound(
                    f"{path} is not nerdctl, docker or podman (its --version names none of them)",
                    argv=[path, "--version"],
                )
            engine = Engine(path=path, kind=kind)  # type: ignore[arg-type]
            self._engines[pin] = engine
            return engine
        if pin:
            raise EngineNotFound(f"the engine {pin!r} (from settings or HERODO_ENGINE) was not found or is not "
                                 "executable")
        raise EngineNotFound(
            "no container engine found: looked for nerdctl, docker and podman on PATH "
            f"({os.environ.get('PATH', '')})"
        )

    def engine(self) -> Engine:
        """The engine commands will run with (resolved once, then cached)."""
        return self.resolve_engine()

    def global_flags(self, engine: Engine, *, snapshotter: str | None = None) -> list[str]:
        """Global flags, long form, for the engines that have them (``snapshotter`` overrides the setting)."""
        cfg = self.settings
        if engine.kind == "nerdctl":
            flags: list[str] = []
            for flag, value in (
                ("--namespace", cfg.effective("namespace", engine.kind)),
                ("--address", cfg.effective("address", engine.kind)),
                ("--snapshotter", snapshotter or cfg.effective("snapshotter", engine.kind)),
            ):
                if value:
                    flags += [flag, value]
            return flags
        # docker and podman: no namespaces and no snapshotters (CONTAINERD_* is nerdctl's and ignored).
        snapshotter = snapshotter or cfg.snapshotter
        if cfg.namespace or snapshotter:
            setting, value = ("namespace", cfg.namespace) if cfg.namespace else ("snapshotter", snapshotter)
            raise UnsupportedByEngine(
                field=setting, value=value, expected=f"no {setting} on {engine.kind} (a nerdctl setting)",
                hint=f"unset the {setting}, or use nerdctl",
            )
        return ["--host" if engine.kind == "docker" else "--url", cfg.address] if cfg.address else []

    # -- running -----------------------------------------------------------------------------

    def run(self, args: Sequence[str], *, timeout: float | None = None, check: bool = True, stream: bool = False,
            input: str | bytes | None = None, engine: Engine | None = None,
            snapshotter: str | None = None) -> CommandResult:
        """Run one engine command and return its result.

        ``args`` is the argv after the CLI name (``["ps", "-a"]``). ``timeout`` defaults to the
        settings' (long for pull/push/build...). ``check`` raises a classified ``CommandFailed`` on a
        non-zero exit. ``stream`` echoes output to the terminal as it comes when stderr is a terminal.
        ``snapshotter`` is nerdctl's global ``--snapshotter`` for this command (refused on docker/podman).
        """
        args = list(map(str, args))
        engine = engine or self.resolve_engine()
        argv = [engine.path, *self.global_flags(engine, snapshotter=snapshotter), *args]
        sub = subcommand_of(args)
        if timeout is None:
            timeout = self.settings.long_timeout if sub in LONG_SUBCOMMANDS else self.settings.timeout
        if self.settings.dry_run and sub in MUTATING_SUBCOMMANDS:
            check_argv_size(argv)  # (a command that runs learns it from Linux: see _spawn)
            result = CommandResult(stdout="", stderr="", code=0, argv=argv, dry_run=True)
            self.notify("skip", argv, result)
            return result
        scope: CancelScope | None = CANCEL_SCOPE.get()  # (a parallel() task's, if one runs here)
        if scope is not None:
            scope.check()  # a cancelled task starts no command
        self.notify("start", argv, None)
        result, timed_out = self._spawn(argv, input.encode() if isinstance(input, str) else input, timeout,
                                        stream and sys.stderr.isatty(), needs_private_tmp(engine.kind, sub), scope)
        self.notify("end", argv, result)
        if scope is not None and scope.cancelled:
            from .concurrency import TaskCancelled  # (loaded: a task is running)

            raise TaskCancelled(f"`{result.command}` was killed: {scope.reason}")
        if timed_out:
            raise CommandTimeout(
                f"`{result.command}` did not finish within {timeout:g}s and was killed",
                timeout=timeout, argv=argv, code=None, stdout=result.stdout, stderr=result.stderr,
            )
        if check and not result.success:
            raise classify_failure(argv, result.code, result.stdout, result.stderr)
        return result

    def _spawn(self, argv: list[str], input_bytes: bytes | None, timeout: float,
               echo: bool, private_tmp: bool = True, scope: CancelScope | None = None) -> tuple[CommandResult, bool]:
        """Start ``argv`` in its own process group and wait: (its result, whether the timeout killed
        the group; the result's code is then -9). Under a cancel scope (a task of ``parallel``) the group
        is registered there, so another thread can kill it (:meth:`run` then raises :class:`TaskCancelled`).
        ``private_tmp``: the command gets its own TMPDIR, removed afterwards (see :func:`needs_private_tmp`);
        else it inherits herodo's environment as it is (no copy to make). ``scope``: the task's cancel scope."""
        started = time.monotonic()
        scratch = make_scratch() if private_tmp else None
        try:
            proc = spawn(  # its own process group: a timeout or Ctrl-C kills it whole
                argv, self.start_guard, with_input=input_bytes is not None,
                env=None if scratch is None else {**ENVIRON, b"TMPDIR": os.fsencode(scratch)},
            )
        except BaseException as exc:
            if scratch is not None:
                remove_scratch(scratch)
            if not isinstance(exc, OSError):
                raise
            if exc.errno == _E2BIG:  # too long a command line (nothing ran): which argument, or how big it was
                check_argv_size(argv)
            if isinstance(exc, FileNotFoundError):  # removed since it was found: look for it again next time
                self._engines.clear()
                raise EngineNotFound(f"the engine {argv[0]} is gone (it was there when first used)",
                                     argv=argv) from exc
            raise CommandExecutionFailed(f"could not start {argv[0]}: {exc.strerror or exc}", argv=argv) from exc
        if scope is not None:
            scope.track(proc)
        timed_out = False
        try:
            out, err = _Pipes(proc, input_bytes, echo, _output_limit.get()).read(timeout)
        except _DrainedTimeout as exc:
            kill_group(proc)
            out, err = exc.output, exc.stderr
            timed_out = True
        except BaseException:  # Ctrl-C or anything else: never leave the command running
            kill_group(proc, reap=True)
            raise
        finally:
            if scratch is not None:
                remove_scratch(scratch)
            if scope is not None:
                scope.untrack(proc)
        code = -9 if timed_out else proc.returncode
        return CommandResult(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), code, argv,
                             time.monotonic() - started), timed_out



def needs_private_tmp(kind: str, subcommand: str) -> bool:
    """Whether a command gets a TMPDIR of its own, removed after it: podman and nerdctl do the storage
    work in their own process, and a killed one leaves its temp dirs (podman's ``storage*``) behind;
    docker's CLI is a client of its daemon, whose short commands write no temporary files: only its
    long ones (build, save, load... which may run plugins) get one. (A private TMPDIR costs each
    command a mkdir, an rmdir and a copy of the environment.)"""
    return kind != "docker" or subcommand in LONG_SUBCOMMANDS


def _temp_folders() -> Iterator[str]:
    """Where ``tempfile`` would make temporary folders, in its order."""
    for variable in ("TMPDIR", "TEMP", "TMP"):
        if folder := getenv(variable):
            yield folder
    yield from ("/tmp", "/var/tmp", "/usr/tmp")
    yield os.getcwd()


def make_scratch() -> str:
    """A new private folder (mode 0700) for one engine command's TMPDIR, as ``tempfile.mkdtemp``
    makes it (a random name in the first usable temporary folder, created by us, refused if it
    exists) in one ``mkdir``, without importing tempfile (random, hashlib, shutil)."""
    for folder in _temp_folders():
        for _ in range(100):
            path = os.path.join(folder, f"herodo-engine-{os.urandom(6).hex()}")
            try:
                os.mkdir(path, 0o700)
                return os.path.abspath(path)
            except FileExistsError:
                continue
            except OSError:
                break  # not usable: the next folder
    import tempfile  # here: no usual temporary folder worked; let tempfile say why

    return tempfile.mkdtemp(prefix="herodo-engine-")


def remove_scratch(path: str) -> None:
    """Remove a command's TMPDIR: one ``rmdir`` when the engine left it empty, else the whole tree."""
    try:
        os.rmdir(path)
    except OSError:
        import shutil  # here: only when the engine left files behind (a killed podman)

        shutil.rmtree(path, ignore_errors=True)

class OutputTooLarge(CommandExecutionFailed):
    """A command wrote more output than the active :class:`OutputLimit` lets the caller hold: it was killed."""

    kind = "Other"
    default_hint = ("send big output to a file instead (in a container: sh -c 'CMD > /tmp/out', then copy it "
                    "out), or raise the memory limit (herodo --max-memory SIZE)")

    def __init__(self, argv: Sequence[str], limit: int) -> None:
        super().__init__(f"`{shown_command(argv)}` wrote more than {_size(limit)} of output, more than the script's "
                         "memory limit leaves room for: herodo stopped it", argv=argv)
        self.limit = limit


class OutputLimit:
    """``with OutputLimit(n):`` commands run in the block (and in threads started with ``copy_context``
    there) are killed once their stdout and stderr together pass ``n`` bytes (:class:`OutputTooLarge`);
    ``None``: no limit. A class, not a generator: bindings enter it on every call."""

    __slots__ = ("limit", "token")

    def __init__(self, limit: int | None) -> None:
        self.limit = limit

    def __enter__(self) -> None:
        self.token = _output_limit.set(self.limit)

    def __exit__(self, *exc: object) -> None:
        _output_limit.reset(self.token)


_output_limit: ContextVar[int | None] = ContextVar("herodo_output_limit", default=None)


class Serving:
    """What :meth:`Executor.serving` returns: the two settings of a binding's call in one object (a binding
    enters one on every call)."""

    __slots__ = ("executor", "limit", "tokens")

    def __init__(self, executor: Executor, limit: int | None) -> None:
        self.executor, self.limit = executor, limit

    def __enter__(self) -> Executor:
        self.tokens = _current.set(self.executor), _output_limit.set(self.limit)
        return self.executor

    def __exit__(self, *exc: object) -> None:
        current, limit = self.tokens
        _output_limit.reset(limit)
        _current.reset(current)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def subcommand_of(args: Sequence[str]) -> str:
    """The effective subcommand: ``["container", "rm", "x"]`` -> ``"rm"``."""
    group = ""
    for word in args:  # (the first two words that are no flags: every command asks)
        if word.startswith("-"):
            continue
        if group:
            return _GROUP_ALIASES.get(word, word)
        if word not in GROUP_WORDS:
            return word
        group = word
    return group


_GROUP_ALIASES = {"ls": "ps", "list": "ps", "remove": "rm"}  # ``container ls`` is ``ps``...


# --- running ------------------------------------------------------------------------------


class _DrainedTimeout(Exception):
    """The command timed out and was killed; ``output``/``stderr``: what it had written."""

    def __init__(self, output: bytes, stderr: bytes) -> None:
        super().__init__("timed out")
        self.output = output
        self.stderr = stderr


EXITED_GRACE = 5.0
"""Once the command has exited: how long its output pipes may stay open (a helper it started outside
its group may hold them) before herodo stops reading and returns."""


class _Pipes:
    """Reads a command's two output pipes (and writes its input) in this thread with one ``poll``
    loop: no reader threads to start per command, and the command's exit is an event (a pidfd), not
    a sleep-and-retry wait. Every engine command is read so (``limit`` None: no output limit)."""

    def __init__(self, proc: Spawned, input_bytes: bytes | None, echo: bool,
                 limit: int | None) -> None:
        self.proc = proc
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.sinks = {proc.stdout.fileno(): self.out, proc.stderr.fileno(): self.err}  # type: ignore[union-attr]
        self.terminal = sys.stderr.buffer if echo else None
        self.limit = limit
        self.left = limit
        self.pending = memoryview(input_bytes or b"")

    def read(self, timeout: float) -> tuple[bytes, bytes]:
        proc = self.proc
        stdin = proc.stdin.fileno() if proc.stdin else None
        try:  # its exit as an event: a pidfd, readable once it ends (none before Linux 5.3)
            exit_fd: int | None = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):
            exit_fd = None
        timed_out = False
        poll = select.poll()
        for fd in self.sinks:
            poll.register(fd, select.POLLIN)
        if stdin is not None:
            if self.pending:
                poll.register(stdin, select.POLLOUT)
            else:
                _close(proc.stdin)
        if exit_fd is not None:
            poll.register(exit_fd, select.POLLIN)
        try:
            deadline = time.monotonic() + timeout
            grace_end = float("inf")  # set when it exits: its pipes may stay open that long
            while self.sinks:
                now = time.monotonic()
                if now >= grace_end:
                    break
                if now >= deadline:
                    if timed_out:  # drained as long as we wait after a kill
                        break
                    kill_group(proc)
                    timed_out = True
                    deadline = now + DRAIN_SECONDS
                    continue
                for fd, _ in poll.poll(-int((now - min(deadline, grace_end)) * 1e3 // 1)):  # ms, rounded up
                    if fd == exit_fd:
                        poll.unregister(exit_fd)
                        grace_end = time.monotonic() + EXITED_GRACE
                    elif fd == stdin:
                        if self._write(fd):
                            poll.unregister(fd)
                            _close(proc.stdin)
                    elif not self._take(fd):
                        poll.unregister(fd)
            left = deadline - time.monotonic()
            if exit_fd is not None and grace_end == float("inf") and not timed_out and left > 0:
                # its pipes closed before it exited (the usual order): its exit is awaited as an event too,
                # not by wait()'s sleep-and-retry (a wake-up or more per command, and up to 0.5 ms late)
                poll.poll(-int(-left * 1e3 // 1))  # ms, rounded up
        finally:
            if exit_fd is not None:
                os.close(exit_fd)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            _close(pipe)
        if not timed_out and proc.poll() is None:  # (reaped here at once when its exit was seen)
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
            except StillRunning:  # (its pipes closed but it still runs)
                kill_group(proc)
                timed_out = True
        if timed_out:
            proc.wait()
            raise _DrainedTimeout(b"".join(self.out), b"".join(self.err))
        return b"".join(self.out), b"".join(self.err)

    def _write(self, fd: int) -> bool:
        """Write the next piece of the input; True once it is all written (or the command stopped reading)."""
        try:
            written = os.write(fd, self.pending[:_PIPE_BUF])
        except BrokenPipeError:  # (it ended, or was killed, without reading it all)
            written = len(self.pending)
        self.pending = self.pending[written:]
        return not self.pending

    def _take(self, fd: int) -> bool:
        """Read what ``fd`` has; False at its end. Past the limit: the group is killed, OutputTooLarge."""
        chunk = os.read(fd, 65536)
        if not chunk:
            del self.sinks[fd]
            return False
        if self.left is not None:
            self.left -= len(chunk)
            if self.left < 0:
                kill_group(self.proc, reap=True)
                raise OutputTooLarge(self.proc.args, self.limit or 0)  # type: ignore[arg-type]
        self.sinks[fd].append(chunk)
        if self.terminal is not None:
            self.terminal.write(chunk)
            self.terminal.flush()
        return True


_PIPE_BUF = getattr(select, "PIPE_BUF", 512)  # a write of this much never blocks on a writable pipe (as subprocess)


def _close(pipe: object | None) -> None:
    if pipe is not None:
        try:
            pipe.close()  # type: ignore[attr-defined]
        except OSError:
            pass


_E2BIG = 7  # errno.E2BIG on Linux: what posix_spawn raises for a command line over the system's limits
_ARG_MAX_FLOOR = 32 * 4096  # Linux's ARG_MAX is never below this (a quarter of the stack limit, at least 32 pages)


def check_argv_size(argv: Sequence[str]) -> None:
    """Refuse a command Linux would not start (E2BIG), naming why: one argument over 128 KiB, or all of
    them with the environment over the system's ARG_MAX. Asked when a dry run skips a command, and when
    starting one failed with E2BIG: summing the environment touches each of its strings, and every
    engine command would pay for it."""
    env = ENVIRON
    total = sum(map(len, env)) + sum(map(len, env.values())) + (2 + 8) * len(env)  # (each: NUL, '=' and pointer)
    for i, arg in enumerate(argv):
        size = len(arg.encode("utf-8", "surrogateescape")) + 1
        total += size + 8
        if size > MAX_ARGUMENT_BYTES + 1:
            after = f" (after {argv[i - 1]!r})" if i > 1 else ""
            raise ConversionError(f"argument {i}{after} of `{os.path.basename(argv[0])} {subcommand_of(argv[1:])}` "
                                  f"is {size // 1024} KiB, more than one argument can hold", hint=BIG_DATA_HINT)
    if total > _ARG_MAX_FLOOR and total > os.sysconf("SC_ARG_MAX"):
        raise ConversionError(f"the command line with the environment is {total // 1024} KiB, more than the "
                              f"system's {os.sysconf('SC_ARG_MAX') // 1024} KiB", hint=BIG_DATA_HINT)


_default = Executor()
_current: ContextVar[Executor | None] = ContextVar("herodo_executor", default=None)


def current_executor() -> Executor:
    """The executor library calls run their commands on: the active one, else the process default."""
    return _current.get() or _default


def default_executor() -> Executor:
    """The process default executor (what ``herodo_py.nerdctl`` uses outside any ``active()`` block)."""
    return _default


# --- the current executor's, as functions (the library's public API) ---------------------------


def settings() -> EngineSettings:
    """The live settings of the current executor."""
    return current_executor().settings


def configure(**changes: object) -> EngineSettings:
    """Change the current executor's settings (``configure(engine="podman", timeout=30)``)."""
    return current_executor().configure(**changes)


def resolve_engine(pin: str | None = None) -> Engine:
    return current_executor().resolve_engine(pin)


def current_engine() -> Engine:
    """The engine the current executor runs commands with."""
    return current_executor().resolve_engine()


def add_listener(listener: CommandListener) -> None:
    current_executor().add_listener(listener)


def remove_listener(listener: CommandListener) -> None:
    current_executor().remove_listener(listener)


def execute_nerdctl_command(args: Sequence[str], **options: Any) -> CommandResult:
    """Run one engine command on the current executor (see :meth:`Executor.run` for the options)."""
    return current_executor().run(args, **options)
