"""``herodo --hosts INVENTORY playbook.lua [-- ARGS]``: one playbook, many hosts.

The playbook runs once per host of the inventory (:mod:`herodo_py.cli.inventory`), each run a herodo process of
its own with that host's ``--address`` (and ``--engine`` when the inventory names one) and every other option
of the command line passed through as given, at most ``--forks N`` processes at once. Each output line of
a host is written with the host's name in front (``web1 | ...``), stdout to stdout and stderr to stderr,
whole lines only. At the end a recap on stderr: one line per host (status, exit code, duration) and the
failing hosts. Exit code: 0 when every host succeeded, 1 when any failed, 130 after Ctrl-C (143 after
SIGTERM), 2 for a usage error (found before any host runs).

The script learns its host from the environment: ``HERODO_HOST`` (the name), ``HERODO_HOST_ADDRESS``,
``HERODO_HOST_ENGINE`` (unset when the inventory names no engine); ``HERODO_*`` variables stay readable
under ``--sandbox``.

Ctrl-C (or SIGTERM) is forwarded as SIGINT to every running host process, which runs its own cleanup;
hosts not started yet are not started. A host process still running :data:`KILL_AFTER` seconds after the
first stop is killed. A hanging host is bounded by ``--script-timeout`` like any herodo run.

This module stays light (the standard library only, loaded when ``--hosts`` is used).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import IO, NamedTuple

from ..lua.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TIMEOUT, EXIT_UNAVAILABLE, EXIT_USAGE
from .inventory import Host, InventoryError, load_inventory
from .options import FLEET_OPTIONS

DEFAULT_FORKS = 5
MAX_FORKS = 256
KILL_AFTER = 30.0  # seconds a host process may take to end after a stop before it is killed
LINE_LIMIT = 1 << 20  # a longer line is written in pieces of this size, each prefixed
EXIT_TERMINATED = 143  # 128 + SIGTERM
HOST_ENV = ("HERODO_HOST", "HERODO_HOST_ADDRESS", "HERODO_HOST_ENGINE")
STATUS = {EXIT_OK: "ok", EXIT_UNAVAILABLE: "unavailable", EXIT_TIMEOUT: "timeout", EXIT_INTERRUPTED: "interrupted",
          EXIT_USAGE: "usage error"}


class UsageError(Exception):
    """A bad ``--hosts`` command line: herodo exits 2 before any host runs."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class FleetRequest(NamedTuple):
    """``--hosts``/``--forks`` taken out of a ``run`` command line; ``argv`` is the rest, as given."""

    spec: str
    forks: int
    argv: list[str]


def parse_forks(text: str) -> int:
    try:
        forks = int(text)
    except ValueError:
        forks = 0
    if not 1 <= forks <= MAX_FORKS:
        raise UsageError(f"--forks: invalid value {text!r} (expected a whole number from 1 to {MAX_FORKS})")
    return forks


def split_fleet_options(argv: Sequence[str]) -> FleetRequest | None:
    """Take ``--hosts X`` / ``--hosts=X`` and ``--forks N`` out of ``argv`` (up to ``--``); ``None`` without
    ``--hosts``. Only these exact spellings count: the rest goes to every host's herodo unchanged."""
    spec: str | None = None
    forks: int | None = None
    rest: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            rest += argv[i:]
            break
        name, equals, value = word.partition("=")
        if name not in FLEET_OPTIONS:
            rest.append(word)
            i += 1
            continue
        if not equals:
            if i + 1 >= len(argv) or argv[i + 1] == "--":
                raise UsageError(f"{name} needs a value",
                                 hint="--hosts INVENTORY (a file, or NAME=ADDRESS,...); --forks N")
            value = argv[i + 1]
            i += 1
        if name == "--hosts":
            if not value:
                raise UsageError("--hosts: empty value (expected an inventory file or NAME=ADDRESS,...)")
            spec = value
        else:
            forks = parse_forks(value)
        i += 1
    if spec is None:
        if forks is not None:
            raise UsageError("--forks works with --hosts only", hint="herodo --hosts INVENTORY --forks N playbook.lua")
        return None
    return FleetRequest(spec, forks or DEFAULT_FORKS, rest)


# --- the host processes -------------------------------------------------------------------------------


def herodo_command() -> list[str]:
    """The command that starts herodo with this very code (not whatever ``herodo`` is on PATH)."""
    return [sys.executable, "-m", "herodo_py.cli"]


def host_argv(argv: Sequence[str], host: Host) -> list[str]:
    """A host's command line: ``run``, the host's engine settings, then the operator's words as given
    (``argv`` starts with ``run``; it holds no ``--address`` or ``--engine``: :func:`fleet_main` refuses them)."""
    settings = ["--address", host.address, *(["--engine", host.engine] if host.engine else [])]
    return [*herodo_command(), "run", *settings, *argv[1:]]


def host_env(host: Host, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a host's herodo: the host's identity, unbuffered output, this code on the path."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in HOST_ENV}
    env.update({"HERODO_HOST": host.name, "HERODO_HOST_ADDRESS": host.address, "PYTHONUNBUFFERED": "1"})
    if host.engine:
        env["HERODO_HOST_ENGINE"] = host.engine
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # herodo_py/cli/..
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


class PrefixedOutput:
    """Writes whole lines, each with its host's name in front, one line at a time across all hosts."""

    def __init__(self, names: Sequence[str], stdout: IO[bytes], stderr: IO[bytes]) -> None:
        self.width = max(len(n) for n in names)
        self.streams = {"stdout": stdout, "stderr": stderr}
        self.closed: set[str] = set()
        self.lock = threading.Lock()

    def prefix(self, name: str) -> bytes:
        return f"{name:<{self.width}} | ".encode()

    def write(self, stream: str, data: bytes) -> None:
        with self.lock:
            if stream in self.closed:
                return
            try:
                self.streams[stream].write(data)
                self.streams[stream].flush()
            except BrokenPipeError:  # the reader went away (`herodo --hosts ... | head`): drop the rest
                self.closed.add(stream)

    def pump(self, name: str, stream: str, pipe: IO[bytes]) -> None:
        """Copy ``pipe`` line by line until it closes (a last line without a newline gets one)."""
        prefix = self.prefix(name)
        with pipe:
            for line in iter(lambda: pipe.readline(LINE_LIMIT), b""):
                self.write(stream, prefix + (line if line.endswith(b"\n") else line + b"\n"))


class HostRun:
    """One host's herodo process, its output pumps, and how it ended."""

    def __init__(self, host: Host, argv: list[str], env: dict[str, str]) -> None:
        self.host, self.argv, self.env = host, argv, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.code: int | None = None
        self.error: str | None = None
        self.started = self.ended = 0.0

    def start(self, output: PrefixedOutput, finished: queue.SimpleQueue[HostRun]) -> None:
        self.started = time.monotonic()
        try:
            # its own session: a terminal's Ctrl-C reaches the fleet runner only, which forwards it once
            self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            self.error = f"could not start herodo: {exc.strerror or exc}"
            self.ended = time.monotonic()
            finished.put(self)
            return
        out = threading.Thread(target=output.pump, args=(self.host.name, "stdout", self.proc.stdout), daemon=True)
        out.start()

        def rest() -> None:
            output.pump(self.host.name, "stderr", self.proc.stderr)  # type: ignore[union-attr,arg-type]
            out.join()
            self.code = self.proc.wait()  # type: ignore[union-attr]
            self.ended = time.monotonic()
            finished.put(self)

        threading.Thread(target=rest, daemon=True).start()

    def signal(self, signum: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(signum) if signum != signal.SIGKILL else os.killpg(self.proc.pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    @property
    def ok(self) -> bool:
        return self.code == EXIT_OK

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        if self.code is not None and self.code < 0:
            return f"killed ({signal.Signals(-self.code).name})" if -self.code in signal.valid_signals() else "killed"
        return STATUS.get(self.code, "failed")  # type: ignore[arg-type]


class Stop(Exception):
    """SIGTERM reached the fleet runner."""


class Fleet:
    """Runs ``argv`` once per host, ``forks`` at a time, and reports."""

    def __init__(self, hosts: Sequence[Host], argv: Sequence[str], forks: int, *, label: str = "",
                 stdout: IO[bytes] | None = None, stderr: IO[bytes] | None = None) -> None:
        self.hosts = list(hosts)
        self.runs = [HostRun(h, host_argv(argv, h), host_env(h)) for h in self.hosts]
        self.forks = forks
        self.label = label
        self.output = PrefixedOutput([h.name for h in self.hosts], stdout or sys.stdout.buffer,
                                     stderr or sys.stderr.buffer)
        self.stopped_by: int | None = None

    def run(self) -> int:
        started = time.monotonic()
        sys.stdout.flush()
        finished: queue.SimpleQueue[HostRun] = queue.SimpleQueue()
        pending = deque(self.runs)
        running: set[HostRun] = set()
        kill_at: float | None = None
        with _sigterm_raises_stop():
            while pending or running:
                try:
                    while pending and len(running) < self.forks and self.stopped_by is None:
                        run = pending.popleft()
                        running.add(run)
                        run.start(self.output, finished)
                    running.discard(finished.get(timeout=0.5))
                except queue.Empty:
                    if kill_at is not None and time.monotonic() > kill_at:
                        for run in running:
                            run.signal(signal.SIGKILL)
                except (KeyboardInterrupt, Stop) as exc:
                    # forwarded as SIGINT: each host's herodo runs its cleanup (a second one ends it at once)
                    self.stopped_by = signal.SIGTERM if isinstance(exc, Stop) else signal.SIGINT
                    kill_at = kill_at or time.monotonic() + KILL_AFTER
                    pending.clear()
                    for run in running:
                        run.signal(signal.SIGINT)
        self.recap(time.monotonic() - started)
        return self.exit_code()

    def exit_code(self) -> int:
        if self.stopped_by is not None:
            return EXIT_TERMINATED if self.stopped_by == signal.SIGTERM else EXIT_INTERRUPTED
        return EXIT_OK if all(run.ok for run in self.runs) else EXIT_FAILED

    def recap(self, elapsed: float) -> None:
        width = max(len(h.name) for h in self.hosts)
        lines = [f"herodo: recap{' of ' + self.label if self.label else ''}: {len(self.hosts)} hosts, "
                 f"forks {self.forks}, {elapsed:.2f}s"]
        for run in self.runs:
            if run.started == 0.0:
                lines.append(f"  {run.host.name:<{width}}  not run")
                continue
            code = "" if run.code is None else f"exit {run.code}"
            detail = f"  {run.error}" if run.error else ""
            took = run.ended - run.started
            lines.append(f"  {run.host.name:<{width}}  {run.status:<12} {code:<9} {took:7.2f}s{detail}")
        failed = [run.host.name for run in self.runs if not run.ok]
        if failed:
            lines.append(f"herodo: {len(failed)} of {len(self.hosts)} hosts failed: {', '.join(failed)}")
        else:
            lines.append(f"herodo: all {len(self.hosts)} hosts ok")
        self.output.write("stderr", ("\n".join(lines) + "\n").encode())


class _sigterm_raises_stop:
    """SIGTERM raises :class:`Stop` in the main thread while the fleet runs (elsewhere: left alone)."""

    def __enter__(self) -> None:
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)

    @staticmethod
    def _raise(signum: int, frame: object) -> None:
        raise Stop()

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def fleet_main(argv: Sequence[str], parse_args: Callable[[list[str]], object]) -> int | None:
    """``herodo run ... --hosts INVENTORY ...``: check the command line (``parse_args``: the usual parser,
    which exits 2 on a bad option) and the inventory, then run the playbook on every host; ``None`` when
    ``argv`` has no ``--hosts``. Usage errors are printed, with exit code 2, before any host runs."""
    try:
        request = split_fleet_options(argv)
        if request is None:
            return None
        args = parse_args(request.argv)
        for option in ("address", "engine"):
            if getattr(args, option, None):
                raise UsageError(f"--{option} does not go with --hosts: each host's {option} comes from the inventory",
                                 hint="name the engine on a host's line (else HERODO_ENGINE or the first engine on "
                                      "PATH is used)")
        hosts = load_inventory(request.spec)
        path = getattr(args, "path", "")
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such playbook file or folder")
    except (UsageError, InventoryError) as exc:
        sys.stderr.write(f"herodo: {exc}\n" + (f"hint: {exc.hint}\n" if exc.hint else ""))
        return EXIT_USAGE
    return Fleet(hosts, request.argv, request.forks, label=path).run()
