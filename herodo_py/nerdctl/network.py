"""User networks: containers on one network reach each other by name (``Container.with_network``).

``network_create`` adds ``settings().labels`` as ``--label`` flags, as ``run`` does for containers
(``herodo test`` finds what a test made by them, and removes it with ``remove_labelled``). nerdctl
has no ``network connect``/``disconnect``: they are refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import UnsupportedByEngine
from .executor import CommandResult, current_engine, execute_nerdctl_command, settings
from .inspection import exists, inspect_one
from .labels import Labelled, Swept, label_flags, sweep_by_label
from .parse import first, load_records
from .result_list import ResultList
from .validate import check_container_ref, check_name, check_string_list, fail

__all__ = [
    "Network", "NetworkList", "network_connect", "network_create", "network_disconnect", "network_exists",
    "network_inspect", "network_list", "network_remove", "remove_labelled",
]


def network_create(name: str, driver: str | None = None) -> CommandResult:
    """Create the network ``name`` (``driver``: the engine's default, ``bridge``, when not given);
    ``stdout`` holds its id."""
    args = ["network", "create"]
    if driver is not None:
        args += ["--driver", check_name(driver, "network driver")]
    args += label_flags(settings().labels)
    args.append(check_name(name, "network name"))
    return execute_nerdctl_command(args)


def network_remove(name: str) -> CommandResult:
    """Remove the network ``name`` (it fails while a container is connected to it)."""
    return execute_nerdctl_command(["network", "rm", check_name(name, "network name")])


def remove_labelled(label: str, keep: bool = False) -> Swept:
    """Remove the networks carrying ``label`` (``key=value``); with ``keep`` only list them."""
    return sweep_by_label("network", label, keep)


# docker and podman: explicit fields give JSON lines (podman's {{json .}} is pretty-printed);
# nerdctl's rows have ID, Name and Labels only (no Driver), so it gets {{json .}}.
NETWORK_FORMAT = '{"ID":{{json .ID}},"Name":{{json .Name}},"Driver":{{json .Driver}},"Labels":{{json .Labels}}}'
CONNECT_HINT = "nerdctl has no network connect/disconnect: give the container its network at build (with_network)"


@dataclass
class Network(Labelled):
    """One row of ``network ls``; ``driver`` is ``""`` on nerdctl (its list does not show it)."""

    id: str = ""


class NetworkList(ResultList[Network]):
    """``network_list()``: a list of :class:`Network` that also carries ``stdout``, ``code``..."""


def network_list() -> NetworkList:
    """Every network (the engine's own ``bridge``, ``host``... included)."""
    fmt = "{{json .}}" if current_engine().kind == "nerdctl" else NETWORK_FORMAT
    result = execute_nerdctl_command(["network", "ls", "--format", fmt])
    rows = [Network(**Network.common(r), id=str(first(r, "ID", "Id", default="")))
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
