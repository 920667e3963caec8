"""What the red-team probes share: running ``herodo`` as a process under a bound, reading its own peak
RSS, and the ``Box`` of a script folder beside the things a sandboxed script must not reach. (A module of
its own, not conftest.py: tests import from it by a name no other test folder uses.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_TESTS / "lua"))  # herodo_process: the launcher and environment of herodo runs

from herodo_process import HERODO, STANDIN, herodo_env  # noqa: E402 (found through the path above)

IMAGE = "localhost/herodo-busybox:latest"
GRACE = 5.0  # the watchdog's STUCK_AFTER: the most a stopped script may take, cleanup included
BOUND = 90.0  # a probe's process is killed (and the probe fails) when it runs longer than this


@dataclass
class Run:
    """A finished herodo process: exit code, output, wall seconds, peak RSS in MiB (the child's
    rusage), and whether the probe's bound had to kill it (a hang)."""

    code: int
    out: str
    err: str
    seconds: float
    peak_rss_mib: float
    killed: bool = False
    argv: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.out + self.err

    def ended(self) -> None:
        """The process ended on its own (no hang) without a Python traceback."""
        assert not self.killed, f"herodo hung: killed after {self.seconds:.0f}s\n{self.text[-3000:]}"
        assert "Traceback (most recent call last)" not in self.text, self.text[-3000:]

    def __repr__(self) -> str:
        return (f"Run(code={self.code}, seconds={self.seconds:.1f}, rss={self.peak_rss_mib:.0f}MiB, "
                f"killed={self.killed})\n--- stdout\n{self.out[-2000:]}\n--- stderr\n{self.err[-2000:]}")


def run_herodo(args: list[str], *, cwd: Path | None = None, engine: str = str(STANDIN), bound: float = BOUND,
               interrupt_on: str | None = None, **env: str) -> Run:
    """Run ``herodo ARGS`` in its own session; kill the whole group after ``bound`` seconds (a hang).
    ``interrupt_on``: send SIGINT once stdout shows that text. Peak RSS is herodo's own (``LAUNCHER``)."""
    argv = [*HERODO, *args]
    fd, rss_path = tempfile.mkstemp(prefix="herodo-rss-")
    os.close(fd)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, rss_path, *argv], cwd=cwd,
                            env=herodo_env(engine, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    out: list[bytes] = []
    err: list[bytes] = []
    marker = interrupt_on.encode() if interrupt_on else None

    def read_out() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            out.append(line)
            if marker is not None and marker in line:
                proc.send_signal(signal.SIGINT)
    readers = [threading.Thread(target=read_out, daemon=True),
               threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)]  # type: ignore[arg-type]
    for reader in readers:
        reader.start()
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    timer = threading.Timer(bound, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything herodo left in its session (an engine command)
    except (ProcessLookupError, PermissionError):
        pass
    for reader in readers:
        reader.join(timeout=30)
    with open(rss_path) as f:
        peak_kib = int(f.read() or usage.ru_maxrss)  # (empty: the launcher was killed with the group)
    os.unlink(rss_path)
    return Run(proc.returncode, b"".join(out).decode(errors="replace"), b"".join(err).decode(errors="replace"),
               seconds, peak_kib / 1024, killed.is_set(), argv)


# herodo runs under this small launcher: a process forked from the (large) pytest process starts with
# pytest's peak RSS in its rusage (Linux keeps the old memory's high-water mark across exec), so the
# launcher forks herodo from itself, waits for it with wait4, writes herodo's own peak RSS (KiB) to the
# file named first, passes SIGINT/SIGTERM on, and ends as herodo ended.
LAUNCHER = """
import os, signal, sys
out, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda number, frame: os.kill(pid, number))
while True:
    try:
        _, status, usage = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
with open(out, "w") as f:
    f.write(str(usage.ru_maxrss))
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass
class Box:
    """A script folder (``folder``) beside things a sandboxed script must not reach: ``outside`` (a
    folder where a canary must not appear) and ``secret`` (a file whose content must not be printed)."""

    folder: Path
    outside: Path
    secret: Path
    secret_text: str

    def canaries(self) -> list[str]:
        """What appeared in ``outside`` (nothing, when the sandbox held)."""
        return sorted(p.name for p in self.outside.iterdir())

    def script(self, source: str, name: str = "probe.lua") -> Path:
        """Write a script into the folder; ``FOLDER``, ``OUTSIDE`` and ``SECRET`` are Lua globals in it."""
        prelude = (f"local FOLDER, OUTSIDE, SECRET = {_lua_string(str(self.folder))}, "
                   f"{_lua_string(str(self.outside))}, {_lua_string(str(self.secret))}\n")
        path = self.folder / name
        path.write_text(prelude + source)
        return path


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
