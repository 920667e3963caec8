"""Helpers the network, volume and image operations share: one inspect document, an existence
check in one engine call, and labels from the settings."""

from __future__ import annotations

from typing import Any

from .cmd import execute_nerdctl_command, settings
from .errors import CommandFailed, EngineUnreachable, PermissionDenied, classify_failure
from .parse import load_records
from .validate import check_label_key, check_text

__all__ = ["exists", "inspect_one", "label_flags"]


def inspect_one(args: list[str], what: str) -> dict[str, Any]:
    """The first record of an ``inspect`` command (``["volume", "inspect", "data"]``)."""
    result = execute_nerdctl_command(args)
    records = load_records(result.stdout, f"{what} inspect")
    if not records:
        raise CommandFailed(f"`{result.command}` printed no {what}", argv=result.argv, code=result.code,
                            stdout=result.stdout, stderr=result.stderr)
    return records[0]


def exists(args: list[str]) -> bool:
    """Whether an ``inspect`` command finds its object: one engine call; a missing object is
    ``False``, an engine that cannot answer raises (it says nothing about the object)."""
    result = execute_nerdctl_command(args, check=False)
    if result.success:
        return True
    error = classify_failure(result.argv, result.code, result.stdout, result.stderr)
    if isinstance(error, (EngineUnreachable, PermissionDenied)):
        raise error
    return False


def label_flags(labels: dict[str, Any] | None) -> list[str]:
    """``--label k=v`` for the given labels then ``settings().labels`` (those win on a clash)."""
    merged = {**(labels or {}), **settings().labels}
    return [a for k, v in merged.items()
            for a in ("--label", f"{check_label_key(k)}={check_text(v, 'label value', allow_empty=True)}")]
