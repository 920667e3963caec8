"""Stacks on docker and podman: order and conditions, idempotence, rolling replicas, down from a
new process, a failing service's report, and Ctrl-C during up."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from herodo_py.nerdctl.stack import Stack, StackUpFailed, down

IMAGE = "localhost/herodo-busybox:latest"
ROOT = Path(__file__).resolve().parents[2]
HEALTH = {"cmd": "true", "interval": "1s", "retries": 3}


@pytest.fixture
def stack_name(engine, test_image, unique_name):
    name = unique_name()
    yield name
    down(name, volumes=True)


def _inspect(engine, stack: str) -> dict[str, dict]:
    """The stack's containers by name (listed, then inspected: listed again when one went between)."""
    for _ in range(50):
        ids = engine.run("ps", "-a", "-q", "--no-trunc", "--filter", f"label=io.herodo.stack={stack}").stdout.split()
        if not ids:
            return {}
        done = engine.run("container", "inspect", *ids)
        if done.returncode == 0:
            return {r["Name"].lstrip("/"): r for r in json.loads(done.stdout)}
    pytest.fail(f"could not inspect the containers of {stack}: {done.stderr}")


def _time(text: str) -> datetime.datetime:
    """RFC 3339 with nanoseconds (docker) or podman's '2024-01-02T03:04:05.123456789+00:00'."""
    text = text.strip().replace("Z", "+00:00")
    head, _, rest = text.partition(".")
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6]}{zone}"
    return datetime.datetime.fromisoformat(text)


def _first_healthy(record: dict) -> datetime.datetime:
    state = record["State"]
    log = (state.get("Health") or state.get("Healthcheck") or {}).get("Log") or []
    passed = [_time(entry["End"]) for entry in log if entry.get("ExitCode") == 0]
    assert passed, f"no passing health check in {log}"
    return min(passed)


def test_dependents_start_after_their_conditions_hold(engine, stack_name):
    stack = Stack(stack_name, {"services": {
        "db": {"image": IMAGE, "command": "sleep 600", "health_check": HEALTH},
        "cache": {"image": IMAGE, "command": "sleep 600", "health_check": HEALTH},
        "migrate": {"image": IMAGE, "command": "echo migrated"},
        "web": {"image": IMAGE, "command": "sleep 600",
                "depends_on": {"db": "healthy", "cache": "healthy", "migrate": "completed"}},
        "worker": {"image": IMAGE, "command": "sleep 600", "depends_on": ["web"]},
    }})
    result = stack.up()
    assert sorted(c.name for c in result.changes if c.kind == "container" and c.action == "created") == sorted(
        f"{stack_name}-{s}-1" for s in ("db", "cache", "migrate", "web", "worker"))
    records = _inspect(engine, stack_name)
    started = {name: _time(r["State"]["StartedAt"]) for name, r in records.items()}
    web = started[f"{stack_name}-web-1"]
    assert web > _first_healthy(records[f"{stack_name}-db-1"])
    assert web > _first_healthy(records[f"{stack_name}-cache-1"])
    assert web > _time(records[f"{stack_name}-migrate-1"]["State"]["FinishedAt"])
    assert started[f"{stack_name}-worker-1"] >= web
    assert records[f"{stack_name}-migrate-1"]["State"]["ExitCode"] == 0

    again = stack.up()
    assert again.changed == 0, [c for c in again.changes if c.changed]
    assert {s.service for s in stack.ps()} == {"db", "cache", "migrate", "web", "worker"}
    assert stack.exec("web", "echo hi").stdout == "hi\n"
    assert "migrated" in stack.logs("migrate")


def test_a_changed_service_rolls_one_replica_at_a_time(engine, stack_name):
    # 'probe' waits until api is healthy, so up returns with all 3 replicas healthy
    spec = {"services": {
        "api": {"image": IMAGE, "command": "sleep 600", "replicas": 3, "env": {"V": "1"}, "health_check": HEALTH},
        "probe": {"image": IMAGE, "command": "true", "depends_on": {"api": "healthy"}}}}
    Stack(stack_name, spec).up()
    before = set(_inspect(engine, stack_name))
    spec["services"]["api"]["env"]["V"] = "2"
    changed = Stack(stack_name, spec)
    outcome: dict[str, object] = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("result", changed.up()))
    thread.start()
    healthy_counts = []
    while thread.is_alive():
        records = _inspect(engine, stack_name)
        if engine.name == "podman":  # no scheduler runs podman's checks: run one on each, as up does
            for name in records:
                engine.run("healthcheck", "run", name)
            records = _inspect(engine, stack_name)
        healthy_counts.append(sum(1 for r in records.values()
                                  if (r["State"].get("Health") or {}).get("Status") == "healthy"))
    thread.join()
    result = outcome["result"]
    assert [(c.service, c.action) for c in result.changes if c.kind == "container"] == [
        ("api", "recreated")] * 3 + [("probe", "unchanged")]
    # (a sample on podman runs a check on each replica: some 1 s; three of them span a three-replica roll)
    assert len(healthy_counts) >= 3 and min(healthy_counts) >= 2, healthy_counts
    after = _inspect(engine, stack_name)
    assert set(after) == before  # same names, new containers
    assert all("V=2" in r["Config"]["Env"] for n, r in after.items() if "-api-" in n)


def test_a_rebuilt_image_tag_recreates_and_an_unchanged_stack_is_left(engine, stack_name):
    ref, maker = f"localhost/{stack_name}:v1", f"{stack_name}-maker"
    assert engine.run("tag", IMAGE, ref).returncode == 0
    try:
        spec = {"services": {"web": {"image": ref, "command": "sleep 600"}}}
        assert Stack(stack_name, spec).up().by_action("created") == [f"{stack_name}_default", f"{stack_name}-web-1"]
        assert Stack(stack_name, spec).up().changed == 0
        # the same tag on a new image (a commit of a container with one more file): ensure compares ids
        assert engine.run("run", "--name", maker, IMAGE, "touch", "/rebuilt").returncode == 0
        assert engine.run("commit", maker, ref).returncode == 0
        again = Stack(stack_name, spec).up()
        change = next(c for c in again.changes if c.kind == "container")
        assert (change.action, change.detail.split(":")[0]) == ("recreated", "image"), change
        assert engine.run("exec", f"{stack_name}-web-1", "test", "-e", "/rebuilt").returncode == 0
    finally:
        down(stack_name)
        engine.run("rm", "-f", maker)
        engine.run("rmi", "-f", ref)


def test_down_from_a_new_process_finds_everything_by_labels(engine, stack_name):
    Stack(stack_name, {"networks": {"back": {}}, "volumes": {"data": {}}, "services": {
        "a": {"image": IMAGE, "command": "sleep 600", "networks": ["back"], "volumes": ["data:/data"]},
        "b": {"image": IMAGE, "command": "sleep 600", "replicas": 2}}}).up()
    assert len(_inspect(engine, stack_name)) == 3
    code = f"from herodo_py.nerdctl.stack import down; print(down({stack_name!r}, volumes=True))"
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "HERODO_ENGINE": engine.name})
    assert done.returncode == 0, done.stderr
    assert _inspect(engine, stack_name) == {}
    label = f"label=io.herodo.stack={stack_name}"
    assert engine.run("network", "ls", "-q", "--filter", label).stdout.split() == []
    assert engine.run("volume", "ls", "-q", "--filter", label).stdout.split() == []


def test_a_failing_service_is_reported_with_its_exit_code_and_logs(engine, stack_name):
    spec = {"services": {
        "db": {"image": IMAGE, "command": "echo cannot open the data file >&2; exit 3", "health_check": HEALTH},
        "cache": {"image": IMAGE, "command": "sleep 600"},
        "web": {"image": IMAGE, "command": "sleep 600", "depends_on": {"db": "healthy"}}}}
    with pytest.raises(StackUpFailed) as caught:
        Stack(stack_name, spec).up()
    error = caught.value
    assert (error.service, error.condition, error.exit_code) == ("db", "healthy", 3)
    assert "cannot open the data file" in error.logs
    assert error.states["web"].startswith("not started")
    assert error.states["cache"] == "running"
    text = str(error)
    assert "exit code: 3" in text and "cannot open the data file" in text and "web" in text
    assert f"{stack_name}-cache-1" in _inspect(engine, stack_name)  # on_failure = "leave"

    with pytest.raises(StackUpFailed) as caught:
        Stack(stack_name, spec).up(on_failure="down")
    assert caught.value.taken_down
    assert _inspect(engine, stack_name) == {}


UP_SCRIPT = """
import sys
from herodo_py.nerdctl.stack import Stack
never = {"cmd": "false", "interval": "1s", "retries": 1000}
services = {f"s{i}": {"image": sys.argv[2], "command": "sleep 600", "health_check": never} for i in range(6)}
services["web"] = {"image": sys.argv[2], "command": "sleep 600", "depends_on": {f"s{i}": "healthy" for i in range(6)}}
print("starting", flush=True)
Stack(sys.argv[1], {"services": services}).up(jobs=2)
"""


def test_ctrl_c_during_up_leaves_nothing_down_would_not_find(engine, stack_name):
    proc = subprocess.Popen([sys.executable, "-c", UP_SCRIPT, stack_name, IMAGE], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "HERODO_ENGINE": engine.name})
    try:
        deadline = time.monotonic() + 120
        while not _inspect(engine, stack_name):  # interrupt once the first container exists
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0 and "KeyboardInterrupt" in stderr
    named = [n for n in engine.run("ps", "-a", "--format", "{{.Names}}").stdout.split() if n.startswith(stack_name)]
    labelled = set(_inspect(engine, stack_name))
    assert set(named) <= labelled
    assert "web" not in " ".join(labelled)  # its dependencies never became healthy
    down(stack_name)
    assert _inspect(engine, stack_name) == {}
    assert not [n for n in engine.run("ps", "-a", "--format", "{{.Names}}").stdout.split()
                if n.startswith(stack_name)]
