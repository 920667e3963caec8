"""herodo_py.nerdctl: a typed Python API over nerdctl, docker and podman.

Names are loaded lazily (on first use) so that ``herodo`` starts fast.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing stays off herodo's first engine call (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

_EXPORTS: dict[str, str] = {
    # errors
    **dict.fromkeys((
        "NerdctlError", "CommandExecutionFailed", "EngineNotFound", "CommandFailed", "CommandTimeout",
        "NoSuchContainer", "NoSuchImage", "NameInUse", "PortInUse", "EngineUnreachable", "PermissionDenied",
        "BuildKitMissing", "JsonParseError", "ConversionError", "UnsupportedByEngine", "OtherError",
        "Other", "ContainerNotRunning", "ContainerUnhealthy", "WaitTimeout",
    ), "errors"),
    # settings and the executor
    "EngineSettings": "engine_settings",
    **dict.fromkeys((
        "CommandResult", "Engine", "Executor", "execute_nerdctl_command", "configure", "settings",
        "current_engine", "resolve_engine", "add_listener", "remove_listener", "current_executor",
        "default_executor",
    ), "executor"),
    # engine commands at once (herodo_py.nerdctl.concurrency)
    **dict.fromkeys(("parallel", "parallel_settled", "ParallelError", "TaskFailure", "TaskCancelled", "CancelScope"),
                    "concurrency"),
    # containers
    "Container": "container.operations",
    "HealthCheck": "container.types",
    "ContainerStatus": "container.types",
    "ResourceUsage": "container.types",
    "ContainerConfig": "container.types",
    "ContainerNotBuilt": "container.types",
    "run_args": "container.builder",
    "prepare_health_check_command": "container.health",
    # images
    **dict.fromkeys((
        "Image", "ImageList", "images", "image_remove", "image_tag", "image_pull", "image_push",
        "image_build", "image_exists", "image_inspect",
    ), "image"),
    **dict.fromkeys(("image_save", "image_load", "image_import"), "image_archive"),
    # networks
    **dict.fromkeys((
        "network_create", "network_remove", "Network", "NetworkList", "network_list", "network_inspect",
        "network_exists", "network_connect", "network_disconnect",
    ), "network"),
    # volumes
    **dict.fromkeys((
        "Volume", "VolumeList", "volume_create", "volume_remove", "volume_list", "volume_inspect", "volume_exists",
    ), "volume"),
    # desired state (ensure), what it did, and the recap
    **dict.fromkeys((
        "network_ensure", "network_ensure_absent", "volume_ensure", "volume_ensure_absent", "image_ensure",
        "image_ensure_absent",
    ), "desired.resources"),
    "Outcome": "desired.outcome",
    **dict.fromkeys(("Recap", "current_recap", "use_recap"), "desired.recap"),
    "ConfigurationDrift": "desired.compare",
    # stacks
    **dict.fromkeys(("Stack", "StackUpFailed", "load_compose"), "stack"),
    # static container functions: list and run, and (light: no builder) those on one existing container
    **dict.fromkeys(("ContainerSummary", "ContainerList", "run", "run_with_name", "run_with_port", "list"),
                    "container.functions"),
    **dict.fromkeys((
        "exec", "copy", "stop", "remove", "logs", "image_commit", "restart", "kill", "pause", "unpause", "wait",
        "inspect", "port",
    ), "container.actions"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(f"{__name__}.{module_name}", fromlist=(name,)), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

