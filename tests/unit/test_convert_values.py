"""Lua values crossing into Python (herodo_py.lua.convert.Checker), with a real lupa LuaRuntime: each type of the
registry's type language, the limits on entries (100,000) and nesting (100 levels) on both sides of each boundary,
numbers, strings with NUL and non-UTF-8 bytes, and the refusals, which name the argument, the field, what was
given and what was expected. The limits are written as numbers here, not read from the module under test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from lupa import lua54

from herodo_py.lua.convert import (
    ABSENT,
    BadArgument,
    Checker,
    Mismatch,
    TypeNode,
    lua_bytes,
    name_text,
    parse_type,
    text,
    type_name,
)
from herodo_py.lua.registry import Binding, FieldDef, Param, Registry, class_key
from herodo_py.lua.runtime import Runtime, base_registry


@dataclass
class Box:
    name: str


@dataclass
class Report:
    state: str


def make_registry() -> Registry:
    r = Registry()
    r.type("Box", "object", python=class_key(Box))
    r.type("Report", "record", python=class_key(Report))
    r.type("Opts", "options", fields=[FieldDef("cmd", "string"), FieldDef("retries", "integer?"),
                                      FieldDef("tags", "string[]?")])
    return r


REGISTRY = make_registry()


@pytest.fixture(scope="module")
def lua():
    return lua54.LuaRuntime(encoding=None)  # as herodo's runtime: Lua strings reach Python as bytes


def binding(*types: str, name: str = "f", owner: str | None = None) -> Binding:
    return Binding(name, tuple(Param(f"p{i}", t) for i, t in enumerate(types, 1)), "nil", "", None, owner)


def convert(lua, spec: str, source: str):
    """The value of the Lua expression ``source`` as an argument of type ``spec``."""
    return Checker(REGISTRY).args(binding(spec), [lua.eval(source)])[0]


def refusal(lua, spec: str, source: str) -> str:
    with pytest.raises(BadArgument) as caught:
        convert(lua, spec, source)
    return caught.value.message


def bad(detail: str, index: int = 1) -> str:
    return f"bad argument #{index} to 'f' ({detail})"


LIST_OF = "function(n, item) local t = {} for i = 1, n do t[i] = item or i end return t end"
NESTED = "function(n) local t = {} local c = t for i = 2, n do c[1] = {} c = c[1] end return t end"
THREAD = "(function() local co = coroutine.create(coroutine.yield) coroutine.resume(co) return co end)()"
"""A started coroutine (lupa hands one not yet started over as a function)."""
HASH_ORDER = """function()  -- 1, 2, 3 stored in the hash part, where pairs() visits 3 first
  local t = {k1 = 1, k2 = 2, k3 = 3}
  t.k1, t.k2, t.k3 = nil, nil, nil
  t[3], t[2], t[1] = "c", "b", "a"
  return t
end"""


# --- strings --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source, expected", [
    ('"abc"', "abc"),
    ('"caf\\xc3\\xa9"', "café"),
    ('"a\\0b"', "a\x00b"),
    ('"\\xff\\x00ab"', "\udcff\x00ab"),
    ('""', ""),
], ids=["ascii", "utf8", "nul", "not-utf8", "empty"])
def test_strings_cross_as_text_and_every_byte_survives_the_way_back(lua, source, expected):
    converted = convert(lua, "string", source)
    assert converted == expected
    assert lua_bytes(converted) == lua.eval(source)


@pytest.mark.parametrize("source, expected", [
    ("8080", "8080"), ("-1", "-1"), ("3.0", "3"), ("-3.0", "-3"), ("-0.0", "0"), ("2.5", "2.5"),
    ("math.maxinteger", "9223372036854775807"), ("2^63 - 1024", "9223372036854774784"),
    ("2^63", "9.223372036854776e+18"), ("-2^63", "-9.223372036854776e+18"), ("1e300", "1e+300"),
    ("1/0", "inf"), ("-1/0", "-inf"),
], ids=["int", "negative", "whole-float", "negative-whole-float", "negative-zero", "fraction", "maxinteger",
        "largest-whole-float-below-2-63", "2-63", "minus-2-63", "huge", "inf", "minus-inf"])
def test_numbers_given_for_strings_are_written_as_lua_would_read_them_back(lua, source, expected):
    """A whole float is written without ".0" (a port 8080.0 is "8080") as long as it fits an integer."""
    assert convert(lua, "string", source) == expected


@pytest.mark.parametrize("source, got", [("nil", "nil"), ("true", "boolean"), ("false", "boolean"), ("{}", "table"),
                                         ("print", "function"), (THREAD, "thread")],
                         ids=["nil", "true", "false", "table", "function", "coroutine"])
def test_no_other_value_is_a_string(lua, source, got):
    assert refusal(lua, "string", source) == bad(f"string expected, got {got}")


# --- numbers and booleans -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source, expected", [("5", 5), ("-7", -7), ("2.5", 2.5), ("3.0", 3.0), ("1/0", math.inf)],
                         ids=["int", "negative", "fraction", "whole-float", "inf"])
def test_numbers_stay_the_numbers_they_are(lua, source, expected):
    converted = convert(lua, "number", source)
    assert (converted, type(converted)) == (expected, type(expected))


def test_nan_is_a_number(lua):
    assert math.isnan(convert(lua, "number", "0/0"))


@pytest.mark.parametrize("spec", ["number", "integer"])
@pytest.mark.parametrize("source, got", [('"5"', "string"), ("true", "boolean"), ("nil", "nil"), ("{}", "table")],
                         ids=["numeric-string", "boolean", "nil", "table"])
def test_strings_and_booleans_are_not_numbers(lua, spec, source, got):
    assert refusal(lua, spec, source) == bad(f"{spec} expected, got {got}")


@pytest.mark.parametrize("source, expected", [
    ("5", 5), ("3.0", 3), ("-3.0", -3), ("-0.0", 0), ("math.maxinteger", 9223372036854775807),
    ("math.mininteger", -9223372036854775808), ("-2^63", -9223372036854775808),
    ("2^63 - 1024", 9223372036854774784),
], ids=["int", "whole-float", "negative-whole-float", "negative-zero", "maxinteger", "mininteger", "minus-2-63",
        "largest-whole-float-below-2-63"])
def test_integers_take_whole_floats_as_integers(lua, source, expected):
    converted = convert(lua, "integer", source)
    assert (converted, type(converted)) == (expected, int)


@pytest.mark.parametrize("source", ["2.5", "-0.5", "1/0", "-1/0", "0/0", "2^63", "-2^63 - 2^11", "1e300"],
                         ids=["fraction", "negative-fraction", "inf", "minus-inf", "nan", "2-63", "below-minus-2-63",
                              "huge"])
def test_integers_refuse_what_lua_has_no_integer_for(lua, source):
    """As Lua's math.tointeger: no fraction, nothing infinite, nothing outside 64 bits."""
    assert lua.eval(f"math.tointeger({source})") is None
    assert refusal(lua, "integer", source) == bad("number has no integer representation")


@pytest.mark.parametrize("source, expected", [("true", True), ("false", False)])
def test_booleans(lua, source, expected):
    assert convert(lua, "boolean", source) is expected


@pytest.mark.parametrize("source, got", [("1", "number"), ("0", "number"), ('"true"', "string"), ("nil", "nil")],
                         ids=["one", "zero", "string", "nil"])
def test_nothing_else_is_a_boolean(lua, source, got):
    assert refusal(lua, "boolean", source) == bad(f"boolean expected, got {got}")


# --- nil, functions, tables, any ------------------------------------------------------------------------------------


def test_nil_takes_only_nil(lua):
    assert convert(lua, "nil", "nil") is None
    assert Checker(REGISTRY).args(binding("nil"), []) == [None]
    assert refusal(lua, "nil", "1") == bad("nil expected, got number")


def test_functions_cross_as_the_lua_function_itself(lua):
    func = lua.eval("function(x) return x * 2 end")
    assert Checker(REGISTRY).args(binding("function"), [func])[0](21) == 42
    assert refusal(lua, "function", "{}") == bad("function expected, got table")
    assert refusal(lua, "function", '"print"') == bad("function expected, got string")


@pytest.mark.parametrize("source, expected", [
    ("{}", {}), ("{1, 2, 3}", [1, 2, 3]), ('{"a", "b"}', ["a", "b"]), ("{a = 1, [2] = 3}", {"a": 1, 2: 3}),
    ("{[2] = 'b'}", {2: "b"}), ("{1, 2, x = 3}", {1: 1, 2: 2, "x": 3}), ("{1, nil, 3}", {1: 1, 3: 3}),
    ("{[0] = 'z', 'a'}", {0: "z", 1: "a"}), ("{[1.5] = 'x'}", {1.5: "x"}), ("{[true] = 'x'}", {True: "x"}),
    ("{{1}, {a = {2}}}", [[1], {"a": [2]}]), ("{['\\xff'] = '\\0'}", {"\udcff": "\x00"}),
], ids=["empty", "list", "strings", "map", "sparse", "list-and-keys", "hole", "zero-index", "float-key",
        "boolean-key", "nested", "bytes"])
def test_tables_become_lists_when_keyed_one_to_n_else_dicts(lua, source, expected):
    assert convert(lua, "table", source) == expected
    assert convert(lua, "any", source) == expected


def test_list_items_come_in_key_order_whatever_order_lua_visits_them(lua):
    table = lua.eval(HASH_ORDER)()
    assert [key for key, _ in table.items()] != [1, 2, 3]  # (else this test proves nothing)
    assert convert(lua, "any", f"({HASH_ORDER})()") == ["a", "b", "c"]
    assert convert(lua, "string[]", f"({HASH_ORDER})()") == ["a", "b", "c"]


@pytest.mark.parametrize("source, expected", [("'x'", "x"), ("5", 5), ("2.5", 2.5), ("true", True), ("nil", None)],
                         ids=["string", "int", "float", "boolean", "nil"])
def test_any_takes_plain_values_as_they_are(lua, source, expected):
    assert convert(lua, "any", source) == expected


@pytest.mark.parametrize("source, detail", [
    ("print", "a Lua function cannot be passed here"),
    (THREAD, "a Lua coroutine cannot be passed here"),
    ("{f = print}", "a Lua function cannot be passed here"),
    ("{[{}] = 1}", "a table used as a table key cannot be passed here"),
    ("{[{1}] = 1}", "a table used as a table key cannot be passed here"),
    ("{'a', [true] = 'b'}", "a table with both the keys true and 1 (or false and 0) cannot be passed here"),
    ("{[0] = 'a', [false] = 'b'}", "a table with both the keys true and 1 (or false and 0) cannot be passed here"),
], ids=["function", "coroutine", "function-inside", "table-key", "list-key", "true-and-1", "false-and-0"])
def test_any_refuses_what_has_no_plain_form(lua, source, detail):
    assert refusal(lua, "any", source) == bad(detail)


def test_table_refuses_non_tables_and_what_has_no_plain_form(lua):
    assert refusal(lua, "table", '"x"') == bad("table expected, got string")
    assert refusal(lua, "table", "{print}") == bad("a Lua function cannot be passed here")


def test_python_objects_inside_tables_pass_as_they_are(lua):
    box = Box("web")
    assert Checker(REGISTRY).args(binding("any"), [lua.table_from({b"b": box})])[0] == {"b": box}
    keyed_by = lua.eval("function(k) return {[k] = 'x'} end")
    hashable = object()
    assert Checker(REGISTRY).args(binding("any"), [keyed_by(hashable)])[0] == {hashable: "x"}


@pytest.mark.parametrize("key, name", [(Box("web"), "Box"), ({1}, "userdata")], ids=["registered", "unregistered"])
def test_an_object_python_cannot_key_by_is_refused_as_a_key(lua, key, name):
    """(A Container is such an object: a dataclass compared by value.)"""
    with pytest.raises(BadArgument) as caught:
        Checker(REGISTRY).args(binding("any"), [lua.eval("function(k) return {[k] = 'x'} end")(key)])
    assert caught.value.message == bad(f"a {name} used as a table key cannot be passed here")


# --- lists and maps -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source, expected", [("{}", []), ('{"a", "b"}', ["a", "b"]), ('{8080, "53:53/udp"}',
                                                                                        ["8080", "53:53/udp"])],
                         ids=["empty", "strings", "numbers-as-strings"])
def test_lists(lua, source, expected):
    assert convert(lua, "string[]", source) == expected


@pytest.mark.parametrize("source", ["{a = 1}", "{[1] = 'a', [3] = 'c'}", "{'a', x = 'y'}", "{[0] = 'z', 'a'}",
                                    "{[2] = 'b'}", "{[1.5] = 'a'}", "{[true] = 'x'}", "{'a', [true] = 'x'}"],
                         ids=["keys", "gap", "list-and-key", "zero-index", "starts-at-two", "float-key",
                              "boolean-key", "list-and-boolean-key"])
def test_lists_refuse_tables_with_other_keys(lua, source):
    assert refusal(lua, "string[]", source) == bad("table expected to be a list like {'a', 'b'}, got a table with keys")


@pytest.mark.parametrize("spec", ["string[]", "string[]?", "string|string[]", "(string|string[])?"])
@pytest.mark.parametrize("source", ["{}", "{'a', 'b'}", "{'\\xff', ''}", "{8080, 'x'}", "{'a', true}", "{[2] = 'b'}",
                                    "{'a', x = 'y'}", "{[1] = 'a', [3] = 'c'}", "{'a', {}}"])
def test_a_list_of_strings_read_in_one_pass_is_what_the_general_check_makes(lua, spec, source):
    """Arguments taking a list of strings (commands, ports) read a plain list of strings in one pass; any other
    table falls back to the general check: the same value, or the same refusal, as the type's own check."""
    table = lua.eval(source)
    try:
        expected = ("ok", Checker(REGISTRY).value(table, parse_type(spec)))
    except Mismatch as exc:
        expected = ("refused", bad(exc.detail))
    try:
        got = ("ok", Checker(REGISTRY).args(binding(spec), [table])[0])
    except BadArgument as exc:
        got = ("refused", exc.message)
    assert got == expected


@pytest.mark.parametrize("spec, source, detail", [
    ("string[]", '"8080:80"', "table expected, got string"),
    ("string[]", "{'a', {}}", "item 2: string expected, got table"),
    ("string[][]", "{{'a'}, {'b', true}}", "item 2: item 2: string expected, got boolean"),
    ("integer[]", "{1, 2.5}", "item 2: number has no integer representation"),
], ids=["not-a-table", "item", "nested-item", "integer-item"])
def test_list_refusals_name_the_item(lua, spec, source, detail):
    assert refusal(lua, spec, source) == bad(detail)


@pytest.mark.parametrize("spec, source, expected", [
    ("table<string,string>", "{}", {}),
    ("table<string,string>", "{A = '1', B = 2}", {"A": "1", "B": "2"}),
    ("table<string,string>", "{['\\xff'] = 'v'}", {"\udcff": "v"}),
    ("table<integer,string>", "{[1] = 'a', [5] = 'b', [7.0] = 'c'}", {1: "a", 5: "b", 7: "c"}),
    ("table<string,integer>", "{a = 3.0}", {"a": 3}),
], ids=["empty", "strings", "bytes-key", "integer-keys", "integer-values"])
def test_maps(lua, spec, source, expected):
    converted = convert(lua, spec, source)
    assert converted == expected
    assert [type(v) for v in converted.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize("spec, source, detail", [
    ("table<string,string>", '"x"', "table expected, got string"),
    ("table<string,string>", "{'x'}", "key 1: string expected, got number"),
    ("table<string,string>", "{[1.5] = 'x'}", "key 1.5: string expected, got number"),
    ("table<string,string>", "{[true] = 'x'}", "key true: string expected, got boolean"),
    ("table<string,string>", "{K = {}}", "value of 'K': string expected, got table"),
    ("table<integer,string>", "{a = 'x'}", "key 'a': integer expected, got string"),
    ("table<integer,string>", "{[2.5] = 'x'}", "key 2.5: number has no integer representation"),
    ("table<string,integer>", "{a = 1.5}", "value of 'a': number has no integer representation"),
], ids=["not-a-table", "list", "float-key", "boolean-key", "value", "string-key", "fraction-key", "fraction-value"])
def test_map_refusals_name_the_key(lua, spec, source, detail):
    """A number is no string key (a list given where a map is expected), though numbers are strings as values."""
    assert refusal(lua, spec, source) == bad(detail)


def test_an_object_used_as_a_key_is_named_by_its_python_form(lua):
    with pytest.raises(BadArgument) as caught:
        Checker(REGISTRY).args(binding("table<string,string>"), [lua.eval("function(k) return {[k] = 'x'} end")(
            Box("Web"))])
    assert caught.value.message == bad("key Box(name='Web'): string expected, got Box")


# --- unions and optionals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["string|number", "number|string", "string|(number|boolean)"])
@pytest.mark.parametrize("source, expected", [("5", 5), ("2.5", 2.5), ('"5"', "5")], ids=["int", "float", "string"])
def test_a_union_keeps_the_exact_kind_first(lua, spec, source, expected):
    """A number given to "string|number" stays a number: the string alternative, which takes numbers too, is last."""
    converted = convert(lua, spec, source)
    assert (converted, type(converted)) == (expected, type(expected))


@pytest.mark.parametrize("spec, source, expected", [
    ("string|string[]", '"a"', "a"),
    ("string|string[]", "{'a', 1}", ["a", "1"]),
    ("string[]|table<string,string>", "{'a'}", ["a"]),
    ("string[]|table<string,string>", "{k = 'v'}", {"k": "v"}),
    ("boolean|string[]", "{}", []),
    ("string|Box", '"x"', "x"),
], ids=["string", "list", "list-of-two-tables", "map-of-two-tables", "empty", "string-or-object"])
def test_unions(lua, spec, source, expected):
    assert convert(lua, spec, source) == expected


@pytest.mark.parametrize("spec, source, detail", [
    ("string|number", "true", "string or number expected, got boolean"),
    ("string|number", "{}", "string or number expected, got table"),
    ("string|string[]", "nil", "string or table expected, got nil"),
    ("string|string[]", "{'a', {}}", "item 2: string expected, got table"),
    ("string|table", "{print}", "a Lua function cannot be passed here"),
    ("number|any", "{print}", "a Lua function cannot be passed here"),
    ("string|Opts", "{bogus = 1}", "unknown field 'bogus' in Opts (known: cmd, retries, tags)"),
    ("string[]?|number", "{{}}", "item 1: string expected, got table"),
    ("Box|string[]", "{{}}", "item 1: string expected, got table"),
    ("string[]|table<string,string>", "{k = {}}", "table expected, got table"),
    ("boolean|(number|string[])", "{{}}", "boolean or number or table expected, got table"),
], ids=["neither", "table-for-no-table", "nil", "one-list", "one-table", "one-any", "one-options",
        "one-optional-list", "object-is-no-table", "two-tables", "nested-union"])
def test_union_refusals(lua, spec, source, detail):
    """A table given where one alternative takes tables gets that alternative's own, precise refusal."""
    assert refusal(lua, spec, source) == bad(detail)


def test_optionals(lua):
    assert convert(lua, "string?", "nil") is None
    assert convert(lua, "string?", '"a"') == "a"
    assert convert(lua, "string[]?", "{'a'}") == ["a"]
    assert refusal(lua, "string?", "true") == bad("string expected, got boolean")


# --- registered types -----------------------------------------------------------------------------------------------


def test_objects_pass_as_themselves(lua):
    box = Box("web")
    assert Checker(REGISTRY).args(binding("Box"), [box])[0] is box
    assert refusal(lua, "Box", '"web"') == bad("Box expected, got string")
    with pytest.raises(BadArgument) as caught:
        Checker(REGISTRY).args(binding("Box"), [Report("running")])
    assert caught.value.message == bad("Box expected, got Report")


def test_an_unregistered_type_name_is_a_programming_error(lua):
    with pytest.raises(KeyError) as caught:
        Checker(REGISTRY).value("x", TypeNode("named", "Nope"))
    assert caught.value.args == ("unknown type 'Nope' in the registry",)


@pytest.mark.parametrize("source, expected", [
    ("{cmd = 'x'}", {"cmd": "x"}),
    ("{cmd = 'x', retries = 3.0}", {"cmd": "x", "retries": 3}),
    ("{cmd = 8080, tags = {'a', 1}}", {"cmd": "8080", "tags": ["a", "1"]}),
], ids=["required-only", "optional-field", "list-field"])
def test_options_tables(lua, source, expected):
    assert convert(lua, "Opts", source) == expected


@pytest.mark.parametrize("source, detail", [
    ('"x"', "table expected, got string"),
    ("{}", "field 'cmd' missing in Opts (string expected)"),
    ("{retries = 1}", "field 'cmd' missing in Opts (string expected)"),
    ("{cmd = 'x', retries = '3'}", "field 'retries': integer expected, got string"),
    ("{cmd = 'x', retries = 1.5}", "field 'retries': number has no integer representation"),
    ("{cmd = 'x', tags = {{}}}", "field 'tags': item 1: string expected, got table"),
    ("{cmd = 'x', retry = 1}", "unknown field 'retry' in Opts; did you mean 'retries'?"),
    ("{cmd = 'x', zzz = 1}", "unknown field 'zzz' in Opts (known: cmd, retries, tags)"),
    ("{cmd = 'x', [''] = 1}", "unknown field '' in Opts (known: cmd, retries, tags)"),
    ("{'x'}", "unknown field 1 in Opts (known: cmd, retries, tags)"),
    ("{cmd = 'x', [true] = 1}", "unknown field true in Opts (known: cmd, retries, tags)"),
], ids=["not-a-table", "empty", "required-missing", "field-type", "field-integer", "field-item", "did-you-mean",
        "unknown", "empty-name", "list", "boolean-key"])
def test_options_refusals_name_the_field(lua, source, detail):
    assert refusal(lua, "Opts", source) == bad(detail)


# --- a call's arguments ---------------------------------------------------------------------------------------------


def test_arguments_missing_given_nil_and_optional(lua):
    checker = Checker(REGISTRY)
    assert checker.args(binding("string", "string?"), ["a"]) == ["a", None]
    assert checker.args(binding("string", "string?"), ["a", b"b"]) == ["a", "b"]
    assert checker.args(binding("string", "table<string,string>?"), ["a", lua.eval("{A = 'x'}")]) == ["a", {"A": "x"}]
    assert checker.args(binding("any"), []) == [None]
    assert checker.args(binding("string"), ["a", None, None]) == ["a"]  # trailing nils are no arguments
    assert checker.args(binding(), []) == []


@pytest.mark.parametrize("types, args, message", [
    (("string",), [], "bad argument #1 to 'f' (string expected, got no value)"),
    (("string",), [None], "bad argument #1 to 'f' (string expected, got nil)"),
    (("string", "integer"), ["a"], "bad argument #2 to 'f' (integer expected, got no value)"),
    ((), [1], "too many arguments to 'f' (it takes no arguments, got 1)"),
    (("string",), ["a", "b"], "too many arguments to 'f' (it takes 1 argument, got 2)"),
    (("string",), ["a", None, 3], "too many arguments to 'f' (it takes 1 argument, got 3)"),
    (("string", "integer"), ["a", 1, "c"], "too many arguments to 'f' (it takes 2 arguments, got 3)"),
], ids=["missing", "nil", "second-missing", "none-taken", "one-taken", "nil-between", "two-taken"])
def test_argument_count_refusals(types, args, message):
    with pytest.raises(BadArgument) as caught:
        Checker(REGISTRY).args(binding(*types), args)
    assert caught.value.message == str(caught.value) == message


def test_a_refusal_names_the_function_the_argument_and_how_to_call_it(lua):
    checker = Checker(REGISTRY)
    with pytest.raises(BadArgument) as caught:
        checker.args(binding("string", "integer", name="with_port"), ["a", "b"])
    error = caught.value
    assert (error.function, error.index, error.param) == ("with_port", 2, "p2")
    assert error.hint == "call it as with_port(p1: string, p2: integer)"
    with pytest.raises(BadArgument) as caught:
        checker.args(binding("string", name="add", owner="Box"), [True])
    assert (caught.value.function, caught.value.index, caught.value.param) == ("add", 1, "p1")
    assert caught.value.hint == "call it as Box:add(p1: string)"
    with pytest.raises(BadArgument) as caught:
        checker.args(binding("string", name="add", owner="Box"), ["a", "b"])
    error = caught.value
    assert (error.function, error.index, error.param) == ("add", None, None)
    assert error.hint == "call it as Box:add(p1: string)"


@pytest.mark.parametrize("value, expected", [
    (ABSENT, "no value"), (None, "nil"), (True, "boolean"), (0, "number"), (0.5, "number"), (b"", "string"),
    ("", "string"), (Box("x"), "Box"), (Report("x"), "Report"), (object(), "userdata"),
], ids=["absent", "nil", "boolean", "int", "float", "bytes", "str", "object", "record", "unregistered"])
def test_type_names_as_lua_writes_them(value, expected):
    assert type_name(value, REGISTRY) == expected


def test_type_names_of_lua_values_and_without_a_registry(lua):
    assert [type_name(lua.eval(s)) for s in ("{}", "print", THREAD)] == \
        ["table", "function", "thread"]
    assert type_name(Box("x")) == "userdata"


def test_a_mismatch_carries_its_detail(lua):
    with pytest.raises(Mismatch) as caught:
        Checker(REGISTRY).plain_values((lua.eval("print"),))
    assert str(caught.value) == caught.value.detail == "a Lua function cannot be passed here"


# --- the limits: 100,000 entries in all, tables 100 deep ------------------------------------------------------------


def test_one_argument_holds_at_most_100000_entries(lua):
    make = lua.eval(LIST_OF)
    checker = Checker(REGISTRY)
    assert len(checker.args(binding("integer[]"), [make(100_000)])[0]) == 100_000
    assert len(checker.args(binding("any"), [make(100_000)])[0]) == 100_000  # and again: each call has its own
    with pytest.raises(BadArgument) as caught:
        checker.args(binding("integer[]"), [make(100_001)])
    assert caught.value.message == bad("table too large to hand over (more than 100000 entries in all)")


@pytest.mark.parametrize("spec, fits, converted, over", [
    ("string[]", "{'x'}", ["x"], "{'x', 'y'}"),
    ("table<integer,string>", "{'x'}", {1: "x"}, "{'x', 'y'}"),
    ("any", "{'x'}", ["x"], "{'x', 'y'}"),
    ("table", "{'x'}", ["x"], "{'x', 'y'}"),
    ("Opts", "{cmd = 'x'}", {"cmd": "x"}, "{cmd = 'x', 'y'}"),
], ids=["list", "map", "any", "table", "options"])
def test_the_entries_of_all_arguments_count_together(lua, spec, fits, converted, over):
    """Whatever the second argument's type, its entries add to the first's: 99,999 + 1 fit, 99,999 + 2 do not
    (counted before the second table is read further: its unknown field is never reached)."""
    first = lua.eval(LIST_OF)(99_999, b"x")
    checker = Checker(REGISTRY)
    assert checker.args(binding("string[]", spec), [first, lua.eval(fits)])[1] == converted
    with pytest.raises(BadArgument) as caught:
        checker.args(binding("string[]", spec), [first, lua.eval(over)])
    assert caught.value.message == bad("table too large to hand over (more than 100000 entries in all)", 2)


def test_nested_entries_count_too(lua):
    nested = lua.eval("function(n) local t = {} for i = 1, n do t[i] = {'x'} end return t end")
    assert len(Checker(REGISTRY).args(binding("string[][]"), [nested(50_000)])[0]) == 50_000
    assert refusal(lua, "string[][]", "(" + "function() local t = {} for i = 1, 50001 do t[i] = {'x'} end "
                   "return t end)()") == bad("item 50000: table too large to hand over (more than 100000 entries in all)")


TOO_DEEP = "a table nested more than 100 levels deep (or holding itself) cannot be passed here"


def depth_of(value) -> int:
    """How many tables deep a converted value is (a list of one or a dict of one "x" at each level)."""
    depth = 1
    while value:
        value, depth = (value[0] if isinstance(value, list) else value["x"]), depth + 1
    return depth


@pytest.mark.parametrize("key", ["1", "'x'"], ids=["list", "map"])
@pytest.mark.parametrize("spec", ["any", "table"])
def test_tables_nest_at_most_100_deep(lua, spec, key):
    nested = lua.eval(NESTED.replace("c[1]", f"c[{key}]"))
    checker = Checker(REGISTRY)
    assert depth_of(checker.args(binding(spec), [nested(100)])[0]) == 100
    with pytest.raises(BadArgument) as caught:
        checker.args(binding(spec), [nested(101)])
    assert caught.value.message == bad(TOO_DEEP)
    assert refusal(lua, spec, f"(function() local t = {{}} t[{key}] = t return t end)()") == bad(TOO_DEEP)


@pytest.mark.parametrize("key", ["1", "'x'"], ids=["list", "map"])
def test_returned_values_nest_at_most_100_deep(lua, key):
    nested = lua.eval(NESTED.replace("c[1]", f"c[{key}]"))
    checker = Checker(REGISTRY)
    assert [depth_of(v) for v in checker.plain_values((nested(100), nested(100)))] == [100, 100]
    with pytest.raises(Mismatch) as caught:
        checker.plain_values((nested(100), nested(101)))
    assert caught.value.detail == TOO_DEEP


@pytest.mark.parametrize("key, detail", [
    ("{}", "a table used as a table key cannot be passed here"),
    ("{{}}", TOO_DEEP),
], ids=["empty-key", "key-holding-a-table"])
def test_a_table_key_is_read_one_level_below_its_table(lua, key, detail):
    """99 tables down, a table key is level 100 (refused as a key); a table inside it would be level 101."""
    source = f"(function() local t = {{}} local c = t for i = 2, 99 do c[1] = {{}} c = c[1] end c[{key}] = 1 " \
             "return t end)()"
    assert refusal(lua, "any", source) == bad(detail)


def test_the_budget_holds_for_a_value_checked_on_its_own(lua):
    """Checker.value (the check of one value against one type) has the whole budget from the start."""
    make = lua.eval(LIST_OF)
    assert len(Checker(REGISTRY).value(make(100_000), parse_type("integer[]"))) == 100_000
    with pytest.raises(Mismatch) as caught:
        Checker(REGISTRY).value(make(100_001), parse_type("integer[]"))
    assert caught.value.detail == "table too large to hand over (more than 100000 entries in all)"


def test_returned_values_share_one_budget_of_100000_entries(lua):
    make = lua.eval(LIST_OF)
    checker = Checker(REGISTRY)
    assert [len(v) for v in checker.plain_values((make(60_000), make(40_000)))] == [60_000, 40_000]
    assert [len(v) for v in checker.plain_values((make(100_000),))] == [100_000]
    with pytest.raises(Mismatch) as caught:
        checker.plain_values((make(60_000), make(40_001)))
    assert caught.value.detail == "table too large to hand over (more than 100000 entries in all)"
    assert checker.plain_values((b"a\xff", 1, None)) == ("a\udcff", 1, None)


# --- names and text -------------------------------------------------------------------------------------------------


def test_text_and_lua_bytes_are_inverse_for_any_bytes():
    every_byte = bytes(range(256))
    assert text(every_byte) == every_byte.decode("utf-8", "surrogateescape")
    assert lua_bytes(text(every_byte)) == every_byte
    assert text("já") == "já"
    assert text(b"j\xc3\xa1") == "já"


@pytest.mark.parametrize("key, expected", [
    (b"x" * 200, "x" * 200),
    (b"x" * 201, "x" * 60 + "... (201 bytes)"),
    ("é" * 201, "é" * 60 + "... (201 characters)"),
    (b"\xff" * 3, "\udcff" * 3),
    (b"\xff" * 300, "\udcff" * 60 + "... (300 bytes)"),
], ids=["200-bytes", "201-bytes", "201-characters", "not-utf8", "long-not-utf8"])
def test_names_longer_than_200_are_shown_by_their_start_and_length(key, expected):
    assert name_text(key) == expected


# --- through the runtime --------------------------------------------------------------------------------------------


def runtime_registry() -> Registry:
    r = base_registry()
    r.function("with_port", [Param("port", "string"), Param("count", "integer?")], "any", waits=False)(
        lambda port, count=None: [port, count])
    r.function("echo", [Param("value", "any")], "any", waits=False)(lambda value: value)
    r.type("Box", "object", python=class_key(Box))
    r.function("box", [], "Box", waits=False)(lambda: Box("web"))
    return r


def run(source: str):
    return Runtime(runtime_registry()).run_source(source, "main.lua")


def test_a_bad_argument_reaches_the_script_naming_the_field_and_how_to_call(capsys):
    outcome = run("local ok, e = pcall(with_port, '80', 1.5)\nprint(e.message, e.field, e.func, e.hint, e.category)")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == ("bad argument #2 to 'with_port' (number has no integer representation)\tcount"
                                       "\twith_port\tcall it as with_port(port: string, count: integer?)\tBadArgument\n")


def test_values_go_into_python_and_back(capsys):
    outcome = run("local r = with_port(8080.0, 3.0)\nprint(r[1], math.type(r[2]), r[2])\n"
                  "local t = echo({1, {a = 'x\\0y'}, true})\nprint(#t, t[2].a == 'x\\0y', t[3])")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "8080\tinteger\t3\n3\ttrue\ttrue\n"


def test_a_long_unknown_name_is_shown_by_its_start_and_length():
    outcome = run("local x = _G['nerdctl_' .. string.rep('a', 300)]")
    assert outcome.failure.message == "unknown global 'nerdctl_" + "a" * 52 + "... (308 bytes)'"


@pytest.mark.parametrize("source, returned", [
    ("return {}", ({},)),
    ("return {1, 2}, 'x\\255', 3.5, nil", ([1, 2], "x\udcff", 3.5, None)),
    ("local t = {} for i = 1, 60000 do t[i] = i end local u = {} for i = 1, 40000 do u[i] = i end return t, u",
     (list(range(1, 60_001)), list(range(1, 40_001)))),
], ids=["empty-table", "values", "100000-entries"])
def test_returned_values_are_plain_data(source, returned):
    outcome = run(source)
    assert outcome.ok, outcome.failure
    assert outcome.returned == returned


@pytest.mark.parametrize("source, detail", [
    ("local t = {} for i = 1, 60000 do t[i] = i end local u = {} for i = 1, 40001 do u[i] = i end return t, u",
     "table too large to hand over (more than 100000 entries in all)"),
    ("local t = {} local c = t for i = 2, 101 do c[1] = {} c = c[1] end return t",
     "a table nested more than 100 levels deep (or holding itself) cannot be passed here"),
    ("return {print}", "a Lua function cannot be passed here"),
    ("return {[box()] = true}", "a Box used as a table key cannot be passed here"),
], ids=["100001-entries", "101-deep", "function", "object-key"])
def test_returned_values_beyond_the_limits_fail_the_script(source, detail):
    outcome = run(source)
    assert (outcome.exit_code, outcome.failure.title) == (1, "BAD RETURN VALUE")
    assert outcome.failure.message == f"the script returned a value herodo cannot read: {detail}"
