"""herodo_py.nerdctl: a typed Python API over nerdctl, docker and podman.

Names are loaded lazily (on first use) so that ``herodo`` starts fast.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_EXPORTS: dict[str, str] = {
    # errors
    **{name: "errors" for name in (
        "NerdctlError", "CommandExecutionFailed", "EngineNotFound", "CommandFailed", "CommandTimeout",
        "NoSuchContainer", "NoSuchImage", "NameInUse", "PortInUse", "EngineUnreachable",
        "PermissionDenied", "BuildKitMissing", "JsonParseError", "ConversionError",
        "UnsupportedByEngine", "OtherError", "Other", "ContainerNotRunning", "ContainerUnhealthy",
        "WaitTimeout",
    )},
    # engine and executor
    **{name: "cmd" for name in (
        "CommandResult", "EngineSettings", "Engine", "execute_nerdctl_command", "configure", "settings",
        "current_engine", "resolve_engine", "add_listener", "remove_listener",
    )},
    # containers
    "Container": "container_operations",
    "HealthCheck": "container_types",
    "ContainerStatus": "container_types",
    "ResourceUsage": "container_types",
    "ContainerConfig": "container_types",
    "ContainerNotBuilt": "container_types",
    "run_args": "container_builder",
    "prepare_health_check_command": "health_check_script",
    # images
    **{name: "images" for name in (
        "Image", "ImageList", "images", "image_remove", "image_tag", "image_pull", "image_push",
        "image_commit", "image_build",
    )},
    # networks
    "network_create": "networks",
    "network_remove": "networks",
    **{name: "network_ops" for name in (
        "Network", "NetworkList", "network_list", "network_inspect", "network_exists", "network_connect",
        "network_disconnect",
    )},
    # volumes
    **{name: "volume" for name in (
        "Volume", "VolumeList", "volume_create", "volume_remove", "volume_list", "volume_inspect", "volume_exists",
    )},
    # images beyond the registry
    **{name: "image_ops" for name in ("image_exists", "image_inspect", "image_save", "image_load", "image_import")},
    # container control (static forms; the methods are on Container)
    **{name: "container_control" for name in ("restart", "kill", "pause", "unpause", "wait", "inspect", "port")},
    # static container functions
    **{name: "container_functions" for name in (
        "ContainerSummary", "ContainerList", "run", "run_with_name", "run_with_port", "exec", "copy",
        "stop", "remove", "list", "logs",
    )},
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


class _Package(types.ModuleType):
    """Keeps a function that shares its module's name (``images``) from being replaced by the
    module when ``herodo_py.nerdctl.images`` is imported (the import system sets that attribute)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
