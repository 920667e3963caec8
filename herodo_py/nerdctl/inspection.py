"""Reading one engine object by its ``inspect`` command: its document, or whether it exists (the
network, volume and image nouns share these)."""

from __future__ import annotations

from typing import Any

from .errors import CommandFailed, EngineUnreachable, PermissionDenied, classify_failure
from .executor import execute_nerdctl_command
from .parse import load_records

__all__ = ["exists", "inspect_one"]


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

