"""The start-up records (Param, Binding, FieldDef, TypeNode, StdlibPolicy, the janitor's Target) are tuples
with named fields like collections.namedtuple's, without its per-class eval (herodo_py.lua.registry.NamedFields)."""

from __future__ import annotations

from collections import namedtuple

import pytest

from herodo_py.lua.convert import TypeNode
from herodo_py.lua.registry import Binding, FieldDef, Param
from herodo_py.lua.runtime.policies import StdlibPolicy
from herodo_py.testing.janitor import Target


@pytest.mark.parametrize(("record", "args", "kwargs"), [
    (Param, ("timeout", "number?"), {}),
    (Param, ("timeout", "number?", "seconds"), {}),
    (FieldDef, ("name",), {"type": "string"}),
    (Binding, ("run", (), "nil", "", print), {"host": True, "waits": False}),
    (TypeNode, ("list",), {"parts": ()}),
    (StdlibPolicy, ("sandbox",), {"sandbox": True, "script_timeout": 300.0}),
    (Target, ("/usr/bin/docker", None, None), {}),
])
def test_a_record_acts_as_the_namedtuple_it_replaces(record, args, kwargs):
    reference = namedtuple(record.__name__, record._fields,
                           defaults=record.__new__.__defaults__)
    mine, theirs = record(*args, **kwargs), reference(*args, **kwargs)
    assert tuple(mine) == tuple(theirs) and mine == theirs and hash(mine) == hash(theirs)
    assert repr(mine) == repr(theirs)
    assert all(getattr(mine, name) == getattr(theirs, name) for name in record._fields)
    with pytest.raises(AttributeError):
        mine.name = "changed"  # type: ignore[misc]


def test_a_missing_or_unknown_field_is_a_type_error():
    with pytest.raises(TypeError):
        Param("only a name")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        FieldDef("name", "string", colour="red")  # type: ignore[call-arg]
