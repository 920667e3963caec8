"""Lua names of ``herodo_py.nerdctl`` (the original's, DESIGN.md "Lua names"), plus engine settings.

A binding only converts values and names; the behaviour is the Python API's. The library is imported
on the first call, never at start-up.

Engine settings from scripts: ``nerdctl_engine()`` returns ``{name, kind, path, namespace, address,
snapshotter, timeout, long_timeout}`` (resolving the engine); ``nerdctl_configure{engine=...,
namespace=..., address=..., snapshotter=..., timeout=..., long_timeout=...}`` changes them for the rest
of the script (``""`` restores the default) and returns the same record.
"""

from __future__ import annotations

from typing import Any, Callable

from ..registry import FieldDef, Param, Registry

P = Param
CONTAINER = "Container"
RESULT = "CommandResult"
DURATION = "string|number"  # '30s', '1m30s'; a number is seconds


def _api() -> Any:
    import herodo_py.nerdctl as api

    return api


def _trim(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop trailing nils so the Python defaults apply."""
    end = len(args)
    while end and args[end - 1] is None:
        end -= 1
    return args[:end]


def _forward(method: str) -> Callable[..., Any]:
    def call(obj: Any, *args: Any) -> Any:
        return getattr(obj, method)(*_trim(args))
    return call


def _function(name: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return getattr(_api(), name)(*_trim(args))
    return call


class EngineInfo:
    """The engine in use and its settings."""

    FIELDS = (FieldDef("name", "string", "e.g. 'docker'"), FieldDef("kind", "string", "nerdctl, docker or podman"),
              FieldDef("path", "string"), FieldDef("namespace", "string?", "nerdctl only"),
              FieldDef("address", "string?"), FieldDef("snapshotter", "string?", "nerdctl only"),
              FieldDef("timeout", "number", "seconds per command"),
              FieldDef("long_timeout", "number", "seconds for pull, push, build..."))

    def __init__(self, **values: Any) -> None:
        for f in self.FIELDS:
            setattr(self, f.name, values[f.name])


def engine_info() -> EngineInfo:
    from herodo_py.nerdctl.executor import current_executor

    executor = current_executor()
    engine = executor.engine()
    cfg = executor.settings
    namespace = cfg.effective("namespace", engine.kind) or ("default" if engine.kind == "nerdctl" else None)
    return EngineInfo(name=engine.name, kind=engine.kind, path=engine.path, namespace=namespace,
                      address=cfg.effective("address", engine.kind),
                      snapshotter=cfg.effective("snapshotter", engine.kind), timeout=cfg.timeout,
                      long_timeout=cfg.long_timeout)


# --- the Container's methods: (name, params, doc); builder methods return the container ---------

BUILDER: list[tuple[str, list[Param], str]] = [
    ("reset", [], "Remove any container of this name, forget the id, clear the configuration (not name and image)."),
    ("with_port", [P("port", "string", "'[ip:]host:container[/tcp|udp]', e.g. '8080:80'")], "Publish a port."),
    ("with_ports", [P("ports", "string[]")], "Publish several ports."),
    ("with_volume", [P("volume", "string", "'/host/path:/container/path[:ro]' or 'name:/path'")], "Mount a volume."),
    ("with_volumes", [P("volumes", "string[]")], "Mount several volumes."),
    ("with_env", [P("key", "string"), P("value", "string")], "Set an environment variable."),
    ("with_envs", [P("env", "table<string,string>")], "Set environment variables (in the table's order)."),
    ("with_network", [P("network", "string")], "Connect to a network."),
    ("with_network_alias", [P("alias", "string")], "Add a network alias (not on nerdctl: use the name)."),
    ("with_network_aliases", [P("aliases", "string[]")], "Add network aliases (not on nerdctl)."),
    ("with_cpu_limit", [P("cpus", "string|number", "e.g. '0.5' or 2")], "Limit CPUs."),
    ("with_memory_limit", [P("memory", "string", "e.g. '512m', '1g'")], "Limit memory."),
    ("with_memory_swap_limit", [P("memory_swap", "string", "memory + swap, '-1' unlimited")], "Limit memory + swap."),
    ("with_cpu_shares", [P("shares", "string|integer", "2-262144, default weight 1024")], "Set the CPU weight."),
    ("with_restart_policy", [P("policy", "string", "no|always|on-failure[:N]|unless-stopped")], "Set the restart policy."),
    ("with_health_check", [P("cmd", "string", "run by /bin/sh -c in the container")], "Set a health check."),
    ("with_snapshotter", [P("snapshotter", "string")], "Use a containerd snapshotter (nerdctl only)."),
    ("with_detach", [P("detach", "boolean")], "false: build() waits for the container to exit (default true)."),
    ("with_command", [P("command", "string|string[]", "a string runs with sh -c; a list is the argv")],
     "Set the container's command."),
    ("with_entrypoint", [P("entrypoint", "string")], "Replace the image's entrypoint ('' clears it)."),
    ("with_workdir", [P("workdir", "string", "absolute path")], "Set the working directory."),
    ("with_user", [P("user", "string|integer", "'name', 'uid', 'name:group' or 'uid:gid'")], "Run as this user."),
    ("with_label", [P("key", "string"), P("value", "string?")], "Add a label."),
    ("with_labels", [P("labels", "table<string,string>")], "Add labels."),
]

ACTIONS: list[tuple[str, list[Param], str, str, bool]] = [  # name, params, returns, doc, changes state
    ("build", [P("timeout", "number?", "seconds for the run command")], "self",
     "Create and start the container with one `run`; refuses a name that exists (reset() first).", True),
    ("start", [], RESULT, "Start it (build it first, pulling a missing image); verify it runs.", True),
    ("stop", [P("timeout", "integer?", "seconds before the engine kills it")], RESULT, "Stop it.", True),
    ("remove", [P("force", "boolean?")], RESULT, "Remove it (force: even when running).", True),
    ("exec", [P("command", "string|string[]", "a string runs with sh -c; a list is the argv")], RESULT,
     "Run a command in it; a non-zero exit raises.", True),
    ("copy", [P("source", "string", "'/local/path' or 'container:/path'"), P("dest", "string")], RESULT,
     "Copy files between host and container.", True),
    ("logs", [P("tail", "integer?", "only the last N lines")], RESULT, "Its output so far.", False),
    ("status", [], "ContainerStatus", "State, times, exit code, health (one inspect).", False),
    ("health_status", [], "string", "'healthy', 'unhealthy', 'starting', or '' without a health check.", False),
    ("resources", [], "ResourceUsage", "CPU, memory, network, block I/O and pids (one stats sample).", False),
    ("commit", [P("image_name", "string")], RESULT, "Save its filesystem as an image.", True),
    ("export", [P("path", "string", "tarball path")], RESULT, "Write its filesystem as a tarball.", True),
    ("wait_running", [P("timeout", "number?", "seconds, default 30")], "ContainerStatus",
     "Wait until it runs; fails at once if it exited.", False),
    ("wait_healthy", [P("timeout", "number?", "seconds, default 60")], "ContainerStatus",
     "Wait until its health check passes; fails at once when unhealthy.", False),
]

# --- global functions: (Lua name, Python name, params, returns, doc, changes state) ---------------

FUNCTIONS: list[tuple[str, str, list[Param], str, str, bool]] = [
    ("nerdctl_run", "run", [P("image", "string"), P("name", "string?"), P("detach", "boolean?", "default true"),
                            P("ports", "string[]?"), P("snapshotter", "string?"),
                            P("command", "(string|string[])?")], "string",
     "Run a container; returns its id (detached) or its output (detach=false).", True),
    ("nerdctl_run_with_name", "run_with_name", [P("image", "string"), P("name", "string")], "string",
     "Run a named container, detached; returns its id.", True),
    ("nerdctl_run_with_port", "run_with_port", [P("image", "string"), P("name", "string"), P("port", "string")],
     "string", "Run a named container publishing one port; returns its id.", True),
    ("nerdctl_exec", "exec", [P("container", "string"), P("command", "string|string[]")], RESULT,
     "Run a command in a running container.", True),
    ("nerdctl_copy", "copy", [P("source", "string"), P("dest", "string")], RESULT,
     "Copy between host and container ('container:/path' on one side).", True),
    ("nerdctl_stop", "stop", [P("container", "string"), P("timeout", "integer?")], RESULT, "Stop a container.", True),
    ("nerdctl_remove", "remove", [P("container", "string"), P("force", "boolean?")], RESULT,
     "Remove a container.", True),
    ("nerdctl_list", "list", [P("all", "boolean?", "include stopped containers")], "ContainerList",
     "Containers (a list of records that also carries stdout, stderr, success, code).", False),
    ("nerdctl_logs", "logs", [P("container", "string"), P("tail", "integer?")], RESULT, "A container's output.", False),
    ("nerdctl_images", "images", [], "ImageList",
     "Images (a list of records that also carries stdout, stderr, success, code).", False),
    ("nerdctl_image_remove", "image_remove", [P("image", "string"), P("force", "boolean?")], RESULT,
     "Remove an image.", True),
    ("nerdctl_image_push", "image_push", [P("image", "string"), P("destination", "string?")], RESULT,
     "Push an image (tagged as destination first when given).", True),
    ("nerdctl_image_tag", "image_tag", [P("image", "string"), P("new_name", "string")], RESULT, "Tag an image.", True),
    ("nerdctl_image_pull", "image_pull", [P("image", "string")], RESULT, "Pull an image.", True),
    ("nerdctl_image_commit", "image_commit", [P("container", "string"), P("image_name", "string")], RESULT,
     "Save a container's filesystem as an image.", True),
    ("nerdctl_image_build", "image_build", [P("tag", "string"), P("context_path", "string"),
                                            P("dockerfile", "string?"), P("build_args", "table<string,string>?")],
     RESULT, "Build an image from a folder with a Dockerfile.", True),
    ("nerdctl_network_create", "network_create", [P("name", "string"), P("driver", "string?", "default 'bridge'")],
     RESULT, "Create a user network: containers on it reach each other by name (with_network).", True),
    ("nerdctl_network_remove", "network_remove", [P("name", "string")], RESULT,
     "Remove a network (no container may be connected).", True),
]

RESULT_LIST_FIELDS = [FieldDef("stdout", "string"), FieldDef("stderr", "string"), FieldDef("success", "boolean"),
                      FieldDef("code", "integer")]


def _types(r: Registry) -> None:
    r.type(CONTAINER, "object", "A container: configure with with_*, then build() or start(), then operate.",
           python="herodo_py.nerdctl.container.operations:Container")
    r.type(RESULT, "record", "What an engine command did.", python="herodo_py.nerdctl.executor:CommandResult",
           fields=[FieldDef("stdout", "string"), FieldDef("stderr", "string"), FieldDef("success", "boolean"),
                   FieldDef("code", "integer"), FieldDef("command", "string", "the argv as one shell line"),
                   FieldDef("argv", "string[]"), FieldDef("duration", "number", "seconds"),
                   FieldDef("dry_run", "boolean")])
    r.type("ContainerStatus", "record", "A container's state (inspect).",
           python="herodo_py.nerdctl.container.types:ContainerStatus")
    r.type("ResourceUsage", "record", "One stats sample.", python="herodo_py.nerdctl.container.types:ResourceUsage")
    r.type("HealthCheck", "record", "A container's health check.",
           python="herodo_py.nerdctl.container.types:HealthCheck")
    r.type("Image", "record", "One image reference (images).", python="herodo_py.nerdctl.image:Image")
    r.type("ImageList", "record", "Images, with the command's stdout, stderr, success, code.",
           python="herodo_py.nerdctl.image:ImageList", fields=RESULT_LIST_FIELDS, item="Image")
    r.type("ContainerSummary", "record", "One container of nerdctl_list().",
           python="herodo_py.nerdctl.container.functions:ContainerSummary")
    r.type("ContainerList", "record", "Containers, with the command's stdout, stderr, success, code.",
           python="herodo_py.nerdctl.container.functions:ContainerList", fields=RESULT_LIST_FIELDS,
           item="ContainerSummary")
    r.type("EngineInfo", "record", "The engine in use and its settings.", python=f"{__name__}:EngineInfo",
           fields=EngineInfo.FIELDS)
    r.type("HealthCheckOptions", "options", "with_health_check_options{...}", fields=[
        FieldDef("cmd", "string", "run by /bin/sh -c in the container"), FieldDef("interval", f"({DURATION})?"),
        FieldDef("timeout", f"({DURATION})?"), FieldDef("retries", "integer?"),
        FieldDef("start_period", f"({DURATION})?")])
    r.type("EngineOptions", "options", "nerdctl_configure{...}; '' restores a default.", fields=[
        FieldDef("engine", "string?", "name or path of nerdctl, docker or podman"),
        FieldDef("namespace", "string?", "nerdctl namespace"), FieldDef("address", "string?", "engine socket"),
        FieldDef("snapshotter", "string?", "nerdctl snapshotter"),
        FieldDef("timeout", "number?", "seconds per command"),
        FieldDef("long_timeout", "number?", "seconds for pull, push, build...")])


def register(r: Registry) -> None:
    """Add the nerdctl bindings to ``r``."""
    _types(r)

    @r.function("nerdctl_container_new", [P("name", "string")], CONTAINER,
                "A container handle; takes the id of an existing container of that name.")
    def container_new(name: str) -> Any:
        return _api().Container.new(name)

    @r.function("nerdctl_container_from_image", [P("name", "string"), P("image", "string")], CONTAINER,
                "A container to build from an image.")
    def container_from_image(name: str, image: str) -> Any:
        return _api().Container.from_image(name, image)

    for lua_name, py_name, params, returns, doc, changes in FUNCTIONS:
        r.function(lua_name, params, returns, doc, changes_state=changes)(_function(py_name))

    @r.function("nerdctl_engine", [], "EngineInfo", "The engine in use and its settings.")
    def engine() -> EngineInfo:
        return engine_info()

    @r.function("nerdctl_configure", [P("options", "EngineOptions")], "EngineInfo",
                "Change engine settings for the rest of the script.")
    def configure(options: dict[str, Any]) -> EngineInfo:
        from herodo_py.nerdctl.executor import current_executor

        current_executor().configure(**{k: (None if v == "" else v) for k, v in options.items()})
        return engine_info()

    for name, params, doc in BUILDER:
        r.method(CONTAINER, name, params, "self", doc, changes_state=name == "reset")(_forward(name))

    @r.method(CONTAINER, "with_health_check_options",
              [P("cmd", "string|HealthCheckOptions"), P("interval", f"({DURATION})?"),
               P("timeout", f"({DURATION})?"), P("retries", "integer?"), P("start_period", f"({DURATION})?")],
              "self", "A health check with options; nil leaves one to the engine.",
              overloads=("fun(self: Container, options: HealthCheckOptions): Container",))
    def with_health_check_options(obj: Any, cmd: Any, *options: Any) -> Any:
        if isinstance(cmd, dict):
            if any(o is not None for o in options):
                from herodo_py.nerdctl.validate import fail

                raise fail("health check options", "table and more arguments",
                           "either a table {cmd=..., interval=...} or positional values, not both")
            return obj.with_health_check_options(**cmd)
        return obj.with_health_check_options(cmd, *options)

    for name, params, returns, doc, changes in ACTIONS:
        r.method(CONTAINER, name, params, returns, doc, changes_state=changes)(_forward(name))
