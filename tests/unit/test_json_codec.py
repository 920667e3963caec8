"""JSON in a real lupa runtime (herodo_py.lua.json_codec): round trips, json_null, arrays versus
objects, refusals naming the key or the position, 64-bit integers, depth and cycle bounds, options,
and the sandbox (JSON stays)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herodo_py.lua.json_codec import MAX_DEPTH
from herodo_py.lua.runtime import Runtime


@pytest.fixture(scope="module")
def lua():
    return Runtime(policy="trusted")


def run(runtime: Runtime, source: str, tmp_path=None) -> tuple:
    outcome = runtime.run_source(source, "/tmp/json_test.lua")
    if outcome.failure is not None:
        return ("failed", outcome.failure.message)
    return outcome.returned


@pytest.mark.parametrize("text", [
    '{"a":[1,2,3],"b":{"c":"d"},"e":true,"f":false,"g":null,"h":1.5,"i":-7}',
    '[]', '{}', '[[],{},[{}]]', '"x\\n\\"\\u0001é"', '[null,null]', '{"k":null}', '1e+300', '0.1',
    f'[{2**63 - 1},{-(2**63)}]', '{"nested":{"empty_list":[],"empty_obj":{}}}',
])
def test_decoded_documents_re_encode_to_the_same_json(lua, text):
    (out,) = run(lua, f"return json_encode(json_decode({text!r}))")
    assert json.loads(out) == json.loads(text)
    assert out == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_null_is_a_value_that_keeps_keys_and_lengths(lua):
    assert run(lua, """
      local v = json_decode('{"a": null, "list": [1, null, 3]}')
      return v.a == json_null, #v.list, v.list[2] == json_null, tostring(json_null),
             (pcall(function() json_null.x = 1 end))""") == (True, 3, True, "json_null", False)


def test_empty_tables_are_objects_unless_marked_as_arrays(lua):
    assert run(lua, "return json_encode({}), json_encode(json_array()), json_encode(json_array({1}))") == \
        ("{}", "[]", "[1]")


def test_integers_and_floats_keep_their_kind(lua):
    assert run(lua, "local v = json_decode('[1, 1.0, 2.5]') return math.type(v[1]), math.type(v[2]), "
                    "json_encode(v), json_encode({0.1, 1e300, -0.0, 3})") == \
        ("integer", "float", "[1,1.0,2.5]", "[0.1,1e+300,-0.0,3]")


@pytest.mark.parametrize("value, message", [
    ("{1, nil, 3}", "value[2]: the array has a hole"),
    ("{1, 2, x = 3}", "mixes array index"),
    ("{[0] = 'a'}", "value[0]: an integer key (0) cannot be a JSON key"),
    ("{[1.5] = 'a'}", "a float key (1.5)"),
    ("{a = {b = {print}}}", "value.a.b[1]: a function value has no JSON form"),
    ("{['odd key'] = '\\255'}", 'value["odd key"]: the string is not valid UTF-8'),
    ("{0/0}", "value[1]: NaN and infinities"),
    ("{math.huge}", "value[1]: NaN and infinities"),
    ("json_array({a = 1})", "marked as a JSON array has the key"),
])
def test_values_without_a_json_form_are_refused_by_path(lua, value, message):
    status, text = run(lua, f"return json_encode({value})")
    assert status == "failed" and message in text


def test_cycles_and_depth_are_refused(lua):
    assert "value.me: a cycle" in run(lua, "local t = {} t.me = t return json_encode(t)")[1]
    deep = f"local t = {{}} local c = t for i = 1, {MAX_DEPTH + 5} do c.x = {{}} c = c.x end return json_encode(t)"
    assert f"nested deeper than {MAX_DEPTH}" in run(lua, deep)[1]
    # a table seen twice (not a cycle) is fine
    assert run(lua, "local s = {1} return json_encode({a = s, b = s})") == ('{"a":[1],"b":[1]}',)


@pytest.mark.parametrize("text, where", [
    ('{"a": 1,\n "b": }', "line 2, column 7"),
    ('[1, 2', "line 1, column 6"),
    ('', "line 1, column 1"),
    ('{"a": 1} x', "line 1, column 10"),
    ('[1, 123456789012345678901234567890]', "line 1, column 5"),
    ('{"x": "big",\n  "n": -99999999999999999999}', "line 2, column 8"),
    ('[1e999]', "line 1, column 2"),
    ('[NaN]', "NaN is not JSON"),
    ('"\\ud800" \udcff', "line 1, column 10: the text is not valid UTF-8"),
])
def test_bad_json_is_refused_with_its_position(lua, text, where):
    raw = text.encode("utf-8", "surrogateescape")
    status, message = run(lua, "return json_decode('" + "".join(f"\\{b}" for b in raw) + "')")
    assert status == "failed" and where in message, message


def test_deep_json_is_refused_not_a_crash(lua):
    for depth in (MAX_DEPTH + 1, 100_000):
        status, message = run(lua, f"return json_decode(string.rep('[', {depth}) .. string.rep(']', {depth}))")
        assert status == "failed" and f"nested deeper than {MAX_DEPTH} levels" in message
        assert f"column {MAX_DEPTH + 1}" in message


def test_options_sort_keys_and_indent(lua):
    (pretty,) = run(lua, "return json_encode({b = 1, a = {1, 2}}, {indent = 2})")
    assert pretty == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}'
    (unsorted,) = run(lua, "return json_encode({b = 1, a = 2}, {sort_keys = false})")
    assert json.loads(unsorted) == {"a": 2, "b": 1}
    assert "unknown option sortkeys" in run(lua, "return json_encode({}, {sortkeys = true})")[1]
    assert "an integer 0-16" in run(lua, "return json_encode({}, {indent = 1.5})")[1]


def test_errors_carry_a_category_for_scripts(lua):
    assert run(lua, """local ok, e = pcall(json_decode, "{") return e.kind, e.category""") == \
        ("JsonParseError", "JsonDecodeError")
    assert run(lua, """local ok, e = pcall(json_encode, {print}) return e.category, e.field""") == \
        ("JsonEncodeError", "value[1]")


def test_json_is_there_in_the_sandbox(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text('return json_encode(json_decode(\'{"a":[1,null]}\'))')
    for mode in ("sandbox", "strict"):
        assert Runtime(policy=mode).run_file(str(script)).returned == ('{"a":[1,null]}',)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_value_round_trips(value):
    text = json.dumps(value)
    runtime = _shared()
    (out,) = run(runtime, f"return json_encode(json_decode({json.dumps(text)}))")
    assert json.loads(out) == value


_runtime: list[Runtime] = []


def _shared() -> Runtime:
    if not _runtime:
        _runtime.append(Runtime(policy="trusted"))
    return _runtime[0]
