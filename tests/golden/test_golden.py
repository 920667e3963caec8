"""Golden tests of herodo's friendly errors: each ``*.lua`` here runs through ``herodo`` and its exit
code, stdout and stderr must equal the ``.txt`` beside it.

Engine errors come from the nerdctl stand-in (tests/contract/standin/nerdctl), so the outputs are
the same on every machine. A script's first lines may hold directives:
``-- golden: NAME=VALUE`` (an environment variable) or ``-- golden: --option value`` (herodo options).

Refresh after an intended change: ``HERODO_UPDATE_GOLDEN=1 python -m pytest tests/golden``, then
read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STANDIN = HERE.parent / "contract" / "standin" / "nerdctl"
CASES = sorted(HERE.glob("*.lua"))
DIRECTIVE = re.compile(r"^-- golden: (.*)$")


def directives(script: Path) -> tuple[dict[str, str], list[str]]:
    env: dict[str, str] = {}
    args: list[str] = []
    for line in script.read_text().splitlines():
        m = DIRECTIVE.match(line)
        if not m:
            continue
        if m[1].startswith("-"):
            args += shlex.split(m[1])
        else:
            key, _, value = m[1].partition("=")
            env[key] = value
    return env, args


def run_golden(script: Path) -> str:
    extra_env, args = directives(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NERDCTL_STANDIN_", "CONTAINERD_"))}
    # the stand-in found on PATH as `nerdctl`: messages must name it as --trace does, by its name (a full
    # path in an expected file would be a regression, so the output is not normalized)
    env.update({"HERODO_ENGINE": "nerdctl", "PATH": f"{STANDIN.parent}{os.pathsep}{env.get('PATH', '')}",
                "NO_COLOR": "1", "NERDCTL_STANDIN_FIXTURES": str(HERE.parent / "fixtures" / "nerdctl")})
    env.update(extra_env)
    proc = subprocess.run([sys.executable, "-m", "herodo_py.cli", *args, script.name], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=60)
    out = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
    return out


@pytest.mark.parametrize("script", CASES, ids=[c.stem for c in CASES])
def test_friendly_error(script: Path) -> None:
    actual = run_golden(script)
    expected_file = script.with_suffix(".txt")
    if os.environ.get("HERODO_UPDATE_GOLDEN"):
        expected_file.write_text(actual)
    assert expected_file.exists(), f"no golden file {expected_file.name}: run with HERODO_UPDATE_GOLDEN=1"
    assert actual == expected_file.read_text()


def test_every_case_has_a_golden_file() -> None:
    assert {p.stem for p in HERE.glob("*.txt")} == {p.stem for p in CASES}
