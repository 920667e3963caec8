"""The red-team suite: hostile scripts run through ``herodo`` as a process, each probe asserted by its
effect on the host (a canary file that must not appear, a secret that must not be printed, a process
that must end on its own, a peak RSS read from the child's rusage).

Fixtures: ``box`` (a script folder with a canary folder and a secret file OUTSIDE it), ``hostile``
(runs a script in the box through ``herodo`` and returns a :class:`Run`), and the live-test fixtures
(``engine`` over docker and podman, ``test_image``, ``unique_name``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # security_probes, whatever folder pytest started in

from security_probes import BOUND, STANDIN, Box, Run, run_herodo  # noqa: E402 (found through the path above)


def _live_fixtures():
    """tests/live/conftest.py, loaded once by path (tests/lua loads the same module)."""
    name = "herodo_live_fixtures"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _TESTS / "live" / "conftest.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_live = _live_fixtures()
engine = _live.engine
test_image = _live.test_image
unique_name = _live.unique_name

@pytest.fixture
def box(tmp_path: Path) -> Box:
    folder = tmp_path / "box"
    outside = tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    secret_text = f"S12SECRET{uuid.uuid4().hex.upper()}"
    secret = tmp_path / "secret.txt"
    secret.write_text(secret_text + "\n")
    yield Box(folder, outside, secret, secret_text)
    # containers wrote into these as root: make everything removable by pytest's tmp_path cleanup
    for root, dirs, files in os.walk(tmp_path):
        for name in dirs + files:
            try:
                os.chmod(os.path.join(root, name), 0o700, follow_symlinks=False)
            except (OSError, NotImplementedError):
                pass


@pytest.fixture
def hostile(box: Box) -> Callable[..., Run]:
    """``hostile(source, *options, engine=..., name=..., bound=..., **env)``: write the script into the
    box and run ``herodo OPTIONS SCRIPT`` (``--sandbox`` unless options name a mode)."""

    def run(source: str, *options: str, engine: str = str(STANDIN), name: str = "probe.lua", bound: float = BOUND,
            interrupt_on: str | None = None, **env: str) -> Run:
        path = box.script(source, name)
        opts = list(options)
        if not any(o.startswith("--sandbox") or o == "--trusted" for o in opts):
            opts.insert(0, "--sandbox")
        opts = [o for o in opts if o != "--trusted"]
        return run_herodo([*opts, str(path)], cwd=box.folder, engine=engine, bound=bound,
                          interrupt_on=interrupt_on, **env)
    return run
