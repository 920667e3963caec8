"""Stacks in Lua: ``nerdctl_stack(name, spec)`` and ``nerdctl_compose_load(path, options)`` make a ``Stack``
object (up, down, build, ps, logs, service, exec); the behaviour is :mod:`herodo_py.nerdctl.stack`'s.

Under ``--sandbox`` the sandbox's ``stack`` and ``compose`` guards hand the library a confinement
(every host path a stack uses stays in the script's folder, checked when used) and, for compose
files, only the environment a sandboxed script may read."""

from __future__ import annotations

from ..registry import FieldDef
from .rows import RESULT, Noun, P, TypeDef, function, method

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

STACK = "Stack"


def _stack(name: str, spec: dict[str, Any], confine: Any = None) -> Any:
    from herodo_py.nerdctl.stack import Stack  # here: the library loads on a script's first call

    return Stack(name, spec, confine=confine)


def _compose_load(path: str, options: dict[str, Any] | None = None, confine: Any = None,
                  environ: dict[str, str] | None = None) -> Any:
    """``options.env`` adds variables to (a sandbox: replaces) the environment ``${VAR}`` reads."""
    import os

    from herodo_py.nerdctl.stack import load_compose  # here: the library loads on a script's first call

    options = options or {}
    variables = {**(os.environ if environ is None else environ), **(options.get("env") or {})}
    return load_compose(path, environ=variables, profiles=options.get("profiles"), name=options.get("name"),
                        confine=confine)


def _up(stack: Any, options: dict[str, Any] | None = None) -> Any:
    return stack.up(**(options or {}))


def _down(stack: Any, options: dict[str, Any] | None = None) -> Any:
    return stack.down(**(options or {}))


METHODS = (
    method(STACK, "up", [P("options", "StackUpOptions?")], "StackUpResult",
           "Bring the stack to its spec: networks, volumes, then services in dependency order (independent ones "
           "at once); unchanged containers are left alone. Raises naming the failing service.",
           changes_state=True, call=_up),
    method(STACK, "down", [P("options", "StackDownOptions?")], "string[]",
           "Remove the stack's containers and networks (volumes with volumes=true), found by labels; returns "
           "the names removed.", changes_state=True, call=_down),
    method(STACK, "build", [], "string[]", "Build the images that have a recipe (compose build:), pull missing "
           "others; returns the images built or pulled.", changes_state=True),
    method(STACK, "ps", [], "StackContainer[]", "Every container of the stack, by service and replica."),
    method(STACK, "logs", [P("service", "string"), P("tail", "integer?", "only the last N lines of each")], "string",
           "The output of every replica of a service, each line prefixed with its container name."),
    method(STACK, "service", [P("name", "string")], "Container[]", "The service's containers (replica order)."),
    method(STACK, "exec", [P("service", "string"), P("command", "string|string[]", "a string runs with sh -c"),
                           P("replica", "integer?", "default 1")], RESULT,
           "Run a command in a replica of a service; a non-zero exit raises.", changes_state=True),
)

# No `creates`/`sweep` of its own: a stack's objects are made by `run`, `network create` and `volume create`
# with the executor's labels (a `herodo test` run's among them), which the container, network and volume
# nouns declare and sweep (tests/lua/test_herodo_test.py: a stack left up is swept, volume included).
NOUN = Noun(
    "stack",
    types=(
        TypeDef(STACK, "object", "Many containers as one unit (nerdctl_stack, nerdctl_compose_load).",
                "herodo_py.nerdctl.stack.stack:Stack"),
        TypeDef("StackUpResult", "record", "What up() changed.", "herodo_py.nerdctl.stack.up:UpResult", (
            FieldDef("changed", "integer", "how many objects changed (0: the stack was already up)"),
            FieldDef("changes", "StackChange[]", "one per container, network and volume"))),
        TypeDef("StackChange", "record", "What up() did to one object.",
                "herodo_py.nerdctl.stack.converge:Change", (
                    FieldDef("kind", "string", "container, network or volume"), FieldDef("name", "string"),
                    FieldDef("action", "string", "created, recreated, started, unchanged or removed"),
                    FieldDef("service", "string"), FieldDef("replica", "integer"), FieldDef("detail", "string"),
                    FieldDef("changed", "boolean"))),
        TypeDef("StackContainer", "record", "One container of the stack (ps()).",
                "herodo_py.nerdctl.stack.stack:ServiceState"),
        TypeDef("StackUpOptions", "options", "stack:up{...}", fields=(
            FieldDef("jobs", "integer?", "engine commands at once (default: twice the CPUs, at most 8)"),
            FieldDef("on_failure", "string?", "'leave' (default) what started, or take the stack 'down'"),
            FieldDef("timeout", "number?", "seconds each condition (healthy, completed) may take, "
                     "default 120"))),
        TypeDef("StackDownOptions", "options", "stack:down{...}", fields=(
            FieldDef("volumes", "boolean?", "remove the stack's volumes too"),
            FieldDef("timeout", "integer?", "seconds the containers get to stop (default 0: killed)"))),
        TypeDef("ComposeOptions", "options", "nerdctl_compose_load(path, {...})", fields=(
            FieldDef("name", "string?", "the project name (default: the file's name: or its folder's)"),
            FieldDef("profiles", "string[]?", "enable the services of these profiles"),
            FieldDef("env", "table<string,string>?", "variables for ${VAR}, over the environment"))),
    ),
    rows=(
        function("nerdctl_stack", _stack, [P("name", "string", "lower-case, like a compose project"),
                                           P("spec", "table", "{networks=..., volumes=..., services=...}")],
                 STACK, "A stack from a spec, validated whole (every problem named with its path).",
                 guard="stack"),
        function("nerdctl_compose_load", _compose_load, [P("path", "string"), P("options", "ComposeOptions?")],
                 STACK, "A stack from a compose file (the common subset; any other key is refused with its line).",
                 guard="compose"),
        *METHODS,
    ),
)
