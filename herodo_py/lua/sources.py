"""Lua sources shipped as package data: each ``.lua`` file sits beside the Python module that runs it
(``runtime/prelude.lua``, ``sandbox.lua``, ``testing/testapi.lua``) and is read once per process.

:func:`run_host_chunk` runs one in a Lua state from its bytecode when a current copy is cached: Lua
loads bytecode some three times faster than it compiles source (the four files every runtime runs
take ~1.1 ms to compile, ~0.35 ms to load), and every ``herodo`` start runs them. The cache sits
where Python keeps its ``.pyc`` files (``__pycache__/NAME.lua54.luac`` beside the source) and, like
them, is written when missing or stale unless ``PYTHONDONTWRITEBYTECODE`` is set, and checked
against the source's size and modification time (and the lupa version) before use; anything wrong
with it (unreadable, stale, from another build) means the source is compiled as before.
"""

from __future__ import annotations

import functools
import os
import sys

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

CACHE_FOLDER = "__pycache__"
MAGIC = b"herodo-luac"


@functools.cache
def lua_source(module_file: str, name: str) -> bytes:
    """The bytes of ``name`` in the folder of ``module_file`` (a module's ``__file__``)."""
    with open(os.path.join(os.path.dirname(module_file), name), "rb") as f:
        return f.read()


def cache_path(module_file: str, name: str) -> str:
    """Where the bytecode of ``name`` (beside ``module_file``) is cached."""
    return os.path.join(os.path.dirname(module_file), CACHE_FOLDER, name.removesuffix(".lua") + ".lua54.luac")


def _header(source_path: str) -> bytes:
    import lupa  # (loaded with lupa.lua54 already)

    st = os.stat(source_path)
    return b"%s %d %d %s\n" % (MAGIC, st.st_size, st.st_mtime_ns, str(getattr(lupa, "__version__", "?")).encode())


@functools.cache
def _cached_bytecode(module_file: str, name: str, chunk: bytes) -> bytes | None:
    """The cached bytecode of ``name`` if current; else, when caching is allowed, its bytecode made and
    cached now (so it is compiled once per process); else ``None``."""
    source_path = os.path.join(os.path.dirname(module_file), name)
    path = cache_path(module_file, name)
    try:
        header = _header(source_path)
    except OSError:
        return None
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(header):
            return data[len(header):]
    except OSError:
        pass  # (none yet)
    if sys.dont_write_bytecode:
        return None
    bytecode = _compiled(lua_source(module_file, name), chunk)
    if bytecode is not None:
        _write_cache(path, header + bytecode)
    return bytecode


def _compiled(source: bytes, chunk: bytes) -> bytes | None:
    """``source`` compiled in a throwaway Lua state, dumped; ``None`` if it does not compile (running the
    source reports why)."""
    import lupa.lua54 as lua54

    try:
        lua = lua54.LuaRuntime(register_eval=False, register_builtins=False, encoding=None)
        return bytes(lua.globals()[b"string"][b"dump"](lua.compile(source, name=chunk)))
    except Exception:
        return None


def _write_cache(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a reader sees the old file, the whole new one, or none); a
    folder that cannot take it is left alone."""
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def run_host_chunk(lua: Any, module_file: str, name: str, *args: Any, chunk: bytes = b"=herodo") -> Any:
    """Run the host's Lua file ``name`` (beside ``module_file``) in ``lua`` with ``args`` as chunk ``chunk``
    (its name in tracebacks); its results. From cached bytecode when current (see the module doc)."""
    bytecode = _cached_bytecode(module_file, name, chunk)
    if bytecode is not None:
        try:
            function = lua.compile(bytecode, name=chunk, mode="b")
        except Exception:  # (bytecode this Lua cannot load: the source is compiled instead)
            function = None
        if function is not None:
            return function(*args)
    return lua.execute(lua_source(module_file, name), *args, name=chunk)


__all__ = ["cache_path", "lua_source", "run_host_chunk"]
