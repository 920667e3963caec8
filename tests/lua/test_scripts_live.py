"""Lua scripts under tests/lua/scripts run by ``herodo`` against docker and podman: every binding, the
original's usage included. Each script gets a unique name prefix (containers and images it makes start
with it and are force-removed after the test, pass or fail), the test image, the registry, a free port,
a temp dir and the engine name as arguments (see scripts/lib/check.lua)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent / "scripts"
CASES = sorted(SCRIPTS.glob("*.lua"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("script", CASES, ids=[c.stem for c in CASES])
def test_script(script, engine, test_image, unique_name, registry, tmp_path):
    prefix = unique_name()
    names = [prefix + suffix for suffix in ("-web", "-cfg", "-run", "-named", "-ported", "-img", "-twice")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERODO_", "CONTAINERD_"))}
    env["HERODO_ENGINE"] = engine.name
    args = [prefix, test_image, registry, str(free_port()), str(tmp_path), engine.name]
    try:
        proc = subprocess.run([sys.executable, "-m", "herodo_py.cli", "--no-color", str(script), "--", *args],
                              env=env, capture_output=True, text=True, timeout=300)
    finally:
        engine.run("rm", "-f", *(["-t", "0"] if engine.name == "podman" else []), *names, timeout=180)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout.endswith("ok\n")
