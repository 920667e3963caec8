"""The type names of the Lua boundary (herodo_py.lua.convert): every primitive name, and what is not one."""

from __future__ import annotations

import pytest

from herodo_py.lua.convert import TypeNode, parse_type

PRIMITIVES = ["string", "number", "integer", "boolean", "table", "any", "nil", "function"]


@pytest.fixture(autouse=True)
def fresh_parse():
    """Each test parses anew: parse_type caches its results, and a cache filled earlier (by another test, or a
    process this one was forked from) would answer without running the parser at all."""
    parse_type.cache_clear()


@pytest.mark.parametrize("name", PRIMITIVES)
def test_each_primitive_type_name(name):
    assert parse_type(name) == TypeNode("prim", name)
    assert parse_type(f"{name}?") == TypeNode("optional", parts=(TypeNode("prim", name),))


@pytest.mark.parametrize("name", ["Container", "String", "func", "callback", "strings"])
def test_other_names_are_named_types(name):
    assert parse_type(name) == TypeNode("named", name)


def prim(name):
    return TypeNode("prim", name)


def union(*parts):
    return TypeNode("union", parts=parts)


def lst(item):
    return TypeNode("list", parts=(item,))


def mapping(key, value):
    return TypeNode("map", parts=(key, value))


def optional(inner):
    return TypeNode("optional", parts=(inner,))


@pytest.mark.parametrize("spec, node", [
    (" string ", prim("string")),
    ("string | number", union(prim("string"), prim("number"))),
    ("string|number|boolean", union(prim("string"), prim("number"), prim("boolean"))),
    ("(string)", prim("string")),
    ("(string|number)[]", lst(union(prim("string"), prim("number")))),
    ("(string|number)|boolean", union(union(prim("string"), prim("number")), prim("boolean"))),
    ("string[][]", lst(lst(prim("string")))),
    ("string[]?", optional(lst(prim("string")))),
    ("string?[]", lst(optional(prim("string")))),
    ("table<string, string[]>", mapping(prim("string"), lst(prim("string")))),
    ("table<string,table<string,number>>", mapping(prim("string"), mapping(prim("string"), prim("number")))),
    ("table<table<string,number>,string>", mapping(mapping(prim("string"), prim("number")), prim("string"))),
    ("table<string,table<table<string,number>,number>>",
     mapping(prim("string"), mapping(mapping(prim("string"), prim("number")), prim("number")))),
    ("table<string,(string|number)>", mapping(prim("string"), union(prim("string"), prim("number")))),
    ("table<string,string>|string[]", union(mapping(prim("string"), prim("string")), lst(prim("string")))),
    ("string[]|table<string,string>", union(lst(prim("string")), mapping(prim("string"), prim("string")))),
    ("(string|string[])?|number", union(optional(union(prim("string"), lst(prim("string")))), prim("number"))),
    ("XmlDoc|string", union(TypeNode("named", "XmlDoc"), prim("string"))),
    ("tables", TypeNode("named", "tables")),
    ("table<", TypeNode("named", "table<")),
], ids=["spaces", "union-spaces", "three-way-union", "parenthesised", "list-of-union", "nested-union",
        "list-of-lists", "optional-list", "list-of-optionals", "map-value-spaces", "nested-map", "map-key-map",
        "deeply-nested-map", "map-of-union", "map-or-list", "list-or-map", "optional-union-in-union",
        "named-in-union", "name-like-table", "unclosed-map"])
def test_type_language_nesting(spec, node):
    """Separators count only outside <...> and (...), at any depth; spaces around parts do not matter."""
    assert parse_type(spec) == node


@pytest.mark.parametrize("spec, described", [
    ("string", "string"),
    ("Container", "Container"),
    ("string[]", "table"),
    ("table<string,string>", "table"),
    ("string?", "string"),
    ("integer?", "integer"),
    ("string|number|string", "string or number"),
    ("string[]|table<string,any>", "table"),
    ("(string|number)?", "string or number"),
    ("boolean|(number|string[])", "boolean or number or table"),
    ("Container|nil", "Container or nil"),
], ids=["prim", "named", "list", "map", "optional", "optional-integer", "repeated-union", "two-tables",
        "optional-union", "nested-union", "named-or-nil"])
def test_each_kind_is_described_like_lua(spec, described):
    """What "... expected" names: a list or map is a "table", an optional its inner type, a union each kind once."""
    assert parse_type(spec).describe() == described
