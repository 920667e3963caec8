"""Hypothesis profiles for the property tests: ~200 examples, no deadline; in CI (CI=true)
derandomized (a fixed seed per test) and without the example database, so a run is repeatable.
HYPOTHESIS_PROFILE=NAME chooses one (dev, ci, mutation)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"max_examples": 200, "deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", **_COMMON)
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_COMMON)
# Mutation runs (HYPOTHESIS_PROFILE=mutation mutmut run, docs/MUTATION.md) run the covering tests once per mutant:
# fewer examples (tests with their own max_examples keep it), repeatable, so a verdict does not depend on luck.
settings.register_profile("mutation", **{**_COMMON, "max_examples": 25}, derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))


def _contract_conftest():
    """tests/contract/conftest.py, loaded by path (test folders are no packages)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "contract" / "conftest.py"
    spec = importlib.util.spec_from_file_location("herodo_contract_conftest", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


standin = _contract_conftest().standin  # the nerdctl stand-in fixture, shared with the contract tests
