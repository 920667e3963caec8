"""The canonical form of a container's desired configuration: what ``ensure()`` compares and records.

Two configurations that make the same container have the same canonical form, whatever the order
of the ``with_*`` calls or of a Lua table, and however a value is spelled:

- ports: ``80:80`` = ``80:80/tcp``; a range maps port by port (``8000-8001:80-81`` = ``8000:80`` +
  ``8001:81``); ``0.0.0.0:80:80`` is NOT ``80:80`` (the latter also publishes on IPv6 on docker);
- volumes: options sorted, ``rw`` dropped (the default); ordered by container path;
- env and labels: by key; network aliases: sorted, duplicates dropped;
- sizes in bytes (``1g`` = ``1024m``, binary units as the engines read them), CPUs as a decimal
  (``0.50`` = ``0.5``), ``cpu_shares`` 1024 = unset (the default weight);
- restart ``no`` = unset, ``on-failure:0`` = ``on-failure``; network ``bridge`` = unset (the
  engines' default network);
- health check durations in nanoseconds (``1m`` = ``60s``), unset options as the engines' defaults
  (interval 30s, timeout 30s, retries 3, start period 0).

The image is not in here: ``ensure`` compares it by the id its reference resolves to. Labels herodo
adds itself (the run labels of ``herodo test``, the record labels of ``labels.py``) are not in here either.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..executor import settings
from ..labels import CONFIG_LABEL, HASH_LABEL, IMAGE_LABEL, RECORD_LABELS

if TYPE_CHECKING:
    from ..container.types import ContainerConfig

MAX_CONFIG_LABEL = 32 * 1024  # a bigger canonical JSON is recorded by its hash only

HEALTH_DEFAULTS = {"interval": 30_000_000_000, "timeout": 30_000_000_000, "retries": 3, "start_period": 0}
DEFAULT_NETWORKS = frozenset({"bridge"})  # `--network bridge` is the default network on every engine
DEFAULT_CPU_SHARES = 1024

_BINARY = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_SIZE = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[bkmgtp]?)(?:i?b)?", re.I | re.ASCII)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
       "h": 3_600_000_000_000}


# --- value normalisation (shared with the reading of inspect documents) --------------------


def size_bytes(text: str) -> int:
    """``'512m'`` -> 536870912, as docker's RAMInBytes reads it (binary units); ``'-1'`` -> -1."""
    if text.strip() == "-1":
        return -1
    m = _SIZE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a size: {text!r}")
    return int(Decimal(m["num"]) * _BINARY[m["unit"].lower()])


def duration_ns(text: str) -> int:
    """A Go duration (``'1m30s'``) in nanoseconds."""
    return int(sum(Decimal(num) * _NS[unit] for num, unit in _DURATION_PART.findall(text)))


def cpus_text(value: str | int | float | Decimal) -> str:
    """CPUs as the shortest decimal: ``'0.50'`` -> ``'0.5'``, ``'2.0'`` -> ``'2'``."""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


def port_text(ip: str, host: str, container: str) -> str:
    """``-p`` syntax with the protocol always written: ``80/tcp``, ``8080:80/tcp``,
    ``127.0.0.1:8080:80/tcp``, ``127.0.0.1::80/tcp`` (any host port), ``[::1]:8080:80/tcp``."""
    if ip:
        return f"{ip}:{host}:{container}"
    return f"{host}:{container}" if host else container


def port_parts(text: str) -> tuple[str, str, str]:
    """The inverse of :func:`port_text`: (ip, host, container/proto)."""
    ip = ""
    if text.startswith("["):
        ip, _, text = text.partition("]:")
        ip += "]"
    parts = text.split(":")
    if len(parts) == 3:
        ip = parts.pop(0)
    host, container = parts if len(parts) == 2 else ("", parts[0])
    return ip, host, container


def port_mappings(spec: str) -> list[str]:
    """A validated port spec as canonical mappings (:func:`port_text`), one per port when both sides
    are ranges of one length (as the engines record them)."""
    spec, _, proto = spec.partition("/")
    proto = proto or "tcp"
    ip = ""
    if spec.startswith("["):
        ip, _, spec = spec[1:].partition("]:")
        ip = f"[{ip}]"
    parts = spec.split(":")
    if len(parts) == 3:
        ip = parts.pop(0)
        ip = f"[{ip}]" if ":" in ip else ip
    host, ctr = parts if len(parts) == 2 else ("", parts[0])
    hosts, ctrs = _port_range(host), _port_range(ctr)
    if len(ctrs) > 1 and (len(hosts) == len(ctrs) or host == ""):
        return [port_text(ip, hosts[i] if host else "", f"{c}/{proto}") for i, c in enumerate(ctrs)]
    return [port_text(ip, host, f"{ctr}/{proto}")]


def _port_range(text: str) -> list[str]:
    if "-" not in text:
        return [text]
    low, high = (int(p) for p in text.split("-"))
    return [str(p) for p in range(low, high + 1)]


def volume_spec(spec: str) -> str:
    """A validated volume spec as ``SOURCE:TARGET[:OPTIONS]``: options sorted, ``rw`` dropped; an
    anonymous volume (``/data``) as ``:/data``."""
    parts = spec.split(":")
    source, target = ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    options = sorted(set(parts[2].split(",")) - {"rw"}) if len(parts) == 3 else []
    target = target.rstrip("/") or "/"
    return f"{source}:{target}" + (f":{','.join(options)}" if options else "")


def restart_text(policy: str | None) -> str:
    """``None``/``'no'`` -> ``'no'``; ``'on-failure:0'`` -> ``'on-failure'``."""
    if not policy:
        return "no"
    name, _, count = policy.partition(":")
    return name if not count or int(count) == 0 else f"{name}:{int(count)}"


# --- the canonical form --------------------------------------------------------------------


def canonical_config(config: ContainerConfig) -> dict[str, Any]:
    """The canonical form of a (validated) configuration, every field present."""
    own = set(settings().labels) | set(RECORD_LABELS)
    health = None
    if config.health_check is not None:
        check = config.health_check
        health = {
            "cmd": check.cmd,
            "interval": duration_ns(check.interval) if check.interval else HEALTH_DEFAULTS["interval"],
            "timeout": duration_ns(check.timeout) if check.timeout else HEALTH_DEFAULTS["timeout"],
            "retries": check.retries if check.retries is not None else HEALTH_DEFAULTS["retries"],
            "start_period": duration_ns(check.start_period) if check.start_period else 0,
        }
    shares = int(config.cpu_shares) if config.cpu_shares is not None else None
    return {
        "command": list(config.command) or None,
        "entrypoint": config.entrypoint,
        "env": dict(sorted(config.env_vars.items())),
        "ports": sorted({m for p in config.ports for m in port_mappings(p)}),
        "volumes": sorted({volume_spec(v) for v in config.volumes}, key=lambda v: (v.split(":")[1], v)),
        "network": None if config.network in DEFAULT_NETWORKS else config.network,
        "network_aliases": sorted(set(config.network_aliases)),
        "cpus": cpus_text(config.cpu_limit) if config.cpu_limit is not None else None,
        "memory": size_bytes(config.memory_limit) if config.memory_limit is not None else None,
        "memory_swap": size_bytes(config.memory_swap_limit) if config.memory_swap_limit is not None else None,
        "cpu_shares": None if shares == DEFAULT_CPU_SHARES else shares,
        "restart": restart_text(config.restart_policy),
        "healthcheck": health,
        "workdir": config.workdir.rstrip("/") or "/" if config.workdir is not None else None,
        "user": config.user,
        "labels": {k: v for k, v in sorted(config.labels.items()) if k not in own},
        "snapshotter": config.snapshotter,
    }


DEFAULTS: dict[str, Any] = {
    "command": None, "entrypoint": None, "env": {}, "ports": [], "volumes": [], "network": None,
    "network_aliases": [], "cpus": None, "memory": None, "memory_swap": None, "cpu_shares": None,
    "restart": "no", "healthcheck": None, "workdir": None, "user": None, "labels": {}, "snapshotter": None,
}
"""Each field's value when not configured: a field a newer herodo adds compares against this when
read from a container an older one recorded (so an upgrade recreates nothing)."""


def canonical_json(canonical: dict[str, Any]) -> str:
    return json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def config_hash(canonical: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(canonical).encode()).hexdigest()


def record_labels(canonical: dict[str, Any], image_id: str | None) -> dict[str, str]:
    """The labels ``ensure`` puts on a container it creates."""
    text = canonical_json(canonical)
    labels = {HASH_LABEL: config_hash(canonical)}
    if len(text.encode()) <= MAX_CONFIG_LABEL:
        labels[CONFIG_LABEL] = text
    if image_id:
        labels[IMAGE_LABEL] = image_id
    return labels


def recorded_config(labels: dict[str, str]) -> dict[str, Any] | None:
    """The canonical form recorded on a container (``None`` when absent or unreadable); fields it
    lacks take their defaults."""
    text = labels.get(CONFIG_LABEL)
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {key: data.get(key, default) for key, default in DEFAULTS.items()}
