"""The attribute whitelist: what Lua may read of a Python object handed to it (lupa's
``attribute_handlers``, which also take over item access). Registered methods and fields only; every
field is read-only."""

from __future__ import annotations

from ..convert import name_text, type_name
from ..diagnostics.errors import ScriptError, ScriptStop

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


class Attributes:
    """Attribute access for the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`)."""


    def _get_attr(self, obj: Any, key: Any) -> Any:
        ltype = self.registry.type_of(obj)
        name = name_text(key) if isinstance(key, (bytes, str)) else None
        if isinstance(obj, ScriptStop):  # what a <close> handler is told of a stop raised by a binding
            if name in ScriptStop.LUA_FIELDS:
                return self.to_lua(getattr(obj, name))
            raise self._unknown("the stop value has no field", name or _show_key(key), ScriptStop.LUA_FIELDS)
        if ltype is None or ltype.kind != "object":
            what = "function" if callable(obj) else type_name(obj, self.registry)
            raise self._located(ScriptError(f"a {what} value has no field {_show_key(key)}", category="UnknownName",
                                            func=name))
        if name is not None:
            binding = ltype.methods.get(name)
            if binding is not None:
                return self._fitting(self._bound_method(binding, obj), name)
            fields = self.registry.fields_of(ltype, obj)
            if name in fields:
                try:
                    return self.to_lua(self._fitting(getattr(obj, name, None), name))
                except Exception as exc:
                    raise self._located(ScriptError.from_exception(exc, name)) from exc
        members = [*self.registry.fields_of(ltype, obj), *ltype.methods]
        raise self._unknown(f"{ltype.name} has no field or method", name if name is not None else _show_key(key),
                            members)

    def _set_attr(self, obj: Any, key: Any, value: Any) -> None:
        ltype = self.registry.type_of(obj)
        owner = ltype.name if ltype is not None else type_name(obj, self.registry)
        hint = "configure a container with its with_* methods" if owner == "Container" else None
        raise self._located(ScriptError(f"{owner} fields are read-only (cannot set {_show_key(key)})",
                                        category="ReadOnly", hint=hint))


def _show_key(key: Any) -> str:
    return repr(name_text(key)) if isinstance(key, (bytes, str)) else str(key)
