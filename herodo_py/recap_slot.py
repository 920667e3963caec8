"""Where a run's recap (:class:`herodo_py.nerdctl.desired.recap.Recap`) is found: a context variable that
the command line and desired state both import without loading each other. It holds a function giving
the recap, so ``herodo`` makes its recap (and loads the recap module) only when the first ensure or
state-changing call asks for it: a run without one never does.
"""

from __future__ import annotations

import contextvars

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# (a Recap: not named here, as this module sits below the library's layers)
CURRENT: contextvars.ContextVar[Callable[[], Any] | None] = contextvars.ContextVar("herodo_recap", default=None)


def current_recap() -> Any:
    """The recap outcomes go to (a :class:`~herodo_py.nerdctl.desired.recap.Recap`): the one made current by
    ``use_recap`` (or by ``herodo``), else ``None`` (a library user who wants one makes it current; nothing
    accumulates otherwise)."""
    get = CURRENT.get()
    return get() if get is not None else None
