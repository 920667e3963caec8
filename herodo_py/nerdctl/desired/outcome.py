"""What an ``ensure`` did (or, in a check run, would do).

Every ensure of a container, network, volume or image returns or stores an :class:`Outcome` and
adds it to the current :class:`~herodo_py.nerdctl.desired.recap.Recap` when one is current
(``herodo`` makes one per run and prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..executor import settings
from .diff import FieldChange
from .recap import current_recap

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

    def summary(self, reason: bool = True) -> str:
        """``container web: recreated (env.MODE: "prod" -> "staging")`` ("would be recreated" in a check)."""
        verb = f"would be {self.action}" if self.check and self.changed else self.action
        why = f" ({self.reason})" if reason and self.reason else ""
        return f"{self.kind} {self.name}: {verb}{why}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "action": self.action, "changed": self.changed,
                "diff": self.diff_lines, "reason": self.reason, "check": self.check, "error": self.error}


def checking() -> bool:
    """True in a check (dry) run: state-changing commands are reported, not run."""
    return settings().dry_run


def record(outcome: Outcome) -> Outcome:
    """Mark ``outcome`` as predicted in a check run and add it to the current recap, if any."""
    outcome.check = checking()
    recap = current_recap()
    if recap is not None:
        recap.add(outcome)
    return outcome
