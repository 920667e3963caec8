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
from ..network import network_connect, network_exists
from ..volume import volume_create, volume_exists
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
        with slots.command():
            network_connect(network, container_id, aliases)
    action = "created" if observed is None else "recreated"
    return Change("container", replica.name, action, service.name, replica.number, detail), container_id


def ensure_resource(stack: str, resource: NetworkSpec | VolumeSpec, present: set[str]) -> Change:
    """Create the stack's network or volume unless it has it; an external one must exist."""
    noun = "network" if isinstance(resource, NetworkSpec) else "volume"
    if resource.external:
        if not (network_exists if noun == "network" else volume_exists)(resource.name):
            raise CommandFailed(f"external {noun} {resource.name!r} does not exist",
                                hint=f"create it first (nerdctl {noun} create {resource.name})")
        return Change(noun, resource.name, "unchanged", detail="external")
    if resource.name in present:
        return Change(noun, resource.name, "unchanged")
    labels = {**resource.labels, LABEL_STACK: stack}
    if noun == "volume":
        volume_create(resource.name, {**labels, LABEL_VOLUME: resource.key}, resource.driver)
    else:  # (network_create takes no labels of its own)
        execute_nerdctl_command(["network", "create", *(["--driver", resource.driver] if resource.driver else []),
                                 *label_flags({**labels, **settings().labels, LABEL_NETWORK: resource.key}),
                                 resource.name])
    return Change(noun, resource.name, "created")
