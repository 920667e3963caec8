"""The herodo command's code cache (herodo_py.code_cache, installed by bin/herodo): herodo's modules come
from one file once a run has written it, each checked against its source like a .pyc; a changed source is
imported as usual and cached again; nothing is written with PYTHONDONTWRITEBYTECODE; a damaged file is
ignored and replaced. Each run is a fresh interpreter on a copy of the package (its cache file is the
copy's own)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lupa
import pytest

ROOT = Path(__file__).resolve().parents[2]
LUPA_HOME = str(Path(lupa.__file__).resolve().parents[1])

# What bin/herodo does, then a report of where each herodo module came from.
DRIVER = """import json, sys
from herodo_py.code_cache import CodeCache
cache = CodeCache.install()
from herodo_py.cli import main
code = main(sys.argv[2:])
import herodo_py.lua.limits as limits
report = {"code": code, "marker": getattr(limits, "MARKER", None),
          "cached": sorted(n for n, m in sys.modules.items()
                           if n.startswith("herodo_py") and type(m.__spec__.loader).__name__ == "CodeCache"),
          "files": sorted(n for n, m in sys.modules.items()
                          if n.startswith("herodo_py") and type(m.__spec__.loader).__name__ != "CodeCache"),
          "limits_file": limits.__file__}
with open(sys.argv[1], "w") as out:
    json.dump(report, out)
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of herodo_py without compiled files (its cache file is made by the runs here)."""
    home = tmp_path / "site"
    shutil.copytree(ROOT / "herodo_py", home / "herodo_py", ignore=shutil.ignore_patterns("__pycache__"))
    return home


def herodo(home: Path, tmp_path: Path, *argv: str, write: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(home), LUPA_HOME])
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-S", "-c", DRIVER, str(report), *argv], env=env, check=True, cwd=tmp_path,
                   capture_output=True)
    return json.loads(report.read_text())


def cache_file(home: Path) -> Path:
    return home / "herodo_py" / "__pycache__" / f"herodo-code.{sys.implementation.cache_tag}.bin"


def test_a_second_run_imports_herodo_from_the_cache(package, tmp_path):
    script = tmp_path / "empty.lua"
    script.write_text("")
    first = herodo(package, tmp_path, str(script))
    assert first["code"] == 0 and first["cached"] == []
    assert cache_file(package).is_file()
    second = herodo(package, tmp_path, str(script))
    assert second["code"] == 0
    assert "herodo_py.lua.runtime.core" in second["cached"] and "herodo_py.cli" in second["cached"]
    assert second["files"] == ["herodo_py", "herodo_py.code_cache"]  # (imported before the cache is in place)
    assert second["limits_file"] == str(package / "herodo_py" / "lua" / "limits.py")
    written = cache_file(package).stat().st_mtime_ns
    herodo(package, tmp_path, str(script))
    assert cache_file(package).stat().st_mtime_ns == written, "a run that imported nothing new wrote the cache"


def test_a_changed_module_is_imported_from_its_source_then_cached_again(package, tmp_path):
    script = tmp_path / "empty.lua"
    script.write_text("")
    herodo(package, tmp_path, str(script))
    limits = package / "herodo_py" / "lua" / "limits.py"
    limits.write_text(limits.read_text() + "\nMARKER = 'changed'\n")
    changed = herodo(package, tmp_path, str(script))
    assert changed["marker"] == "changed" and "herodo_py.lua.limits" in changed["files"]
    again = herodo(package, tmp_path, str(script))
    assert again["marker"] == "changed" and "herodo_py.lua.limits" in again["cached"]


def test_nothing_is_written_with_pythondontwritebytecode(package, tmp_path):
    script = tmp_path / "empty.lua"
    script.write_text("")
    assert herodo(package, tmp_path, str(script), write=False)["code"] == 0
    assert not cache_file(package).exists()


def test_a_damaged_cache_is_ignored_and_replaced(package, tmp_path):
    script = tmp_path / "empty.lua"
    script.write_text("")
    herodo(package, tmp_path, str(script))
    data = cache_file(package).read_bytes()
    import marshal

    odd = marshal.dumps({"herodo_py.lua.limits": (None, True, 0, 0, 0, 10)})  # a dict, but not of our entries
    for damaged in (b"", b"garbage", data[:4] + b"\xff\xff\xff\x7f" + data[8:], data[:len(data) // 2],
                    data[:4] + len(odd).to_bytes(4, "little") + odd):
        cache_file(package).write_bytes(damaged)
        report = herodo(package, tmp_path, str(script))
        assert report["code"] == 0
    assert herodo(package, tmp_path, str(script))["cached"]  # (rewritten by a run that used no cache)


def test_an_error_in_a_cached_module_shows_its_file_and_line(package, tmp_path):
    script = tmp_path / "bad.lua"
    script.write_text('assert(not pcall(nerdctl_exec, "bad name!", "true"))\n')  # (loads validate)
    herodo(package, tmp_path, str(script))
    code = ("import sys\nfrom herodo_py.code_cache import CodeCache\nCodeCache.install()\n"
            "from herodo_py.nerdctl.validate import check_name\n"
            "import herodo_py.nerdctl.validate as v\nassert type(v.__spec__.loader).__name__ == 'CodeCache'\n"
            "check_name(5)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(package), LUPA_HOME])
    run = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1
    assert f'File "{package / "herodo_py" / "nerdctl" / "validate.py"}", line' in run.stderr
    assert "check_text(value, field, expected)" in run.stderr  # the source line, read through its file
