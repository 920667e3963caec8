"""ContainerStatus.from_inspect and ResourceUsage.from_stats over every inspect/stats JSON fixture of
nerdctl, docker and podman, plus records with fields missing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from herodo_py.nerdctl.container.types import ContainerStatus, ResourceUsage
from herodo_py.nerdctl.parse import load_records

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INSPECT = sorted(FIXTURES.glob("*/inspect*.json"))
STATS = sorted(p for p in FIXTURES.glob("*/stats*") if p.suffix in (".json", ".jsonl"))


STATES = {"created", "running", "paused", "restarting", "removing", "exited", "dead", "unknown"}


def records(path: Path) -> list[dict]:
    return load_records(path.read_text(), path.name)


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_fixture_sets_are_complete() -> None:
    assert {p.parent.name for p in INSPECT} == {"nerdctl", "docker", "podman"}
    assert {p.parent.name for p in STATS} == {"nerdctl", "docker", "podman"}


@pytest.mark.parametrize("path", INSPECT, ids=fixture_id)
def test_every_inspect_fixture_parses(path: Path) -> None:
    for record in records(path):
        status = ContainerStatus.from_inspect(record)
        assert status.state in {"running", "exited", "created", "paused", "restarting", "unknown"}
        assert status.running == (status.state == "running")
        assert status.status.startswith(status.state)
        for t in (status.created, status.started, status.finished):
            assert t == "" or t[:2] == "20"  # zero times normalized away
        assert not status.name.startswith("/")


# (file, record index) -> expected fields
EXPECTED_STATUS = {
    ("docker/inspect-running-healthy.json", 0): dict(
        state="running", status="running (healthy)", health_status="healthy", pid=9274, finished="",
        name="research-probe-docker-9235", image="localhost/busybox:latest",
        id="8a216fa4d7a941adf4ae4aceadccccb4a83c190522139cc9bfd42e5a9f1c7aa0"),
    ("docker/inspect-state-after-stop.json", 0): dict(
        state="exited", status="exited (code 137)", exit_code=137, running=False, pid=0,
        finished="2026-11-28T15:57:36.040910836Z", health_status="unhealthy"),
    ("docker/inspect-state-healthy.json", 0): dict(state="running", health_status="healthy"),
    ("nerdctl/inspect-running.json", 0): dict(
        state="running", status="running", health_status="", name="lab-nature-localnet-nyxdab",
        started="2025-12-04T17:18:57.806684779Z", finished="", image="docker.io/library/localnet-nyxd:v0.60.1"),
    ("nerdctl/inspect-restart-always-and-broken.json", 0): dict(state="running", name="nginx", pid=204491),
    ("nerdctl/inspect-restart-always-and-broken.json", 1): dict(
        state="unknown", running=False, started="", error="cannot determine networking options from nil spec.Annotations"),
    ("podman/inspect-created-with-healthcheck.json", 0): dict(
        state="created", status="created", started="", finished="", health_status="",
        image="localhost/busybox:latest", name="research-probe-podman-9637"),
    ("podman/inspect-running-healthy.json", 0): dict(
        state="running", status="running (healthy)", health_status="healthy",
        health_output="root:x:0:0:root:/root:/bin/sh", pid=14965, name="fx-podman"),
    ("podman/inspect-state-created.json", 0): dict(state="created", started="", health_status=""),
}


@pytest.mark.parametrize("key", sorted(EXPECTED_STATUS), ids=lambda k: f"{k[0]}[{k[1]}]")
def test_inspect_values(key: tuple[str, int]) -> None:
    status = ContainerStatus.from_inspect(records(FIXTURES / key[0])[key[1]])
    for name, value in EXPECTED_STATUS[key].items():
        assert getattr(status, name) == value, name


def test_every_inspect_fixture_has_expectations() -> None:
    assert {fixture_id(p) for p in INSPECT} == {k[0] for k in EXPECTED_STATUS}


def test_podman_3_healthcheck_key_and_missing_fields() -> None:
    record = {"State": {"Status": "running", "Running": True,
                        "Healthcheck": {"Status": "starting", "Log": [{"Output": "a"}, {"Output": "b\n"}]}}}
    status = ContainerStatus.from_inspect(record)
    assert (status.health_status, status.health_output, status.status) == ("starting", "b\n", "running (starting)")
    empty = ContainerStatus.from_inspect({})
    assert (empty.state, empty.running, empty.exit_code, empty.health_status, empty.name) == ("unknown", False, 0, "", "")


@pytest.mark.parametrize("path", INSPECT, ids=fixture_id)
def test_inspect_survives_each_missing_state_field(path: Path) -> None:
    """A missing field leaves the others read as before (a missing state field touches no id or name)."""
    for record in records(path):
        whole = ContainerStatus.from_inspect(record)
        state_keys = list((record.get("State") or record).keys())
        for key in state_keys:
            damaged = copy.deepcopy(record)
            (damaged.get("State") or damaged).pop(key)
            status = ContainerStatus.from_inspect(damaged)
            if "State" in record:
                assert (status.id, status.name, status.image) == (whole.id, whole.name, whole.image), key
            assert status.state in STATES, key
        for key in list(record):
            status = ContainerStatus.from_inspect({k: v for k, v in record.items() if k != key})
            assert status.state in STATES, key
            assert status.id == ("" if key in ("Id", "ID") else whole.id), key


@pytest.mark.parametrize("word, state", [("stopped", "exited"), ("configured", "created"), ("Exited", "exited")])
def test_podman_transient_states_read_as_docker_words(word: str, state: str) -> None:
    s = ContainerStatus.from_inspect({"State": {"Status": word, "Running": False, "ExitCode": 3}})
    assert s.state == state
    assert s.status == ("exited (code 3)" if state == "exited" else state)


def test_paused_and_null_health() -> None:
    s = ContainerStatus.from_inspect({"State": {"Status": "paused", "Paused": True, "Health": None, "ExitCode": None}})
    assert (s.state, s.status, s.health_status, s.exit_code) == ("paused", "paused", "", 0)


EXPECTED_USAGE = {
    "docker/stats-json.jsonl": dict(
        cpu_usage="2.75%", cpu_percent=2.75, memory_usage="1.883MiB", memory_limit="64MiB",
        memory_limit_bytes=64 * 1024**2, memory_percentage="2.94%", memory_percent=2.94,
        network_input="806B", network_input_bytes=806, network_output_bytes=0, block_input_bytes=0,
        pids="1", pids_count=1, name="research-probe-docker-9235", id="8a216fa4d7a9"),
    "nerdctl/stats-json.jsonl": dict(
        cpu_percent=0.0, memory_usage_bytes=round(1.59 * 1024**2), memory_limit="8EiB",
        memory_limit_bytes=8 * 1024**6, network_input_bytes=12100, network_output_bytes=542,
        block_input_bytes=2_790_000, block_output_bytes=0, pids_count=1, name="busybox-24be"),
    "podman/stats-format-json-running.json": dict(
        cpu_usage="3.37%", cpu_percent=3.37, memory_usage="1.008MB", memory_usage_bytes=1_008_000,
        memory_limit_bytes=67_110_000, memory_percent=1.5, network_input_bytes=516,
        network_output_bytes=1130, pids_count=1, name="fx-podman", id="ca30387c4126"),
    "podman/stats-json-format-json-dot.json": dict(
        cpu_percent=0.0, memory_usage_bytes=0, memory_limit_bytes=0, pids="0", pids_count=0),
}


@pytest.mark.parametrize("path", STATS, ids=fixture_id)
def test_every_stats_fixture_parses(path: Path) -> None:
    rows = records(path)
    assert len(rows) == 1
    usage = ResourceUsage.from_stats(rows[0])
    for name, value in EXPECTED_USAGE[fixture_id(path)].items():
        assert getattr(usage, name) == value, name


def test_podman_numbers_and_missing_fields() -> None:
    usage = ResourceUsage.from_stats({"cpu_percent": 12.5, "mem_usage": "10MB / 1GB", "pids": 3})
    assert (usage.cpu_percent, usage.memory_usage_bytes, usage.memory_limit_bytes, usage.pids_count) == (
        12.5, 10_000_000, 1_000_000_000, 3)
    empty = ResourceUsage.from_stats({})
    assert (empty.cpu_usage, empty.cpu_percent, empty.memory_limit_bytes, empty.pids_count) == ("", None, None, None)
    dashes = ResourceUsage.from_stats({"CPUPerc": "--", "MemUsage": "-- / --", "PIDs": "--"})
    assert (dashes.cpu_percent, dashes.memory_usage_bytes, dashes.pids_count) == (None, None, None)


def test_explicit_format_line_matches_docker_json() -> None:
    """The line our explicit ``--format`` produces reads the same as the engine's ``{{json .}}``."""
    full = records(FIXTURES / "docker/stats-json.jsonl")[0]
    explicit = {k: full[k] for k in ("ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs")}
    assert ResourceUsage.from_stats(json.loads(json.dumps(explicit))) == ResourceUsage.from_stats(full)
