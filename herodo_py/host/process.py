"""Host commands: ``run`` with captured output, ``which``, and what Lua's ``os.execute``/``io.popen`` need.

``run(["ls", "-l"])`` runs an argv list (no shell); ``run("ls | wc -l")`` runs a string with
``/bin/sh -c``: the caller's explicit choice of a shell. Every command gets its own process group
(a timeout, Ctrl-C or the script's time limit kills the whole group), and stdin is empty unless
given. ``env`` adds to (or, with ``clear_env``, replaces) herodo's environment.

Every command obeys the current :class:`~.policy.HostPolicy` (refused in a sandbox) and the policy's watcher
(the engine executor): its listeners see ``start``/``end`` (``--trace``), and in its dry run the command is
not run (``skip``) and a placeholder result comes back (code 0, empty output, ``dry_run`` true).
"""

from __future__ import annotations

import os
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

from ..processes import kill_group as _kill_group
from ..processes import start
from ..result import CommandResult
from . import policy
from .errors import (
    BadHostInput,
    HostCommandFailed,
    HostCommandTimeout,
    HostRemoved,
    OutputTooLarge,
    ProgramNotFound,
)

SHELL = "/bin/sh"
MAX_OUTPUT = 64 * 1024 * 1024  # bytes of one captured stream (stdout or stderr) before the command is killed
MAX_TIMEOUT = 2_000_000.0  # seconds (the OS wait limit)
_CHUNK = 65536


# --- checking input ------------------------------------------------------------------------


def _no_nul(value: str, field: str) -> str:
    if "\0" in value:
        raise BadHostInput(f"invalid {field}: it contains a NUL byte", field=field, value=value,
                           expected="text without NUL bytes (the OS cannot pass them)")
    return value


def command_argv(cmd: str | Sequence[str]) -> list[str]:
    """The argv of ``cmd``: a string runs through ``/bin/sh -c``, a list is the argv itself."""
    if isinstance(cmd, str):
        if not cmd.strip():
            raise BadHostInput("invalid command: it is empty", field="cmd", value=cmd,
                               expected="a shell command line, or a list like {'ls', '-l'}")
        return [SHELL, "-c", _no_nul(cmd, "cmd")]
    argv = list(cmd)
    if not argv or not all(isinstance(a, str) for a in argv) or not argv[0]:
        raise BadHostInput(f"invalid command: {argv!r}", field="cmd", value=argv,
                           expected="a non-empty list of strings, the program first: {'ls', '-l'}")
    return [_no_nul(a, f"cmd[{i + 1}]") for i, a in enumerate(argv)]


def check_timeout(timeout: float | None, field: str = "timeout") -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise BadHostInput(f"invalid {field}: {timeout!r}", field=field, value=timeout,
                           expected=f"seconds, a number above 0 and at most {MAX_TIMEOUT:g}")
    return float(timeout)


def _environment(env: Mapping[str, str] | None, clear_env: bool) -> dict[str, str] | None:
    if env is None and not clear_env:
        return None
    out = {} if clear_env else dict(os.environ)
    for key, value in (env or {}).items():
        if not isinstance(key, str) or not key or "=" in key or "\0" in key:
            raise BadHostInput(f"invalid env name: {key!r}", field="env", value=key,
                               expected="a variable name without '=' or NUL bytes")
        if not isinstance(value, str):
            raise BadHostInput(f"invalid env value of {key}: {value!r}", field=f"env.{key}", value=value,
                               expected="a string")
        out[key] = _no_nul(value, f"env.{key}")
    return out


def _working_dir(cwd: str | None) -> str | None:
    if cwd is not None and not os.path.isdir(_no_nul(cwd, "cwd")):
        raise BadHostInput(f"invalid cwd: {cwd!r} is not a folder", field="cwd", value=cwd,
                           expected="an existing folder")
    return cwd


def check_allowed(what: str) -> None:
    if not policy.current().commands:
        raise HostRemoved(f"{what} is not available in the sandbox (herodo --sandbox)",
                          hint="a sandboxed script cannot start programs on the host: run commands in a "
                               "container (exec)")


# --- running -------------------------------------------------------------------------------


def run(cmd: str | Sequence[str], *, timeout: float | None = None, env: Mapping[str, str] | None = None,
        clear_env: bool = False, cwd: str | None = None, stdin: str | bytes | None = None,
        check: bool = True) -> CommandResult:
    """Run ``cmd`` to its end and return its captured output.

    ``timeout``: seconds before the whole process group is killed (``HostCommandTimeout``; none by
    default). ``env``: variables added to herodo's environment (``clear_env``: the only ones).
    ``stdin``: text given on standard input (else it is empty). ``check``: raise
    ``HostCommandFailed`` on a non-zero exit (else the result says so).
    """
    argv = command_argv(cmd)
    timeout = check_timeout(timeout)
    environment = _environment(env, clear_env)
    cwd = _working_dir(cwd)
    data = stdin.encode("utf-8", "surrogateescape") if isinstance(stdin, str) else stdin
    check_allowed("run")
    if policy.dry_run():
        result = CommandResult("", "", 0, argv, dry_run=True)
        policy.notify("skip", argv, result)
        return result
    policy.notify("start", argv, None)
    started = time.monotonic()
    proc = _start(argv, cwd=cwd, env=environment, stdin=subprocess.PIPE if data else subprocess.DEVNULL,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = _exchange(proc, data, None if timeout is None else started + timeout)
        code = proc.wait()
    except (TimeoutError, OutputTooLarge) as exc:
        kill_group(proc)
        out, err = getattr(exc, "partial", (b"", b""))
        result = CommandResult(_text(out), _text(err), -9, argv, time.monotonic() - started)
        policy.notify("end", argv, result)
        if isinstance(exc, OutputTooLarge):
            exc.argv, exc.stdout, exc.stderr = argv, result.stdout, result.stderr
            raise
        raise HostCommandTimeout(f"`{result.command}` did not finish within {timeout:g}s and was killed",
                                 argv=argv, stdout=result.stdout, stderr=result.stderr,
                                 hint="give it more time ({timeout=SECONDS}) or look at what it waits for") from None
    except BaseException:  # Ctrl-C, the script's time limit: never leave the command running
        kill_group(proc)
        raise
    result = CommandResult(_text(out), _text(err), shell_code(code), argv, time.monotonic() - started)
    policy.notify("end", argv, result)
    if check and not result.success:
        raise failure(result, code)
    return result


def shell_code(returncode: int) -> int:
    """An exit status as a shell reports it: a command killed by signal N gives 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def failure(result: CommandResult, returncode: int) -> HostCommandFailed:
    how = (f"was killed by signal {-returncode} ({_signal_name(-returncode)})" if returncode < 0
           else f"exited with status {returncode}")
    said = (result.stderr.strip() or result.stdout.strip()).splitlines()[-5:]
    message = f"`{result.command}` {how}" + (":\n  " + "\n  ".join(said) if said else "")
    hint = "pass {check=false} to get the result instead of an error"
    if returncode == 127 and result.argv[:2] == [SHELL, "-c"]:
        hint = "the shell did not find the program: check its name and PATH (which(name))"
    return HostCommandFailed(message, argv=result.argv, code=result.code, stdout=result.stdout,
                             stderr=result.stderr, hint=hint)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _start(argv: list[str], **options: object) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a process group of its own, under the policy's start guard (a stop arriving
    while the child is created is held back, then the child is killed: :func:`herodo_py.processes.start`)."""
    try:
        return start(argv, policy.current().guard, **options)
    except FileNotFoundError as exc:
        raise ProgramNotFound(f"cannot run {argv[0]!r}: no such program"
                              + ("" if os.sep in argv[0] else " on PATH"), argv=argv,
                              hint="check the name, or find it with which(name)") from exc
    except OSError as exc:
        raise ProgramNotFound(f"cannot run {argv[0]!r}: {exc.strerror or exc}", argv=argv,
                              hint="check that it is an executable file") from exc


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command's whole process group and reap it."""
    _kill_group(proc, reap=True)


def _exchange(proc: subprocess.Popen[bytes], data: bytes | None, deadline: float | None) -> tuple[bytes, bytes]:
    """Write ``data`` to stdin and read stdout and stderr until both close (or the deadline:
    ``TimeoutError``; more than :data:`MAX_OUTPUT`: ``OutputTooLarge``), both carrying ``partial``."""
    out: list[bytes] = []
    err: list[bytes] = []
    sizes = {id(out): 0, id(err): 0}
    offset = 0
    with selectors.DefaultSelector() as selector:
        if proc.stdin is not None:
            os.set_blocking(proc.stdin.fileno(), False)
            selector.register(proc.stdin, selectors.EVENT_WRITE)
        assert proc.stdout is not None and proc.stderr is not None
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                exc = TimeoutError()
                exc.partial = (b"".join(out), b"".join(err))  # type: ignore[attr-defined]
                raise exc
            for key, _ in selector.select(remaining):
                if key.fileobj is proc.stdin:
                    try:
                        offset += os.write(key.fd, memoryview(data or b"")[offset:offset + _CHUNK])
                        done = offset >= len(data or b"")
                    except BlockingIOError:
                        done = False
                    except BrokenPipeError:  # the command stopped reading: the rest is not wanted
                        done = True
                    if done:
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                key.data.append(chunk)
                sizes[id(key.data)] += len(chunk)
                if sizes[id(key.data)] > MAX_OUTPUT:
                    exc2 = OutputTooLarge(f"the command wrote more than {MAX_OUTPUT // (1024 * 1024)} MiB on "
                                          f"{'stdout' if key.data is out else 'stderr'} and was killed",
                                          hint="write big output to a file and read what you need")
                    exc2.partial = (b"".join(out)[:4096], b"".join(err)[:4096])  # type: ignore[attr-defined]
                    raise exc2
    return b"".join(out), b"".join(err)


def _text(data: bytes) -> str:
    """Output as text; bytes that are not UTF-8 survive as surrogate escapes (Lua gets them back)."""
    return data.decode("utf-8", "surrogateescape")


def which(name: str) -> str | None:
    """The full path of program ``name`` on PATH (or ``name`` itself when it is an executable path)."""
    if not isinstance(name, str) or not name or "\0" in name:
        raise BadHostInput(f"invalid program name: {name!r}", field="name", value=name,
                           expected="a program name like 'git', or a path")
    return shutil.which(name)


# --- os.execute and io.popen ---------------------------------------------------------------

Status = tuple[bool | None, str, int]


def status_of(returncode: int) -> Status:
    """Lua's status triple: ``(true|nil, "exit", code)`` or ``(nil, "signal", number)``."""
    if returncode < 0:
        return None, "signal", -returncode
    return (True if returncode == 0 else None), "exit", returncode


def _stream_fd(stream: object) -> int | None:
    """The file descriptor behind ``sys.stdout``/``sys.stderr`` (flushed), or ``None`` (captured in Python)."""
    try:
        stream.flush()  # type: ignore[attr-defined]
        return stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None


def execute(cmd: str) -> Status:
    """``os.execute(cmd)``: ``/bin/sh -c cmd`` with herodo's output streams; Lua's status triple."""
    argv = command_argv(cmd)
    check_allowed("os.execute")
    if policy.dry_run():
        policy.notify("skip", argv, CommandResult("", "", 0, argv, dry_run=True))
        return True, "exit", 0
    out_fd, err_fd = _stream_fd(sys.stdout), _stream_fd(sys.stderr)
    policy.notify("start", argv, None)
    started = time.monotonic()
    proc = _start(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE if out_fd is None else out_fd,
                  stderr=subprocess.PIPE if err_fd is None else err_fd)
    try:
        if out_fd is None or err_fd is None:
            out, err = _exchange(proc, None, None) if proc.stdout and proc.stderr else (b"", b"")
            sys.stdout.write(_text(out or b""))
            sys.stderr.write(_text(err or b""))
        code = proc.wait()
    except BaseException:
        kill_group(proc)
        raise
    policy.notify("end", argv, CommandResult("", "", shell_code(code), argv, time.monotonic() - started))
    return status_of(code)


class PipeFile:
    """The process behind ``io.popen(cmd, mode)``: ``"r"`` reads its stdout, ``"w"`` writes its stdin
    (its other streams are herodo's). Reads block until data comes, interruptible by Ctrl-C and the
    time limit (which kill the process group). In a dry run the command does not run: reads see the
    end of the stream and writes are dropped."""

    def __init__(self, cmd: str, mode: str = "r") -> None:
        self.argv = command_argv(cmd)
        if mode not in ("r", "w"):
            raise BadHostInput(f"invalid mode: {mode!r}", field="mode", value=mode, expected="'r' or 'w'")
        check_allowed("io.popen")
        self.mode = mode
        self.proc: subprocess.Popen[bytes] | None = None
        self.status: Status | None = None
        self.started = time.monotonic()
        if policy.dry_run():
            policy.notify("skip", self.argv, CommandResult("", "", 0, self.argv, dry_run=True))
            return
        out_fd, err_fd = _stream_fd(sys.stdout), _stream_fd(sys.stderr)
        policy.notify("start", self.argv, None)
        if mode == "r":
            self.proc = _start(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL if err_fd is None else err_fd)
        else:
            self.proc = _start(self.argv, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL if out_fd is None else out_fd,
                               stderr=subprocess.DEVNULL if err_fd is None else err_fd)

    # reading (mode "r"); None: end of stream
    def _guarded(self, read: object, *args: object) -> bytes:
        try:
            return read(*args)  # type: ignore[operator]
        except BaseException:
            self.kill()
            raise

    @property
    def _out(self) -> object | None:
        return self.proc.stdout if self.proc is not None else None

    def read_line(self, keep: bool = False) -> bytes | None:
        out = self._out
        line = self._guarded(out.readline) if out is not None else b""  # type: ignore[attr-defined]
        if not line:
            return None
        return line if keep or not line.endswith(b"\n") else line[:-1]

    def read_all(self) -> bytes:
        out = self._out
        if out is None:
            return b""
        chunks: list[bytes] = []
        size = 0
        while chunk := self._guarded(out.read1, _CHUNK):  # type: ignore[attr-defined]
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_OUTPUT:
                self.kill()
                raise OutputTooLarge(f"read('a') got more than {MAX_OUTPUT // (1024 * 1024)} MiB from "
                                     f"`{shlex.join(self.argv)}`", argv=self.argv,
                                     hint="read it line by line, or write it to a file")
        return b"".join(chunks)

    def read_count(self, count: int) -> bytes | None:
        out = self._out
        if count == 0:
            return b"" if out is not None and self._guarded(out.peek, 1) else None  # type: ignore[attr-defined]
        data = self._guarded(out.read, count) if out is not None else b""  # type: ignore[attr-defined]
        return data or None

    def read_number(self) -> bytes | None:
        """The longest numeral at the stream's position (Lua's ``read("n")`` rules); Lua converts it."""
        out = self._out
        if out is None:
            return None
        reader = _Numeral(lambda: self._guarded(out.peek, 1)[:1], lambda: self._guarded(out.read, 1))  # type: ignore[attr-defined]
        return reader.read()

    # writing (mode "w")
    def write(self, data: bytes) -> tuple[bool | None, str | None, int | None]:
        if self.proc is None:
            return True, None, None
        try:
            self.proc.stdin.write(data)  # type: ignore[union-attr]
            return True, None, None
        except BrokenPipeError:
            return None, "Broken pipe", 32
        except BaseException:
            self.kill()
            raise

    def flush(self) -> tuple[bool | None, str | None, int | None]:
        if self.proc is not None and self.proc.stdin is not None:
            try:
                self.proc.stdin.flush()
            except BrokenPipeError:
                return None, "Broken pipe", 32
        return True, None, None

    def close(self) -> Status:
        """Close the pipe and wait for the command: Lua's status triple."""
        if self.status is not None:
            return self.status
        if self.proc is None:
            self.status = (True, "exit", 0)
            return self.status
        try:
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    try:
                        pipe.close()
                    except BrokenPipeError:
                        pass
            code = self.proc.wait()
        except BaseException:
            self.kill()
            raise
        self.status = status_of(code)
        policy.notify("end", self.argv, CommandResult("", "", shell_code(code), self.argv,
                                                      time.monotonic() - self.started))
        return self.status

    def kill(self) -> None:
        """Kill the command's process group (a stop, or the handle forgotten without close)."""
        if self.proc is not None and self.status is None:
            kill_group(self.proc)
            self.status = status_of(self.proc.returncode if self.proc.returncode is not None else -9)

    def __del__(self) -> None:
        try:
            self.kill()
        except Exception:
            pass


class _Numeral:
    """Lua 5.4's ``read_number`` (liolib.c): at most 200 characters of a numeral, one character
    of look-ahead left unread."""

    MAX = 200

    def __init__(self, peek: object, take: object) -> None:
        self.peek, self.take = peek, take
        self.buffer = bytearray()

    def _accept(self, chars: bytes) -> bool:
        c = self.peek()  # type: ignore[operator]
        if c and c in chars and len(self.buffer) < self.MAX:
            self.buffer += self.take()  # type: ignore[operator]
            return True
        return False

    def _digits(self, hex_: bool) -> int:
        digits = b"0123456789abcdefABCDEF" if hex_ else b"0123456789"
        count = 0
        while self._accept(digits):
            count += 1
        return count

    def read(self) -> bytes | None:
        while (c := self.peek()) and c in b" \t\n\r\f\v":  # type: ignore[operator]
            self.take()  # type: ignore[operator]
        self._accept(b"-+")
        count, hex_ = 0, False
        if self._accept(b"0"):
            if self._accept(b"xX"):
                hex_ = True
            else:
                count = 1
        count += self._digits(hex_)
        if self._accept(b"."):
            count += self._digits(hex_)
        if count > 0 and self._accept(b"pP" if hex_ else b"eE"):
            self._accept(b"-+")
            self._digits(False)
        return bytes(self.buffer) if self.buffer else None


__all__ = [
    "MAX_OUTPUT",
    "SHELL",
    "PipeFile",
    "check_allowed",
    "check_timeout",
    "command_argv",
    "execute",
    "kill_group",
    "run",
    "status_of",
    "which",
]
