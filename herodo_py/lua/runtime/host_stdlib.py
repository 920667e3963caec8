"""Lua-side host helpers installed in every runtime, before a sandbox strips what its mode forbids:

- ``os.execute`` and ``io.popen`` as in stock Lua 5.4 on Linux (lupa's build returns raw wait
  statuses and has no ``popen``): ``os.execute(cmd)`` gives ``true, "exit", 0`` / ``nil, "exit", 3`` /
  ``nil, "signal", 15`` and ``os.execute()`` gives ``true``; ``io.popen(cmd, "r"|"w")`` gives a file
  with ``read`` (formats ``"a"``, ``"l"``, ``"L"``, ``"n"``, counts), ``lines``, ``write``, ``flush``,
  ``setvbuf``, ``seek``, ``close`` (the status triple) and ``<close>`` support; ``io.type`` knows it.
  Both run through :mod:`herodo_py.host.process`: shown by ``--trace``, skipped by ``--dry-run``
  (a dry ``io.popen`` reads nothing), removed by ``--sandbox``.
- ``retry(fn, {times=3, delay=1, backoff=1})``: calls ``fn(attempt)`` until it returns without an
  error; between attempts it sleeps ``delay`` seconds, multiplied by ``backoff`` each time; after
  the last attempt it raises the last error, its message ending ``(gave up after N attempts)``.
- ``json_encode``, ``json_decode``, ``json_null``, ``json_array`` (:mod:`herodo_py.lua.json_codec`).

The Python calls behind them are internal bindings (``Runtime._global_function``): a stop (Ctrl-C,
the time limit) interrupts them like any binding, and their errors point at the script's line.
"""

from __future__ import annotations

import os

from ..convert import text
from ..diagnostics.errors import ScriptError
from ..limits import JSON_MAX_DEPTH
from ..registry import Binding, FieldDef, Param, Registry, lua_signature
from ..sources import run_host_chunk

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

P = Param
PIPE = "PipeFile"
# json_codec.lua's module (not imported here: json_codec.py loads with a script's first JSON error or decode)
_JSON_CODEC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "json_codec.py")

SIGNATURES: tuple[Binding, ...] = (
    lua_signature("retry", [P("fn", "fun(attempt: integer): any"), P("options", "RetryOptions?")], "any",
                  "Call fn(attempt) until it returns without an error (its results); after the last attempt the "
                  "last error is raised, ending '(gave up after N attempts)'."),
    lua_signature("json_encode", [P("value", "any"), P("options", "JsonEncodeOptions?")], "string",
                  "JSON text of value (json_null: null; json_array(t) or a decoded array: [])."),
    lua_signature("json_decode", [P("text", "string")], "any",
                  "The value of JSON text (null: json_null; arrays stay arrays); errors give line and column."),
    lua_signature("json_array", [P("t", "table")], "table", "Mark t as a JSON array (an empty one encodes as [])."),
)
"""The Lua-side globals, for ``herodo types`` (``json_null`` is a value: declared there apart)."""


def register_types(registry: Registry) -> None:
    """The types of these helpers (every runtime has them, bindings loaded or not)."""
    registry.type("RetryOptions", "options", "retry(fn, {...})", fields=[
        FieldDef("times", "integer?", "attempts (default 3)"),
        FieldDef("delay", "number?", "seconds before the second attempt (default 1)"),
        FieldDef("backoff", "number?", "factor applied to delay after each attempt, at least 1 (default 1)")])
    registry.type("JsonEncodeOptions", "options", "json_encode(value, {...})", fields=[
        FieldDef("sort_keys", "boolean?", "sort object keys (default true: the same text on every run)"),
        FieldDef("indent", "integer?", "spaces a level, one item a line (default: compact)")])
    registry.type(PIPE, "object", "The process behind a file of io.popen (use the file io.popen returns).",
                  python="herodo_py.host.process:PipeFile")


_POSITION = r"^(?P<file>[^\n]*?):(?P<line>\d+): (?P<rest>.*)$"  # a Lua error message's position


def _retry_failed(times: int, err: Any) -> None:
    """Raise the last error of ``retry`` again, saying how many attempts were made."""
    suffix = f" (gave up after {times} attempt{'s' if times != 1 else ''})"
    if isinstance(err, ScriptError):
        err.message += suffix
        err.args = (err.message,)
        raise err
    message = text(err) if isinstance(err, (bytes, str)) else str(err)
    error = ScriptError(message + suffix, category="RetryFailed", func="retry")
    import re  # here: only a failed retry reads a position (re stays off the start-up path)

    m = re.match(_POSITION, message, re.DOTALL)
    if m and not m["file"].startswith("[string"):
        error.message = m["rest"] + suffix
        error.file, error.line = m["file"], int(m["line"])
        error.frames = [(error.file, error.line, None)]
    raise error


def _internal(runtime: Any, name: str, params: list[Param], impl: Any, returns: str = "any") -> Any:
    """A Lua-callable treated as a binding (stops, errors at the script's line, the host policy), not a global."""
    return runtime._global_function(Binding(name, tuple(params), returns, "", impl, host=True))


def install(runtime: Any) -> None:
    """Install the helpers in ``runtime`` (after the prelude and the registry's globals)."""
    lua = runtime.lua

    # (absolute imports in the functions below: a relative one runs importlib's ModuleSpec.parent each call)
    def popen(prog: str, mode: str) -> Any:
        from herodo_py.host.process import PipeFile

        return PipeFile(prog, mode)

    def execute(cmd: str) -> list[Any]:
        from herodo_py.host.process import execute

        return list(execute(cmd))

    def fail(path: bytes, message: bytes) -> None:
        import herodo_py.lua.json_codec as json_codec

        raise json_codec.encode_error(text(path), text(message))

    json_helpers = {b"fail": _internal(runtime, "json_encode", [P("path", "string"), P("message", "string")], fail),
                    b"max_depth": JSON_MAX_DEPTH}
    json = run_host_chunk(lua, _JSON_CODEC, "json_codec.lua", lua.table_from(json_helpers))
    builders: list[Any] = []  # the LuaBuilder, made by the first decode

    def json_decode(source: str) -> Any:
        import herodo_py.lua.json_codec as json_codec

        if not builders:
            builders.append(json_codec.LuaBuilder(lua, json[b"null"], json[b"mark"]))
        return json_codec.decode(source, builders[0])

    pipe = [P("pipe", PIPE)]
    helpers = {
        b"sleep": _internal(runtime, "sleep", [P("seconds", "number")], _sleep),
        b"execute": _internal(runtime, "execute", [P("command", "string")], execute),
        b"popen": _internal(runtime, "popen", [P("prog", "string"), P("mode", "string")], popen, PIPE),
        b"read_line": _internal(runtime, "read", [*pipe, P("keep", "boolean")], lambda p, k: p.read_line(k)),
        b"read_all": _internal(runtime, "read", pipe, lambda p: p.read_all()),
        b"read_count": _internal(runtime, "read", [*pipe, P("count", "integer")], lambda p, n: p.read_count(n)),
        b"read_number": _internal(runtime, "read", pipe, lambda p: p.read_number()),
        b"write": _internal(runtime, "write", [*pipe, P("data", "any")], lambda p, d: list(p.write(_raw(d)))),
        b"flush": _internal(runtime, "flush", pipe, lambda p: list(p.flush())),
        b"close": _internal(runtime, "close", pipe, lambda p: list(p.close())),
        b"retry_failed": _internal(runtime, "retry", [P("times", "integer"), P("err", "any")], _retry_failed),
        b"error_origin": runtime.error_values[b"origin"],
        b"json": json,
        b"json_decode": _internal(runtime, "json_decode", [P("text", "string")], json_decode),
    }
    run_host_chunk(lua, __file__, "host_stdlib.lua", lua.table_from(helpers))


def _sleep(seconds: float) -> None:
    from herodo_py.host.waits import sleep  # (absolute: see install)

    sleep(seconds)


def _raw(data: Any) -> bytes:
    return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data


__all__ = ["install", "register_types"]
