"""Container data: the configuration a builder fills in, and what ``inspect`` and ``stats`` report.

``ContainerStatus.from_inspect`` and ``ResourceUsage.from_stats`` read the records of nerdctl,
docker and podman alike, tolerating missing fields (a missing field reads as empty / ``None``).
"""

from __future__ import annotations

from ..errors import OtherError
from ..parse import first, normalize_time, parse_percent, parse_size, split_pair
from ..record import Record

TYPE_CHECKING = False  # typing stays off a first status() (its record fields are declared in the bindings)
if TYPE_CHECKING:
    from typing import Any


def _is_count(text: str) -> bool:
    """1 to 18 ASCII digits (``[0-9]{1,18}``), read without a pattern: a Container's module loads no ``re``."""
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


class ContainerNotBuilt(OtherError):
    """An operation needs a container that exists, but this one was never built (no id)."""

    default_hint = "call build() or start() first, or nerdctl_container_new(name) to attach to an existing one"


class HealthCheck(Record):
    """A health check: ``cmd`` runs inside the container through ``/bin/sh -c``."""

    cmd: str
    interval: str | None  # Go duration, e.g. "30s"
    timeout: str | None
    retries: int | None
    start_period: str | None

    def __init__(self, cmd: str, interval: str | None = None, timeout: str | None = None, retries: int | None = None,
                 start_period: str | None = None) -> None:
        self.cmd = cmd
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.start_period = start_period


class ContainerConfig(Record):
    """Everything ``run`` needs. ``name=None`` lets the engine pick a name (static ``run``). A list or
    dict field left out (or ``None``) starts empty."""

    name: str | None
    image: str | None
    container_id: str | None
    ports: list[str]
    volumes: list[str]
    env_vars: dict[str, str]  # insertion order is argv order
    network: str | None
    network_aliases: list[str]
    cpu_limit: str | None
    memory_limit: str | None
    memory_swap_limit: str | None
    cpu_shares: str | None
    restart_policy: str | None
    health_check: HealthCheck | None
    detach: bool
    snapshotter: str | None
    command: list[str]
    entrypoint: str | None
    workdir: str | None
    user: str | None
    labels: dict[str, str]
    # flags for Python callers that need what has no with_* yet (stacks: --init, --stop-signal, --expose,
    # --no-healthcheck, more --network on nerdctl), put after ``run -d``; the caller validates them, and
    # records what they shape in a label (ensure compares labels, not these): a stack's config-hash label
    run_flags: list[str]

    def __init__(self, name: str | None, image: str | None = None, container_id: str | None = None,
                 ports: list[str] | None = None, volumes: list[str] | None = None,
                 env_vars: dict[str, str] | None = None, network: str | None = None,
                 network_aliases: list[str] | None = None, cpu_limit: str | None = None,
                 memory_limit: str | None = None, memory_swap_limit: str | None = None, cpu_shares: str | None = None,
                 restart_policy: str | None = None, health_check: HealthCheck | None = None, detach: bool = True,
                 snapshotter: str | None = None, command: list[str] | None = None, entrypoint: str | None = None,
                 workdir: str | None = None, user: str | None = None, labels: dict[str, str] | None = None,
                 run_flags: list[str] | None = None) -> None:
        self.name = name
        self.image = image
        self.container_id = container_id
        self.ports = [] if ports is None else ports
        self.volumes = [] if volumes is None else volumes
        self.env_vars = {} if env_vars is None else env_vars
        self.network = network
        self.network_aliases = [] if network_aliases is None else network_aliases
        self.cpu_limit = cpu_limit
        self.memory_limit = memory_limit
        self.memory_swap_limit = memory_swap_limit
        self.cpu_shares = cpu_shares
        self.restart_policy = restart_policy
        self.health_check = health_check
        self.detach = detach
        self.snapshotter = snapshotter
        self.command = [] if command is None else command
        self.entrypoint = entrypoint
        self.workdir = workdir
        self.user = user
        self.labels = {} if labels is None else labels
        self.run_flags = [] if run_flags is None else run_flags


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float
        return default


def _state_of(record: dict[str, Any]) -> dict[str, Any]:
    """The ``State`` object of an inspect record, or the record itself when it is one
    (``inspect --format '{{json .State}}'``)."""
    state = record.get("State")
    if isinstance(state, dict):
        return state
    if "Running" in record or "StartedAt" in record:
        return record
    return {}


# podman's transient words for docker's: "stopped" = exited, cleanup pending; "configured" = created.
_STATE_SYNONYMS = {"stopped": "exited", "configured": "created"}


def _state_word(state: dict[str, Any]) -> str:
    word = str(state.get("Status") or "").lower()
    if word:
        return _STATE_SYNONYMS.get(word, word)
    for flag, name in (("Paused", "paused"), ("Restarting", "restarting"), ("Running", "running")):
        if state.get(flag):
            return name
    return "unknown"


class ContainerStatus(Record):
    """A container's state as ``inspect`` reports it. Zero times read as ``""``."""

    state: str  # running, exited, created, paused, restarting (or the engine's word)
    status: str  # short summary: "running (healthy)", "exited (code 137)"
    running: bool
    created: str
    started: str
    finished: str
    exit_code: int
    pid: int
    restart_count: int
    health_status: str  # "" when the container has no health check
    health_output: str  # output of the last health check run
    error: str  # the engine's State.Error, if any
    id: str
    name: str
    image: str

    def __init__(self, state: str = "", status: str = "", running: bool = False, created: str = "", started: str = "",
                 finished: str = "", exit_code: int = 0, pid: int = 0, restart_count: int = 0, health_status: str = "",
                 health_output: str = "", error: str = "", id: str = "", name: str = "", image: str = "") -> None:
        self.state = state
        self.status = status
        self.running = running
        self.created = created
        self.started = started
        self.finished = finished
        self.exit_code = exit_code
        self.pid = pid
        self.restart_count = restart_count
        self.health_status = health_status
        self.health_output = health_output
        self.error = error
        self.id = id
        self.name = name
        self.image = image

    @classmethod
    def from_inspect(cls, record: dict[str, Any]) -> ContainerStatus:
        """Read one ``inspect`` record (or a bare ``State`` object) of any engine."""
        state = _state_of(record)
        health = first(state, "Health", "Healthcheck")  # podman < 4: Healthcheck
        health = health if isinstance(health, dict) else {}
        log = health.get("Log") or []
        last = log[-1] if isinstance(log, list) and log and isinstance(log[-1], dict) else {}
        config = record.get("Config") if isinstance(record.get("Config"), dict) else {}
        word = _state_word(state)
        exit_code = _int(state.get("ExitCode"))
        health_status = str(health.get("Status") or "")
        if word == "exited":
            summary = f"exited (code {exit_code})"
        elif health_status and word == "running":
            summary = f"running ({health_status})"
        else:
            summary = word
        return cls(
            state=word,
            status=summary,
            running=bool(state.get("Running")),
            created=normalize_time(record.get("Created")),
            started=normalize_time(state.get("StartedAt")),
            finished=normalize_time(state.get("FinishedAt")),
            exit_code=exit_code,
            pid=_int(state.get("Pid")),
            restart_count=_int(record.get("RestartCount")),
            health_status=health_status,
            health_output=str(last.get("Output") or ""),
            error=str(state.get("Error") or ""),
            id=str(record.get("Id") or record.get("ID") or ""),
            name=str(record.get("Name") or "").lstrip("/"),
            image=str(first(config, "Image") or first(record, "ImageName", "Image", default="")),
        )


class ResourceUsage(Record):
    """One ``stats --no-stream`` sample: the engine's strings and the same values as numbers."""

    id: str
    name: str
    cpu_usage: str  # "0.50%"
    memory_usage: str  # "1.59MiB"
    memory_limit: str  # "64MiB"
    memory_percentage: str  # "2.48%"
    network_input: str
    network_output: str
    block_input: str
    block_output: str
    pids: str
    cpu_percent: float | None
    memory_percent: float | None
    memory_usage_bytes: int | None
    memory_limit_bytes: int | None
    network_input_bytes: int | None
    network_output_bytes: int | None
    block_input_bytes: int | None
    block_output_bytes: int | None
    pids_count: int | None

    def __init__(self, id: str = "", name: str = "", cpu_usage: str = "", memory_usage: str = "",
                 memory_limit: str = "", memory_percentage: str = "", network_input: str = "",
                 network_output: str = "", block_input: str = "", block_output: str = "", pids: str = "",
                 cpu_percent: float | None = None, memory_percent: float | None = None,
                 memory_usage_bytes: int | None = None, memory_limit_bytes: int | None = None,
                 network_input_bytes: int | None = None, network_output_bytes: int | None = None,
                 block_input_bytes: int | None = None, block_output_bytes: int | None = None,
                 pids_count: int | None = None) -> None:
        self.id = id
        self.name = name
        self.cpu_usage = cpu_usage
        self.memory_usage = memory_usage
        self.memory_limit = memory_limit
        self.memory_percentage = memory_percentage
        self.network_input = network_input
        self.network_output = network_output
        self.block_input = block_input
        self.block_output = block_output
        self.pids = pids
        self.cpu_percent = cpu_percent
        self.memory_percent = memory_percent
        self.memory_usage_bytes = memory_usage_bytes
        self.memory_limit_bytes = memory_limit_bytes
        self.network_input_bytes = network_input_bytes
        self.network_output_bytes = network_output_bytes
        self.block_input_bytes = block_input_bytes
        self.block_output_bytes = block_output_bytes
        self.pids_count = pids_count

    @classmethod
    def from_stats(cls, record: dict[str, Any]) -> ResourceUsage:
        """Read one stats record: nerdctl/docker keys (``CPUPerc``, ``MemUsage`` ...) or podman's
        ``--format json`` keys (``cpu_percent``, ``mem_usage`` ...), strings or numbers."""

        def text(*keys: str) -> str:
            value = first(record, *keys, default="")
            return value if isinstance(value, str) else str(value)

        cpu = text("CPUPerc", "cpu_percent", "CPU")
        mem_use, mem_limit = split_pair(text("MemUsage", "mem_usage"))
        mem_pct = text("MemPerc", "mem_percent")
        net_in, net_out = split_pair(text("NetIO", "net_io"))
        block_in, block_out = split_pair(text("BlockIO", "block_io"))
        pids = text("PIDs", "pids", "PIDS")
        return cls(
            id=text("ID", "id", "Container", "ContainerID"),
            name=text("Name", "name"),
            cpu_usage=cpu,
            memory_usage=mem_use,
            memory_limit=mem_limit,
            memory_percentage=mem_pct,
            network_input=net_in,
            network_output=net_out,
            block_input=block_in,
            block_output=block_out,
            pids=pids,
            cpu_percent=parse_percent(cpu),
            memory_percent=parse_percent(mem_pct),
            memory_usage_bytes=parse_size(mem_use),
            memory_limit_bytes=parse_size(first(record, "MemLimit", default=mem_limit)),  # podman: exact bytes
            network_input_bytes=parse_size(net_in),
            network_output_bytes=parse_size(net_out),
            block_input_bytes=parse_size(block_in),
            block_output_bytes=parse_size(block_out),
            pids_count=int(pids) if _is_count(pids.strip()) else None,
        )
