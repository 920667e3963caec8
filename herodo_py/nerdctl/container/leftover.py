"""What a failed ``run`` leaves behind, and removing it, so that ``build()`` is all or nothing.

An engine creates the container before it starts it: when the start fails (a host port taken, a
bad command, a timeout that killed the CLI), the container stays, usually in state "created",
and the next build of that name fails with ``NameInUse``. ``remove_leftover`` removes the
container of that name only when this build made it: created at or after the build began, from
the same image, with every label the build set (a container someone else made in the meantime
is left alone).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from ..errors import NerdctlError
from ..executor import execute_nerdctl_command
from ..parse import load_records

__all__ = ["created_at", "remove_leftover"]

# Clocks of the engine and of herodo are the same host's; this absorbs rounding of the engine's time.
CLOCK_SLACK_SECONDS = 2.0
_TIME = re.compile(r"(?P<date>\d{4}-\d\d-\d\d)[T ](?P<time>\d\d:\d\d:\d\d)(?:\.(?P<frac>\d+))?\s*"
                   r"(?P<zone>Z|[+-]\d\d:?\d\d)?")


def created_at(value: Any) -> float | None:
    """An engine's ``Created`` time (RFC 3339 with nanoseconds, or podman's ``2026-11-30 06:40:50.4 +0000 UTC``)
    as Unix seconds; ``None`` when it is not one."""
    m = _TIME.match(value) if isinstance(value, str) else None
    if not m:
        return None
    zone = m["zone"] or "Z"
    zone = "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    frac = (m["frac"] or "0")[:6]
    try:
        stamp = datetime.datetime.fromisoformat(f"{m['date']}T{m['time']}.{frac:0<6}{zone}")
    except ValueError:
        return None
    return stamp.timestamp()


def _same_image(a: str, b: str) -> bool:
    """``busybox`` and ``docker.io/library/busybox:latest`` name one image (podman writes the long form)."""

    def norm(ref: str) -> str:
        ref = ref.removeprefix("docker.io/").removeprefix("library/")
        return ref if ":" in ref.rsplit("/", 1)[-1] or "@" in ref else ref + ":latest"

    return norm(a) == norm(b)


def _made_by_this_build(record: dict[str, Any], image: str, labels: Mapping[str, str], since: float) -> bool:
    created = created_at(record.get("Created"))
    config = record.get("Config") if isinstance(record.get("Config"), dict) else {}
    found_labels = config.get("Labels") if isinstance(config.get("Labels"), dict) else {}
    found_image = str(config.get("Image") or record.get("ImageName") or "")
    return (created is not None and created >= since - CLOCK_SLACK_SECONDS
            and _same_image(found_image, image)
            and all(found_labels.get(k) == v for k, v in labels.items()))


def remove_leftover(name: str, *, image: str, labels: Mapping[str, str], since: float,
                    remove_argv: list[str], only_unstarted: bool) -> bool:
    """Force-remove the container ``name`` if this build created it (see the module doc);
    ``only_unstarted``: only while it never ran (state "created"). True when removed. Best effort:
    a failure here never hides the build's own error. ``remove_argv``: the forced ``rm`` of it."""
    try:
        result = execute_nerdctl_command(["container", "inspect", name], check=False)
        records = load_records(result.stdout, "container inspect") if result.success else []
        if not records or not _made_by_this_build(records[0], image, labels, since):
            return False
        state = records[0].get("State") if isinstance(records[0].get("State"), dict) else {}
        if only_unstarted and str(state.get("Status") or "").lower() not in ("created", "configured"):
            return False
        return execute_nerdctl_command(remove_argv, check=False).success
    except NerdctlError:
        return False
