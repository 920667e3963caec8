"""Validation of a whole stack spec before anything runs: :func:`parse_spec`.

Every problem is collected with its path (``services.web.ports[2]``, lists 1-based as in Lua) and
reported together in one :class:`StackSpecError`, so a spec is fixed in one round, not one error
at a time. The compose loader passes ``where``: spec path -> "file:line" of the compose key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ConversionError, shown_value
from ..validate import (
    check_count,
    check_cpu_shares,
    check_cpus,
    check_duration,
    check_env_key,
    check_env_value,
    check_image,
    check_label_key,
    check_name,
    check_path,
    check_port,
    check_restart_policy,
    check_size,
    check_text,
    check_user,
)
from .graph import dependency_cycle
from .spec import (
    CONDITIONS,
    DEFAULT_NETWORK,
    BuildSpec,
    HealthSpec,
    Limits,
    Mount,
    NetworkSpec,
    ServiceSpec,
    StackSpec,
    VolumeSpec,
)

__all__ = ["SERVICE_KEYS", "StackSpecError", "check_stack_name", "parse_spec"]

_STACK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_SIGNAL = re.compile(r"(?:SIG)?[A-Z][A-Z0-9+-]*|[0-9]{1,2}")
_EXPOSE = re.compile(r"[0-9]{1,5}(?:-[0-9]{1,5})?(?:/(?:tcp|udp|sctp))?")
MAX_REPLICAS = 100

TOP_KEYS = ("services", "networks", "volumes")
SERVICE_KEYS = ("image", "build", "command", "entrypoint", "env", "ports", "expose", "volumes", "networks",
                "depends_on", "health_check", "restart", "replicas", "labels", "user", "workdir", "limits",
                "init", "stop_signal", "container_name")
LIMIT_KEYS = ("cpus", "memory", "memory_swap", "cpu_shares")
HEALTH_KEYS = ("cmd", "interval", "timeout", "retries", "start_period")
RESOURCE_KEYS = ("driver", "labels", "external", "name")
CONDITION_WORDS = "'started', 'healthy' or 'completed'"


class StackSpecError(ConversionError):
    """A stack spec with problems; ``problems`` lists ``(path, message, where)`` for each."""

    def __init__(self, stack: str, problems: list[tuple[str, str, str | None]], *, source: str = "the spec") -> None:
        lines = [f"{where + ': ' if where else ''}{path}: {message}" for path, message, where in problems]
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"stack {stack!r}: {len(problems)} {noun} in {source} (nothing was run):\n  "
                         + "\n  ".join(lines),
                         field=problems[0][0], value=None, expected=problems[0][1],
                         hint="fix every listed key; a list index counts from 1")
        self.problems = problems


def check_stack_name(value: Any) -> str:
    expected = "lower-case letters, digits, '_' and '-', starting with a letter or digit (like a compose project)"
    check_text(value, "stack name", expected)
    if not _STACK_NAME.fullmatch(value):
        raise ConversionError(field="stack name", value=value, expected=expected)
    return value


class _Problems:
    """Collects problems; ``check`` runs a validator and records its failure under ``path``."""

    def __init__(self, where: Mapping[str, str] | None) -> None:
        self.items: list[tuple[str, str, str | None]] = []
        self.where = where or {}

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message, self._locate(path)))

    def _locate(self, path: str) -> str | None:
        while path:
            if path in self.where:
                return self.where[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def check(self, path: str, validator: Callable[..., Any], value: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return validator(value, path, *args, **kwargs)
        except ConversionError as exc:
            text = f"{shown_value(value)} (expected {exc.expected})" if exc.expected else exc.message
            self.add(path, text + (f"; {exc.hint}" if exc.hint else ""))
            return None

    def mapping(self, path: str, value: Any, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(path, f"{shown_value(value)} (expected a table of key = value pairs)")
            return {}
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.add(path, f"key {shown_value(key)} (expected text keys)")
            elif allowed is not None and key not in allowed:
                self.add(f"{path}.{key}", f"unknown key (expected one of {', '.join(allowed)})")
            else:
                result[key] = item
        return result

    def listing(self, path: str, value: Any) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, Mapping) and not value:  # an empty Lua table
            return []
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            self.add(path, f"{shown_value(value)} (expected a list)")
            return []
        return list(value)


def _argv(problems: _Problems, path: str, value: Any, *, allow_empty: bool) -> list[str] | None:
    """A command or entrypoint: a list is argv; a string runs through ``sh -c`` (command) or is one
    executable (entrypoint, handled by the caller)."""
    if isinstance(value, str):
        if not value.strip():
            problems.add(path, f"{shown_value(value)} (expected a non-empty command)")
            return None
        return ["sh", "-c", *(["--"] if value.startswith("-") else []), value]
    items = problems.listing(path, value)
    argv = [problems.check(f"{path}[{i}]", check_text, v, allow_empty=True) for i, v in enumerate(items, 1)]
    if not allow_empty and not items:
        problems.add(path, "an empty list (expected a command like {'ls', '-l'} or a shell string)")
    return [a for a in argv if a is not None]


def _text_map(problems: _Problems, path: str, value: Any, key_check: Callable[..., str],
              value_check: Callable[..., str] = check_env_value) -> dict[str, str]:
    result = {}
    for key, item in problems.mapping(path, value).items():
        checked_key = problems.check(f"{path}.{key}", key_check, key)
        checked = problems.check(f"{path}.{key}", value_check, item)
        if checked_key is not None and checked is not None:
            result[checked_key] = checked
    return result


def _resources(problems: _Problems, stack: str, kind: str, value: Any,
               make: Callable[..., Any]) -> dict[str, Any]:
    """Top-level ``networks`` or ``volumes``: a list of keys or key -> options."""
    if isinstance(value, (list, tuple)):
        keys = {}
        for i, key in enumerate(value, 1):
            if isinstance(key, str):
                keys[key] = {}
            else:
                problems.add(f"{kind}[{i}]", f"{shown_value(key)} (expected a name)")
        value = keys
    result = {}
    for key, options in problems.mapping(kind, value).items():
        path = f"{kind}.{key}"
        problems.check(path, check_name, key)
        opts = problems.mapping(path, options if options not in (True,) else {}, RESOURCE_KEYS)
        external = opts.get("external", False)
        if not isinstance(external, bool):
            problems.add(f"{path}.external", f"{shown_value(external)} (expected true or false)")
        name = opts.get("name")
        if name is not None:
            name = problems.check(f"{path}.name", check_name, name)
        driver = opts.get("driver")
        if driver is not None:
            driver = problems.check(f"{path}.driver", check_name, driver)
        labels = _text_map(problems, f"{path}.labels", opts.get("labels"), check_label_key)
        result[key] = make(key=key, name=name or (key if external is True else f"{stack}_{key}"),
                           driver=driver, labels=labels, external=external is True)
    return result


def _health(problems: _Problems, path: str, value: Any) -> HealthSpec | None:
    if value is False:
        return HealthSpec(cmd=None)
    if isinstance(value, str):
        value = {"cmd": value}
    opts = problems.mapping(path, value, HEALTH_KEYS)
    if "cmd" not in opts:
        if opts or isinstance(value, Mapping):
            problems.add(f"{path}.cmd", "missing (expected the check's shell command)")
        return None
    cmd = problems.check(f"{path}.cmd", check_text, opts["cmd"])
    durations = {k: problems.check(f"{path}.{k}", check_duration, opts[k])
                 for k in ("interval", "timeout", "start_period") if opts.get(k) is not None}
    retries = None
    if opts.get("retries") is not None:
        retries = problems.check(f"{path}.retries", check_count, opts["retries"], minimum=1)
    if cmd is not None and not cmd.strip():
        problems.add(f"{path}.cmd", "empty (expected a shell command)")
    return HealthSpec(cmd=cmd, retries=retries, **durations)


def _mount(problems: _Problems, path: str, value: Any, base_dir: str, volumes: Mapping[str, Any]) -> Mount | None:
    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) == 1:
            source, target, mode = None, parts[0], ""
        elif len(parts) in (2, 3):
            source, target, mode = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
        else:
            problems.add(path, f"{shown_value(value)} (expected 'source:/container/path[:ro]')")
            return None
        if mode not in ("", "ro", "rw"):
            problems.add(path, f"mode {mode!r} (expected 'ro' or 'rw')")
        value = {"source": source, "target": target, "read_only": mode == "ro"}
    opts = problems.mapping(path, value, ("type", "source", "target", "read_only"))
    target = problems.check(f"{path}.target", check_path, opts.get("target"), absolute=True)
    read_only = opts.get("read_only", False)
    if not isinstance(read_only, bool):
        problems.add(f"{path}.read_only", f"{shown_value(read_only)} (expected true or false)")
    source = opts.get("source")
    kind = opts.get("type")
    if source in (None, ""):
        return Mount("anonymous", target or "/", None, read_only is True) if target else None
    if not isinstance(source, str):
        problems.add(f"{path}.source", f"{shown_value(source)} (expected a path or a volume name)")
        return None
    is_path = source.startswith(("/", ".", "~"))
    if kind is None:
        kind = "bind" if is_path else "volume"
    if kind not in ("bind", "volume"):
        problems.add(f"{path}.type", f"{shown_value(kind)} (expected 'bind' or 'volume')")
        return None
    if kind == "bind":
        source = os.path.normpath(os.path.join(base_dir, os.path.expanduser(source)))
        if ":" in source or "," in source:
            problems.add(f"{path}.source", f"{shown_value(source)} (expected a path without ':' or ',')")
            return None
    elif source not in volumes:
        declared = ", ".join(volumes) or "none"
        problems.add(f"{path}.source", f"volume {source!r} is not declared in the stack's volumes "
                                       f"(declared: {declared})")
        return None
    return Mount(kind, target, source, read_only is True) if target else None  # type: ignore[arg-type]


def _networks(problems: _Problems, path: str, value: Any, declared: Mapping[str, Any]) -> dict[str, list[str]]:
    if isinstance(value, (list, tuple)):
        value = {n: {} for n in value if isinstance(n, str)} if all(isinstance(n, str) for n in value) else value
    result: dict[str, list[str]] = {}
    for key, options in problems.mapping(path, value).items():
        if key not in declared and key != DEFAULT_NETWORK:
            problems.add(f"{path}.{key}", f"network {key!r} is not declared in the stack's networks "
                                          f"(declared: {', '.join(declared) or 'none'})")
            continue
        opts = problems.mapping(f"{path}.{key}", options if options not in (True,) else {}, ("aliases",))
        aliases = problems.listing(f"{path}.{key}.aliases", opts.get("aliases"))
        result[key] = [a for i, a in enumerate(aliases, 1)
                       if problems.check(f"{path}.{key}.aliases[{i}]", check_name, a) is not None]
    return result or {DEFAULT_NETWORK: []}


def _depends_on(problems: _Problems, path: str, value: Any) -> dict[str, Any]:
    if isinstance(value, (list, tuple)):
        value = dict.fromkeys(value, "started") if all(isinstance(d, str) for d in value) else value
    result = {}
    for dep, condition in problems.mapping(path, value).items():
        if isinstance(condition, Mapping):
            condition = problems.mapping(f"{path}.{dep}", condition, ("condition",)).get("condition", "started")
        if condition not in CONDITIONS:
            problems.add(f"{path}.{dep}", f"condition {shown_value(condition)} (expected {CONDITION_WORDS})")
            continue
        result[dep] = condition
    return result


def _limits(problems: _Problems, path: str, value: Any) -> Limits:
    opts = problems.mapping(path, value, LIMIT_KEYS)
    checks = {"cpus": check_cpus, "memory": check_size, "cpu_shares": check_cpu_shares}
    values = {k: problems.check(f"{path}.{k}", checks[k], opts[k]) for k in checks if opts.get(k) is not None}
    if opts.get("memory_swap") is not None:
        values["memory_swap"] = problems.check(f"{path}.memory_swap", check_size, opts["memory_swap"],
                                               allow_unlimited=True)
        if opts.get("memory") is None:
            problems.add(f"{path}.memory_swap", "needs limits.memory as well (swap is memory + swap)")
    return Limits(**values)


def _build(problems: _Problems, path: str, value: Any, base_dir: str) -> BuildSpec | None:
    if isinstance(value, str):
        value = {"context": value}
    opts = problems.mapping(path, value, ("context", "dockerfile", "args"))
    context = problems.check(f"{path}.context", check_text, opts.get("context", "."))
    dockerfile = opts.get("dockerfile")
    if dockerfile is not None:
        dockerfile = problems.check(f"{path}.dockerfile", check_text, dockerfile)
    args = _text_map(problems, f"{path}.args", opts.get("args"), check_env_key)
    if context is None:
        return None
    context = os.path.normpath(os.path.join(base_dir, os.path.expanduser(context)))
    if dockerfile is not None:
        dockerfile = os.path.normpath(os.path.join(context, dockerfile))
    return BuildSpec(context=context, dockerfile=dockerfile, args=args)


def _service(problems: _Problems, stack: str, name: str, value: Any, base_dir: str,
             networks: Mapping[str, Any], volumes: Mapping[str, Any]) -> ServiceSpec | None:
    path = f"services.{name}"
    problems.check(path, check_name, name)
    opts = problems.mapping(path, value, SERVICE_KEYS)
    build = _build(problems, f"{path}.build", opts["build"], base_dir) if opts.get("build") is not None else None
    image = opts.get("image")
    if image is None and build is not None:
        image = f"{stack}-{name}".lower()
    image = problems.check(f"{path}.image", check_image, image)
    command = None if opts.get("command") is None else _argv(problems, f"{path}.command", opts["command"],
                                                             allow_empty=True)
    entrypoint = opts.get("entrypoint")
    if isinstance(entrypoint, str):
        entrypoint = [entrypoint] if entrypoint else []
    if entrypoint is not None:
        entrypoint = _argv(problems, f"{path}.entrypoint", entrypoint, allow_empty=True)
    replicas = problems.check(f"{path}.replicas", check_count, opts.get("replicas", 1), minimum=0) or 0
    if replicas > MAX_REPLICAS:
        problems.add(f"{path}.replicas", f"{replicas} (expected at most {MAX_REPLICAS})")
    ports = []
    for i, port in enumerate(problems.listing(f"{path}.ports", opts.get("ports")), 1):
        checked = problems.check(f"{path}.ports[{i}]", check_port, port)
        if checked is None:
            continue
        if replicas > 1 and ":" in checked.partition("/")[0]:
            problems.add(f"{path}.ports[{i}]", f"{checked!r} publishes a fixed host port but replicas = {replicas} "
                                               "(each replica would take it; publish only the container port)")
        ports.append(checked)
    expose = []
    for i, port in enumerate(problems.listing(f"{path}.expose", opts.get("expose")), 1):
        text = str(port) if isinstance(port, int) and not isinstance(port, bool) else port
        if not isinstance(text, str) or not _EXPOSE.fullmatch(text):
            problems.add(f"{path}.expose[{i}]", f"{shown_value(port)} (expected a port like '80' or '53/udp')")
        else:
            expose.append(text)
    mounts = [m for i, v in enumerate(problems.listing(f"{path}.volumes", opts.get("volumes")), 1)
              if (m := _mount(problems, f"{path}.volumes[{i}]", v, base_dir, volumes)) is not None]
    health = None if opts.get("health_check") is None else _health(problems, f"{path}.health_check",
                                                                   opts["health_check"])
    restart = opts.get("restart")
    if restart is not None:
        restart = problems.check(f"{path}.restart", check_restart_policy, restart)
    user = None if opts.get("user") is None else problems.check(f"{path}.user", check_user, opts["user"])
    workdir = None if opts.get("workdir") is None else problems.check(f"{path}.workdir", check_path,
                                                                       opts["workdir"], absolute=True)
    init = opts.get("init", False)
    if not isinstance(init, bool):
        problems.add(f"{path}.init", f"{shown_value(init)} (expected true or false)")
    stop_signal = opts.get("stop_signal")
    if stop_signal is not None and not (isinstance(stop_signal, str) and _SIGNAL.fullmatch(stop_signal)):
        problems.add(f"{path}.stop_signal", f"{shown_value(stop_signal)} (expected a signal like 'SIGTERM')")
    container_name = opts.get("container_name")
    if container_name is not None:
        container_name = problems.check(f"{path}.container_name", check_name, container_name)
        if replicas > 1:
            problems.add(f"{path}.container_name", f"set with replicas = {replicas} (one name cannot "
                                                    "be given to several containers)")
    return ServiceSpec(
        name=name, image=image or "", command=command, entrypoint=entrypoint,
        env=_text_map(problems, f"{path}.env", opts.get("env"), check_env_key),
        ports=ports, expose=expose, mounts=mounts,
        networks=_networks(problems, f"{path}.networks", opts.get("networks"), networks),
        depends_on=_depends_on(problems, f"{path}.depends_on", opts.get("depends_on")),
        health=health, restart=restart, replicas=replicas,
        labels=_text_map(problems, f"{path}.labels", opts.get("labels"), check_label_key),
        user=user, workdir=workdir, limits=_limits(problems, f"{path}.limits", opts.get("limits")),
        init=init is True, stop_signal=stop_signal, container_name=container_name, build=build,
    )


def _check_dependencies(problems: _Problems, services: dict[str, ServiceSpec]) -> None:
    for name, service in services.items():
        for dep, condition in service.depends_on.items():
            path = f"services.{name}.depends_on.{dep}"
            if dep == name:
                problems.add(path, "a service cannot depend on itself")
            elif dep not in services:
                problems.add(path, f"no service {dep!r} in the stack (services: {', '.join(services)})")
            elif condition == "healthy" and (services[dep].health is None or services[dep].health.cmd is None):
                problems.add(path, f"condition 'healthy' but service {dep!r} has no health check "
                                   "(give it health_check, or use 'started')")
    if not problems.items:
        cycle = dependency_cycle({n: list(s.depends_on) for n, s in services.items()})
        if cycle:
            problems.add(f"services.{cycle[0]}.depends_on", "dependency cycle: " + " -> ".join(cycle))


def parse_spec(name: Any, spec: Any, *, base_dir: str | None = None,
               where: Mapping[str, str] | None = None) -> StackSpec:
    """Validate ``spec`` whole and return the :class:`StackSpec`; raise :class:`StackSpecError`
    naming every problem. Relative bind sources resolve against ``base_dir`` (default: cwd)."""
    stack = check_stack_name(name)
    base = os.path.abspath(base_dir or os.getcwd())
    problems = _Problems(where)
    top = problems.mapping("spec", spec, TOP_KEYS)
    networks = _resources(problems, stack, "networks", top.get("networks"), NetworkSpec)
    volumes = _resources(problems, stack, "volumes", top.get("volumes"), VolumeSpec)
    raw_services = problems.mapping("services", top.get("services"))
    if not raw_services and not problems.items:
        problems.add("services", "no services (expected at least one)")
    services = {}
    for key, value in raw_services.items():
        service = _service(problems, stack, key, value, base, networks, volumes)
        if service is not None:
            services[key] = service
    _check_dependencies(problems, services)
    if any(DEFAULT_NETWORK in s.networks for s in services.values()) and DEFAULT_NETWORK not in networks:
        networks[DEFAULT_NETWORK] = NetworkSpec(key=DEFAULT_NETWORK, name=f"{stack}_{DEFAULT_NETWORK}")
    if problems.items:
        raise StackSpecError(stack, problems.items)
    return StackSpec(name=stack, services=services, networks=networks, volumes=volumes)
