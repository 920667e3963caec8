"""Stacks: many containers as one unit, from a spec (Python, Lua) or a compose file.

``Stack(name, spec)`` (``stack.py``) validates the spec whole (``checks.py`` into ``spec.py``'s
model); ``up`` (``up.py``) runs services in worker threads (``workers.py``) in dependency order
(``graph.py``), each replica brought to its desired state (``desired.py``, ``converge.py``) from
what exists (``observe.py``); failures are reported by ``report.py``; ``down.py`` removes a stack
by labels. ``compose.py`` loads compose files into a ``Stack``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .checks import StackSpecError
from .confine import Confinement
from .down import down
from .report import ServiceFailed, StackUpFailed
from .stack import ServiceState, Stack


def load_compose(path: str, *, environ: Mapping[str, str] | None = None, profiles: list[str] | None = None,
                 name: str | None = None, confine: Confinement | None = None) -> Stack:
    """A :class:`Stack` from a compose file (see ``compose.py`` for the supported subset)."""
    from .compose import load_compose as load

    return load(path, environ=environ, profiles=profiles, name=name, confine=confine)


def __getattr__(name: str) -> Any:
    """``Change`` and ``UpResult`` load with ``up`` (a script that only takes a stack down never does)."""
    if name == "Change":
        from .converge import Change

        return Change
    if name == "UpResult":
        from .up import UpResult

        return UpResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Change",
    "ServiceFailed",
    "Confinement",
    "ServiceState",
    "Stack",
    "StackSpecError",
    "StackUpFailed",
    "UpResult",
    "down",
    "load_compose",
]
