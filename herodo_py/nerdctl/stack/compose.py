"""Compose files: :func:`load_compose` turns the common subset of the Compose Specification into a
:class:`Stack`. Anything outside the subset is an error naming the key and its line, never
silently dropped; ``x-`` extension fields are ignored wherever they appear.

Supported: top-level ``name``, ``version`` (informative, ignored), ``services``, ``networks``
(driver, labels, external, name), ``volumes`` (same); per service ``image``, ``build`` (context,
dockerfile, args), ``command``, ``entrypoint``, ``environment`` (list or map), ``env_file``,
``ports`` (short and long), ``expose``, ``volumes`` (bind and named, short and long),
``networks`` (list, or map with aliases), ``depends_on`` (list, or map with conditions),
``healthcheck`` (test as string, CMD, CMD-SHELL or NONE; interval, timeout, retries,
start_period, disable), ``restart``, ``init``, ``stop_signal``, ``labels``, ``user``,
``working_dir``, ``mem_limit``, ``memswap_limit``, ``cpus``, ``cpu_shares``,
``deploy.replicas``, ``deploy.resources.limits`` (cpus, memory), ``container_name``, ``profiles``.
``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` (and ``$$``) come from the environment, then
from a ``.env`` file beside the compose file.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ConversionError, shown_value
from .checks import StackSpecError, parse_spec
from .compose_yaml import LineMap, interpolate_tree, read_env_file, read_yaml
from .confine import Confinement
from .stack import Stack

__all__ = ["ComposeError", "load_compose"]

TOP_KEYS = ("name", "version", "services", "networks", "volumes")
SERVICE_KEYS = ("image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose",
                "volumes", "networks", "depends_on", "healthcheck", "restart", "init", "stop_signal", "labels",
                "user", "working_dir", "mem_limit", "memswap_limit", "cpus", "cpu_shares", "deploy",
                "container_name", "profiles")
RESOURCE_KEYS = ("driver", "labels", "external", "name")
CONDITIONS = {"service_started": "started", "service_healthy": "healthy",
              "service_completed_successfully": "completed"}
_PROJECT_CHARS = re.compile(r"[^a-z0-9_-]")


class ComposeError(StackSpecError):
    """A compose file outside the supported subset or with bad values (every problem listed)."""


class _Reader:
    """Walks the loaded file: collects problems with their lines and the spec paths' lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[tuple[str, str, str | None]] = []
        self.where: dict[str, str] = {}

    def at(self, line: int | None) -> str | None:
        return f"{self.file}:{line}" if line else None

    def add(self, path: str, message: str, line: int | None) -> None:
        self.problems.append((path, message, self.at(line)))

    def note(self, spec_path: str, line: int | None) -> None:
        if line:
            self.where[spec_path] = f"{self.file}:{line}"

    def keys(self, path: str, mapping: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
        """The mapping without ``x-`` keys; an unknown key is a problem at its line."""
        if mapping is None:
            return {}
        if not isinstance(mapping, Mapping):
            self.add(path, f"{shown_value(mapping)} (expected a mapping)", getattr(mapping, "line", None))
            return {}
        lines = getattr(mapping, "lines", {})
        result = {}
        for key, value in mapping.items():
            if isinstance(key, str) and key.startswith("x-"):
                continue  # extension fields: ignored, as the specification says
            if key not in allowed:
                self.add(f"{path}.{key}" if path else str(key), f"{what} key {key!r} is not supported by herodo "
                                          f"(supported: {', '.join(allowed)})", lines.get(key))
                continue
            result[key] = value
        return result

    def line(self, mapping: Any, key: Any) -> int | None:
        return getattr(mapping, "lines", {}).get(key)

    def item_line(self, seq: Any, index: int) -> int | None:
        lines = getattr(seq, "lines", [])
        return lines[index] if index < len(lines) else None


def _words(value: Any) -> Any:
    """Compose ``command``/``entrypoint``: a string is split like a shell would (no shell runs)."""
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return value
    return value


def _pairs(reader: _Reader, path: str, value: Any, lookup: Callable[[str], str | None],
           *, from_env: bool) -> dict[str, Any]:
    """``environment``/``labels``/``args`` as a list of ``K=V`` or a mapping. With ``from_env``, a
    bare ``K`` (or ``K:`` with no value) takes the variable from the environment, or is left out."""
    result: dict[str, Any] = {}
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                reader.add(f"{path}[{i + 1}]", f"{shown_value(item)} (expected 'KEY=VALUE')",
                           reader.item_line(value, i))
                continue
            key, sep, val = item.partition("=")
            if sep:
                result[key] = val
            elif from_env:
                if (env := lookup(key)) is not None:
                    result[key] = env
            else:
                result[key] = ""
        return result
    if not isinstance(value, Mapping):
        reader.add(path, f"{shown_value(value)} (expected a list of 'KEY=VALUE' or a mapping)",
                   getattr(value, "line", None))
        return result
    for key, val in value.items():
        if val is None:
            if from_env:
                if (env := lookup(str(key))) is not None:
                    result[str(key)] = env
                continue
            val = ""
        if isinstance(val, bool):
            reader.add(f"{path}.{key}", f"{val!r} (expected a string; quote it: '\"{str(val).lower()}\"')",
                       reader.line(value, key))
            continue
        result[str(key)] = val
    return result


def _port(reader: _Reader, path: str, value: Any, line: int | None) -> Any:
    if not isinstance(value, Mapping):
        return value
    opts = reader.keys(path, value, ("target", "published", "host_ip", "protocol", "mode"), "port")
    if "target" not in opts:
        reader.add(f"{path}.target", "missing (expected the container port)", line)
        return None
    if opts.get("mode", "ingress") not in ("ingress", "host"):
        reader.add(f"{path}.mode", f"{shown_value(opts['mode'])} (expected 'ingress' or 'host')", line)
    text = str(opts["target"])
    if opts.get("published") not in (None, ""):
        text = f"{opts['published']}:{text}"
        if opts.get("host_ip"):
            text = f"{opts['host_ip']}:{text}"
    if opts.get("protocol"):
        text += f"/{opts['protocol']}"
    return text


def _volume(reader: _Reader, path: str, value: Any, line: int | None) -> Any:
    if not isinstance(value, Mapping):
        if isinstance(value, str) and value.count(":") >= 2:
            source, target, mode = value.rsplit(":", 2)
            modes = mode.split(",")
            if not set(modes) <= {"ro", "rw"}:
                reader.add(path, f"mode {mode!r} is not supported by herodo (supported: ro, rw)", line)
                return None
            return f"{source}:{target}:{'ro' if 'ro' in modes else 'rw'}"
        return value
    opts = reader.keys(path, value, ("type", "source", "target", "read_only"), "volume")
    if opts.get("type") not in (None, "bind", "volume"):
        reader.add(f"{path}.type", f"{shown_value(opts['type'])} is not supported (supported: bind, volume)", line)
        return None
    return dict(opts)


def _healthcheck(reader: _Reader, path: str, value: Any) -> Any:
    opts = reader.keys(path, value, ("test", "interval", "timeout", "retries", "start_period", "disable"),
                       "healthcheck")
    line = getattr(value, "line", None)
    if opts.get("disable") is True:
        return False
    test = opts.get("test")
    if isinstance(test, list):
        kind = test[0] if test else None
        if kind == "NONE":
            return False
        if kind == "CMD" and len(test) > 1:
            test = shlex.join(str(t) for t in test[1:])
        elif kind == "CMD-SHELL" and len(test) == 2:
            test = test[1]
        else:
            reader.add(f"{path}.test", f"{shown_value(list(test))} (expected ['CMD', prog, args...], "
                                       "['CMD-SHELL', 'command'], ['NONE'] or a string)", reader.line(value, "test"))
            return None
    if test is None:
        reader.add(f"{path}.test", "missing (herodo needs the test; an image's own check is not merged)", line)
        return None
    result = {"cmd": test}
    for key in ("interval", "timeout", "start_period", "retries"):
        if key in opts:
            result[key] = opts[key]
    return result


def _resources(reader: _Reader, spec_key: str, value: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, options in reader.keys(spec_key, value, tuple(value or ()), "").items():
        reader.note(f"{spec_key}.{key}", reader.line(value, key))
        opts = reader.keys(f"{spec_key}.{key}", options, RESOURCE_KEYS, spec_key[:-1])
        if "labels" in opts:
            opts["labels"] = _pairs(reader, f"{spec_key}.{key}.labels", opts["labels"], lambda k: None, from_env=False)
        if isinstance(opts.get("external"), Mapping):  # the old form {name: x}
            name = opts["external"].get("name")
            opts["external"] = True
            if name:
                opts["name"] = name
        result[key] = opts
    return result


def _deploy(reader: _Reader, path: str, value: Any, service: dict[str, Any]) -> None:
    opts = reader.keys(path, value, ("replicas", "resources"), "deploy")
    if "replicas" in opts:
        service["replicas"] = opts["replicas"]
    resources = reader.keys(f"{path}.resources", opts.get("resources"), ("limits",), "deploy.resources")
    limits = reader.keys(f"{path}.resources.limits", resources.get("limits"), ("cpus", "memory"),
                         "deploy.resources.limits")
    target = service.setdefault("limits", {})
    for key, limit in limits.items():
        target["cpus" if key == "cpus" else "memory"] = limit


def _service(reader: _Reader, name: str, raw: Any, lookup: Callable[[str], str | None],
             base_dir: str, confine: Confinement | None) -> dict[str, Any]:
    path = f"services.{name}"
    opts = reader.keys(path, raw, SERVICE_KEYS, "service")
    spec: dict[str, Any] = {}
    simple = {"image": "image", "restart": "restart", "init": "init", "stop_signal": "stop_signal",
              "user": "user", "working_dir": "workdir", "container_name": "container_name"}
    for key, value in opts.items():
        spec_key = {"environment": "env", "env_file": "env", "healthcheck": "health_check",
                    "mem_limit": "limits", "memswap_limit": "limits", "cpus": "limits", "cpu_shares": "limits",
                    "deploy": "limits", "profiles": ""}.get(key, simple.get(key, key))
        if spec_key:
            reader.note(f"{path}.{spec_key}", reader.line(raw, key))
        line = reader.line(raw, key)
        if key in simple:
            spec[simple[key]] = "no" if key == "restart" and value is False else value
        elif key in ("command", "entrypoint"):
            spec[key] = _words(value)
        elif key in ("ports", "expose", "volumes"):
            items = value if isinstance(value, list) else None
            if items is None:
                reader.add(f"{path}.{key}", f"{shown_value(value)} (expected a list)", line)
                continue
            convert = {"ports": _port, "volumes": _volume}.get(key)
            converted = []
            for i, item in enumerate(items):
                item_line = reader.item_line(items, i)
                reader.note(f"{path}.{key}[{len(converted) + 1}]", item_line)
                item = convert(reader, f"{path}.{key}[{i + 1}]", item, item_line) if convert else item
                if item is not None:
                    converted.append(item)
            spec[key] = converted
        elif key == "networks":
            if isinstance(value, Mapping):
                nets = {}
                for net, net_opts in value.items():
                    checked = reader.keys(f"{path}.networks.{net}", net_opts, ("aliases",), "service network")
                    nets[net] = checked
                spec["networks"] = nets
            else:
                spec["networks"] = value
        elif key == "depends_on":
            if isinstance(value, Mapping):
                deps = {}
                for dep, dep_opts in value.items():
                    checked = reader.keys(f"{path}.depends_on.{dep}", dep_opts, ("condition",), "depends_on")
                    condition = checked.get("condition", "service_started")
                    if condition not in CONDITIONS:
                        reader.add(f"{path}.depends_on.{dep}.condition",
                                   f"{shown_value(condition)} (expected {', '.join(CONDITIONS)})",
                                   reader.line(value, dep))
                        continue
                    deps[dep] = CONDITIONS[condition]
                spec["depends_on"] = deps
            else:
                spec["depends_on"] = value
        elif key == "healthcheck":
            health = _healthcheck(reader, f"{path}.healthcheck", value)
            if health is not None:
                spec["health_check"] = health
        elif key == "labels":
            spec["labels"] = _pairs(reader, f"{path}.labels", value, lookup, from_env=False)
        elif key == "build":
            build = {"context": value} if isinstance(value, str) else reader.keys(
                f"{path}.build", value, ("context", "dockerfile", "args"), "build")
            if "args" in build:
                build["args"] = _pairs(reader, f"{path}.build.args", build["args"], lookup, from_env=True)
            spec["build"] = build
        elif key in ("mem_limit", "memswap_limit", "cpus", "cpu_shares"):
            spec.setdefault("limits", {})[{"mem_limit": "memory", "memswap_limit": "memory_swap"}.get(key, key)] = value
        elif key == "deploy":
            _deploy(reader, f"{path}.deploy", value, spec)
    env: dict[str, Any] = {}
    files = opts.get("env_file")
    for i, file in enumerate([files] if isinstance(files, str) else files or []):
        where = reader.line(raw, "env_file")
        if not isinstance(file, str):
            reader.add(f"{path}.env_file[{i + 1}]", f"{shown_value(file)} (expected a file path)", where)
            continue
        full = os.path.join(base_dir, file)
        try:
            with open(full if confine is None else confine.real(full, "env_file"), encoding="utf-8") as f:
                env.update(read_env_file(f.read()))
        except ConversionError as exc:  # outside the confinement
            reader.add(f"{path}.env_file", exc.message, where)
        except (OSError, ValueError) as exc:
            reader.add(f"{path}.env_file", f"cannot read {full}: {getattr(exc, 'strerror', None) or exc}", where)
    if "environment" in opts:
        env.update(_pairs(reader, f"{path}.environment", opts["environment"], lookup, from_env=True))
    if env:
        spec["env"] = env
    return spec


def _line_of(problem: tuple[str, str, str | None]) -> int:
    where = problem[2] or ""
    return int(where.rpartition(":")[2]) if where.rpartition(":")[2].isdigit() else 0


def _profiles_on(raw: Any, active: set[str]) -> bool:
    profiles = raw.get("profiles") if isinstance(raw, Mapping) else None
    return not profiles or bool(set(profiles) & active)


def _project_name(top: Mapping[str, Any], path: str) -> str:
    name = top.get("name")
    if isinstance(name, str) and name:
        return name
    folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return _PROJECT_CHARS.sub("", folder.lower()) or "default"


def load_compose(path: str, *, environ: Mapping[str, str] | None = None, profiles: list[str] | None = None,
                 name: str | None = None, confine: Confinement | None = None) -> Stack:
    """Load ``path`` as a :class:`Stack`. ``environ`` (default ``os.environ``) and the ``.env``
    beside the file feed ``${VAR}``; ``profiles`` (default ``COMPOSE_PROFILES``) enables services
    that have profiles. ``confine``: the files read and the stack's host paths must be inside its
    folder (symlinks resolved). Raises :class:`ComposeError` listing every problem with its line."""
    env = dict(os.environ if environ is None else environ)
    opened = confine.real(path, "compose file") if confine is not None else path
    try:
        with open(opened, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise ConversionError(field="compose file", value=path, expected="a readable compose file",
                              hint=exc.strerror) from None
    base_dir = os.path.dirname(os.path.abspath(path))
    file = os.path.basename(path)
    dotenv: dict[str, str] = {}
    dotenv_path = os.path.join(base_dir, ".env")
    if os.path.isfile(dotenv_path):
        if confine is not None:
            dotenv_path = confine.real(dotenv_path, ".env")
        try:
            with open(dotenv_path, encoding="utf-8") as f:
                dotenv = read_env_file(f.read())
        except (OSError, ValueError) as exc:
            raise ConversionError(f".env beside {file}: {exc}", hint="write KEY=VALUE lines") from None

    def lookup(key: str) -> str | None:
        return env[key] if key in env else dotenv.get(key)

    reader = _Reader(file)
    try:
        raw = read_yaml(text)
    except ValueError as exc:
        raise ComposeError(name or "compose", [("yaml", str(exc), file)], source=file) from None
    if not isinstance(raw, LineMap):
        raise ComposeError(name or "compose", [("top", f"{shown_value(raw)} (expected a mapping with services)", file)],
                           source=file)
    interpolate_tree(raw, lookup, "", lambda p, m: reader.add(p, m, None))
    top = reader.keys("", raw, TOP_KEYS, "top-level")
    project = name or _project_name(top, path)
    active = set(profiles if profiles is not None else filter(None, (lookup("COMPOSE_PROFILES") or "").split(",")))
    services_raw = top.get("services")
    if not isinstance(services_raw, Mapping) or not services_raw:
        reader.add("services", "missing or empty (expected a mapping of services)", reader.line(raw, "services"))
        services_raw = LineMap()
    services = {}
    for service_name, service_raw in services_raw.items():
        if isinstance(service_name, str) and service_name.startswith("x-"):
            continue
        reader.note(f"services.{service_name}", reader.line(services_raw, service_name))
        if _profiles_on(service_raw, active):
            services[service_name] = _service(reader, service_name, service_raw, lookup, base_dir, confine)
    for service in services.values():  # a dependency on a disabled service is dropped, as compose does
        deps = service.get("depends_on")
        if isinstance(deps, Mapping):
            service["depends_on"] = {d: c for d, c in deps.items() if d in services or d not in services_raw}
        elif isinstance(deps, list):
            service["depends_on"] = [d for d in deps if d in services or d not in services_raw]
    spec = {"services": services, "networks": _resources(reader, "networks", top.get("networks")),
            "volumes": _resources(reader, "volumes", top.get("volumes"))}
    if reader.problems:
        raise ComposeError(project, sorted(reader.problems, key=_line_of), source=file)
    try:
        parsed = parse_spec(project, spec, base_dir=base_dir, where=reader.where)
    except StackSpecError as exc:
        raise ComposeError(project, exc.problems, source=file) from None
    return Stack(project, parsed, confine=confine)
