"""Hypothesis strategies for the property tests: hostile strings and values, and engine JSON
derived from the real fixtures (truncated, type-confused, spiked with odd numbers)."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CANARY = "/tmp/herodo-canary-property"

# Pieces a shell, a flag parser or a text layer would treat specially.
PIECES = [
    ";", "&&", "||", "|", "&", ">", "<", f"$(touch {CANARY})", f"`touch {CANARY}`", "${HOME}", "$PATH",
    "\n", "\r\n", "\r", "\t", " ", "'", '"', "\\", "*", "?", "~", "!", "#", "%s", "%n", "{{json .}}",
    "-", "--", "--privileged", "-v=/:/host", "--volume=/:/host", "-e", "-it", "=", ":", "/", "..", "../",
    ",", "@", "sha256:", "\x00", "\x1b[31m", "\x7f", "é", "日本", "\u202e", "\ufeff", "\u0660", "²",
    "\udcff", "\udc80", "\ud800", "a" * 300,
]
# Prefixes that make a value look like an engine flag.
FLAG_PREFIXES = ["-", "--", "--privileged", "--privileged=", "-v", "--volume=/:/host ", "-d", "--rm "]

ascii_words = st.text(alphabet=string.ascii_letters + string.digits + "._-:/", max_size=8)
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)

hostile_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(st.sampled_from(PIECES), ascii_words), max_size=6).map("".join),
    st.tuples(st.sampled_from(FLAG_PREFIXES), ascii_words).map("".join),
    st.binary(max_size=16).map(lambda b: b.decode("utf-8", "surrogateescape")),  # non-UTF-8 from Lua
    st.lists(st.one_of(surrogates, st.sampled_from("ab-:/")), min_size=1, max_size=6).map("".join),
)

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, -1, 2**63, -(2**63), 10**400, 10**1000, 65536]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 1e-300, 0.5, 3.0]),
)

any_value: st.SearchStrategy[Any] = st.one_of(
    hostile_text,
    numbers,
    st.none(),
    st.booleans(),
    st.binary(max_size=8),
    st.lists(hostile_text, max_size=3),
    st.tuples(hostile_text),
    st.dictionaries(hostile_text, hostile_text, max_size=3),
)

# --- engine JSON ---------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=12), st.sampled_from(["", "--", "²", "1" * 50, "Infinity"]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-62135596800, 1e300, -1e300, 10**30]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
# Raw JSON text an engine bug or a truncated pipe could produce inside a document.
JSON_SPIKES = ["1" * 5000, "-" + "9" * 5000, "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "[" * 3000,
               "{" * 3000, '"\\ud800"', '"\\u0000"', "null", "{}", "[]", '""', "0.", "01", "\x00", "\ufeff"]


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text()
    data = json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines() if x.strip()]
    data = data if isinstance(data, list) else [data]
    return [r for r in data if isinstance(r, dict)]


def fixture_records(*patterns: str) -> list[dict[str, Any]]:
    """Every JSON record of the three engines' fixture files matching any glob in ``patterns``."""
    found = [r for p in patterns for path in sorted(FIXTURES.glob(f"*/{p}")) for r in _records(path)]
    assert found, f"no fixture records for {patterns} under {FIXTURES}"
    return found


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _replace(node: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _replace(copy[head], rest, value, delete)
    return copy


@st.composite
def mutated(draw: st.DrawFn, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A fixture record with up to 4 nodes replaced by random JSON values or deleted
    (the top level stays an object)."""
    record = draw(st.sampled_from(records))
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p in _paths(record) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        record = _replace(record, path, draw(json_values), delete=draw(st.booleans()))
    return record


NASTY = [None, True, [], {}, "", "²", "--", "1" * 50, "1e999", "-1", 0, -1, 10**30, 1e300, -1e300,
         float("inf"), float("nan"), {"x": 1}, ["a", 1]]


def _confuse(node: Any, numbers: Any, strings: Any) -> Any:
    if isinstance(node, dict):
        return {k: _confuse(v, numbers, strings) for k, v in node.items()}
    if isinstance(node, list):
        return [_confuse(v, numbers, strings) for v in node]
    if isinstance(node, (int, float)) and not isinstance(node, bool) and numbers is not _KEEP:
        return numbers
    if isinstance(node, str) and strings is not _KEEP:
        return strings
    return node


_KEEP = object()


@st.composite
def confused(draw: st.DrawFn, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A fixture record with every number and/or every string replaced by one odd value
    (an engine that changed its types: Pid "²", ExitCode Infinity, Ports [] ...)."""
    record = draw(st.sampled_from(records))
    numbers = draw(st.sampled_from([_KEEP, *NASTY]))
    strings = draw(st.sampled_from([_KEEP, *NASTY]))
    return _confuse(record, numbers, strings)


def odd_records(records: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Mutated or type-confused fixture records."""
    return st.one_of(mutated(records), confused(records))


@st.composite
def engine_output(draw: st.DrawFn, records: list[dict[str, Any]]) -> str:
    """What an engine might print for a listing: JSON lines or an array of (mutated) records,
    possibly truncated, spiked with odd raw JSON, or mixed with stray lines."""
    rows = draw(st.lists(st.one_of(odd_records(records), st.dictionaries(st.text(max_size=6), json_values, max_size=4)),
                         max_size=3))
    if draw(st.booleans()):
        text = json.dumps(rows, indent=draw(st.sampled_from([None, 2])))
    else:
        text = "\n".join(json.dumps(r) for r in rows)
    if draw(st.booleans()):  # a raw spike where a value or a line could be
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(JSON_SPIKES + ["\nWARN[0000] something\n", "\nnull\n"])) + text[at:]
    if draw(st.booleans()):  # truncated
        text = text[: draw(st.integers(0, len(text)))]
    return text


def error_texts() -> list[str]:
    """The engines' real error outputs (the blocks of each fixtures/*/errors.txt)."""
    blocks: list[str] = []
    for path in sorted(FIXTURES.glob("*/errors.txt")):
        blocks += [b.split("\n", 1)[-1] for b in path.read_text().split("### ") if b.strip()]
    return blocks


engine_stderr = st.one_of(
    st.text(max_size=200),
    st.sampled_from(error_texts()),
    st.tuples(st.sampled_from(error_texts()), st.text(max_size=30), st.integers(0, 400)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:]),
    st.lists(st.sampled_from(['level=fatal msg="', 'level=error msg="x\\', "FATA[0000] ", "ERRO[0001] 1 errors:",
                              "Error: ", "Error response from daemon: ", '\\"', "\n", "time=", "2 errors:"]),
             max_size=8).map("".join),
)
