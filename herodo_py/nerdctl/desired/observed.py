"""Compare a container herodo did not make (no record labels) with the desired configuration,
field by field from its ``inspect`` document, so that ``ensure()`` can adopt it without recreating it.

What the engine or the image put there is not drift: the image's env (``PATH``), command, entrypoint,
workdir, user, labels, health check and declared volumes; the variables engines add (``HOSTNAME``,
podman's ``container=podman``, ``TERM=xterm``, ``HOME``); the engines' own labels (``nerdctl/...``,
``io.containerd...``, ``io.podman...``); the host port an engine picked for ``-p 80``; a swap limit the
engine derived from the memory limit when none was asked for. Values are read the way each engine
writes them (docker and podman differ: ``Entrypoint`` a list or a string, ``WorkingDir`` ``""`` or
``/``, the network in ``NetworkMode`` or only in ``NetworkSettings.Networks``).
"""

from __future__ import annotations

import json
from typing import Any

from ..executor import settings
from ..labels import RECORD_LABELS
from .canonical import DEFAULT_CPU_SHARES, HEALTH_DEFAULTS, cpus_text, port_parts, port_text, restart_text
from .diff import FieldChange, diff_configs, map_changes, set_changes

ENGINE_ENV = {"HOSTNAME": None, "HOME": None, "TERM": "xterm", "container": "podman"}  # None: any value
ENGINE_LABEL_PREFIXES = ("nerdctl/", "io.containerd.", "io.podman.", "io.kubernetes.cri.")
DEFAULT_NETWORK_NAMES = frozenset({"bridge", "podman", "default", ""})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _env(entries: Any) -> dict[str, str]:
    if not isinstance(entries, list):
        return {}
    pairs = (str(e).partition("=") for e in entries)
    return {k: v for k, _, v in pairs}


def _argv(value: Any) -> list[str]:
    """Cmd or Entrypoint as a list (docker: a list or null; podman: sometimes a string)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return value.split(" ")
    return []


def observed_changes(desired: dict[str, Any], record: dict[str, Any],
                     image: dict[str, Any] | None) -> list[FieldChange]:
    """The differences between the container ``record`` (one ``inspect`` document) and the desired
    canonical configuration, tolerating what the image and the engine add. ``before`` is what the
    container has, ``after`` what is wanted."""
    config, host = _dict(record.get("Config")), _dict(record.get("HostConfig"))
    image_config = _dict((image or {}).get("Config"))
    changes: list[FieldChange] = []
    changes += _env_changes(desired["env"], _env(config.get("Env")), _env(image_config.get("Env")))
    changes += _command_changes(desired, config, image_config)
    changes += _simple_changes(desired, config, image_config)
    changes += _label_changes(desired["labels"], _dict(config.get("Labels")), _dict(image_config.get("Labels")))
    changes += set_changes("ports", *_matched(_ports(host.get("PortBindings")), desired["ports"], _port_matches))
    changes += _volume_changes(desired["volumes"], record.get("Mounts"), image_config.get("Volumes"))
    changes += _network_changes(desired, record, host)
    changes += _limit_changes(desired, host)
    changes += _health_changes(desired["healthcheck"], config.get("Healthcheck"), image_config.get("Healthcheck"))
    return changes


def _env_changes(wanted: dict[str, str], actual: dict[str, str], from_image: dict[str, str]) -> list[FieldChange]:
    expected = dict(from_image)
    expected.update(wanted)
    for key, value in actual.items():
        if key in expected or key not in ENGINE_ENV:
            continue
        if ENGINE_ENV[key] in (None, value):
            expected[key] = value
    return map_changes("env", actual, expected)


def _command_changes(desired: dict[str, Any], config: dict[str, Any],
                     image_config: dict[str, Any]) -> list[FieldChange]:
    changes = []
    entrypoint = _argv(config.get("Entrypoint"))
    if desired["entrypoint"] is None:
        wanted_entrypoint = _argv(image_config.get("Entrypoint"))
    else:
        wanted_entrypoint = [desired["entrypoint"]] if desired["entrypoint"] else []
    if " ".join(entrypoint) != " ".join(wanted_entrypoint):
        changes.append(FieldChange("entrypoint", " ".join(entrypoint) or None, desired["entrypoint"]))
    command = _argv(config.get("Cmd"))
    if desired["command"] is not None:
        allowed = [desired["command"]]
    elif desired["entrypoint"] is None:
        allowed = [_argv(image_config.get("Cmd"))]
    else:  # a new entrypoint clears the image's command (docker); podman may keep it
        allowed = [[], _argv(image_config.get("Cmd"))]
    if command not in allowed:
        changes.append(FieldChange("command", command or None, desired["command"]))
    return changes


def _simple_changes(desired: dict[str, Any], config: dict[str, Any], image_config: dict[str, Any]) -> list[FieldChange]:
    changes = []
    workdir = str(config.get("WorkingDir") or "/").rstrip("/") or "/"
    wanted = desired["workdir"] or (str(image_config.get("WorkingDir") or "/").rstrip("/") or "/")
    if workdir != wanted:
        changes.append(FieldChange("workdir", workdir, desired["workdir"]))
    user = str(config.get("User") or "")
    if user != (desired["user"] or str(image_config.get("User") or "")):
        changes.append(FieldChange("user", user or None, desired["user"]))
    return changes


def _label_changes(wanted: dict[str, str], actual: dict[str, Any], from_image: dict[str, Any]) -> list[FieldChange]:
    ours = set(settings().labels) | set(RECORD_LABELS)
    actual = {str(k): str(v) for k, v in actual.items() if k not in ours}
    expected = dict(wanted)
    for key, value in actual.items():
        if key in expected:
            continue
        if key.startswith(ENGINE_LABEL_PREFIXES) or from_image.get(key) == value:
            expected[key] = value
    return map_changes("labels", actual, expected)


def _ports(bindings: Any) -> list[str]:
    mappings = []
    for port, hosts in _dict(bindings).items():
        ctr, _, proto = str(port).partition("/")
        for binding in hosts if isinstance(hosts, list) else []:
            ip = str(_dict(binding).get("HostIp") or "")
            ip = f"[{ip}]" if ":" in ip else ip
            mappings.append(port_text(ip, str(_dict(binding).get("HostPort") or ""), f"{ctr}/{proto or 'tcp'}"))
    return sorted(mappings)


def _port_matches(actual: str, wanted: str) -> bool:
    """``:8080:80/tcp`` = itself; a wanted mapping without host port matches any host port."""
    if actual == wanted:
        return True
    w_ip, w_host, w_container = port_parts(wanted)
    a_ip, _, a_container = port_parts(actual)
    return w_host == "" and (w_ip, w_container) == (a_ip, a_container)


def _matched(actual: list[str], wanted: list[str], matches: Any) -> tuple[list[str], list[str]]:
    """(actual, wanted) with the members that match each other made equal, for ``set_changes``."""
    pool = list(actual)
    resolved = []
    for w in wanted:
        hit = next((a for a in pool if matches(a, w)), None)
        if hit is not None:
            pool.remove(hit)
            resolved.append(hit)
        else:
            resolved.append(w)
    return actual, resolved


def _volume_changes(wanted: list[str], mounts: Any, image_volumes: Any) -> list[FieldChange]:
    declared = set(_dict(image_volumes))
    actual = []
    for mount in mounts if isinstance(mounts, list) else []:
        mount = _dict(mount)
        target = str(mount.get("Destination") or "").rstrip("/") or "/"
        kind = mount.get("Type")
        source = str(mount.get("Name") if kind == "volume" else mount.get("Source") or "")
        actual.append((source, target, mount.get("RW") is False, kind))
    shown = [f"{s}:{t}" + (":ro" if ro else "") for s, t, ro, _ in actual]
    resolved = []
    for spec in wanted:
        source, target, *rest = spec.split(":")
        ro = "ro" in (rest[0].split(",") if rest else [])
        hit = next((i for i, (s, t, r, k) in enumerate(actual)
                    if t == target and r == ro and (s == source or (not source and k == "volume"))), None)
        resolved.append(shown[hit] if hit is not None else spec)
    # an anonymous volume the image declares is the image's doing, not drift
    current = [v for v, (s, t, _, k) in zip(shown, actual, strict=True)
               if v in resolved or not (k == "volume" and (t in declared or f"{t}/" in declared))]
    return set_changes("volumes", current, resolved)


def _networks(record: dict[str, Any], host: dict[str, Any]) -> dict[str, dict[str, Any]]:
    labels = _dict(_dict(record.get("Config")).get("Labels"))
    try:  # nerdctl names its networks in a label (NetworkSettings says unknown-eth0)
        named = json.loads(labels.get("nerdctl/networks", "null"))
    except ValueError:
        named = None
    if isinstance(named, list):
        return {str(n): {} for n in named}
    networks = {str(k): _dict(v) for k, v in _dict(_dict(record.get("NetworkSettings")).get("Networks")).items()}
    if not networks and host.get("NetworkMode"):
        networks = {str(host["NetworkMode"]): {}}
    return networks


def _network_changes(desired: dict[str, Any], record: dict[str, Any], host: dict[str, Any]) -> list[FieldChange]:
    networks = _networks(record, host)
    names = sorted(networks)
    wanted = desired["network"]
    if wanted is None:
        if set(names) <= DEFAULT_NETWORK_NAMES:
            return []
        return [FieldChange("network", ",".join(names), None)]
    if wanted not in networks or len(names) > 1:
        return [FieldChange("network", ",".join(names) or None, wanted)]
    aliases = [str(a) for a in networks[wanted].get("Aliases") or []]
    missing = [a for a in desired["network_aliases"] if a not in aliases]
    return [FieldChange("network_aliases", None, a) for a in missing]


def _limit_changes(desired: dict[str, Any], host: dict[str, Any]) -> list[FieldChange]:
    changes = []
    nano = int(host.get("NanoCpus") or 0)
    if not nano and host.get("CpuQuota") and host.get("CpuPeriod"):
        nano = int(host["CpuQuota"]) * 1_000_000_000 // int(host["CpuPeriod"])
    wanted_nano = int(float(desired["cpus"]) * 1_000_000_000) if desired["cpus"] else 0
    if nano != wanted_nano:
        changes.append(FieldChange("cpus", cpus_text(nano / 1e9) if nano else None, desired["cpus"]))
    memory = int(host.get("Memory") or 0) or None
    if memory != desired["memory"]:
        changes.append(FieldChange("memory", memory, desired["memory"]))
    swap = int(host.get("MemorySwap") or 0) or None
    if desired["memory_swap"] is not None and swap != desired["memory_swap"]:
        changes.append(FieldChange("memory_swap", swap, desired["memory_swap"]))
    shares = int(host.get("CpuShares") or 0)
    shares_or_none = None if shares in (0, DEFAULT_CPU_SHARES) else shares
    if shares_or_none != desired["cpu_shares"]:
        changes.append(FieldChange("cpu_shares", shares_or_none, desired["cpu_shares"]))
    policy = _dict(host.get("RestartPolicy"))
    name = str(policy.get("Name") or "no")
    count = int(policy.get("MaximumRetryCount") or 0)
    restart = restart_text(f"{name}:{count}" if name == "on-failure" else name)
    if restart != desired["restart"]:
        changes.append(FieldChange("restart", restart, desired["restart"]))
    return changes


def _health(value: Any) -> dict[str, Any] | None:
    check = _dict(value)
    test = check.get("Test")
    if not isinstance(test, list) or not test or test[0] == "NONE":
        return None
    cmd = test[1] if test[0] == "CMD-SHELL" and len(test) == 2 else json.dumps(test)
    return {
        "cmd": cmd,
        "interval": int(check.get("Interval") or 0) or HEALTH_DEFAULTS["interval"],
        "timeout": int(check.get("Timeout") or 0) or HEALTH_DEFAULTS["timeout"],
        "retries": int(check.get("Retries") or 0) or HEALTH_DEFAULTS["retries"],
        "start_period": int(check.get("StartPeriod") or 0),
    }


def _health_changes(wanted: dict[str, Any] | None, actual: Any, from_image: Any) -> list[FieldChange]:
    have = _health(actual)
    expected = wanted if wanted is not None else _health(from_image)
    if have == expected:
        return []
    return diff_configs({"healthcheck": have}, {"healthcheck": wanted if wanted is not None else None})
