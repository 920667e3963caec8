"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

# Every herodo a test starts as a process (python -m herodo_py.cli) runs this checkout's code, whatever
# herodo_py happens to be installed (an editable install may point at another clone).
_ROOT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)

CONTAINERD_VARIABLES = ("CONTAINERD_NAMESPACE", "CONTAINERD_ADDRESS", "CONTAINERD_SNAPSHOTTER")


@pytest.fixture
def use_engine(monkeypatch) -> Callable[[str], None]:
    """``use_engine(name_or_path)``: herodo_py talks to that engine for this test only.

    Settings start from their defaults, nerdctl's CONTAINERD_* variables are cleared, and the
    engine cache is reset before and after, so no test sees another's engine.
    """
    from herodo_py.nerdctl import cmd

    for variable in CONTAINERD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(cmd, "_settings", cmd.EngineSettings())

    def use(engine: str) -> None:
        monkeypatch.setenv("HERODO_ENGINE", engine)
        cmd._engine_cache.clear()

    yield use
    cmd._engine_cache.clear()
