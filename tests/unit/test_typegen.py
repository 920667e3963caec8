"""``herodo types``: the LuaCATS file holds every registered binding, type and field and nothing else,
with the registry's parameter and return types; it is valid Lua; the CLI writes it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from herodo_py.cli.typegen import generate
from herodo_py.lua.registry import FieldDef, Param, Registry
from herodo_py.lua.runtime import default_registry
from herodo_py.lua.runtime.host_stdlib import SIGNATURES as HOST_SIGNATURES
from herodo_py.testing.testapi import NAMES as TEST_NAMES

TEST_SECTION = "-- herodo test"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


@pytest.fixture(scope="module")
def text(registry) -> str:
    return generate(registry)


def stubs(text: str) -> dict[str, dict]:
    """Each ``function NAME(ARGS) end`` with the annotation lines right above it."""
    found: dict[str, dict] = {}
    block: list[str] = []
    for line in text.splitlines():
        m = re.fullmatch(r"function ([\w:.]+)\(([^)]*)\) end", line)
        if m:
            assert m[1] not in found, f"{m[1]} declared twice"
            params = re.findall(r"^---@param (\w+)(\??) (\S+)", "\n".join(block), re.M)
            returns = re.findall(r"^---@return (\S+)", "\n".join(block), re.M)
            overloads = re.findall(r"^---@overload (.+)$", "\n".join(block), re.M)
            docs = [b[3:] for b in block if b.startswith("---") and not b.startswith("---@")]
            found[m[1]] = {"args": [a for a in m[2].split(", ") if a], "params": params, "returns": returns,
                           "overloads": overloads, "docs": docs}
            block = []
        elif line.startswith("---"):
            block.append(line)
        else:
            block = []
    return found


def classes(text: str) -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    current = None
    for line in text.splitlines():
        if m := re.fullmatch(r"---@class (\w+)", line):
            current = found.setdefault(m[1], [])
        elif current is not None and (m := re.match(r"---@field (\S+?)(\??) (\S+)", line)):
            current.append((m[1], m[2], m[3]))
        elif not line.startswith("---"):
            current = None
    return found


def test_the_file_is_a_meta_file(text):
    assert text.startswith("---@meta herodo\n")


def test_every_registered_binding_appears_and_nothing_else(registry, text):
    main, _, tests = text.partition(TEST_SECTION)
    lua_side = {b.name for b in HOST_SIGNATURES}  # retry, json_*: globals written in Lua
    assert lua_side == {"retry", "json_encode", "json_decode", "json_array"}
    assert set(stubs(main)) == {b.qualified_name for b in registry.all_bindings()} | lua_side | {"parallel"}
    assert list(stubs(tests)) == list(TEST_NAMES)
    assert {"test", "before_each", "after_each", "skip", "assert_eq", "assert_true", "assert_false",
            "assert_error", "assert_match"} == set(TEST_NAMES)


def test_parameters_returns_and_docs_come_from_the_registry(registry, text):
    found = stubs(text.partition(TEST_SECTION)[0])
    for binding in registry.all_bindings():
        stub = found[binding.qualified_name]
        assert stub["args"] == [p.name for p in binding.params]
        assert [(n, opt == "?") for n, opt, _ in stub["params"]] == [(p.name, p.optional) for p in binding.params]
        expected_returns = [] if binding.returns == "nil" else [binding.returns]
        assert stub["returns"] == expected_returns, binding.qualified_name
        assert stub["docs"] == [binding.doc], binding.qualified_name
        assert stub["overloads"] == list(binding.overloads)
    assert found["Container:with_port"]["returns"] == ["self"]
    assert found["Container:build"]["returns"] == ["self"]
    assert found["nerdctl_run"]["params"][1] == ("name", "?", "string")
    assert found["nerdctl_run"]["params"][5] == ("command", "?", "string|string[]")
    assert found["Container:with_health_check_options"]["overloads"] == [
        "fun(self: Container, options: HealthCheckOptions): Container"]


def test_parallel_is_declared_with_its_options_and_failures(text):
    found = stubs(text.partition(TEST_SECTION)[0])
    assert found["parallel"]["args"] == ["tasks", "options"]
    assert "---@return table, TaskFailure[]?\nfunction parallel(tasks, options) end" in text
    fields = classes(text)
    assert [f[0] for f in fields["ParallelOptions"]] == ["jobs", "fail_fast", "raise"]
    assert [f[0] for f in fields["TaskFailure"]] == ["index", "name", "message", "error", "cancelled"]
    assert [f[0] for f in fields["ParallelError"]] == ["message", "failures", "results"]


def test_every_type_and_field_appears(registry, text):
    found = classes(text.partition(TEST_SECTION)[0])
    assert set(found) == set(registry.types)
    for ltype in registry.types.values():
        names = [f[0] for f in found[ltype.name] if f[0] != "[integer]"]
        assert names == list(registry.fields_of(ltype)), ltype.name
    assert ("[integer]", "", "Image") in found["ImageList"]
    assert ("container_id", "", "string?") in found["Container"]
    assert ("interval", "?", "string|number") in found["HealthCheckOptions"]  # options: the key may be left out
    assert ("cmd", "", "string") in found["HealthCheckOptions"]


def test_a_new_binding_shows_up_without_touching_the_generator():
    r = Registry()
    r.type("Thing", "record", "A thing.", fields=[FieldDef("size", "integer", "bytes")])
    r.function("make_thing", [Param("name", "string", "its name"), Param("size", "integer?")], "Thing",
               "Make a thing.")(lambda name, size=None: None)
    out = generate(r, test_api=())
    assert "---A thing.\n---@class Thing\n---@field size integer bytes\nlocal Thing = {}\n" in out
    assert ("---Make a thing.\n---@param name string its name\n---@param size? integer\n---@return Thing\n"
            "function make_thing(name, size) end\n") in out


def test_the_file_is_valid_lua(text):
    from lupa import lua54

    lua = lua54.LuaRuntime()
    assert lua.execute(text + "\nreturn type(Container.with_port)") == "function"
    assert lua.eval("type(nerdctl_run)") == "function"


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "types"
    result = subprocess.run([sys.executable, "-m", "herodo_py.cli", "types", "--out", str(out)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    written = (out / "herodo.lua").read_text()
    assert result.stdout == f"herodo: wrote {out / 'herodo.lua'}\n"
    assert written == generate(default_registry())
    printed = subprocess.run([sys.executable, "-m", "herodo_py.cli", "types", "--out", "-"],
                             capture_output=True, text=True, timeout=60)
    assert printed.stdout == written
    assert not list(Path(out).glob("*.tmp"))
