"""Networks beyond create/remove: list, inspect, exists, connect, disconnect.

nerdctl has no ``network connect``/``disconnect``: they are refused before anything runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .cmd import CommandResult, current_engine, execute_nerdctl_command
from .errors import UnsupportedByEngine
from .noun_common import exists, inspect_one
from .parse import first, load_records, parse_labels
from .result_list import ResultList
from .validate import check_container_ref, check_name, check_string_list, fail

__all__ = [
    "Network",
    "NetworkList",
    "network_connect",
    "network_disconnect",
    "network_exists",
    "network_inspect",
    "network_list",
]

# docker and podman: explicit fields give JSON lines (podman's {{json .}} is pretty-printed);
# nerdctl's rows have ID, Name and Labels only (no Driver), so it gets {{json .}}.
NETWORK_FORMAT = '{"ID":{{json .ID}},"Name":{{json .Name}},"Driver":{{json .Driver}},"Labels":{{json .Labels}}}'
CONNECT_HINT = "nerdctl has no network connect/disconnect: give the container its network at build (with_network)"


@dataclass
class Network:
    """One row of ``network ls``; ``driver`` is ``""`` on nerdctl (its list does not show it)."""

    name: str
    id: str = ""
    driver: str = ""
    labels: dict[str, str] = field(default_factory=dict)


class NetworkList(ResultList[Network]):
    """``network_list()``: a list of :class:`Network` that also carries ``stdout``, ``code``..."""


def network_list() -> NetworkList:
    """Every network (the engine's own ``bridge``, ``host``... included)."""
    fmt = "{{json .}}" if current_engine().kind == "nerdctl" else NETWORK_FORMAT
    result = execute_nerdctl_command(["network", "ls", "--format", fmt])
    rows = [Network(name=str(r.get("Name") or ""), id=str(first(r, "ID", "Id", default="")),
                    driver=str(r.get("Driver") or ""), labels=parse_labels(r.get("Labels")))
            for r in load_records(result.stdout, "`network ls` output")]
    return NetworkList(rows, result)


def network_inspect(name: str) -> dict[str, Any]:
    """The engine's inspect document of the network (keys as the engine writes them: podman's are lower case)."""
    return inspect_one(["network", "inspect", check_name(name, "network name")], "network")


def network_exists(name: str) -> bool:
    """Whether the network ``name`` exists (one engine call)."""
    return exists(["network", "inspect", check_name(name, "network name")])


def _refuse_on_nerdctl(what: str, network: str) -> None:
    if current_engine().kind == "nerdctl":
        raise UnsupportedByEngine(field=f"network {what}", value=network,
                                  expected=f"no network {what} on nerdctl", hint=CONNECT_HINT)


def network_connect(network: str, container: str, aliases: Sequence[str] | None = None) -> CommandResult:
    """Connect a running or stopped container to ``network``; ``aliases``: extra names it answers to there."""
    check_name(network, "network name")
    check_container_ref(container)
    names = [] if aliases is None else [check_name(a, f"aliases[{i + 1}]")
                                        for i, a in enumerate(check_string_list(aliases, "aliases"))]
    _refuse_on_nerdctl("connect", network)
    return execute_nerdctl_command(["network", "connect", *[a for n in names for a in ("--alias", n)],
                                    network, container])


def network_disconnect(network: str, container: str, force: bool = False) -> CommandResult:
    """Disconnect a container from ``network`` (``force``: even when the engine would refuse)."""
    check_name(network, "network name")
    check_container_ref(container)
    if not isinstance(force, bool):
        raise fail("force", force, "true or false")
    _refuse_on_nerdctl("disconnect", network)
    return execute_nerdctl_command(["network", "disconnect", *(["--force"] if force else []), network, container])
