"""``ps`` output of every engine -> ContainerSummary records; bad JSON -> JsonParseError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from herodo_py.nerdctl.container.functions import (
    ContainerList,
    ContainerSummary,
    parse_containers,
    state_from_status,
)
from herodo_py.nerdctl.errors import JsonParseError
from herodo_py.nerdctl.executor import CommandResult
from herodo_py.nerdctl.result_list import ResultList

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_docker_fixture():
    (c,) = parse_containers(fixture("docker/ps-json.jsonl"))
    assert c == ContainerSummary(
        id="8a216fa4d7a9", names=["research-probe-docker-9235"], image="localhost/busybox:latest",
        command="sleep 120", created="2026-11-28 15:57:25 +0000 UTC", status="Up 5 seconds (healthy)",
        state="running", ports=[], labels={"probe": "1"},
    )
    assert c.name == "research-probe-docker-9235"


def test_nerdctl_fixture_state_from_status_and_string_labels():
    (c,) = parse_containers(fixture("nerdctl/ps-json.jsonl"))
    assert (c.id, c.name, c.image) == ("250762bf59eb", "test-nginx_1-1", "docker.io/library/nginx:latest")
    assert c.state == "running" and c.status == "Up"  # nerdctl has no State key
    assert c.command == "/docker-entrypoint.…"  # quotes dropped, nerdctl's truncation kept
    assert c.created == "2025-04-11T17:14:21.496755142Z"
    assert c.ports == ["0.0.0.0:80->80/tcp"]
    # values with commas and '=' (JSON) stay whole
    assert c.labels["nerdctl/ports"] == '[{"HostPort":80,"ContainerPort":80,"Protocol":"tcp","HostIP":"0.0.0.0"}]'
    assert c.labels["maintainer"] == "NGINX Docker Maintainers <docker-maint@nginx.com>"
    assert c.labels["nerdctl/auto-remove"] == "false" and len(c.labels) == 15


def test_podman_fixture_running_with_ports():
    (c,) = parse_containers(fixture("podman/ps-format-json-running.json"))
    assert c.id == "ca30387c41260b1c3d14a45cc570d27980ad255423cd45c7bc4d93eabd8667b1"
    assert c.names == ["fx-podman"] and c.command == "httpd -f -p 80 -h /etc"
    assert c.ports == ["0.0.0.0:18082->80/tcp"]
    assert c.labels == {}  # podman writes null
    assert c.created == "2026-11-28T16:07:15Z"  # from Created (its CreatedAt is "2 seconds ago")
    assert (c.state, c.status) == ("running", "Up 2 seconds ago (healthy)")


def test_podman_fixture_created_with_labels():
    (c,) = parse_containers(fixture("podman/ps-json-format-json-dot.json"))
    assert (c.state, c.status, c.labels, c.ports) == ("created", "Created", {"probe": "1"}, [])


# What `ps -a --no-trunc --format '{{json .}}'` printed here: docker 28.2.2 (lines) and podman 4.3.1 (array).
DOCKER_LINES = [
    {"Command": "\"sh -c 'exit 3'\"", "CreatedAt": "2026-11-28 16:27:42 +0000 UTC", "ID": "bb88de843b4a" + "0" * 52,
     "Image": "localhost/herodo-busybox:latest", "Labels": "", "Names": "lp3", "Ports": "", "State": "exited",
     "Status": "Exited (3) Less than a second ago"},
    {"Command": "\"sleep 60\"", "CreatedAt": "2026-11-28 16:27:42 +0000 UTC", "ID": "300c82373659" + "0" * 52,
     "Image": "localhost/herodo-busybox:latest", "Labels": "a=b,c=d,e", "Names": "lp1",
     "Ports": "0.0.0.0:18099->80/tcp, [::]:18099->80/tcp", "State": "running", "Status": "Up Less than a second"},
]
PODMAN_ARRAY = [
    {"Command": ["sleep", "60"], "CreatedAt": "Less than a second ago", "Id": "7658d9e35375" + "0" * 52,
     "Image": "localhost/herodo-busybox:latest", "Labels": {"a": "b"}, "Names": ["lp1"],
     "Ports": [{"host_ip": "", "container_port": 80, "host_port": 18099, "range": 1, "protocol": "tcp"},
               {"host_ip": "127.0.0.1", "container_port": 90, "host_port": 18100, "range": 2, "protocol": "udp"}],
     "State": "created", "Status": "Created", "Created": 1795883262},
    {"Command": ["sh", "-c", "exit 3"], "CreatedAt": "Less than a second ago", "Id": "2106ad109de6" + "0" * 52,
     "Image": "localhost/herodo-busybox:latest", "Labels": None, "Names": ["lp3"], "Ports": None,
     "State": "exited", "Status": "Exited (3) Less than a second ago", "Created": 1795883263},
]


def test_docker_lines_exited_and_ports():
    exited, running = parse_containers("\n".join(json.dumps(r) for r in DOCKER_LINES) + "\n")
    assert (exited.state, exited.command, exited.labels, exited.ports) == ("exited", "sh -c 'exit 3'", {}, [])
    assert len(exited.id) == 64
    assert running.ports == ["0.0.0.0:18099->80/tcp", "[::]:18099->80/tcp"]
    assert running.labels == {"a": "b", "c": "d,e"}


def test_podman_array_port_ranges_and_host_ip():
    created, exited = parse_containers(json.dumps(PODMAN_ARRAY, indent=2))
    assert created.ports == ["0.0.0.0:18099->80/tcp", "127.0.0.1:18100-18101->90-91/udp"]
    assert created.created == "2026-11-28T16:27:42Z"
    assert (exited.state, exited.command, exited.labels) == ("exited", "sh -c exit 3", {})


@pytest.mark.parametrize("status, state", [
    ("Up", "running"), ("Up 5 minutes", "running"), ("Up 2 seconds (healthy)", "running"),
    ("Up 3 hours (Paused)", "paused"), ("Paused", "paused"), ("Exited (0) 34 hours ago", "exited"),
    ("Exited (137) 2 seconds ago", "exited"), ("Created", "created"), ("Restarting (1) 3 seconds ago", "restarting"),
    ("Removal In Progress", "removing"), ("Dead", "dead"), ("Pausing", "pausing"), ("Unknown", "unknown"), ("", ""),
])
def test_state_from_status(status, state):
    assert state_from_status(status) == state


def test_explicit_state_wins_over_status():
    (c,) = parse_containers('{"ID":"a","Names":"x","Status":"Up 1 second","State":"Paused"}')
    assert c.state == "paused"


def test_no_containers():
    assert parse_containers("") == [] and parse_containers("[]") == []


@pytest.mark.parametrize("text, shown", [
    ('{"ID":"abc","Names":"web"', '{"ID":"abc","Names":"web"'),
    ('[{"Id": "abc", "Names": ["web"]},', '[{"Id": "abc", "Names": ["web"]},'),
    ("CONTAINER ID   IMAGE   COMMAND", "CONTAINER ID   IMAGE   COMMAND"),
    ("[1, 2]", "1"),
])
def test_malformed_json(text, shown):
    with pytest.raises(JsonParseError) as info:
        parse_containers(text)
    assert "`ps` output" in info.value.message and shown in info.value.message


def test_huge_malformed_output_is_cut_in_the_message():
    text = "[" + '{"Id": "x"},' * 2000
    with pytest.raises(JsonParseError) as info:
        parse_containers(text)
    assert len(info.value.message) < 400 and info.value.text == text.strip()


def test_container_list_shares_the_result_list_base():
    result = CommandResult(stdout=json.dumps(DOCKER_LINES[1]), stderr="", code=0, argv=["docker", "ps"])
    listing = ContainerList(parse_containers(result.stdout), result)
    assert isinstance(listing, ResultList) and listing[0].name == "lp1"
    assert (listing.stdout, listing.success, listing.code) == (result.stdout, True, 0)
    assert repr(listing).startswith("ContainerList([ContainerSummary(")
