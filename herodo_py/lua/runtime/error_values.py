"""Error values as scripts see them: a binding's error behaves like its message.

A binding raises a :class:`~herodo_py.lua.diagnostics.errors.ScriptError` into Lua. Where a script
gets hold of it (``pcall``, ``xpcall``'s handler, ``coroutine.resume``/``wrap``/``close``, ``retry``),
the prelude hands it a proxy made by ``error_values.lua``: a table whose fields are the error's
(``kind``, ``category``, ``message``, ``hint``, ``code``, ... ``func``: ``LUA_FIELDS``) and which
acts as its friendly text (``tostring(err)``): ``"failed: " .. err``, ``err .. "!"``, ``#err``,
``err < "x"``, and the string methods ``err:match(p)``, ``err:find(p)``, ``err:upper()``... on that
text. It is read-only and its metatable is protected (``getmetatable(err)`` is a string); ``rawset``
on it changes only the script's own copy: the host reads the original error behind it
(``origin``), so a re-raised proxy (``error(err)``) still fails at the error's own line with its
exit code. Values a script raises itself (``error({...})``, strings) are left as they are.
"""

from __future__ import annotations

from ..convert import lua_bytes, text
from ..diagnostics.errors import LUA_FIELDS, ScriptError
from ..sources import run_host_chunk

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


def install(runtime: Any) -> Any:
    """Load ``error_values.lua`` in ``runtime``'s Lua state; returns its ``{value, origin, is_value}``."""

    def fields_of(value: Any) -> tuple[Any, bytes] | None:
        if not isinstance(value, ScriptError):
            return None
        fields = {lua_bytes(name): runtime.to_lua(getattr(value, name, None)) for name in LUA_FIELDS
                  if getattr(value, name, None) is not None}
        return runtime.lua.table_from(fields), lua_bytes(str(value))

    def unknown(key: Any) -> None:
        name = text(key) if isinstance(key, (bytes, str)) else repr(key)
        raise runtime._unknown("an error value has no field", name, LUA_FIELDS,
                               hint=f"its fields: {', '.join(LUA_FIELDS)}; and the string methods on its text")

    known = runtime.lua.table_from({lua_bytes(name): True for name in LUA_FIELDS})
    helpers = runtime.lua.table_from({b"fields_of": fields_of, b"known": known, b"unknown": unknown})
    return run_host_chunk(runtime.lua, __file__, "error_values.lua", helpers)


__all__ = ["install"]
