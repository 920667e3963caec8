"""Bring one replica, network or volume to its desired state; each step says what it changed.

:func:`converge_replica` is the one place that decides create / start / recreate / unchanged for
a container (by the config hash label); it is what switches to ``Container.ensure()`` once that
exists. Every engine command here runs inside a worker slot (``slots.command()``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..container.builder import rm_args
from ..errors import CommandFailed, NoSuchContainer
from ..executor import Engine, execute_nerdctl_command, settings
from ..labels import label_flags
from .desired import (
    LABEL_NETWORK,
    LABEL_STACK,
    LABEL_VOLUME,
    Replica,
    extra_networks,
    replica_run_args,
)
from .observe import Observed
from .spec import NetworkSpec, ServiceSpec, StackSpec, VolumeSpec
from .workers import Slots

__all__ = ["Change", "converge_replica", "ensure_resource", "remove_container"]


@dataclass(frozen=True)
class Change:
    """What ``up`` did to one object: ``action`` created, recreated, started, unchanged or removed."""

    kind: str  # container, network, volume
    name: str
    action: str
    service: str = ""
    replica: int = 0
    detail: str = ""

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


def _done(observed: Observed, service: ServiceSpec) -> bool:
    """A one-shot container that exited 0 and is not restarted has done its job: leave it."""
    return (observed.status.state == "exited" and observed.status.exit_code == 0
            and service.restart in (None, "no"))


def remove_container(ref: str, engine: Engine, slots: Slots) -> None:
    with slots.command():
        try:
            execute_nerdctl_command(rm_args(ref, force=True, engine_kind=engine.kind))
        except NoSuchContainer:
            pass


def converge_replica(stack: StackSpec, service: ServiceSpec, replica: Replica, digest: str,
                     observed: Observed | None, engine: Engine, slots: Slots) -> tuple[Change, str]:
    """Make ``replica`` match its spec; return the change and the container id."""
    if observed is not None and observed.digest == digest and observed.name == replica.name:
        if observed.running or _done(observed, service):
            return Change("container", replica.name, "unchanged", service.name, replica.number), observed.id
        with slots.command():
            execute_nerdctl_command(["start", observed.id])
        return Change("container", replica.name, "started", service.name, replica.number,
                      f"was {observed.status.state}"), observed.id
    detail = ""
    if observed is not None:
        detail = "configuration changed" if observed.digest != digest else "renamed"
        remove_container(observed.id, engine, slots)
    args = replica_run_args(stack, service, replica, engine.kind, digest)
    with slots.command():
        result = execute_nerdctl_command(args)
    container_id = f"dry-run:{replica.name}" if result.dry_run else result.stdout.strip().splitlines()[-1]
    for network, aliases in extra_networks(stack, service) if engine.kind != "nerdctl" else ():  # (nerdctl: in run)
        connect = ["network", "connect", *[a for alias in aliases for a in ("--alias", alias)]]
        with slots.command():
            execute_nerdctl_command([*connect, network, container_id])
    action = "created" if observed is None else "recreated"
    return Change("container", replica.name, action, service.name, replica.number, detail), container_id


def _labels(stack: str, key_label: str, key: str, own: dict[str, str]) -> list[str]:
    return label_flags({**own, **settings().labels, LABEL_STACK: stack, key_label: key})


def _exists(noun: str, name: str) -> bool:
    return execute_nerdctl_command([noun, "inspect", name], check=False).success


def ensure_resource(stack: str, resource: NetworkSpec | VolumeSpec, present: set[str]) -> Change:
    """Create the stack's network or volume unless it has it; an external one must exist."""
    noun = "network" if isinstance(resource, NetworkSpec) else "volume"
    if resource.external:
        if not _exists(noun, resource.name):
            raise CommandFailed(f"external {noun} {resource.name!r} does not exist",
                                hint=f"create it first (nerdctl {noun} create {resource.name})")
        return Change(noun, resource.name, "unchanged", detail="external")
    if resource.name in present:
        return Change(noun, resource.name, "unchanged")
    key_label = LABEL_NETWORK if noun == "network" else LABEL_VOLUME
    execute_nerdctl_command([noun, "create", *(["--driver", resource.driver] if resource.driver else []),
                             *_labels(stack, key_label, resource.key, resource.labels), resource.name])
    return Change(noun, resource.name, "created")
