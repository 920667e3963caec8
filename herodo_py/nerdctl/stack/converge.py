"""Bring one replica, network or volume to its desired state; each step says what it changed.

A replica is a :class:`~herodo_py.nerdctl.container.operations.Container` brought to its
configuration by ``Container.ensure()``, the one place that decides create / start / recreate /
unchanged (its config hash covers the stack's labels, the stack's own config hash among them; the
image by id, so a rebuilt tag recreates). Every engine command here runs inside a worker slot
(``slots.command()``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..container.builder import rm_args
from ..container.ensure import Known, ensure
from ..container.operations import Container
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
    replica_config,
)
from .observe import Observed
from .spec import NetworkSpec, ServiceSpec, StackSpec, VolumeSpec
from .workers import Slots

__all__ = ["Change", "converge_replica", "ensure_resource", "remove_container", "start_container"]


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


def remove_container(ref: str, engine: Engine, slots: Slots) -> None:
    with slots.command():
        try:
            execute_nerdctl_command(rm_args(ref, force=True, engine_kind=engine.kind))
        except NoSuchContainer:
            pass


def start_container(ref: str, slots: Slots) -> None:
    """Start a replica ``converge_replica(..., start=False)`` created."""
    with slots.command():
        execute_nerdctl_command(["start", ref])


def converge_replica(stack: StackSpec, service: ServiceSpec, replica: Replica, digest: str,
                     observed: Observed | None, engine: Engine, slots: Slots, known: Known | None = None,
                     start: bool = True) -> tuple[Change, str]:
    """Make ``replica`` match its spec with ``Container.ensure()``; return the change and the container id.

    ``must_run=False``: whether it stays up is for the stack's conditions to judge (a one-shot job
    that exited 0 is left as it is). A replica found under another name (its ``container_name``
    changed) is removed first; a replaced one is killed at once (``stop -t 0``), as ``down`` does.
    ``known``: its container and image records from the stack's one ``inspect``; ``start=False``:
    a missing replica is created, not started (``start_container`` starts it).
    """
    config = replica_config(stack, service, replica, engine.kind, digest)
    container = Container(**vars(config))
    if observed is not None and observed.name != replica.name:
        remove_container(observed.id, engine, slots)
    with slots.command():  # (ensure's inspect, run and the like: a few commands in one slot)
        ensure(container, stop_timeout=0, must_run=False, known=known, start=start)
    outcome = container.outcome
    assert outcome is not None and container.container_id is not None
    action = outcome.action
    if action in ("created", "recreated") and engine.kind != "nerdctl":  # (nerdctl: every network in run)
        for network, aliases in extra_networks(stack, service):
            with slots.command():
                network_connect(network, container.container_id, aliases)
    if observed is not None and observed.name != replica.name and action == "created":
        action = "recreated"
    detail = "renamed" if observed is not None and observed.name != replica.name else outcome.reason
    return Change("container", replica.name, action, service.name, replica.number, detail), container.container_id


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
