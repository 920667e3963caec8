"""Containers in Lua: ``nerdctl_container_new``/``_from_image``, the ``Container`` object (its builder and
actions) and the static functions on a name or id (``nerdctl_run``, ``nerdctl_exec`` ...). The names are
the original's (DESIGN.md "Lua names"); the behaviour is :mod:`herodo_py.nerdctl.container`'s."""

from __future__ import annotations

from ..registry import FieldDef
from .rows import DOCUMENT, DURATION, RESULT, RESULT_LIST_FIELDS, Noun, P, TypeDef, function, method

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

CONTAINER = "Container"
CTR = P("container", "string", "name or id")
SIGNAL = P("signal", "(string|integer)?", "'SIGTERM', 'TERM', 'KILL' or 1-64; default KILL")


def _container_new(name: str) -> Any:
    import herodo_py.nerdctl as api  # here: the library loads on a script's first call

    return api.Container.new(name)


def _container_from_image(name: str, image: str) -> Any:
    import herodo_py.nerdctl as api  # here: the library loads on a script's first call

    return api.Container.from_image(name, image)


def _with_health_check_options(obj: Any, cmd: Any, *options: Any) -> Any:
    if isinstance(cmd, dict):
        if any(o is not None for o in options):
            from herodo_py.nerdctl.validate import fail  # (loaded: the script built a container)

            raise fail("health check options", "table and more arguments",
                       "either a table {cmd=..., interval=...} or positional values, not both")
        return obj.with_health_check_options(**cmd)
    return obj.with_health_check_options(cmd, *options)


def _builder(name: str, params: list[P], doc: str, **options: Any) -> Any:
    """A builder method: it returns the container (``self``) so calls chain, and runs no command."""
    return method(CONTAINER, name, params, "self", doc, **{"waits": False, **options})


BUILDER = (
    _builder("reset", [], "Remove any container of this name, forget the id, clear the configuration (not name and "
             "image).", changes_state=True, waits=True),
    _builder("with_port", [P("port", "string", "'[ip:]host:container[/tcp|udp]', e.g. '8080:80'")], "Publish a port."),
    _builder("with_ports", [P("ports", "string[]")], "Publish several ports."),
    _builder("with_volume", [P("volume", "string", "'/host/path:/container/path[:ro]' or 'name:/path'")],
             "Mount a volume.", guard="volume"),
    _builder("with_volumes", [P("volumes", "string[]")], "Mount several volumes.", guard="volumes"),
    _builder("with_env", [P("key", "string"), P("value", "string")], "Set an environment variable."),
    _builder("with_envs", [P("env", "table<string,string>")], "Set environment variables (in the table's order)."),
    _builder("with_network", [P("network", "string")], "Connect to a network.", guard="network"),
    _builder("with_network_alias", [P("alias", "string")], "Add a network alias (not on nerdctl: use the name)."),
    _builder("with_network_aliases", [P("aliases", "string[]")], "Add network aliases (not on nerdctl)."),
    _builder("with_cpu_limit", [P("cpus", "string|number", "e.g. '0.5' or 2")], "Limit CPUs."),
    _builder("with_memory_limit", [P("memory", "string", "e.g. '512m', '1g'")], "Limit memory."),
    _builder("with_memory_swap_limit", [P("memory_swap", "string", "memory + swap, '-1' unlimited")],
             "Limit memory + swap."),
    _builder("with_cpu_shares", [P("shares", "string|integer", "2-262144, default weight 1024")],
             "Set the CPU weight."),
    _builder("with_restart_policy", [P("policy", "string", "no|always|on-failure[:N]|unless-stopped")],
             "Set the restart policy."),
    _builder("with_health_check", [P("cmd", "string", "run by /bin/sh -c in the container")], "Set a health check."),
    _builder("with_snapshotter", [P("snapshotter", "string")], "Use a containerd snapshotter (nerdctl only)."),
    _builder("with_detach", [P("detach", "boolean")], "false: build() waits for the container to exit (default true)."),
    _builder("with_command", [P("command", "string|string[]", "a string runs with sh -c; a list is the argv")],
             "Set the container's command."),
    _builder("with_entrypoint", [P("entrypoint", "string")], "Replace the image's entrypoint ('' clears it)."),
    _builder("with_workdir", [P("workdir", "string", "absolute path")], "Set the working directory."),
    _builder("with_user", [P("user", "string|integer", "'name', 'uid', 'name:group' or 'uid:gid'")],
             "Run as this user."),
    _builder("with_label", [P("key", "string"), P("value", "string?")], "Add a label."),
    _builder("with_labels", [P("labels", "table<string,string>")], "Add labels."),
    _builder("with_health_check_options",
             [P("cmd", "string|HealthCheckOptions"), P("interval", f"({DURATION})?"), P("timeout", f"({DURATION})?"),
              P("retries", "integer?"), P("start_period", f"({DURATION})?")],
             "A health check with options; nil leaves one to the engine.", call=_with_health_check_options,
             overloads=("fun(self: Container, options: HealthCheckOptions): Container",)),
)

ACTIONS = (
    method(CONTAINER, "build", [P("timeout", "number?", "seconds for the run command")], "self",
           "Create and start the container with one `run`; refuses a name that exists (reset() first).",
           changes_state=True),
    method(CONTAINER, "start", [], RESULT, "Start it (build it first, pulling a missing image); verify it runs.",
           changes_state=True),
    method(CONTAINER, "stop", [P("timeout", "integer?", "seconds before the engine kills it")], RESULT, "Stop it.",
           changes_state=True),
    method(CONTAINER, "remove", [P("force", "boolean?")], RESULT, "Remove it (force: even when running).",
           changes_state=True),
    method(CONTAINER, "exec", [P("command", "string|string[]", "a string runs with sh -c; a list is the argv")],
           RESULT, "Run a command in it; a non-zero exit raises.", changes_state=True),
    method(CONTAINER, "copy", [P("source", "string", "'/local/path' or 'container:/path'"), P("dest", "string")],
           RESULT, "Copy files between host and container.", changes_state=True, guard="copy"),
    method(CONTAINER, "logs", [P("tail", "integer?", "only the last N lines")], RESULT, "Its output so far."),
    method(CONTAINER, "status", [], "ContainerStatus", "State, times, exit code, health (one inspect)."),
    method(CONTAINER, "health_status", [], "string",
           "'healthy', 'unhealthy', 'starting', or '' without a health check."),
    method(CONTAINER, "resources", [], "ResourceUsage", "CPU, memory, network, block I/O and pids (one stats sample)."),
    method(CONTAINER, "commit", [P("image_name", "string")], RESULT, "Save its filesystem as an image.",
           changes_state=True),
    method(CONTAINER, "export", [P("path", "string", "tarball path")], RESULT, "Write its filesystem as a tarball.",
           changes_state=True, guard="export"),
    method(CONTAINER, "ensure", [P("policy", "string?", "on drift: 'recreate' (default) | 'fail' | 'leave'")],
           "self", "Make it exist and run with exactly this configuration, changing only what differs; "
           "what it did: outcome().", changes_state=True),
    method(CONTAINER, "ensure_absent", [], "self", "Make sure no container of this name exists; what it did: "
           "outcome().", changes_state=True),
    method(CONTAINER, "outcome", [], "Outcome?", "What the last ensure()/ensure_absent() did (nil before one).",
           call=lambda container: container.outcome),
    method(CONTAINER, "wait_running", [P("timeout", "number?", "seconds, default 30")], "ContainerStatus",
           "Wait until it runs; fails at once if it exited."),
    method(CONTAINER, "wait_healthy", [P("timeout", "number?", "seconds, default 60")], "ContainerStatus",
           "Wait until its health check passes; fails at once when unhealthy."),
    method(CONTAINER, "restart", [P("timeout", "integer?", "seconds before the engine kills it")], RESULT,
           "Stop and start it again.", changes_state=True),
    method(CONTAINER, "kill", [SIGNAL], RESULT, "Send a signal to its main process.", changes_state=True),
    method(CONTAINER, "pause", [], RESULT, "Freeze all its processes.", changes_state=True),
    method(CONTAINER, "unpause", [], RESULT, "Thaw its processes.", changes_state=True),
    method(CONTAINER, "wait", [P("timeout", "number?", "seconds; then WaitTimeout, the container runs on")],
           "integer", "Wait until it exits; its exit code."),
    method(CONTAINER, "inspect", [], DOCUMENT, "The engine's whole inspect document."),
    method(CONTAINER, "port", [P("container_port", "string|integer", "80, '80/tcp', '53/udp'")], "string[]",
           "Host addresses publishing that port ('127.0.0.1:8080'); empty when not published."),
    method(CONTAINER, "copy_to", [P("host_path", "string"), P("container_path", "string", "absolute")], RESULT,
           "Copy a host file or folder into the container.", changes_state=True, guard="copy_to"),
    method(CONTAINER, "copy_from", [P("container_path", "string", "absolute"), P("host_path", "string")], RESULT,
           "Copy a file or folder from the container to the host.", changes_state=True, guard="copy_from"),
)

FUNCTIONS = (
    function("nerdctl_container_new", _container_new, [P("name", "string")], CONTAINER,
             "A container handle; takes the id of an existing container of that name."),
    function("nerdctl_container_from_image", _container_from_image, [P("name", "string"), P("image", "string")],
             CONTAINER, "A container to build from an image."),
    function("nerdctl_run", "run", [P("image", "string"), P("name", "string?"), P("detach", "boolean?", "default true"),
                                    P("ports", "string[]?"), P("snapshotter", "string?"),
                                    P("command", "(string|string[])?")], "string",
             "Run a container; returns its id (detached) or its output (detach=false).", changes_state=True),
    function("nerdctl_run_with_name", "run_with_name", [P("image", "string"), P("name", "string")], "string",
             "Run a named container, detached; returns its id.", changes_state=True),
    function("nerdctl_run_with_port", "run_with_port", [P("image", "string"), P("name", "string"),
                                                        P("port", "string")],
             "string", "Run a named container publishing one port; returns its id.", changes_state=True),
    function("nerdctl_exec", "exec", [P("container", "string"), P("command", "string|string[]")], RESULT,
             "Run a command in a running container.", changes_state=True),
    function("nerdctl_copy", "copy", [P("source", "string"), P("dest", "string")], RESULT,
             "Copy between host and container ('container:/path' on one side).", changes_state=True, guard="copy"),
    function("nerdctl_stop", "stop", [P("container", "string"), P("timeout", "integer?")], RESULT, "Stop a container.",
             changes_state=True),
    function("nerdctl_remove", "remove", [P("container", "string"), P("force", "boolean?")], RESULT,
             "Remove a container.", changes_state=True),
    function("nerdctl_list", "list", [P("all", "boolean?", "include stopped containers")], "ContainerList",
             "Containers (a list of records that also carries stdout, stderr, success, code)."),
    function("nerdctl_logs", "logs", [P("container", "string"), P("tail", "integer?")], RESULT,
             "A container's output."),
    function("nerdctl_restart", "restart", [CTR, P("timeout", "integer?")], RESULT, "Restart a container.",
             changes_state=True),
    function("nerdctl_kill", "kill", [CTR, SIGNAL], RESULT, "Signal a container.", changes_state=True),
    function("nerdctl_pause", "pause", [CTR], RESULT, "Pause a container.", changes_state=True),
    function("nerdctl_unpause", "unpause", [CTR], RESULT, "Unpause a container.", changes_state=True),
    function("nerdctl_wait", "wait", [CTR, P("timeout", "number?")], "integer", "Wait for a container's exit code."),
    function("nerdctl_inspect", "inspect", [CTR], DOCUMENT, "A container's inspect document."),
    function("nerdctl_port", "port", [CTR, P("container_port", "string|integer")], "string[]",
             "Host addresses publishing a container port."),
)

def _fields(**types: str) -> tuple[FieldDef, ...]:
    return tuple(FieldDef(name, lua_type) for name, lua_type in types.items())


# A record's fields are declared, not read from its Python class at run time: that needs dataclasses and
# typing (several ms of a script's first call, issue 17). tests/unit/test_lua_registry.py checks them
# against the classes' annotations.
CONTAINER_FIELDS = _fields(
    name="string?", image="string?", container_id="string?", ports="string[]", volumes="string[]",
    env_vars="table<string,string>", network="string?", network_aliases="string[]", cpu_limit="string?",
    memory_limit="string?", memory_swap_limit="string?", cpu_shares="string?", restart_policy="string?",
    health_check="HealthCheck?", detach="boolean", snapshotter="string?", command="string[]", entrypoint="string?",
    workdir="string?", user="string?", labels="table<string,string>", run_flags="string[]", result="CommandResult?")
SUMMARY_FIELDS = _fields(id="string", names="string[]", image="string", command="string", created="string",
                         status="string", state="string", ports="string[]", labels="table<string,string>",
                         name="string")
STATUS_FIELDS = _fields(state="string", status="string", running="boolean", created="string", started="string",
                        finished="string", exit_code="integer", pid="integer", restart_count="integer",
                        health_status="string", health_output="string", error="string", id="string",
                        name="string", image="string")
USAGE_FIELDS = _fields(
    id="string", name="string", cpu_usage="string", memory_usage="string", memory_limit="string",
    memory_percentage="string", network_input="string", network_output="string", block_input="string",
    block_output="string", pids="string", cpu_percent="number?", memory_percent="number?",
    memory_usage_bytes="integer?", memory_limit_bytes="integer?", network_input_bytes="integer?",
    network_output_bytes="integer?", block_input_bytes="integer?", block_output_bytes="integer?",
    pids_count="integer?")

NOUN = Noun(
    "container",
    types=(
        TypeDef(CONTAINER, "object", "A container: configure with with_*, then build() or start(), then operate.",
                "herodo_py.nerdctl.container.operations:Container", CONTAINER_FIELDS),
        TypeDef("ContainerStatus", "record", "A container's state (inspect).",
                "herodo_py.nerdctl.container.types:ContainerStatus", STATUS_FIELDS),
        TypeDef("ResourceUsage", "record", "One stats sample.", "herodo_py.nerdctl.container.types:ResourceUsage",
                USAGE_FIELDS),
        TypeDef("HealthCheck", "record", "A container's health check.",
                "herodo_py.nerdctl.container.types:HealthCheck", _fields(
                    cmd="string", interval="string?", timeout="string?", retries="integer?",
                    start_period="string?")),
        TypeDef("ContainerSummary", "record", "One container of nerdctl_list().",
                "herodo_py.nerdctl.container.functions:ContainerSummary", SUMMARY_FIELDS),
        TypeDef("ContainerList", "record", "Containers, with the command's stdout, stderr, success, code.",
                "herodo_py.nerdctl.container.functions:ContainerList", RESULT_LIST_FIELDS, item="ContainerSummary"),
        TypeDef("HealthCheckOptions", "options", "with_health_check_options{...}", fields=(
            FieldDef("cmd", "string", "run by /bin/sh -c in the container"), FieldDef("interval", f"({DURATION})?"),
            FieldDef("timeout", f"({DURATION})?"), FieldDef("retries", "integer?"),
            FieldDef("start_period", f"({DURATION})?"))),
    ),
    rows=(*FUNCTIONS, *BUILDER, *ACTIONS),
    creates=(("run",), ("create",), ("container", "run"), ("container", "create")),
    sweep="herodo_py.nerdctl.container.functions:remove_labelled",
    sweep_rank=0,
    listed_by_keep=True,
)
