"""The globals of a ``herodo test`` file: ``test``, hooks, ``skip`` and the asserts (Lua side).

:func:`source` (``testapi.lua``) runs in the file's runtime before the file (chunk ``=herodo.test``, so its frames
never show in errors). It returns the state the runner reads: ``tests`` (``{name=, fn=}`` in order),
``before``/``after`` (hook functions) and ``state`` (``skip``: the reason when ``skip()`` was called).

Assert failures are raised at the caller's level, so the reported line is the test's: the message
reads ``assert_eq failed: ...`` (the runner titles it ASSERTION FAILED and underlines the call).
:data:`SIGNATURES` describes the globals for ``herodo types``.
"""

from __future__ import annotations

from ..lua.registry import Binding, Param, lua_signature
from ..lua.sources import run_host_chunk

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

P = Param


_sig = lua_signature


SIGNATURES: tuple[Binding, ...] = (
    _sig("test", [P("name", "string", "unique in the file; --filter matches FILE::NAME"),
                  P("fn", "fun()")], "nil", "Define a test: fn runs in order with the hooks around it."),
    _sig("before_each", [P("fn", "fun()")], "nil", "Run fn before every test of the file (an error fails the test)."),
    _sig("after_each", [P("fn", "fun()")], "nil",
         "Run fn after every test, pass or fail (an error fails the test)."),
    _sig("skip", [P("reason", "string?")], "nil",
         "Skip the current test (at the top of the file: every test of the file)."),
    _sig("assert_eq", [P("actual", "any"), P("expected", "any"), P("message", "string?")], "nil",
         "Fail unless actual == expected; tables are compared deeply and the differences listed."),
    _sig("assert_true", [P("value", "any"), P("message", "string?")], "nil", "Fail unless value is truthy."),
    _sig("assert_false", [P("value", "any"), P("message", "string?")], "nil",
         "Fail unless value is false or nil."),
    _sig("assert_error", [P("fn", "fun()"), P("pattern", "string?", "Lua pattern or plain text"),
                          P("message", "string?")], "any",
         "Fail unless fn raises an error (matching pattern); returns the error."),
    _sig("assert_match", [P("text", "string"), P("pattern", "string", "Lua pattern or plain text"),
                          P("message", "string?")], "nil", "Fail unless text contains pattern."),
)

NAMES = tuple(sig.name for sig in SIGNATURES)


def install(lua: Any) -> Any:
    """Run the Lua side of the test globals (``testapi.lua``) in ``lua``; its API table for the runner."""
    return run_host_chunk(lua, __file__, "testapi.lua", chunk=b"=herodo.test")
