"""Engine-side helpers for the benchmarks: version, labelled containers made and always removed,
and a PATH shim that counts engine calls of any program (herodo, a shell script, python-on-whales)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

LABEL = "herodo-bench"  # every container the benchmarks make carries this label
IMAGE = "localhost/herodo-busybox:latest"
# A command that stops at once on SIGTERM (a plain `sleep` as PID 1 ignores it and `stop` waits 10 s).
IDLE_COMMAND = "trap 'exit 0' TERM; sleep 300 & wait"


def engine_path(engine: str) -> str:
    path = shutil.which(engine)
    if not path:
        raise SystemExit(f"engine {engine!r} not found on PATH")
    return path


def engine_version(engine: str) -> str:
    """``docker 20.10.24+dfsg1`` (client and server when they differ)."""
    fmt = {"docker": "{{.Client.Version}} / server {{.Server.Version}}",
           "podman": "{{.Client.Version}}"}.get(engine)
    args = [engine, "version"] + (["--format", fmt] if fmt else [])
    out = subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    return f"{engine} {out.splitlines()[0] if out else '?'}"


def preflight(engine: str) -> str | None:
    """Why the engine cannot run the benchmark image (``None`` when it can): one ``run --rm``."""
    proc = _run(engine, "run", "--rm", "--label", LABEL, IMAGE, "true")
    return None if proc.returncode == 0 else (proc.stderr.strip() or f"exit status {proc.returncode}")


def _run(engine: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([engine, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def labelled_ids(engine: str) -> list[str]:
    """Ids of every container (any state) carrying the benchmark label."""
    out = _run(engine, "ps", "-aq", "--no-trunc", "--filter", f"label={LABEL}").stdout
    return out.split()


def remove_labelled(engine: str) -> int:
    """Force-remove every benchmark container; returns how many there were."""
    ids = labelled_ids(engine)
    for start in range(0, len(ids), 50):
        _run(engine, "rm", "-f", *ids[start:start + 50])
    return len(ids)


def create_containers(engine: str, count: int, prefix: str, *, running: bool = False) -> list[str]:
    """Make ``count`` labelled containers (``create``: cheap, not started; ``running``: ``run -d``)."""
    verb = ["run", "-d"] if running else ["create"]

    def make(i: int) -> str:
        proc = _run(engine, *verb, "--name", f"{prefix}-{i}", "--label", LABEL, IMAGE, "sh", "-c", IDLE_COMMAND)
        if proc.returncode != 0:
            raise RuntimeError(f"could not create {prefix}-{i}: {proc.stderr.strip()}")
        return proc.stdout.strip()

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(make, range(count)))


@contextlib.contextmanager
def containers_present(engine: str, count: int, prefix: str, *, running: bool = False) -> Iterator[list[str]]:
    """``count`` benchmark containers exist inside the block; all are removed afterwards, also on
    failure or Ctrl-C (removal by label, so half-made sets go too)."""
    try:
        yield create_containers(engine, count, prefix, running=running)
    finally:
        remove_labelled(engine)


class CallCounter:
    """A directory holding a shim named like the engine that logs each call's argv, then runs the
    real CLI. Put ``path_env()`` in a child's environment (or ``shim`` as the engine path) and read
    ``calls()``; ``reset()`` empties the log."""

    def __init__(self, engine: str) -> None:
        self.real = engine_path(engine)
        self.dir = tempfile.mkdtemp(prefix="herodo-bench-shim-")
        self.log = os.path.join(self.dir, "calls.log")
        self.shim = os.path.join(self.dir, os.path.basename(self.real))
        with open(self.shim, "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{self.log}"\nexec "{self.real}" "$@"\n')
        os.chmod(self.shim, 0o755)
        self.reset()

    def path_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(base if base is not None else os.environ)
        env["PATH"] = self.dir + os.pathsep + env.get("PATH", "")
        return env

    def reset(self) -> None:
        open(self.log, "w").close()

    def calls(self) -> list[str]:
        with open(self.log) as f:
            return [line.rstrip("\n") for line in f if line.strip()]

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> CallCounter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
