"""Lint: ruff over the Python (pyproject's [tool.ruff]) and luacheck over the Lua (.luacheckrc), clean.

In CI a missing tool fails (it is in the test extras, and scripts/engines-up.sh installs lua-check);
elsewhere the test is skipped with the reason. .luacheckrc's herodo globals are the binding
registry's: ``python tests/unit/test_lint.py`` rewrites them after a binding is added.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LUACHECKRC = ROOT / ".luacheckrc"
GENERATED = re.compile(r"(  -- BEGIN GENERATED\n)(.*?)(  -- END GENERATED\n)", re.S)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (CI installs it: ruff from the test extras, lua-check from "
                        "scripts/engines-up.sh)")
        pytest.skip(f"{name} is not installed (pip install ruff; apt-get install lua-check)")
    return path


def herodo_globals() -> list[str]:
    from herodo_py.lua.runtime import default_registry
    from herodo_py.lua.runtime.tasks import SIGNATURE
    from herodo_py.testing.testapi import NAMES

    return sorted([*default_registry().functions, SIGNATURE.name, *NAMES])


def generated_block() -> str:
    return "".join(f'  "{name}",\n' for name in herodo_globals())


def test_ruff_finds_nothing():
    result = subprocess.run([tool("ruff"), "check", "--no-cache", "herodo_py", "tests", "benchmarks", "scripts"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_luacheck_finds_nothing():
    result = subprocess.run([tool("luacheck"), "--no-color", "--codes", "--no-cache", "herodo_py", "scripts", "tests"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "herodo_py/lua/runtime/prelude.lua" in result.stdout  # the sources were checked, not skipped


def test_luacheckrc_lists_the_registry_globals():
    block = GENERATED.search(LUACHECKRC.read_text())
    assert block is not None, "the generated block of .luacheckrc is missing"
    assert block.group(2) == generated_block(), "run: python tests/unit/test_lint.py"


if __name__ == "__main__":  # regenerate .luacheckrc's globals
    sys.path.insert(0, str(ROOT))
    LUACHECKRC.write_text(GENERATED.sub(lambda m: m.group(1) + generated_block() + m.group(3), LUACHECKRC.read_text()))
