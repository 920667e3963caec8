"""Python results crossing into Lua (herodo_py.lua.convert.ToLua), with a real lupa LuaRuntime: plain values,
text as bytes, lists as 1-based tables, dicts, dataclasses, records with their metatable, registered objects as
themselves, everything else refused; and lua_size, the memory estimate read before a result is pushed (an upper
bound of what Lua really spends, checked against Lua's own count)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from lupa import lua54

from herodo_py.lua.convert import ToLua
from herodo_py.lua.registry import FieldDef, Registry, class_key


@dataclass
class Box:
    name: str


@dataclass
class Report:
    state: str
    code: int = 0


class Bag(list):
    """A record that is also a list (as ImageList: a list of Image carrying the command's output)."""

    def __init__(self, items: list[Report], note: str) -> None:
        super().__init__(items)
        self.note = note


@dataclass
class Plain:
    """A dataclass with no registered type."""
    name: str
    tags: list[str] = field(default_factory=list)
    _hidden: str = "secret"


def make_registry() -> Registry:
    r = Registry()
    r.type("Box", "object", python=class_key(Box))
    r.type("Report", "record", python=class_key(Report))
    r.type("Bag", "record", python=class_key(Bag), fields=[FieldDef("note", "string")], item="Report")
    return r


@pytest.fixture(scope="module")
def lua():
    return lua54.LuaRuntime(encoding=None, max_memory=0)  # (max_memory=0: no limit, but Lua's memory is counted)


@pytest.fixture(scope="module")
def to_lua(lua):
    make_record = lua.eval("function(name, t) return setmetatable(t, {__name = name}) end")
    return ToLua(lua, make_registry(), make_record)


def lua_show(lua, value) -> str:
    """How Lua itself sees a converted value (types and contents, keys sorted)."""
    return lua.eval("""function(v)
  local function show(x)
    if type(x) ~= "table" then return type(x) .. ":" .. tostring(x) end
    local keys = {}
    for k in pairs(x) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = type(k) .. ":" .. tostring(k) .. "=" .. show(x[k]) end
    local mt = getmetatable(x)
    return (mt and mt.__name or "") .. "{" .. table.concat(parts, ", ") .. "}"
  end
  return show(v)
end""")(value).decode()


@pytest.mark.parametrize("value", [None, True, False, 0, -5, 2**63 - 1, 2.5, float("inf"), b"", b"\xff\x00"],
                         ids=["nil", "true", "false", "zero", "negative", "maxinteger", "float", "inf", "empty-bytes",
                              "bytes"])
def test_plain_values_cross_as_they_are(to_lua, value):
    converted = to_lua(value)
    assert (converted, type(converted)) == (value, type(value))


@pytest.mark.parametrize("value, expected", [("", b""), ("café", b"caf\xc3\xa9"), ("\udcff\x00a", b"\xff\x00a")],
                         ids=["empty", "utf8", "escaped-bytes"])
def test_text_crosses_as_the_bytes_it_came_from(to_lua, value, expected):
    assert to_lua(value) == expected


@pytest.mark.parametrize("value, shown", [
    ([], "{}"),
    (["a", b"b", 3], "{number:1=string:a, number:2=string:b, number:3=number:3}"),
    (("x",), "{number:1=string:x}"),
    ([["a"], []], "{number:1={number:1=string:a}, number:2={}}"),
    ({"k": "v", 1: 2.5}, "{number:1=number:2.5, string:k=string:v}"),
    ({"k": ["v"]}, "{string:k={number:1=string:v}}"),
    (Plain("web", ["a"]), "{string:name=string:web, string:tags={number:1=string:a}}"),
], ids=["empty-list", "list", "tuple", "nested", "dict", "dict-of-list", "dataclass-without-private-fields"])
def test_containers_become_lua_tables(lua, to_lua, value, shown):
    assert lua_show(lua, to_lua(value)) == shown


def test_records_get_their_metatable_and_list_records_their_items(lua, to_lua):
    assert lua_show(lua, to_lua(Report("running", 3))) == "Report{string:code=number:3, string:state=string:running}"
    bag = Bag([Report("a"), Report("b", 1)], note="two")
    assert lua_show(lua, to_lua(bag)) == (
        "Bag{number:1=Report{string:code=number:0, string:state=string:a}, "
        "number:2=Report{string:code=number:1, string:state=string:b}, string:note=string:two}")


@dataclass
class Short:
    state: str


@dataclass
class Long:
    state: str
    detail: str


@pytest.mark.parametrize("first", ["record", "lua_size"])
def test_a_record_type_of_two_classes_reads_the_fields_of_the_value_s_own_class(lua, first):
    """(Fields are read once per type, from the class of the first value converted.)"""
    registry = Registry()
    registry.type("Either", "record", python=[class_key(Short), class_key(Long)])
    to_lua = ToLua(lua, registry, lua.eval("function(name, t) return setmetatable(t, {__name = name}) end"))
    value = Long("up", "ok")
    reads = {"record": lambda: lua_show(lua, to_lua(value)), "lua_size": lambda: to_lua.lua_size(value)}
    expected = {"record": "Either{string:detail=string:ok, string:state=string:up}",
                "lua_size": 64 + (80 + 42) + (80 + 42)}
    for name in sorted(reads, key=lambda n: n != first):
        assert reads[name]() == expected[name]


def test_a_declared_field_the_value_lacks_is_nil(lua):
    registry = Registry()
    registry.type("Bag", "record", python=class_key(Bag), fields=[FieldDef("note", "string"), FieldDef("size", "integer")],
                  item="Report")
    registry.type("Report", "record", python=class_key(Report))
    to_lua = ToLua(lua, registry, lua.eval("function(name, t) return setmetatable(t, {__name = name}) end"))
    bag = Bag([], note="empty")
    assert lua_show(lua, to_lua(bag)) == "Bag{string:note=string:empty}"
    assert to_lua.lua_size(bag) == (64 + (80 + 45) + 80) + 64


def test_objects_and_lua_values_pass_as_themselves(lua, to_lua):
    box = Box("web")
    assert to_lua(box) is box
    table = lua.eval("{1}")
    function = lua.eval("print")
    assert to_lua(table) is table
    assert to_lua(function) is function
    assert lua_show(lua, to_lua([table])) == "{number:1={number:1=number:1}}"


@pytest.mark.parametrize("value, name", [((i for i in range(2)), "generator"), (object(), "object"), ({1}, "set"),
                                         (Plain, "type")],
                         ids=["generator", "object", "set", "class"])
def test_anything_else_is_refused(to_lua, value, name):
    with pytest.raises(TypeError) as caught:
        to_lua(value)
    assert str(caught.value) == f"a Python {name} cannot be handed to Lua"


def test_a_refused_value_inside_a_container_refuses_the_container(to_lua):
    with pytest.raises(TypeError) as caught:
        to_lua({"k": [object()]})
    assert str(caught.value) == "a Python object cannot be handed to Lua"


# --- lua_size -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, size", [
    (None, 0), (True, 0), (7, 0), (2.5, 0), (b"", 40), (b"abc", 43), ("abc", 43), ("é", 44), ("aé", 48),
    ([], 64), (["a", "bc"], 64 + (80 + 41) + (80 + 42)), (("a",), 64 + 80 + 41), ({}, 64),
    ({"k": "v"}, 64 + (80 + 41) + 41), ({1: None}, 64 + 80), ([["a"]], 64 + 80 + (64 + 80 + 41)),
    (Plain("xy", []), 64 + (80 + 42) + (80 + 64)), (Box("web"), 64), (Report("ab"), 64 + (80 + 42) + 80),
    (Bag([Report("a")], note="n"), (64 + 80 + 41) + (64 + 80 + (64 + (80 + 41) + 80))),
    (object(), 0), ((i for i in range(3)), 0),
], ids=["nil", "boolean", "int", "float", "empty-bytes", "bytes", "ascii", "non-ascii", "mixed", "empty-list",
        "list", "tuple", "empty-dict", "dict", "dict-int-key", "nested", "dataclass", "object", "record",
        "list-record", "refused-object", "refused-generator"])
def test_lua_size_estimates_by_strings_tables_and_entries(to_lua, value, size):
    """40 bytes a string beyond its characters (4 a character that is not ASCII), 64 a table, 80 an entry."""
    assert to_lua.lua_size(value) == size


def test_lua_values_already_in_lua_cost_nothing_more(lua, to_lua):
    assert to_lua.lua_size(lua.eval("{1, 2, 3}")) == 0
    assert to_lua.lua_size(lua.eval("print")) == 0


@pytest.mark.parametrize("value", [
    ["ab"] * 10, [["a"]] * 50, {f"k{i}": "v" for i in range(100)}, list(range(1000)), [str(i) for i in range(1000)],
    ["é" * 100] * 10, {}, ("a",), [[[[]]]], [Report(str(i)) for i in range(20)],
], ids=["strings", "lists", "dict", "integers", "distinct-strings", "non-ascii", "empty", "tuple", "deep",
        "records"])
def test_lua_size_is_an_upper_bound_of_what_lua_spends(lua, to_lua, value):
    lua.execute("collectgarbage() collectgarbage()")
    before = lua.get_memory_used()
    converted = to_lua(value)
    spent = lua.get_memory_used() - before
    assert 0 < spent <= to_lua.lua_size(value)
    del converted
