"""User networks: containers on one network reach each other by name (``Container.with_network``).

``network_create`` adds ``settings().labels`` as ``--label`` flags, as ``run`` does for containers
(``herodo test`` finds what a test made by them).
"""

from __future__ import annotations

from .executor import CommandResult, execute_nerdctl_command, settings
from .validate import check_label_key, check_name, check_text

__all__ = ["network_create", "network_remove"]


def network_create(name: str, driver: str | None = None) -> CommandResult:
    """Create the network ``name`` (``driver``: the engine's default, ``bridge``, when not given);
    ``stdout`` holds its id."""
    args = ["network", "create"]
    if driver is not None:
        args += ["--driver", check_name(driver, "network driver")]
    for key, value in settings().labels.items():
        args += ["--label", f"{check_label_key(key)}={check_text(value, 'label value', allow_empty=True)}"]
    args.append(check_name(name, "network name"))
    return execute_nerdctl_command(args)


def network_remove(name: str) -> CommandResult:
    """Remove the network ``name`` (it fails while a container is connected to it)."""
    return execute_nerdctl_command(["network", "rm", check_name(name, "network name")])
