"""What an ``ensure`` did (or, in a check run, would do), and the recap of a run.

Every ensure of a container, network, volume or image returns or stores an :class:`Outcome` and
adds it to the current :class:`Recap` (one per run; ``herodo`` prints it at the end).
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..executor import settings
from .diff import FieldChange

# action -> changed? ("would be" in a check run)
ACTIONS = {
    "created": True, "started": True, "recreated": True, "removed": True, "pulled": True, "updated": True,
    "unchanged": False, "absent": False, "present": False, "left": False, "failed": False,
}


@dataclass
class Outcome:
    """``kind`` container/network/volume/image, ``name``, ``action`` (created, started, recreated,
    unchanged, removed, absent, pulled, updated, left, failed), ``changed``, ``diff`` (field changes),
    ``reason`` (one line: why), ``check`` (True: predicted by a check run, nothing was done)."""

    kind: str
    name: str
    action: str
    diff: list[FieldChange] = field(default_factory=list)
    reason: str = ""
    check: bool = False
    error: str = ""

    @property
    def changed(self) -> bool:
        return ACTIONS.get(self.action, False)

    @property
    def failed(self) -> bool:
        return self.action == "failed"

    @property
    def diff_lines(self) -> list[str]:
        return [c.render() for c in self.diff]

    def summary(self) -> str:
        """``container web: recreated (env.MODE: "prod" -> "staging")`` ("would be recreated" in a check)."""
        verb = f"would be {self.action}" if self.check and self.changed else self.action
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.kind} {self.name}: {verb}{why}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "action": self.action, "changed": self.changed,
                "diff": self.diff_lines, "reason": self.reason, "check": self.check, "error": self.error}


class Recap:
    """The outcomes of one run, counted by kind: ok (unchanged), changed, failed."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

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
        """A few lines for stderr: one per kind and the total (``0 to change`` in a check run)."""
        lines = ["RECAP" + (" (check: nothing was changed)" if check else "")]
        for kind, row in sorted(self.counts().items()):
            lines.append(f"  {kind:<10} ok={row['ok']:<3} changed={row['changed']:<3} failed={row['failed']}")
        total = self.totals()
        verb = "to change" if check else "changed"
        lines.append(f"  {total['changed']} {verb}, {total['ok']} ok, {total['failed']} failed")
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps({"counts": self.counts(), "totals": self.totals(),
                           "outcomes": [o.as_dict() for o in self.outcomes]}, indent=2)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)


_process_recap = Recap()
_current: contextvars.ContextVar[Recap | None] = contextvars.ContextVar("herodo_recap", default=None)


def current_recap() -> Recap:
    """The recap outcomes go to: the one made current by :func:`use_recap`, else a process-wide one."""
    return _current.get() or _process_recap


class use_recap:
    """``with use_recap(Recap()) as recap:`` makes ``recap`` current for the block."""

    def __init__(self, recap: Recap) -> None:
        self.recap = recap
        self._token: contextvars.Token[Recap | None] | None = None

    def __enter__(self) -> Recap:
        self._token = _current.set(self.recap)
        return self.recap

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _current.reset(self._token)


def checking() -> bool:
    """True in a check (dry) run: state-changing commands are reported, not run."""
    return settings().dry_run


def record(outcome: Outcome) -> Outcome:
    outcome.check = checking()
    current_recap().add(outcome)
    return outcome
