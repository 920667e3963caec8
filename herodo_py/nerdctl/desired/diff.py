"""Field-level differences between two canonical configurations, rendered one per line:

    env.MODE: "prod" -> "staging"
    ports: + 127.0.0.1:8080:80/tcp
    memory: 64m -> 128m
    image: localhost/app:1 ac7a4921fd73 -> 5d0f1a2b3c4e
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .canonical import DEFAULTS

UNSET = "(unset)"
SET_FIELDS = ("ports", "volumes", "network_aliases")  # order-free lists: members added or removed
MAP_FIELDS = ("env", "labels")  # compared key by key


@dataclass(frozen=True)
class FieldChange:
    """One difference: ``field`` (``env.MODE``, ``ports``...), the value the thing has now
    (``before``) and the one wanted (``after``). For set fields one of them is ``None``: a member
    to add (``+``) or to remove (``-``)."""

    field: str
    before: Any
    after: Any

    def render(self) -> str:
        if self.field.split(".")[0] in SET_FIELDS:
            return f"{self.field}: + {self.after}" if self.before is None else f"{self.field}: - {self.before}"
        return f"{self.field}: {show(self.field, self.before)} -> {show(self.field, self.after)}"

    def __str__(self) -> str:
        return self.render()


def show(field: str, value: Any) -> str:
    """A value as the diff prints it: strings quoted, sizes and durations in units, unset as such."""
    if value is None:
        return UNSET
    root, _, leaf = field.partition(".")
    if root in ("memory", "memory_swap") and isinstance(value, int):
        return human_size(value)
    if root == "healthcheck" and leaf in ("interval", "timeout", "start_period") and isinstance(value, int):
        return human_duration(value)
    if root in ("image", "network", "restart", "cpus", "cpu_shares", "driver") or field == "healthcheck.retries":
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def human_size(value: int) -> str:
    if value < 0:
        return "unlimited"
    for unit, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if value % factor == 0:
            return f"{value // factor}{unit}"
    return f"{value}b"


def human_duration(ns: int) -> str:
    for unit, factor in (("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
                         ("ms", 1_000_000)):
        if ns and ns % factor == 0:
            return f"{ns // factor}{unit}"
    return f"{ns}ns"


def diff_configs(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """What differs from ``before`` (recorded) to ``after`` (desired), field by field in a fixed
    order; a field missing on one side counts as its default."""
    changes: list[FieldChange] = []
    for field, default in DEFAULTS.items():
        old, new = before.get(field, default), after.get(field, default)
        if old == new:
            continue
        if field in SET_FIELDS:
            changes += set_changes(field, old or [], new or [])
        elif field in MAP_FIELDS:
            changes += map_changes(field, old or {}, new or {})
        elif field == "healthcheck" and old is not None and new is not None:
            changes += [FieldChange(f"healthcheck.{k}", old.get(k), new.get(k))
                        for k in ("cmd", "interval", "timeout", "retries", "start_period") if old.get(k) != new.get(k)]
        elif field == "healthcheck":
            changes.append(FieldChange("healthcheck", old and old.get("cmd"), new and new.get("cmd")))
        else:
            changes.append(FieldChange(field, old, new))
    return changes


def set_changes(field: str, old: list[str], new: list[str]) -> list[FieldChange]:
    removed = [FieldChange(field, v, None) for v in old if v not in new]
    return removed + [FieldChange(field, None, v) for v in new if v not in old]


def map_changes(field: str, old: dict[str, str], new: dict[str, str]) -> list[FieldChange]:
    keys = sorted(set(old) | set(new))
    return [FieldChange(f"{field}.{k}", old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
