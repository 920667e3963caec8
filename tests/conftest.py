"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Every herodo a test starts as a process (python -m herodo_py.cli) runs this checkout's code, whatever
# herodo_py happens to be installed (an editable install may point at another clone).
_ROOT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)

@pytest.fixture
def use_engine(monkeypatch) -> Iterator[Callable[[str], None]]:
    """``use_engine(name_or_path)``: herodo_py talks to that engine for this test only.

    The test runs with an executor of its own made current (default settings, so nothing a test
    configures reaches another), nerdctl's CONTAINERD_* variables cleared, and its engine resolved
    again whenever ``use_engine`` is called.
    """
    from herodo_py.nerdctl.engine_settings import CONTAINERD_VARIABLES
    from herodo_py.nerdctl.executor import Executor

    for variable in CONTAINERD_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    executor = Executor()

    def use(engine: str) -> None:
        monkeypatch.setenv("HERODO_ENGINE", engine)
        executor.forget_engine()

    with executor.active():
        yield use
