"""The recap of a run: the outcomes of its ensures counted by kind, and its other state-changing calls.

Light on purpose (no engine modules): ``herodo`` loads it with the first ensure or state-changing call of a
run (:mod:`herodo_py.recap_slot`), which may be a call on a container the library has not loaded yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ...recap_slot import CURRENT, current_recap

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Outcome(Protocol):
        """What the recap reads of an outcome (:class:`herodo_py.nerdctl.desired.outcome.Outcome`)."""

        kind: str

        @property
        def changed(self) -> bool: ...
        @property
        def failed(self) -> bool: ...
        def as_dict(self) -> dict[str, Any]: ...


class Recap:
    """The outcomes of one run, counted by kind: ok (nothing to do), changed, failed; and the
    state-changing calls that are not ensures (they run every time), by name. ``listeners`` are
    called with each outcome as it is added, ``call_listeners`` with each other call's name
    (``herodo --check`` and ``--diff`` print from them)."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.calls: dict[str, int] = {}
        self.listeners: list[Callable[[Outcome], None]] = []
        self.call_listeners: list[Callable[[str], None]] = []

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        for listener in self.listeners:
            listener(outcome)

    def note_call(self, name: str) -> None:
        """A state-changing call that is not an ensure (``Container:exec``): it runs every time."""
        self.calls[name] = self.calls.get(name, 0) + 1
        for listener in self.call_listeners:
            listener(name)

    def counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for o in self.outcomes:
            row = table.setdefault(o.kind, {"ok": 0, "changed": 0, "failed": 0})
            row["failed" if o.failed else "changed" if o.changed else "ok"] += 1
        return table

    def totals(self) -> dict[str, int]:
        total = {"ok": 0, "changed": 0, "failed": 0}
        for row in self.counts().values():
            for key, value in row.items():
                total[key] += value
        return total

    def render(self, check: bool = False) -> str:
        """A few lines for stderr: one per kind, the other calls, and the total last (``0 to change`` in
        a check run)."""
        lines = ["RECAP" + (" (check: nothing was changed)" if check else "")]
        for kind, row in sorted(self.counts().items()):
            lines.append(f"  {kind:<10} ok={row['ok']:<3} changed={row['changed']:<3} failed={row['failed']}")
        others = sum(self.calls.values())
        if others:
            named = ", ".join(f"{name} x{count}" for name, count in sorted(self.calls.items()))
            lines.append(f"  {'other':<10} {others} state-changing call{'' if others == 1 else 's'} "
                         f"{'would run' if check else 'ran'}, not ensures ({named})")
        total = self.totals()
        lines.append(f"  {total['changed']} {'to change' if check else 'changed'}, {total['ok']} ok, "
                     f"{total['failed']} failed")
        return "\n".join(lines)

    def as_dict(self, check: bool = False) -> dict[str, Any]:
        return {"check": check, "totals": self.totals(), "counts": self.counts(), "calls": dict(self.calls),
                "outcomes": [o.as_dict() for o in self.outcomes]}

    def as_json(self, check: bool = False) -> str:
        import json  # here: only a run that writes --recap-json needs it

        return json.dumps(self.as_dict(check), indent=2, ensure_ascii=False)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)


class use_recap:
    """``with use_recap(Recap()) as recap:`` makes ``recap`` current for the block."""

    def __init__(self, recap: Recap) -> None:
        self.recap = recap
        self._token: Any = None

    def __enter__(self) -> Recap:
        self._token = CURRENT.set(lambda: self.recap)
        return self.recap

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            CURRENT.reset(self._token)


__all__ = ["Recap", "current_recap", "use_recap"]
