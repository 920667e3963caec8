"""The example playbooks of scripts/ run by ``herodo`` on docker and podman: exit 0, their key lines, and
nothing left behind (containers, networks, images), also when a run is interrupted or only a dry run."""

from __future__ import annotations

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


def run_playbook(engine, name: str, *args: str, **env: str):
    result = herodo("--no-color", str(SCRIPTS / name), "--", *args, engine=engine.name, **env)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout.splitlines()


def test_web_service(engine, test_image, prefix):
    port = str(free_port())
    lines = run_playbook(engine, "web_service.lua", port, prefix)
    assert re.fullmatch(rf"started {prefix} \([0-9a-f]{{12}}\) from {test_image}, port {port}", lines[0])
    assert "health: healthy" in lines
    assert "page: <h1>Hello from herodo</h1>" in lines
    assert any(re.fullmatch(r"status: running \(healthy\), started \S+, restarts 0", line) for line in lines)
    assert any(re.fullmatch(r"resources: cpu \S+%, memory \S+ of \S+, pids [1-9]\d*", line) for line in lines)
    assert any(line.startswith("log: ") and "response:200" in line for line in lines)
    assert lines[-1] == f"removed {prefix}"
    assert containers_named(engine, prefix) == []


def test_web_service_is_cleaned_up_when_interrupted(engine, test_image, prefix):
    code, out, err = interrupt_when([str(SCRIPTS / "web_service.lua"), "--", str(free_port()), prefix], "started",
                                    engine=engine.name)
    assert code == 130, out + err
    assert f"removed {prefix}" in out
    assert containers_named(engine, prefix) == []


def test_web_service_dry_run_creates_nothing(engine, test_image, prefix):
    result = herodo("--dry-run", str(SCRIPTS / "web_service.lua"), "--", "8080", prefix, engine=engine.name)
    assert result.returncode == 0, result.stderr
    assert f"would run: {engine.name} run -d --name {prefix} -p 127.0.0.1:8080:80 " in result.stderr
    assert result.stderr.splitlines()[-1].startswith("herodo: dry run: 4 state-changing commands not run")
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


def test_two_containers_on_a_user_network(engine, test_image, prefix):
    lines = run_playbook(engine, "two_containers.lua", prefix)
    assert lines == [f"network {prefix}-net", f"server {prefix}-web: healthy",
                     f"client {prefix}-client fetched http://{prefix}-web/: hello from {prefix}-web",
                     f"removed {prefix}-client", f"removed {prefix}-web", f"removed network {prefix}-net"]
    assert containers_named(engine, prefix) == [] and networks_named(engine, prefix) == []


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
    tested = {"web_service.lua", "image_workflow.lua", "two_containers.lua", "web_service_test.lua"}
    assert {p.name for p in Path(SCRIPTS).glob("*.lua")} == tested
