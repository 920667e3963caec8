"""What each mode leaves of the Lua standard library (:class:`StdlibPolicy`), and the registries a runtime
starts from."""

from __future__ import annotations

from ..diagnostics.errors import LUA_FIELDS
from ..limits import SANDBOX_SCRIPT_TIMEOUT
from ..registry import FieldDef, NamedFields, Registry
from .host_stdlib import register_types as register_host_types
from .tasks import register_types


class StdlibPolicy(NamedFields):
    """What a mode leaves of the Lua standard library.

    ``remove``: dotted names set to nil after set-up (``"os.execute"``, ``"io"``, ``"debug"``).
    ``search_default_path``: ``require`` also searches Lua's default paths after the script's folder.
    ``sandbox``: the restrictions of :mod:`herodo_py.lua.sandbox`; ``strict``: no state-changing binding.
    ``script_timeout``: the default wall-time limit in seconds (``None``: none).
    """

    __slots__ = ()
    _fields = ("name", "remove", "search_default_path", "sandbox", "strict", "script_timeout")
    name: str
    remove: tuple[str, ...]
    search_default_path: bool
    sandbox: bool
    strict: bool
    script_timeout: float | None

    def __new__(cls, name: str, remove: tuple[str, ...] = (), search_default_path: bool = True, sandbox: bool = False,
                strict: bool = False, script_timeout: float | None = None) -> StdlibPolicy:
        return tuple.__new__(cls, (name, remove, search_default_path, sandbox, strict, script_timeout))


POLICIES: dict[str, StdlibPolicy] = {
    # Trusted ops scripts: the whole standard library; os.exit is routed through herodo.
    "trusted": StdlibPolicy("trusted"),
    # Scripts you did not write: no programs, files, Python, bytecode or debug; bindings stay.
    "sandbox": StdlibPolicy("sandbox", search_default_path=False, sandbox=True,
                            script_timeout=SANDBOX_SCRIPT_TIMEOUT),
    # The same, reading only: bindings that change containers, images or networks are removed.
    "strict": StdlibPolicy("strict", search_default_path=False, sandbox=True, strict=True,
                           script_timeout=SANDBOX_SCRIPT_TIMEOUT),
}

ERROR_TYPE = "Error"


def base_registry() -> Registry:
    """A registry holding only the host's own types (the error object, the helpers' options and pipes)."""
    registry = Registry()
    registry.type(ERROR_TYPE, "object", "An error raised by a binding (caught with pcall).",
                  python="herodo_py.lua.diagnostics.errors:ScriptError",
                  fields=[FieldDef(name, "any") for name in LUA_FIELDS])
    register_types(registry)  # parallel()'s
    register_host_types(registry)  # retry's, json_encode's, io.popen's
    return registry


def default_registry() -> Registry:
    """The host's types plus every bindings module (``herodo_py.lua.bindings``)."""
    from ..bindings import register_all  # here: base_registry's users (tests, types) need no bindings

    registry = base_registry()
    register_all(registry)
    return registry
