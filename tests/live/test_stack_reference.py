"""The same compose file gives the same containers with herodo as with the reference tools:
Debian's docker-compose 1.29 on docker, podman-compose 1.0.3 on podman.

Each tool brings `tests/fixtures/compose/reference/compose.yml` up under the same project name
(one after the other, so networks and volumes get the same names), the containers' `inspect`
records are reduced to their effective configuration, and the two are compared service by service.

Normalisations (only what must differ between tools), each applied to both sides:
- container names, ids, creation times: not compared (compose names `p_web_1`, herodo `p-web-1`);
  services are matched by the compose service label each tool sets.
- labels: the tools' own (`com.docker.compose.*`, `io.podman.compose.*`, `io.herodo.stack*`, and ensure's
  record `herodo.config*`/`herodo.image-id`) are dropped; the file's labels must be equal.
- network aliases: the container's short id (added by the engine) and the container's own name
  are dropped.
- command: entrypoint and command are compared joined (`Entrypoint + Cmd`): the CLIs take one
  executable as `--entrypoint`, so herodo passes an entrypoint's arguments in front of the command.
- environment: `HOSTNAME` is dropped (podman sets it to the container id).
- restart policy: an empty name reads as `no` (docker-compose leaves it empty, the CLI writes `no`).
- health check test: a `CMD-SHELL` test's `/bin/sh -c ` prefix is dropped (podman-compose wraps
  the command in one more shell; the same command runs).
- podman 4.3 writes `Entrypoint` as one string: read as its words.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from herodo_py.nerdctl.stack import load_compose

COMPOSE = Path(__file__).resolve().parents[1] / "fixtures" / "compose" / "reference" / "compose.yml"
TOOLS = {"docker": "docker-compose", "podman": "podman-compose"}
ENV = {k: v for k, v in os.environ.items() if k != "MODE"}  # the file's ${MODE:-prod} takes its default
OWN_LABELS = re.compile(r"^(com\.docker\.compose\.|io\.podman\.compose\.|io\.herodo\.stack|herodo\.config|herodo\.image-id$)")


def _words(value: str | list | None) -> list:
    """podman 4.3 writes Entrypoint as one string: the same words."""
    return value.split() if isinstance(value, str) else list(value or [])


def _effective(record: dict) -> dict:
    config, host = record["Config"], record["HostConfig"]
    networks = record["NetworkSettings"]["Networks"] or {}
    name = record["Name"].lstrip("/")
    short = record["Id"][:12]
    health = dict(config.get("Healthcheck") or {})
    test = list(health.get("Test") or [])
    if test[:1] == ["CMD-SHELL"] and len(test) == 2 and test[1].startswith("/bin/sh -c "):
        test[1] = test[1][len("/bin/sh -c "):]
    if test:
        health["Test"] = test
    restart = dict(host.get("RestartPolicy") or {})
    restart["Name"] = restart.get("Name") or "no"
    return {
        "image": config["Image"],
        "argv": _words(config.get("Entrypoint")) + _words(config.get("Cmd")),
        "env": sorted(e for e in config.get("Env") or [] if not e.startswith("HOSTNAME=")),
        "ports": {k: sorted((b["HostIp"], b["HostPort"]) for b in v or []) for k, v in (host.get("PortBindings") or {}).items()},
        "mounts": sorted((m["Type"], m.get("Name") or m["Source"], m["Destination"], m["RW"]) for m in record["Mounts"]),
        "networks": {net: sorted(a for a in (info.get("Aliases") or []) if a not in (short, name))
                     for net, info in networks.items()},
        "restart": restart,
        "health": health,
        "memory": host.get("Memory"),
        "cpus": host.get("NanoCpus") or (host.get("CpuQuota"), host.get("CpuPeriod")),
        "labels": {k: v for k, v in (config.get("Labels") or {}).items() if not OWN_LABELS.match(k)},
        "user": config.get("User"),
        "workdir": config.get("WorkingDir"),
    }


def _snapshot(engine, project: str) -> dict[str, dict]:
    ids = engine.run("ps", "-a", "-q", "--no-trunc", "--filter", f"label=com.docker.compose.project={project}").stdout.split()
    ids += engine.run("ps", "-a", "-q", "--no-trunc", "--filter", f"label=io.herodo.stack={project}").stdout.split()
    records = json.loads(engine.run("container", "inspect", *dict.fromkeys(ids), check=True).stdout)
    by_service = {}
    for record in records:
        labels = record["Config"]["Labels"] or {}
        service = labels.get("com.docker.compose.service") or labels.get("io.herodo.stack.service")
        by_service[service] = _effective(record)
    return by_service


def _tool(engine, project: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([TOOLS[engine.name], "-f", str(COMPOSE), "-p", project, *args],
                          check=False, capture_output=True, text=True, timeout=300, cwd=COMPOSE.parent, env=ENV)


def _tool_down(engine, project: str) -> None:
    """The tool's down, then its networks and volumes (podman-compose 1.0.3's down leaves them)."""
    _tool(engine, project, "down", "-t", "0", "-v")
    label = f"label=com.docker.compose.project={project}"
    for noun in ("network", "volume"):
        names = engine.run(noun, "ls", "-q", "--filter", label).stdout.split()
        names += [n for n in engine.run(noun, "ls", "--format", "{{.Name}}").stdout.split() if n.startswith(project + "_")]
        if names:
            engine.run(noun, "rm", *dict.fromkeys(names))


@pytest.fixture
def project(engine, unique_name):
    name = unique_name().replace("herodo-t-", "herodot")
    yield name
    _tool_down(engine, name)
    load_compose(str(COMPOSE), name=name).down(volumes=True)


def test_same_containers_as_the_reference_tool(engine, test_image, project):
    if shutil.which(TOOLS[engine.name]) is None:
        pytest.fail(f"{TOOLS[engine.name]} is not installed (run `bash scripts/engines-up.sh`)", pytrace=False)
    done = _tool(engine, project, "up", "-d")
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = _snapshot(engine, project)
    _tool_down(engine, project)

    stack = load_compose(str(COMPOSE), name=project, environ=ENV)
    stack.up()
    ours = _snapshot(engine, project)
    stack.down(volumes=True)

    assert sorted(ours) == sorted(theirs) == ["db", "web"]
    for service in theirs:
        assert ours[service] == theirs[service], service
