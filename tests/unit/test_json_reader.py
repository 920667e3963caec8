"""Engine JSON is read with CPython's C scanner (herodo_py.nerdctl.json_reader), not the json package:
the same values and the same errors as ``json.loads``, whatever the text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herodo_py.nerdctl import json_reader

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

CASES = [
    '{"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\ud83d\\ude00"]}', "  [1]  \n", "\t{}\r\n", "[1] x", "",
    "   ", "NaN", "[Infinity, -Infinity]", '{"a":1}{"b":2}', "\ufeff{}", '"\x01"', '"tab\tin string"', "1" * 5000,
    "[" * 100_000, '{"a": 1,}', "[1,]", "01", "-", '{"dup": 1, "dup": 2}', "1e400", "123456789012345678901234567890",
]


def outcome(loads, text: str) -> tuple[str, object]:
    try:
        return ("value", repr(loads(text)))
    except (ValueError, RecursionError) as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("text", CASES)
def test_the_same_value_or_the_same_error_as_json_loads(text):
    assert outcome(json_reader.loads, text) == outcome(json.loads, text)


@given(st.one_of(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                              lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)
                 .map(json.dumps), st.text(alphabet=st.sampled_from('{}[]",:0123456789.eE+- \ntrufalsnNI\\u'))))
def test_any_text_reads_as_json_loads_reads_it(text):
    assert outcome(json_reader.loads, text) == outcome(json.loads, text)


def test_every_fixture_reads_as_json_loads_reads_it():
    read = 0
    for path in sorted(FIXTURES.rglob("*.json*")):
        text = path.read_text(errors="replace")
        documents = [text, *text.splitlines()]
        for document in documents:
            assert outcome(json_reader.loads, document) == outcome(json.loads, document), path
            read += 1
    assert read > 50


def test_without_the_c_scanner_it_is_json_loads(monkeypatch):
    monkeypatch.setattr(json_reader, "_scanner", lambda: None)
    assert json_reader.loads(' {"a": [1]} ') == {"a": [1]}
    with pytest.raises(json.JSONDecodeError, match="Extra data"):
        json_reader.loads("[1] x")


def test_reading_json_loads_no_json_package():
    """What the module is for: a value read, and no ``json`` (nor re) imported for it."""
    code = ("import sys\nfrom herodo_py.nerdctl.json_reader import loads\n"
            "assert loads('[{\"Names\": \"web\", \"n\": 1.5}]') == [{'Names': 'web', 'n': 1.5}]\n"
            "print(sorted(m for m in ('json', 're', 'enum') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
