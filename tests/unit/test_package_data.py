"""Every Lua source the host runs is shipped: pyproject's package-data covers each .lua under herodo_py/
(a checkout finds a forgotten one, an installed herodo would not)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_lua_source_is_package_data():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    sources = sorted((ROOT / "herodo_py").rglob("*.lua"))
    assert sources, "no .lua sources found"
    for path in sources:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        patterns = declared.get(package, [])
        assert any(fnmatch.fnmatch(path.name, p) for p in patterns), f"{path.relative_to(ROOT)}: add it to package-data"
