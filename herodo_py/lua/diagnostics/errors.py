"""Errors as Lua scripts see them.

A binding that fails raises a :class:`ScriptError` into Lua. A script can catch it with ``pcall``:
``tostring(e)`` is the friendly one-paragraph message (``deploy.lua:6: ...`` plus a hint), and
``e.kind``, ``e.category``, ``e.message``, ``e.hint``, ``e.code``, ``e.stdout``, ``e.stderr``,
``e.command``, ``e.field``, ``e.value``, ``e.expected``, ``e.file``, ``e.line``, ``e.func`` (the binding or
name involved) read its parts (``nil`` when they do not apply). ``kind`` is one of the original's five kinds
(``CommandExecutionFailed``, ``CommandFailed``, ``JsonParseError``, ``ConversionError``, ``Other``);
``category`` is the finer class (``NoSuchImage``, ``NameInUse``, ``BadArgument``, ``UnknownName``...).

The exit code of a failed script is :func:`exit_code_for`'s (the table: :mod:`herodo_py.lua.exit_codes`).
"""

from __future__ import annotations

from ..exit_codes import EXIT_FAILED, EXIT_INTERNAL, EXIT_TIMEOUT, EXIT_UNAVAILABLE

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

LUA_FIELDS = ("kind", "category", "message", "hint", "code", "stdout", "stderr", "command", "field", "value",
              "expected", "file", "line", "func")


class ScriptError(Exception):
    """An error raised into a Lua script by a binding (see the module doc for its fields).

    ``cause`` is the Python exception behind it (a ``NerdctlError``, or an internal bug), kept for
    ``--debug`` and never reachable from Lua.
    """

    def __init__(self, message: str, *, kind: str = "Other", category: str = "Other", hint: str | None = None,
                 func: str | None = None, cause: BaseException | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.category = category
        self.hint = hint
        self.func = func
        self.cause = cause
        self.file: str | None = None
        self.line: int | None = None
        self.frames: list[tuple[str, int, str | None]] = []  # script frames, innermost first
        for name in ("code", "stdout", "stderr", "command", "field", "value", "expected"):
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"unknown ScriptError fields: {sorted(fields)}")

    @classmethod
    def from_exception(cls, exc: BaseException, function: str | None) -> ScriptError:
        """Wrap a library error (its fields copied) or an unexpected exception (an internal error)."""
        from ...host.errors import HostError  # here: a script that called no binding never loads the libraries
        from ...nerdctl.errors import NerdctlError

        if isinstance(exc, ScriptError):
            return exc
        if isinstance(exc, (NerdctlError, HostError)):
            fields = {name: getattr(exc, name, None) for name in ("code", "stdout", "stderr", "field", "expected")}
            if hasattr(exc, "argv"):
                fields["command"] = exc.command  # type: ignore[attr-defined]
            if hasattr(exc, "value"):
                fields["value"] = exc.value  # type: ignore[attr-defined]
            return cls(exc.message, kind=exc.kind, category=exc.category, hint=exc.hint, func=function,
                       cause=exc, **fields)
        where = f" in {function}" if function else ""
        return cls(f"internal error{where}: {type(exc).__name__}: {exc}", kind="Other", category="InternalError",
                   hint="this is a bug in herodo: run with --debug and report the traceback", func=function,
                   cause=exc)

    @property
    def where(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        out = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            out += f"\nhint: {self.hint}"
        return out


class ScriptStop(Exception):
    """Raised into Lua when the script must stop (os.exit, Ctrl-C, a limit): no pcall keeps it.

    A ``<close>`` handler reads what happened: ``kind`` (``interrupted``, ``exit``, ``timeout``),
    ``code`` (herodo's exit code) and ``tostring`` (``interrupted (Ctrl-C)``), as of the prelude's STOP."""

    LUA_FIELDS = ("kind", "code", "message")

    def __init__(self, message: str, *, kind: str = "interrupted", code: int = 130) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.code = code


def exit_code_for(exc: BaseException | None) -> int:
    """The exit code for a script that failed with ``exc`` (its cause, for a :class:`ScriptError`)."""
    from ...nerdctl import errors as e  # here: a script that called no binding never loads the library

    cause = exc.cause if isinstance(exc, ScriptError) and exc.cause is not None else exc
    if isinstance(exc, ScriptError) and exc.category == "InternalError":
        return EXIT_INTERNAL
    if isinstance(cause, (e.CommandTimeout, e.WaitTimeout)) or getattr(cause, "timed_out", False) is True:
        return EXIT_TIMEOUT  # (host errors: herodo_py.host.errors.HostError.timed_out)
    if isinstance(cause, (e.CommandExecutionFailed, e.EngineUnreachable)):
        return EXIT_UNAVAILABLE
    return EXIT_FAILED
