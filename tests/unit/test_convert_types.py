"""The type names of the Lua boundary (herodo_py.lua.convert): every primitive name, and what is not one."""

from __future__ import annotations

import pytest

from herodo_py.lua.convert import TypeNode, parse_type

PRIMITIVES = ["string", "number", "integer", "boolean", "table", "any", "nil", "function"]


@pytest.mark.parametrize("name", PRIMITIVES)
def test_each_primitive_type_name(name):
    assert parse_type(name) == TypeNode("prim", name)
    assert parse_type(f"{name}?") == TypeNode("optional", parts=(TypeNode("prim", name),))


@pytest.mark.parametrize("name", ["Container", "String", "func", "callback", "strings"])
def test_other_names_are_named_types(name):
    assert parse_type(name) == TypeNode("named", name)
