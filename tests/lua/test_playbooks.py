"""The example playbooks of scripts/ run by ``herodo`` on docker and podman: exit 0, their key lines, and
nothing left behind (containers, networks, images), also when a run is interrupted or only a check run.
The deploy playbooks (web_service, two_containers) run twice: the second run changes nothing (its recap
says 0 changed; same container ids and start times); drift_repair shows each drift and its repair."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from herodo_process import ROOT, herodo, interrupt_when

SCRIPTS = ROOT / "scripts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def containers_named(engine, part: str) -> list[str]:
    return engine.run("ps", "-a", "--filter", f"name={part}", "--format", "{{.Names}}").stdout.split()


def networks_named(engine, part: str) -> list[str]:
    return [n for n in engine.run("network", "ls", "--format", "{{.Name}}").stdout.split() if part in n]


@pytest.fixture
def prefix(engine, unique_name):
    """A unique prefix for what a playbook makes; anything left with it is removed after the test."""
    value = unique_name()
    yield value
    names = containers_named(engine, value)
    if names:
        engine.run("rm", "-f", *names, timeout=180)
    for net in networks_named(engine, value):
        engine.run("network", "rm", net)


def run_playbook(engine, name: str, *args: str, options: tuple[str, ...] = (), **env: str):
    result = herodo("--no-color", *options, str(SCRIPTS / name), "--", *args, engine=engine.name, **env)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout.splitlines()


def started(engine, names: list[str]) -> dict[str, tuple[str, str]]:
    """Each container's (Id, StartedAt), from the engine's own CLI."""
    found = {}
    for name in names:
        record = json.loads(engine.run("container", "inspect", name, check=True).stdout)[0]
        found[name] = (record["Id"], record["State"]["StartedAt"])
    return found


def run_twice(engine, name: str, *args: str, tmp_path: Path, containers: list[str]) -> tuple[list[str], list[str]]:
    """Run a deploy playbook twice: the second run's recap says 0 changed, and the engine state is the
    same (same ids, same start times). (the two runs' stdout lines)"""
    recap = tmp_path / "recap.json"
    first = run_playbook(engine, name, *args, options=("--recap-json", str(recap)))
    assert json.loads(recap.read_text())["totals"]["changed"] > 0
    state = started(engine, containers)
    second = run_playbook(engine, name, *args, options=("--recap-json", str(recap)))
    data = json.loads(recap.read_text())
    assert data["totals"]["changed"] == 0 and data["totals"]["failed"] == 0, data
    assert all(o["action"] == "unchanged" for o in data["outcomes"]), data
    assert started(engine, containers) == state
    return first, second


def test_web_service_deploys_once_and_a_second_run_changes_nothing(engine, test_image, prefix, tmp_path):
    port = str(free_port())
    first, second = run_twice(engine, "web_service.lua", port, prefix, tmp_path=tmp_path, containers=[prefix])
    for lines, action in ((first, "created"), (second, "unchanged")):
        assert re.fullmatch(rf"{action} {prefix} \([0-9a-f]{{12}}\) from {test_image}, port {port}.*", lines[0])
        assert "health: healthy" in lines
        assert "page: <h1>Hello from herodo</h1>" in lines
        assert any(re.fullmatch(r"status: running \(healthy\), started \S+, restarts 0", line) for line in lines)
        assert any(re.fullmatch(r"resources: cpu \S+%, memory \S+ of \S+, pids [1-9]\d*", line) for line in lines)
        assert any(line.startswith("log: ") and "response:200" in line for line in lines)
    assert first[0].endswith(": it did not exist")
    assert run_playbook(engine, "web_service.lua", port, prefix, "down") == [f"{prefix}: removed"]
    assert containers_named(engine, prefix) == []


def test_web_service_is_cleaned_up_when_interrupted(engine, test_image, prefix):
    code, out, err = interrupt_when([str(SCRIPTS / "web_service.lua"), "--", str(free_port()), prefix],
                                    f"created {prefix} (", engine=engine.name)
    assert code == 130, out + err
    if "serving on" in out:  # a loaded machine delivered the signal after the deploy had finished: it stays
        engine.run("rm", "-f", prefix)
        pytest.skip("the signal arrived after the script's last line (the deploy had finished)")
    assert f"removed {prefix}" in out  # interrupted while deploying: what it made is removed
    assert containers_named(engine, prefix) == []


def test_web_service_check_creates_nothing_and_says_what_it_would_do(engine, test_image, prefix):
    result = herodo("--check", str(SCRIPTS / "web_service.lua"), "--", "8080", prefix, engine=engine.name)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"would run: {engine.name} run -d --name {prefix} -p 127.0.0.1:8080:80 ")
               for line in lines)
    assert f"check: container {prefix}: would be created (it did not exist)" in lines
    assert lines[-1] == "  1 to change, 0 ok, 0 failed"
    assert containers_named(engine, prefix) == []


def test_image_workflow(engine, test_image, prefix, registry):
    repo = f"{prefix}/app"
    lines = run_playbook(engine, "image_workflow.lua", registry, repo)
    remote = f"{registry}/{repo}:1"
    assert lines[:5] == [f"built localhost/{repo}:1 from {SCRIPTS}/image_workflow (present: true)",
                         f"tagged {remote}", f"pushed {remote}", "removed the local copies (present: false)",
                         f"pulled {remote} (present: true)"]
    assert lines[5:7] == ["run: Hello from an image built by herodo", "run: mode: demo"]
    assert lines[7:] == [f"removed image {remote}"]
    listed = engine.run("images", "--format", "{{.Repository}}").stdout
    assert prefix not in listed
    assert containers_named(engine, prefix) == []


def test_two_containers_on_a_user_network_deploy_once(engine, test_image, prefix, tmp_path):
    names = [f"{prefix}-web", f"{prefix}-client"]
    first, second = run_twice(engine, "two_containers.lua", prefix, tmp_path=tmp_path, containers=names)
    fetched = f"client {prefix}-client fetched http://{prefix}-web/: hello from {prefix}-web"
    assert first == [f"network {prefix}-net: created", f"server {prefix}-web: created, healthy",
                     f"client {prefix}-client: created", fetched]
    assert second == [f"network {prefix}-net: unchanged", f"server {prefix}-web: unchanged, healthy",
                      f"client {prefix}-client: unchanged", fetched]
    assert run_playbook(engine, "two_containers.lua", prefix, "down") == [
        f"{prefix}-client: removed", f"{prefix}-web: removed", f"{prefix}-net: removed"]
    assert containers_named(engine, prefix) == [] and networks_named(engine, prefix) == []


def test_drift_repair_shows_each_drift_and_its_repair(engine, test_image, prefix):
    lines = run_playbook(engine, "drift_repair.lua", prefix)
    assert lines == [
        "deploy: created (it did not exist)",
        "after a manual run: recreated",
        '  env.MODE: (unset) -> "prod"',
        '  labels.app: (unset) -> "drift-demo"',
        "after a manual stop: started (it was exited)",
        f"with policy fail: container '{prefix}' differs from its configuration: env.MODE: \"prod\" -> \"staging\"",
        "staging: recreated",
        '  env.MODE: "prod" -> "staging"',
        "again: unchanged",
        "cleanup: removed",
    ]
    assert containers_named(engine, prefix) == []


def test_web_service_test_file(engine, test_image, prefix, tmp_path):
    junit = tmp_path / "report.xml"
    result = herodo("test", "--junit", str(junit), str(SCRIPTS / "web_service_test.lua"), engine=engine.name,
                    HERODO_DEMO_PREFIX=prefix, HERODO_DEMO_PORT=str(free_port()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  skip  needs a registry: set HERODO_DEMO_REGISTRY to run it" in result.stdout
    assert re.search(r"herodo test: 8 tests in 1 file: 7 passed, 0 failed, 1 skipped in ", result.stdout)
    assert junit.read_text().count("<testcase ") == 8
    assert containers_named(engine, prefix) == []


def test_every_playbook_is_tested():
    tested = {"web_service.lua", "image_workflow.lua", "two_containers.lua", "web_service_test.lua", "drift_repair.lua"}
    assert {p.name for p in Path(SCRIPTS).glob("*.lua")} == tested
