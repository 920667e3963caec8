"""What each replica, network and volume of a stack should be: names, labels, the config hash and
the ``run`` argv.

Every object a stack creates carries ``LABEL_STACK`` (and its service, replica and config hash),
so ``down`` and ``ps`` find everything by labels alone, from any process, even after a crash.
The config hash covers everything that shapes the container; an equal hash means "unchanged".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from ..container.types import ContainerConfig, HealthCheck
from ..errors import UnsupportedByEngine
from .spec import ServiceSpec, StackSpec

TYPE_CHECKING = False  # (the engine kinds are a typing Literal: for the type checker only)
if TYPE_CHECKING:
    from ..executor import EngineKind

__all__ = [
    "LABEL_HASH",
    "LABEL_NETWORK",
    "LABEL_REPLICA",
    "LABEL_SERVICE",
    "LABEL_STACK",
    "LABEL_VOLUME",
    "Replica",
    "config_hash",
    "container_name",
    "extra_networks",
    "refuse_nerdctl_aliases",
    "replica_config",
    "replica_run_args",
    "replicas_of",
]

LABEL_STACK = "io.herodo.stack"
LABEL_SERVICE = "io.herodo.stack.service"
LABEL_REPLICA = "io.herodo.stack.replica"
LABEL_HASH = "io.herodo.stack.config-hash"
LABEL_NETWORK = "io.herodo.stack.network"
LABEL_VOLUME = "io.herodo.stack.volume"


@dataclass(frozen=True)
class Replica:
    service: str
    number: int  # 1-based
    name: str  # the container's name


def container_name(stack: StackSpec, service: ServiceSpec, number: int) -> str:
    return service.container_name or f"{stack.name}-{service.name}-{number}"


def replicas_of(stack: StackSpec, service: ServiceSpec) -> list[Replica]:
    return [Replica(service.name, n, container_name(stack, service, n)) for n in range(1, service.replicas + 1)]


def config_hash(stack: StackSpec, service: ServiceSpec) -> str:
    """A digest of everything that shapes the service's containers (not replicas, dependencies or
    the build recipe), with the engine names of its networks and volumes."""
    shape = asdict(service)
    for key in ("replicas", "depends_on", "build", "name"):
        shape.pop(key)
    shape["networks"] = {stack.networks[k].name: v for k, v in service.networks.items()}
    shape["volumes"] = [stack.volumes[m.source].name if m.kind == "volume" and m.source else m.source
                        for m in service.mounts]
    text = json.dumps(shape, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _volume_arg(stack: StackSpec, service: ServiceSpec, index: int) -> str:
    mount = service.mounts[index]
    if mount.kind == "anonymous":
        return mount.target
    source = stack.volumes[mount.source].name if mount.kind == "volume" else mount.source  # type: ignore[index]
    return f"{source}:{mount.target}" + (":ro" if mount.read_only else "")


def extra_networks(stack: StackSpec, service: ServiceSpec) -> list[tuple[str, list[str]]]:
    """Networks after the first, with their aliases: joined with ``network connect`` after ``run``."""
    return [(stack.networks[k].name, [service.name, *aliases]) for k, aliases in list(service.networks.items())[1:]]


def refuse_nerdctl_aliases(stack: StackSpec) -> None:
    """nerdctl has no ``--network-alias`` (nor ``network connect``): refuse a spec that asks for aliases,
    before anything runs. (On nerdctl services reach each other by container name.)"""
    for service in stack.services.values():
        for key, aliases in service.networks.items():
            if aliases:
                raise UnsupportedByEngine(
                    field=f"services.{service.name}.networks.{key}.aliases", value=aliases,
                    expected="no network aliases on nerdctl (it has no --network-alias)",
                    hint=f"reach the service by its container name ({container_name(stack, service, 1)}), "
                         "or use docker or podman")


def replica_config(stack: StackSpec, service: ServiceSpec, replica: Replica, engine_kind: EngineKind,
                   digest: str) -> ContainerConfig:
    """One replica as a container configuration: the service's settings, the stack's labels (with the
    config hash ``digest``, which covers what only stacks set), and as ``run_flags`` what has no
    ``with_*`` (init, stop signal, expose, no health check, every network on nerdctl)."""
    first_key, first_aliases = next(iter(service.networks.items()))
    health = service.health
    entrypoint = service.entrypoint
    command = list(service.command) if service.command is not None else []
    if entrypoint is not None and len(entrypoint) > 1:
        # the CLIs take one executable as --entrypoint: its arguments go before the command
        # (which then must be given, or the image's command would be dropped by the engine anyway)
        command = [*entrypoint[1:], *command]
    flags: list[str] = []
    if service.init:
        flags.append("--init")
    if service.stop_signal:
        flags += ["--stop-signal", service.stop_signal]
    flags += [a for port in service.expose for a in ("--expose", port)]
    if health is not None and health.cmd is None:
        flags.append("--no-healthcheck")
    if engine_kind == "nerdctl":  # no `network connect`: every network is a --network of run
        flags += [a for key in service.networks for a in ("--network", stack.networks[key].name)]
    return ContainerConfig(
        name=replica.name, image=service.image, ports=list(service.ports),
        volumes=[_volume_arg(stack, service, i) for i in range(len(service.mounts))],
        env_vars=dict(service.env), network=None if engine_kind == "nerdctl" else stack.networks[first_key].name,
        network_aliases=[] if engine_kind == "nerdctl" else [service.name, *first_aliases],
        cpu_limit=service.limits.cpus, memory_limit=service.limits.memory,
        memory_swap_limit=service.limits.memory_swap, cpu_shares=service.limits.cpu_shares,
        restart_policy=service.restart,
        health_check=None if health is None or health.cmd is None else HealthCheck(
            health.cmd, health.interval, health.timeout, health.retries, health.start_period),
        command=command, entrypoint=None if entrypoint is None else (entrypoint[0] if entrypoint else ""),
        workdir=service.workdir, user=service.user,
        labels={**service.labels, LABEL_STACK: stack.name, LABEL_SERVICE: service.name,
                LABEL_REPLICA: str(replica.number), LABEL_HASH: digest},
        run_flags=flags,
    )


def replica_run_args(stack: StackSpec, service: ServiceSpec, replica: Replica, engine_kind: EngineKind,
                     digest: str) -> list[str]:
    """``run -d`` argv for one replica (what ``ensure`` runs when it creates it)."""
    from ..container.builder import run_args  # (here: down and ps need only the labels above)

    return run_args(replica_config(stack, service, replica, engine_kind, digest), engine_kind)
