"""The package's layers: imports point one way only, cli -> testing -> lua -> (nerdctl | host), the
two bottom packages side by side (neither imports the other), and no module imports itself back
through others. Top-level modules (``herodo_py/result.py``, ``processes.py``) sit below them all.

Every import counts, also those inside functions and under ``TYPE_CHECKING`` (an import inside a
function hides a cycle from Python, not from the design). The checker is tried on planted bad
packages too, so that a broken checker cannot pass silently.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = (("nerdctl", "host"), "lua", "testing", "cli")  # lowest first; a tuple: side by side


def module_name(package_dir: Path, path: Path) -> str:
    parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in its body), by absolute name."""
    paths = {module_name(package_dir, p): p for p in sorted(package_dir.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


Layers = tuple["str | tuple[str, ...]", ...]


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def layer_of(module: str, layers: Layers) -> int:
    package = package_of(module)
    for i, layer in enumerate(layers):
        if package == layer or (isinstance(layer, tuple) and package in layer):
            return i
    return -1


def upward_arrows(graph: dict[str, set[str]], layers: Layers) -> list[str]:
    """Imports of a higher layer, or of another package of the same layer (side by side)."""
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                  if layer_of(b, layers) > layer_of(a, layers)
                  or (layer_of(b, layers) == layer_of(a, layers) >= 0 and package_of(a) != package_of(b)))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan), each as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_point_down_the_layers_only():
    graph = imports_of(ROOT / "herodo_py")
    packages = {p for layer in LAYERS for p in (layer if isinstance(layer, tuple) else (layer,))}
    assert {m.split(".")[1] for m in graph if m.count(".")} >= packages, "a layer package is missing"
    assert upward_arrows(graph, LAYERS) == []


def test_no_import_cycle():
    assert cycles(imports_of(ROOT / "herodo_py")) == []


# --- the checker finds what it must -------------------------------------------------------------


def plant(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    for relative, source in {"__init__.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return package


@pytest.mark.parametrize("bad_import", [
    "from ..lua.host import Host\n",
    "def later():\n    from pkg.lua import host  # inside a function\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..cli import main\n",
])
def test_the_checker_finds_a_planted_arrow_up_a_layer(tmp_path, bad_import):
    package = plant(tmp_path, {
        "nerdctl/__init__.py": "", "nerdctl/run.py": bad_import,
        "lua/__init__.py": "", "lua/host.py": "from ..nerdctl import run\n",
        "cli/__init__.py": "from ..lua.host import Host\n",
    })
    arrows = upward_arrows(imports_of(package), LAYERS)
    assert arrows and all(a.startswith("pkg.nerdctl.run -> pkg.") for a in arrows)


@pytest.mark.parametrize("bad_import", ["from ..nerdctl import run\n", "def later():\n    from ..lua import x\n"])
def test_the_checker_finds_host_importing_its_sibling_or_a_layer_above(tmp_path, bad_import):
    package = plant(tmp_path, {
        "nerdctl/__init__.py": "", "nerdctl/run.py": "import os\n", "host/__init__.py": "",
        "host/process.py": bad_import, "lua/__init__.py": "from ..host import process\n",
        "lua/x.py": "",
    })
    arrows = upward_arrows(imports_of(package), LAYERS)
    assert arrows and all(a.startswith("pkg.host.process -> pkg.") for a in arrows)


def test_the_checker_finds_a_planted_cycle_hidden_in_a_function(tmp_path):
    package = plant(tmp_path, {
        "lua/__init__.py": "",
        "lua/a.py": "from . import b\n",
        "lua/b.py": "from .c import thing\n",
        "lua/c.py": "def thing():\n    from .a import x  # hidden in a function\n",
        "lua/d.py": "from .a import x\n",
    })
    assert cycles(imports_of(package)) == [["pkg.lua.a", "pkg.lua.b", "pkg.lua.c"]]


def test_the_checker_passes_a_clean_package(tmp_path):
    package = plant(tmp_path, {
        "nerdctl/__init__.py": "", "nerdctl/run.py": "import os\n",
        "lua/__init__.py": "from ..nerdctl import run\n", "cli/__init__.py": "from pkg.lua import x\n",
    })
    graph = imports_of(package)
    assert graph["pkg.cli"] == {"pkg.lua"} and graph["pkg.lua"] == {"pkg.nerdctl", "pkg.nerdctl.run"}
    assert upward_arrows(graph, LAYERS) == [] and cycles(graph) == []
