"""What a stack has on the engine now, found by its labels only (so from any process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..container.types import ContainerStatus
from ..executor import execute_nerdctl_command
from ..parse import load_records
from .desired import LABEL_HASH, LABEL_REPLICA, LABEL_SERVICE, LABEL_STACK

__all__ = ["Observed", "inspect_records", "inspect_statuses", "labelled_ids", "labelled_names",
           "observe_containers", "observed", "stack_filter"]


@dataclass
class Observed:
    """One of the stack's containers as ``inspect`` shows it."""

    id: str
    name: str
    service: str
    replica: int
    digest: str
    status: ContainerStatus
    labels: dict[str, str] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict, repr=False)  # its whole inspect document

    @property
    def running(self) -> bool:
        return self.status.running


def stack_filter(stack: str) -> str:
    return f"label={LABEL_STACK}={stack}"


def _labels(record: dict[str, Any]) -> dict[str, str]:
    config = record.get("Config") if isinstance(record.get("Config"), dict) else {}
    labels = config.get("Labels") or record.get("Labels") or {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _replica_number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def inspect_records(ids: list[str]) -> list[dict[str, Any]]:
    """The inspect documents of several containers, one command (vanished ones are left out)."""
    if not ids:
        return []
    result = execute_nerdctl_command(["container", "inspect", *ids], check=False)
    return load_records(result.stdout, "container inspect") if result.stdout.strip() else []


def inspect_statuses(ids: list[str]) -> list[tuple[ContainerStatus, dict[str, str]]]:
    """Status and labels of several containers with one ``inspect`` (vanished ones are left out)."""
    return [(ContainerStatus.from_inspect(r), _labels(r)) for r in inspect_records(ids)]


def labelled_ids(stack: str) -> list[str]:
    """The full ids of every container labelled as the stack's (``ps -a`` by label)."""
    listed = execute_nerdctl_command(["ps", "-a", "-q", "--no-trunc", "--filter", stack_filter(stack)])
    return list(dict.fromkeys(line.strip() for line in listed.stdout.splitlines() if line.strip()))


def observed(stack: str, records: list[dict[str, Any]]) -> list[Observed]:
    """The stack's containers among inspect ``records`` (by its label), by service and replica."""
    found = []
    for record in records:
        labels = _labels(record)
        if labels.get(LABEL_STACK) != stack:
            continue
        status = ContainerStatus.from_inspect(record)
        found.append(Observed(id=status.id, name=status.name, service=labels.get(LABEL_SERVICE, ""),
                              replica=_replica_number(labels.get(LABEL_REPLICA, "")),
                              digest=labels.get(LABEL_HASH, ""), status=status, labels=labels, record=record))
    return sorted(found, key=lambda o: (o.service, o.replica, o.name))


def observe_containers(stack: str) -> list[Observed]:
    """Every container labelled as the stack's (``ps -a`` by label, then one ``inspect``)."""
    return observed(stack, inspect_records(labelled_ids(stack)))


def labelled_names(noun: str, stack: str) -> list[str]:
    """Names of the stack's networks or volumes (``noun``: ``network`` or ``volume``)."""
    result = execute_nerdctl_command([noun, "ls", "--filter", stack_filter(stack), "--format", "{{.Name}}"])
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]
