"""Engine settings and the one place that runs an engine command.

``execute_nerdctl_command(["ps", "-a"])`` runs the chosen CLI (nerdctl, docker or podman) with an
argv list (never a shell), its global flags first, a timeout that kills the whole process group,
and returns a :class:`CommandResult` or raises a classified :class:`CommandFailed`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

from .errors import (
    CommandExecutionFailed,
    CommandTimeout,
    ConversionError,
    EngineNotFound,
    UnsupportedByEngine,
    classify_failure,
)
from .validate import BIG_DATA_HINT, MAX_ARGUMENT_BYTES

EngineKind = Literal["nerdctl", "docker", "podman"]
KINDS: tuple[EngineKind, ...] = ("nerdctl", "docker", "podman")

DEFAULT_TIMEOUT = 120.0
LONG_TIMEOUT = 1800.0
# Subcommands that move or build whole images get the long timeout.
LONG_SUBCOMMANDS = frozenset({"pull", "push", "build", "load", "save", "import", "export", "commit"})
# Subcommands that change state; in dry-run mode they are reported and not run.
MUTATING_SUBCOMMANDS = frozenset({
    "run", "create", "start", "stop", "restart", "kill", "rm", "rmi", "pull", "push", "tag", "build",
    "commit", "export", "cp", "exec", "load", "save", "import", "pause", "unpause", "prune",
    "connect", "disconnect",
})
# After a timeout kill: how long to wait for the output pipes to close.
DRAIN_SECONDS = 2.0
# Group words that may precede the real subcommand (``container rm``, ``image pull``...).
GROUP_WORDS = frozenset({"container", "image", "network", "volume", "system", "builder"})


@dataclass
class EngineSettings:
    """Process-wide engine settings. ``None`` means: from the environment, or the engine's default."""

    engine: str | None = None  # name or path; else HERODO_ENGINE; else first of nerdctl, docker, podman
    namespace: str | None = None  # nerdctl --namespace; else CONTAINERD_NAMESPACE
    address: str | None = None  # nerdctl --address (docker --host, podman --url); else CONTAINERD_ADDRESS
    snapshotter: str | None = None  # nerdctl --snapshotter; else CONTAINERD_SNAPSHOTTER
    timeout: float = DEFAULT_TIMEOUT  # seconds per command
    long_timeout: float = LONG_TIMEOUT  # seconds for pull, push, build, save, load, export, commit
    dry_run: bool = False  # report state-changing commands instead of running them
    labels: dict[str, str] = field(default_factory=dict)  # added to every container we run


@dataclass(frozen=True)
class Engine:
    """A resolved engine CLI."""

    path: str
    kind: EngineKind

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


@dataclass
class CommandResult:
    """What an engine command did. ``success`` is judged by the exit code alone."""

    stdout: str
    stderr: str
    code: int
    argv: list[str]
    duration: float = 0.0
    dry_run: bool = False

    @property
    def success(self) -> bool:
        return self.code == 0

    @property
    def command(self) -> str:
        import shlex

        return shlex.join(self.argv)


CommandListener = Callable[[str, list[str], "CommandResult | None"], None]
"""Called with ("start" | "end" | "skip", argv, result-or-None) around every command."""

_settings = EngineSettings()
_engine_cache: dict[str | None, Engine] = {}
_listeners: list[CommandListener] = []


def settings() -> EngineSettings:
    """The live process-wide settings object."""
    return _settings


def configure(**changes: object) -> EngineSettings:
    """Change settings (``configure(engine="podman", timeout=30)``); unknown names are refused."""
    from .validate import check_timeout

    for key, value in changes.items():
        if not hasattr(_settings, key):
            raise TypeError(f"unknown engine setting {key!r}")
        if key in ("timeout", "long_timeout"):
            value = check_timeout(value, key)
        setattr(_settings, key, value)
    if "engine" in changes:
        _engine_cache.clear()
    return _settings


def add_listener(listener: CommandListener) -> None:
    _listeners.append(listener)


def remove_listener(listener: CommandListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _notify(event: str, argv: list[str], result: CommandResult | None) -> None:
    for listener in list(_listeners):
        listener(event, argv, result)


# --- engine resolution --------------------------------------------------------------------


def _kind_from_version(path: str) -> EngineKind | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10,
                             stdin=subprocess.DEVNULL).stdout.lower()
    except (OSError, subprocess.SubprocessError):
        return None
    for kind in KINDS:
        if kind in out:
            return kind
    return None


def resolve_engine(pin: str | None = None) -> Engine:
    """Find the engine CLI: ``pin`` (name or path), else ``HERODO_ENGINE``, else the first on PATH."""
    pin = pin or _settings.engine or os.environ.get("HERODO_ENGINE") or None
    if pin in _engine_cache:
        return _engine_cache[pin]
    candidates = [pin] if pin else list(KINDS)
    for candidate in candidates:
        path = candidate if os.sep in candidate else shutil.which(candidate)
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
        _engine_cache[pin] = engine
        return engine
    if pin:
        raise EngineNotFound(f"the engine {pin!r} (from settings or HERODO_ENGINE) was not found or is not executable")
    raise EngineNotFound(
        "no container engine found: looked for nerdctl, docker and podman on PATH "
        f"({os.environ.get('PATH', '')})"
    )


def current_engine() -> Engine:
    """The engine commands will run with (resolved once, then cached)."""
    return resolve_engine()


def global_flags(engine: Engine, cfg: EngineSettings | None = None, *, snapshotter: str | None = None) -> list[str]:
    """Global flags, long form, for the engines that have them (``snapshotter`` overrides the setting)."""
    cfg = cfg or _settings
    snapshotter = snapshotter or cfg.snapshotter
    flags: list[str] = []
    if engine.kind == "nerdctl":
        for flag, value in (
            ("--namespace", cfg.namespace or os.environ.get("CONTAINERD_NAMESPACE")),
            ("--address", cfg.address or os.environ.get("CONTAINERD_ADDRESS")),
            ("--snapshotter", snapshotter or os.environ.get("CONTAINERD_SNAPSHOTTER")),
        ):
            if value:
                flags += [flag, value]
        return flags
    # docker and podman: no namespaces and no snapshotters (CONTAINERD_* is nerdctl's and ignored).
    for setting, value in (("namespace", cfg.namespace), ("snapshotter", snapshotter)):
        if value:
            raise UnsupportedByEngine(
                field=setting, value=value, expected=f"no {setting} on {engine.kind} (a nerdctl setting)",
                hint=f"unset the {setting}, or use nerdctl",
            )
    if cfg.address:
        flags += ["--host" if engine.kind == "docker" else "--url", cfg.address]
    return flags


def subcommand_of(args: Sequence[str]) -> str:
    """The effective subcommand: ``["container", "rm", "x"]`` -> ``"rm"``."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return ""
    if words[0] in GROUP_WORDS and len(words) > 1:
        second = words[1]
        return {"ls": "ps", "list": "ps", "remove": "rm", "inspect": "inspect"}.get(second, second)
    return words[0]


# --- running ------------------------------------------------------------------------------


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _drain(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """What a killed command had written. A process outside its group (a helper that called
    setsid) may still hold the pipes: stop waiting for them after ``DRAIN_SECONDS``."""
    try:
        return proc.communicate(timeout=DRAIN_SECONDS)
    except subprocess.TimeoutExpired as exc:
        for pipe in (proc.stdout, proc.stderr):
            if pipe:
                pipe.close()
        proc.wait()
        return exc.stdout or b"", exc.stderr or b""


def _pump(stream: object, sink: list[bytes], echo: object | None) -> None:
    read = getattr(stream, "read1", None) or stream.read  # type: ignore[attr-defined]
    while chunk := read(65536):
        sink.append(chunk)
        if echo is not None:
            echo.write(chunk)  # type: ignore[attr-defined]
            echo.flush()  # type: ignore[attr-defined]


def _communicate(proc: subprocess.Popen[bytes], input_bytes: bytes | None, timeout: float,
                 echo: bool) -> tuple[bytes, bytes]:
    if not echo:
        return proc.communicate(input_bytes, timeout=timeout)
    # Stream both pipes to the terminal as they come, and keep a copy.
    out: list[bytes] = []
    err: list[bytes] = []
    terminal = sys.stderr.buffer
    threads = [threading.Thread(target=_pump, args=(proc.stdout, out, terminal), daemon=True),
               threading.Thread(target=_pump, args=(proc.stderr, err, terminal), daemon=True)]
    for t in threads:
        t.start()
    if proc.stdin:
        if input_bytes:
            proc.stdin.write(input_bytes)
        proc.stdin.close()
    proc.wait(timeout=timeout)
    for t in threads:
        t.join(5)
    return b"".join(out), b"".join(err)


def check_argv_size(argv: Sequence[str]) -> None:
    """Refuse, before it starts, a command Linux would not start (E2BIG): one argument over
    128 KiB, or all of them with the environment over the system's ARG_MAX."""
    total = sum(len(k) + len(v) + 2 + 8 for k, v in os.environb.items())  # (each with its NUL, '=' and pointer)
    for i, arg in enumerate(argv):
        size = len(arg.encode("utf-8", "surrogateescape")) + 1
        total += size + 8
        if size > MAX_ARGUMENT_BYTES + 1:
            after = f" (after {argv[i - 1]!r})" if i > 1 else ""
            raise ConversionError(f"argument {i}{after} of `{os.path.basename(argv[0])} {subcommand_of(argv[1:])}` "
                                  f"is {size // 1024} KiB, more than one argument can hold", hint=BIG_DATA_HINT)
    if total > os.sysconf("SC_ARG_MAX"):
        raise ConversionError(f"the command line with the environment is {total // 1024} KiB, more than the "
                              f"system's {os.sysconf('SC_ARG_MAX') // 1024} KiB", hint=BIG_DATA_HINT)


def execute_nerdctl_command(
    args: Sequence[str],
    *,
    timeout: float | None = None,
    check: bool = True,
    stream: bool = False,
    input: str | bytes | None = None,
    engine: Engine | None = None,
    snapshotter: str | None = None,
) -> CommandResult:
    """Run one engine command and return its result.

    ``args`` is the argv after the CLI name (``["ps", "-a"]``). ``timeout`` defaults to the
    settings' (long for pull/push/build...). ``check`` raises a classified ``CommandFailed`` on a
    non-zero exit. ``stream`` echoes output to the terminal as it comes when stderr is a terminal.
    ``snapshotter`` is nerdctl's global ``--snapshotter`` for this command (refused on docker/podman).
    """
    args = [str(a) for a in args]
    engine = engine or current_engine()
    argv = [engine.path, *global_flags(engine, snapshotter=snapshotter), *args]
    check_argv_size(argv)
    sub = subcommand_of(args)
    if timeout is None:
        timeout = _settings.long_timeout if sub in LONG_SUBCOMMANDS else _settings.timeout

    if _settings.dry_run and sub in MUTATING_SUBCOMMANDS:
        result = CommandResult(stdout="", stderr="", code=0, argv=argv, dry_run=True)
        _notify("skip", argv, result)
        return result

    input_bytes = input.encode() if isinstance(input, str) else input
    echo = stream and sys.stderr.isatty()
    _notify("start", argv, None)
    started = time.monotonic()
    # the engine's own TMPDIR, removed afterwards: a killed podman leaves its storage* temp dirs there
    scratch = tempfile.mkdtemp(prefix="herodo-engine-")
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # our own process group: a timeout or Ctrl-C kills it whole
            env={**os.environ, "TMPDIR": scratch},
        )
    except OSError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        if isinstance(exc, FileNotFoundError):  # removed since it was found: look for it again next time
            _engine_cache.clear()
            raise EngineNotFound(f"the engine {engine.path} is gone (it was there when first used)", argv=argv) from exc
        raise CommandExecutionFailed(f"could not start {engine.path}: {exc.strerror or exc}", argv=argv) from exc
    try:
        out, err = _communicate(proc, input_bytes, timeout, echo)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = _drain(proc)
        result = CommandResult(_decode(out), _decode(err), -9, argv, time.monotonic() - started)
        _notify("end", argv, result)
        raise CommandTimeout(
            f"`{result.command}` did not finish within {timeout:g}s and was killed",
            timeout=timeout, argv=argv, code=None, stdout=result.stdout, stderr=result.stderr,
        ) from None
    except BaseException:  # Ctrl-C or anything else: never leave the command running
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = CommandResult(_decode(out), _decode(err), proc.returncode, argv, time.monotonic() - started)
    _notify("end", argv, result)
    if check and not result.success:
        raise classify_failure(argv, result.code, result.stdout, result.stderr)
    return result


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")
