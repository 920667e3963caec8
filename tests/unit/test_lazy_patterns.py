"""The engine library's pure modules (validate, parse, errors, units) are cheap to import (issue 17): no
regular expression is compiled before it is used, and typing, datetime and ipaddress are loaded only by the
one check that needs them. Each import runs in a fresh ``python -S`` (this environment's ``.pth`` files
import ``typing`` and more)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from herodo_py.nerdctl.lazy_pattern import LazyPattern

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("validate", "parse", "errors", "units")

PROBE = """import json, re, sys
import herodo_py.nerdctl.{module} as m
from herodo_py.nerdctl.lazy_pattern import LazyPattern

def values(v):
    if isinstance(v, (list, tuple)):
        for item in v:
            yield from values(item)
    else:
        yield v

found = [v for value in vars(m).values() for v in values(value)]
print(json.dumps({{
    "compiled": sum(isinstance(v, re.Pattern) for v in found),
    "lazy": sum(isinstance(v, LazyPattern) for v in found),
    "lazy_compiled": sum(isinstance(v, LazyPattern) and v._compiled is not None for v in found),
    "heavy": sorted(n for n in ("typing", "datetime", "ipaddress") if n in sys.modules),
}}))
{after}
"""


def probe(module: str, after: str = "") -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, "-S", "-c", PROBE.format(module=module, after=after)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("module", MODULES)
def test_importing_compiles_no_pattern_and_loads_nothing_heavy(module):
    seen = probe(module)
    assert seen["compiled"] == 0, f"{module} compiles a regular expression at import"
    assert seen["lazy_compiled"] == 0
    assert seen["heavy"] == []


def test_the_probe_sees_the_patterns():
    """The probe itself: errors' classification rules are found (inside the rule list) as lazy patterns."""
    assert probe("errors")["lazy"] >= 7 + 4


def test_a_port_with_an_ip_address_loads_ipaddress_then():
    after = ("m.check_port('127.0.0.1:80:80')\n"
             "print(json.dumps({'heavy': sorted(n for n in ('ipaddress',) if n in sys.modules)}))")
    assert probe("validate", after)["heavy"] == ["ipaddress"]


def test_podman_numeric_time_loads_datetime_then():
    after = ("assert m.normalize_time(0) == '1970-01-01T00:00:00Z'\n"
             "print(json.dumps({'heavy': sorted(n for n in ('datetime',) if n in sys.modules)}))")
    assert probe("parse", after)["heavy"] == ["datetime"]


def test_lazy_pattern_is_compiled_once_on_first_use():
    pattern = LazyPattern(r"(?P<n>[0-9]+)-x", re.I)
    assert pattern._compiled is None
    assert pattern.fullmatch("12-X")["n"] == "12"
    first = pattern.compiled()
    assert first is pattern.compiled()
    assert first.pattern == r"(?P<n>[0-9]+)-x" and first.flags & re.I


@pytest.mark.parametrize(("text", "match", "fullmatch", "search"), [
    ("12-x", "12-x", "12-x", "12-x"),
    ("12-x tail", "12-x", None, "12-x"),
    ("head 12-x", None, None, "12-x"),
    ("", None, None, None),
])
def test_lazy_pattern_answers_as_the_compiled_pattern(text, match, fullmatch, search):
    pattern = LazyPattern(r"[0-9]+-x")
    assert (m[0] if (m := pattern.match(text)) else None) == match
    assert (m[0] if (m := pattern.fullmatch(text)) else None) == fullmatch
    assert (m[0] if (m := pattern.search(text)) else None) == search


def test_lazy_pattern_sub_and_flags():
    assert LazyPattern(r"^\d+ errors?:\s*").sub("", "2 errors: boom") == "boom"
    assert LazyPattern(r"^b$", re.M).search("a\nb\nc")[0] == "b"
    assert LazyPattern(r"^b$").search("a\nb\nc") is None
    assert repr(LazyPattern("a+", re.I)) == f"LazyPattern('a+', {re.I!r})"


def test_the_flag_constants_are_re_s():
    """Patterns are declared with lazy_pattern's flags (no ``re`` import): they must be re's values."""
    from herodo_py.nerdctl import lazy_pattern

    assert (lazy_pattern.IGNORECASE, lazy_pattern.MULTILINE, lazy_pattern.ASCII) == (re.I, re.M, re.A)
