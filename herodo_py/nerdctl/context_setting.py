"""``with ContextSetting(var, value):`` — a ContextVar holding a value for one block.

A class, not a generator-based context manager: bindings enter one on every call, and this is the
cheapest way. Used for the current executor, the current cancel scope and the current task label.
"""

from __future__ import annotations

from contextvars import ContextVar

TYPE_CHECKING = False  # typing stays off herodo's first engine call (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from contextvars import Token
    from typing import Any

CANCEL_SCOPE: ContextVar[Any] = ContextVar("herodo_cancel_scope", default=None)
"""The :class:`~herodo_py.nerdctl.concurrency.CancelScope` of the ``parallel()`` task or stack worker running
here (``None`` outside any), read by the executor for every command: here, so that a script running no task
never loads the concurrency module."""


class ContextSetting:
    """``var`` holds ``value`` inside the ``with`` block (and in threads started there with a copy of
    the context); the previous value comes back after it."""

    __slots__ = ("var", "value", "token")

    def __init__(self, var: ContextVar[Any], value: Any) -> None:
        self.var, self.value = var, value
        self.token: Token[Any] | None = None

    def __enter__(self) -> Any:
        self.token = self.var.set(self.value)
        return self.value

    def __exit__(self, *exc: object) -> None:
        if self.token is not None:
            self.var.reset(self.token)
