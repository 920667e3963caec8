"""Running ``herodo`` as a process in tests: a clean environment pointed at one engine (a real one, or
the nerdctl stand-in), and the containers a run left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STANDIN = ROOT / "tests" / "contract" / "standin" / "nerdctl"
FIXTURES = ROOT / "tests" / "fixtures" / "nerdctl"
IMAGE = "localhost/herodo-busybox:latest"
HERODO = [sys.executable, "-m", "herodo_py.cli"]


def herodo_env(engine: str, **extra: str) -> dict[str, str]:
    """The environment without herodo's, containerd's or the stand-in's variables, using ``engine``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NERDCTL_STANDIN_", "CONTAINERD_", "HERODO_")) and k != "NO_COLOR"}
    env.update({"HERODO_ENGINE": engine, "NERDCTL_STANDIN_FIXTURES": str(FIXTURES)})
    env.update(extra)
    return env


def herodo(*args: str, engine: str = str(STANDIN), cwd: Path | None = None, timeout: float = 300,
           merged: bool = False, **env: str) -> subprocess.CompletedProcess:
    """Run ``herodo ARGS`` to the end; ``merged``: stderr into stdout (one stream, in write order)."""
    return subprocess.run([*HERODO, *args], cwd=cwd, env=herodo_env(engine, **env), text=True, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merged else subprocess.PIPE,
                          stdin=subprocess.DEVNULL)


def interrupt_when(args: list[str], marker: str, *, engine: str, cwd: Path | None = None, delay: float = 0.0,
                   timeout: float = 120, **env: str) -> tuple[int, str, str]:
    """Start ``herodo ARGS``, wait until its stdout shows ``marker``, wait ``delay``, send SIGINT;
    (exit code, stdout, stderr)."""
    proc = subprocess.Popen([*HERODO, *args], cwd=cwd, env=herodo_env(engine, **env), text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    seen = []
    deadline = time.monotonic() + timeout
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if marker in line or time.monotonic() > deadline:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, "".join(seen) + out, err


def labelled(cli: str, label: str) -> list[str]:
    """Names of the containers (any state) carrying ``label`` (``key`` or ``key=value``) on engine ``cli``."""
    result = subprocess.run([cli, "ps", "-a", "--filter", f"label={label}", "--format", "{{.Names}}"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def force_remove_labelled(cli: str, label: str) -> None:
    """Best effort: remove every container carrying ``label`` (a test's safety net)."""
    names = labelled(cli, label)
    if names:
        subprocess.run([cli, "rm", "-f", *names], capture_output=True, timeout=180)


def processes_with(marker: str) -> list[str]:
    """``pid command`` of every process whose environment carries ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{pid} {command}")
        except OSError:
            continue
    return found


class Herodo:
    """A herodo process with its own TMPDIR and a marker in its environment (inherited by children)."""

    def __init__(self, args: list[str], engine: str, tmp_path: Path, **env: str) -> None:
        self.marker = f"interrupt-{uuid.uuid4().hex}"
        self.tmpdir = tmp_path / "herodo-tmp"
        self.tmpdir.mkdir()
        self.proc = subprocess.Popen([*HERODO, *args], env=herodo_env(engine, TMPDIR=str(self.tmpdir),
                                                                      HERODO_TEST_MARKER=self.marker, **env),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     text=True)
        self.out: list[str] = []

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.out.append(line)
            if text in line:
                return
            assert time.monotonic() < deadline, f"no {text!r} in time: {self.out}"
        pytest.fail(f"herodo ended before {text!r}: {self.out} {self.proc.stderr.read()}")  # type: ignore[union-attr]

    def engine_child_running(self) -> bool:
        return any("herodo_py.cli" not in p for p in processes_with(self.marker))

    def interrupt(self, timeout: float = 30) -> tuple[int, float, str, str]:
        """SIGINT; (exit code, seconds to exit, stdout, stderr)."""
        sent = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode, time.monotonic() - sent, "".join(self.out) + out, err

    def assert_nothing_left(self) -> None:
        deadline = time.monotonic() + 5
        while processes_with(self.marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(self.marker) == []
        assert list(self.tmpdir.iterdir()) == []
