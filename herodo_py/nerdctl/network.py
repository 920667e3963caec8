"""User networks: containers on one network reach each other by name (``Container.with_network``).

``network_create`` adds ``settings().labels`` as ``--label`` flags, as ``run`` does for containers
(``herodo test`` finds what a test made by them, and removes it with ``remove_labelled``).
"""

from __future__ import annotations

from .executor import CommandResult, execute_nerdctl_command, settings
from .labels import Swept, label_flags
from .validate import check_name

__all__ = ["network_create", "network_remove", "remove_labelled"]


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
    listed = execute_nerdctl_command(["network", "ls", "--filter", f"label={label}", "--format", "{{.Name}}"]).stdout
    networks = [n for n in listed.split() if n]
    if networks and not keep:
        execute_nerdctl_command(["network", "rm", *networks], check=False)
    return Swept(networks)
