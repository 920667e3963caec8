"""Script tests reuse the live-test fixtures (engine, test_image, unique_name, registry) of tests/live."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("herodo_live_fixtures", Path(__file__).parents[1] / "live" / "conftest.py")
_live = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _live
_spec.loader.exec_module(_live)

engine = _live.engine
test_image = _live.test_image
unique_name = _live.unique_name
registry = _live.registry
