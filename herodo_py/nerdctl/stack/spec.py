"""The stack model: what a stack should look like, already validated.

A :class:`StackSpec` is made from a plain mapping (a Lua table, a Python dict, or what the compose
loader produces) by :func:`herodo_py.nerdctl.stack.checks.parse_spec`; everything in here is
known to be valid, so the orchestration never meets a bad value halfway through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Condition = Literal["started", "healthy", "completed"]
CONDITIONS: tuple[Condition, ...] = ("started", "healthy", "completed")
DEFAULT_NETWORK = "default"


@dataclass(frozen=True)
class HealthSpec:
    """A health check; ``cmd`` runs with ``/bin/sh -c`` in the container (``None``: disabled,
    i.e. the image's own check is switched off too)."""

    cmd: str | None
    interval: str | None = None
    timeout: str | None = None
    retries: int | None = None
    start_period: str | None = None


@dataclass(frozen=True)
class Limits:
    cpus: str | None = None
    memory: str | None = None
    memory_swap: str | None = None
    cpu_shares: str | None = None


@dataclass(frozen=True)
class Mount:
    """A volume mount: ``kind`` ``bind`` (absolute host path), ``volume`` (a stack volume's key)
    or ``anonymous`` (no source)."""

    kind: Literal["bind", "volume", "anonymous"]
    target: str
    source: str | None = None
    read_only: bool = False


@dataclass(frozen=True)
class BuildSpec:
    """An image built before ``up`` (compose ``build:``); the service's ``image`` is its tag."""

    context: str
    dockerfile: str | None = None
    args: dict[str, str] = field(default_factory=dict)


@dataclass
class ServiceSpec:
    name: str
    image: str
    command: list[str] | None = None  # None: the image's
    entrypoint: list[str] | None = None  # None: the image's; [] clears it
    env: dict[str, str] = field(default_factory=dict)
    ports: list[str] = field(default_factory=list)
    expose: list[str] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    networks: dict[str, list[str]] = field(default_factory=dict)  # stack network key -> extra aliases
    depends_on: dict[str, Condition] = field(default_factory=dict)
    health: HealthSpec | None = None
    restart: str | None = None
    replicas: int = 1
    labels: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    workdir: str | None = None
    limits: Limits = field(default_factory=Limits)
    init: bool = False
    stop_signal: str | None = None
    container_name: str | None = None
    build: BuildSpec | None = None


@dataclass(frozen=True)
class NetworkSpec:
    key: str
    name: str  # the engine's name: '<stack>_<key>' unless given (or external)
    driver: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    external: bool = False


@dataclass(frozen=True)
class VolumeSpec:
    key: str
    name: str
    driver: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    external: bool = False


@dataclass
class StackSpec:
    name: str
    services: dict[str, ServiceSpec]
    networks: dict[str, NetworkSpec]
    volumes: dict[str, VolumeSpec]
