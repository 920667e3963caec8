"""Contract-test fixtures: the nerdctl stand-in (tests/contract/standin/nerdctl) on PATH.

    def test_something(standin, monkeypatch):
        monkeypatch.setenv("NERDCTL_STANDIN_FAIL_RUN", "port 8080 is already allocated")
        ...code under test runs `nerdctl ...`...
        assert standin.calls() == [["run", "-d", ...]]

`standin` puts the stand-in's directory first on PATH (for this test only), points
NERDCTL_STANDIN_LOG at a fresh file and NERDCTL_STANDIN_FIXTURES at tests/fixtures/nerdctl,
and clears any other NERDCTL_STANDIN_* variable. The stand-in's own docstring lists what it
accepts, what it answers and the variables that change its answers.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

STANDIN_DIR = Path(__file__).resolve().parent / "standin"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "nerdctl"


@dataclass
class Standin:
    path: Path  # the stand-in executable (what `nerdctl` resolves to)
    log: Path  # one JSON argv list per call
    fixtures: Path  # where its canned answers come from

    def calls(self) -> list[list[str]]:
        """Every command line the stand-in received so far, argv[0] dropped."""
        if not self.log.exists():
            return []
        return [json.loads(line)[1:] for line in self.log.read_text().splitlines() if line.strip()]

    def clear(self) -> None:
        self.log.write_text("")


@pytest.fixture
def standin(tmp_path, monkeypatch, use_engine) -> Standin:
    """The stand-in nerdctl, first on PATH and the engine herodo_py uses (default settings)."""
    fixtures = Path(os.environ.get("NERDCTL_STANDIN_FIXTURES", DEFAULT_FIXTURES))
    if not (fixtures / "inspect-running.json").is_file():
        pytest.fail(f"nerdctl fixtures not found in {fixtures} (expected tests/fixtures/nerdctl in the repository)")
    for name in list(os.environ):
        if name.startswith("NERDCTL_STANDIN_"):
            monkeypatch.delenv(name)
    log = tmp_path / "nerdctl-calls.jsonl"
    log.write_text("")
    monkeypatch.setenv("PATH", f"{STANDIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("NERDCTL_STANDIN_LOG", str(log))
    monkeypatch.setenv("NERDCTL_STANDIN_FIXTURES", str(fixtures))
    use_engine(str(STANDIN_DIR / "nerdctl"))
    return Standin(path=STANDIN_DIR / "nerdctl", log=log, fixtures=fixtures)
