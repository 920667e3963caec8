"""The host's Lua files run from cached bytecode when it is current (herodo_py.lua.sources): written
like Python's .pyc (not with PYTHONDONTWRITEBYTECODE), checked against the source before use, and
anything wrong with it means the source is compiled as before."""

from __future__ import annotations

import os
from pathlib import Path

import lupa.lua54 as lua54
import pytest

from herodo_py.lua import sources
from herodo_py.lua.runtime import Runtime


@pytest.fixture
def writing(monkeypatch):
    """Caching allowed, and each step reading the files afresh (the process caches what it read)."""
    monkeypatch.setattr(sources.sys, "dont_write_bytecode", False)
    sources._cached_bytecode.cache_clear()
    sources.lua_source.cache_clear()
    yield
    sources._cached_bytecode.cache_clear()
    sources.lua_source.cache_clear()


def fresh() -> None:
    sources._cached_bytecode.cache_clear()
    sources.lua_source.cache_clear()


def chunk_file(tmp_path: Path, text: str) -> tuple[str, Path]:
    lua_file = tmp_path / "probe.lua"
    lua_file.write_text(text)
    return str(tmp_path / "probe.py"), lua_file  # (a module beside it: only its folder counts)


def run(module: str, *args):
    lua = lua54.LuaRuntime(register_eval=False, register_builtins=False, encoding=None)
    return sources.run_host_chunk(lua, module, "probe.lua", *args)


def test_the_bytecode_is_written_then_used_and_gives_the_same_results(tmp_path, writing):
    module, _ = chunk_file(tmp_path, "local H = ...\nreturn H * 2, 'from ' .. debug.getinfo(1, 'S').source\n")
    cache = Path(sources.cache_path(module, "probe.lua"))
    assert run(module, 21) == (42, b"from =herodo")
    assert cache.is_file() and cache.read_bytes().startswith(sources.MAGIC)
    fresh()
    cache.write_bytes(cache.read_bytes().replace(b"from ", b"FROM "))  # (same length: still loads)
    assert run(module, 21) == (42, b"FROM =herodo"), "a current cache is what runs"


def test_a_changed_source_is_compiled_again_and_its_cache_replaced(tmp_path, writing):
    module, lua_file = chunk_file(tmp_path, "return 1\n")
    assert run(module) == 1
    fresh()
    lua_file.write_text("return 'two'\n")
    os.utime(lua_file, ns=(1, 1))  # (a different size and time)
    assert run(module) == b"two"
    fresh()
    assert run(module) == b"two"
    assert b"two" in Path(sources.cache_path(module, "probe.lua")).read_bytes()


def test_a_broken_cache_falls_back_to_the_source(tmp_path, writing):
    module, lua_file = chunk_file(tmp_path, "return 'source'\n")
    cache = Path(sources.cache_path(module, "probe.lua"))
    cache.parent.mkdir()
    header = sources._header(str(lua_file))
    cache.write_bytes(header + b"\x1bLua not really bytecode")
    assert run(module) == b"source"


def test_nothing_is_written_with_dont_write_bytecode_nor_into_a_folder_that_refuses_it(tmp_path, writing,
                                                                                        monkeypatch):
    module, _ = chunk_file(tmp_path, "return 3\n")
    monkeypatch.setattr(sources.sys, "dont_write_bytecode", True)
    assert run(module) == 3
    assert not (tmp_path / sources.CACHE_FOLDER).exists()
    fresh()
    monkeypatch.setattr(sources.sys, "dont_write_bytecode", False)
    (tmp_path / sources.CACHE_FOLDER).write_text("a file where the folder would go")
    assert run(module) == 3  # (no error: compiled from source)


def test_a_runtime_from_cached_bytecode_keeps_its_protections(writing, capsys):
    from herodo_py.lua.runtime import core

    Runtime()  # writes the caches of the package's own files (where Python writes its .pyc)
    fresh()
    assert Path(sources.cache_path(core.__file__, "prelude.lua")).is_file()
    runtime = Runtime()
    outcome = runtime.run_source('print(debug.getupvalue(pcall, 1), debug.getinfo(print, "S").source)\n'
                                 'assert(json_decode("[1,2]")[2] == 2)\n', "main.lua")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "nil\t=herodo\n"  # the host's functions still known as the host's
