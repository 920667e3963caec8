"""Inventories for ``herodo --hosts`` (herodo_py.cli.inventory) and the fleet command line (herodo_py.cli.hosts):
every accepted form, and every refusal names the source, the line, the text and the expected form."""

from __future__ import annotations

import sys

import pytest

from herodo_py.cli.hosts import DEFAULT_FORKS, FleetRequest, UsageError, host_argv, host_env, split_fleet_options
from herodo_py.cli.inventory import Host, InventoryError, load_inventory, parse_file_text, parse_list

GOOD_FILE = """\
# name    address                                    engine
web1      ssh://root@10.0.0.11                       docker   # the front
web2\ttcp://10.0.0.12:2376

db1       ssh://core@10.0.0.13:2222/run/podman/podman.sock  podman
k8s-n1    /run/containerd/containerd.sock            nerdctl
local.dev unix:///var/run/docker.sock                /usr/bin/docker
"""


def test_a_file_with_comments_blank_lines_and_optional_engines() -> None:
    assert parse_file_text(GOOD_FILE, "inv") == [
        Host("web1", "ssh://root@10.0.0.11", "docker"),
        Host("web2", "tcp://10.0.0.12:2376", None),
        Host("db1", "ssh://core@10.0.0.13:2222/run/podman/podman.sock", "podman"),
        Host("k8s-n1", "/run/containerd/containerd.sock", "nerdctl"),
        Host("local.dev", "unix:///var/run/docker.sock", "/usr/bin/docker"),
    ]


def test_a_command_line_list() -> None:
    # an ssh user@host is never taken for an engine: the engine goes in front, ENGINE+ADDRESS
    assert parse_list("a=ssh://root@docker, b=podman+ssh://core@h:22/run/p.sock,c=nerdctl+unix:///run/c.sock") == [
        Host("a", "ssh://root@docker", None),
        Host("b", "ssh://core@h:22/run/p.sock", "podman"),
        Host("c", "unix:///run/c.sock", "nerdctl"),
    ]


@pytest.mark.parametrize("line, problem, expected", [
    ("web1", "1 fields", "NAME ADDRESS [ENGINE]"),
    ("web1 unix:///a docker extra", "4 fields", "NAME ADDRESS [ENGINE]"),
    ("-web unix:///a", "invalid host name '-web'", "letters, digits"),
    ("web/1 unix:///a", "invalid host name 'web/1'", "letters, digits"),
    ("../x unix:///a", "invalid host name '../x'", "letters, digits"),
    ("w" * 65 + " unix:///a", "invalid host name", "at most 64"),
    ("wéb unix:///a", "invalid host name", "letters, digits"),
    ("web1 http://h", "invalid engine address 'http://h'", "tcp://HOST:PORT"),
    ("web1 tcp://h", "invalid engine address 'tcp://h'", "tcp://HOST:PORT"),
    ("web1 unix://relative.sock", "invalid engine address", "unix:///PATH"),
    ("web1 ssh://u:secret@h", "invalid engine address", "ssh://"),
    ("web1 ssh://r@h nerdctl", "nerdctl does not take an ssh:// address", "for nerdctl: a unix:// address or a socket path"),
    ("web1 /run/d.sock docker", "docker does not take a socket path", "for docker: a unix:// address"),
    ("web1 unix:///a dockerd", "unknown engine 'dockerd'", "docker, podman, nerdctl"),
    ("web1 unix:///a /opt/bin/crictl", "is not named docker, podman or nerdctl", "docker, podman, nerdctl"),
    ("web1 unix:///a\x1b[31m", "control character", "NAME ADDRESS [ENGINE]"),
    ("web\u202e1 unix:///a", "control character", "NAME ADDRESS [ENGINE]"),
])
def test_a_bad_line_is_named_with_its_file_line_text_and_form(line: str, problem: str, expected: str) -> None:
    with pytest.raises(InventoryError) as info:
        parse_file_text(f"# hosts\nok1 unix:///ok\n{line}\n", "fleet.txt")
    err = info.value
    message = str(err)
    assert message.startswith("fleet.txt:3: ") and problem in message and expected in message
    assert err.line == 3 and err.source == "fleet.txt"
    assert repr(line.strip())[1:-1][:20] in message  # the text of the line is shown (escaped)


def test_a_name_twice_is_refused_at_its_second_line() -> None:
    with pytest.raises(InventoryError, match=r"^inv:3: host 'a' is listed twice") as info:
        parse_file_text("a unix:///x\nb unix:///y\na unix:///z\n", "inv")
    assert info.value.hint


@pytest.mark.parametrize("spec, problem", [
    ("a=unix:///x,", "host 2 of the list is not NAME=ADDRESS"),
    ("a", "no such inventory file"),
    ("a unix:///x", "no such inventory file"),
    ("a=", "host 1 of the list is not NAME=ADDRESS"),
    ("a=unix:///x,a=unix:///y", "listed twice"),
    ("a=nerdctl+ssh://h", "nerdctl does not take an ssh:// address"),
    ("a\n=unix:///x", "control character"),
])
def test_a_bad_list_is_refused(spec: str, problem: str) -> None:
    with pytest.raises(InventoryError, match="expected") as info:
        load_inventory(spec)
    assert problem in str(info.value)


def test_an_inventory_without_hosts_or_unreadable(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    with pytest.raises(InventoryError, match=r"empty.txt: no hosts"):
        load_inventory(str(empty))
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"a unix:///x \xff\n")
    with pytest.raises(InventoryError, match="not UTF-8"):
        load_inventory(str(binary))


def test_a_file_wins_over_a_list(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a=b").write_text("real unix:///r\n")
    assert load_inventory("a=b") == [Host("real", "unix:///r", None)]


# --- the command line -----------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, request_", [
    (["run", "p.lua"], None),
    (["run", "p.lua", "--", "--hosts", "x"], None),  # a script's own argument
    (["run", "--hosts", "inv", "--trace", "p.lua", "--", "a"],
     FleetRequest("inv", DEFAULT_FORKS, ["run", "--trace", "p.lua", "--", "a"])),
    (["run", "--hosts=inv", "--forks=2", "p.lua"], FleetRequest("inv", 2, ["run", "p.lua"])),
    (["run", "p.lua", "--forks", "3", "--hosts", "a=unix:///x"], FleetRequest("a=unix:///x", 3, ["run", "p.lua"])),
])
def test_fleet_options_are_taken_out_the_rest_is_kept(argv, request_) -> None:
    assert split_fleet_options(argv) == request_


@pytest.mark.parametrize("argv, message", [
    (["run", "--forks", "2", "p.lua"], "--forks works with --hosts only"),
    (["run", "--hosts", "inv", "--forks", "0", "p.lua"], "--forks: invalid value '0'"),
    (["run", "--hosts", "inv", "--forks", "x", "p.lua"], "--forks: invalid value 'x'"),
    (["run", "--hosts", "inv", "--forks=9999", "p.lua"], "from 1 to 256"),
    (["run", "p.lua", "--hosts"], "--hosts needs a value"),
    (["run", "p.lua", "--hosts", "--", "x"], "--hosts needs a value"),
    (["run", "--hosts=", "p.lua"], "--hosts: empty value"),
])
def test_bad_fleet_options(argv, message) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        split_fleet_options(argv)


def test_a_host_command_line_and_environment() -> None:
    host = Host("web1", "ssh://root@h", "docker")
    argv = host_argv(["run", "--sandbox", "p.lua", "--", "--address", "x"], host)
    assert argv[:3] == [sys.executable, "-m", "herodo_py.cli"]
    assert argv[3:] == ["run", "--address", "ssh://root@h", "--engine", "docker", "--sandbox", "p.lua",
                        "--", "--address", "x"]
    assert "--engine" not in host_argv(["run", "p.lua"], Host("a", "unix:///a"))
    env = host_env(Host("a", "unix:///a"), {"HERODO_HOST_ENGINE": "stale", "PATH": "/bin", "HERODO_HOST": "old"})
    assert env["HERODO_HOST"] == "a" and env["HERODO_HOST_ADDRESS"] == "unix:///a"
    assert "HERODO_HOST_ENGINE" not in env and env["PATH"] == "/bin"
