"""The static container functions' exact argv on nerdctl (through the stand-in), what they return,
their classified errors, and the checks that refuse bad input before anything runs."""

from __future__ import annotations

import re

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.errors import CommandFailed, ConversionError, NameInUse, NoSuchContainer, NoSuchImage

IMAGE = "localhost/herodo-busybox:latest"
HEX64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(autouse=True)
def engine(standin):
    """Every command goes to the stand-in nerdctl (see tests/contract/conftest.py)."""
    return standin


def test_run_detached_returns_the_full_id(engine):
    cid = n.run(IMAGE)
    assert HEX64.fullmatch(cid)
    assert engine.calls() == [["run", "-d", IMAGE]]


def test_run_with_everything(engine):
    cid = n.run(IMAGE, name="web", ports=["8080:80", "127.0.0.1:8443:443/tcp"], snapshotter="native",
                command="httpd -f -p 80")
    assert HEX64.fullmatch(cid)
    assert engine.calls() == [["--snapshotter", "native", "run", "-d", "--name", "web", "-p", "8080:80",
                               "-p", "127.0.0.1:8443:443/tcp", IMAGE, "sh", "-c", "httpd -f -p 80"]]


def test_run_with_an_argv_command(engine):
    n.run(IMAGE, name="web", command=["sleep", "60"])
    assert engine.calls() == [["run", "-d", "--name", "web", IMAGE, "sleep", "60"]]


def test_run_in_the_foreground_returns_the_output(engine, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_RUN", "hello\n")
    assert n.run(IMAGE, name="once", detach=False, command=["echo", "hello"]) == "hello\n"
    assert engine.calls() == [["run", "--name", "once", IMAGE, "echo", "hello"]]


def test_run_with_name_and_port(engine):
    assert n.run_with_name(IMAGE, "web") != n.run_with_port(IMAGE, "web2", "8080:80")
    assert engine.calls() == [["run", "-d", "--name", "web", IMAGE],
                              ["run", "-d", "--name", "web2", "-p", "8080:80", IMAGE]]


def test_run_errors_are_classified(engine):
    with pytest.raises(NameInUse):
        n.run(IMAGE, name="taken-web")
    with pytest.raises(NoSuchImage):
        n.run("missing-image:1", name="web")


def test_run_prints_no_id(engine, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_RUN", "")
    with pytest.raises(CommandFailed, match="printed no container id"):
        n.run(IMAGE)


def test_run_in_dry_run_mode_runs_nothing(engine):
    executor.configure(dry_run=True)
    assert n.run(IMAGE, name="web") == "dry-run:web"
    assert engine.calls() == []


@pytest.mark.parametrize("call, argv", [
    (lambda: n.exec("web", "echo $HOME && ls"), ["exec", "web", "sh", "-c", "echo $HOME && ls"]),
    (lambda: n.exec("web", ["ls", "-l", "/etc"]), ["exec", "web", "ls", "-l", "/etc"]),
    (lambda: n.copy("web:/etc/hosts", "/tmp/hosts"), ["cp", "web:/etc/hosts", "/tmp/hosts"]),
    (lambda: n.copy("/tmp/app.conf", "web:/etc/app.conf"), ["cp", "/tmp/app.conf", "web:/etc/app.conf"]),
    (lambda: n.stop("web"), ["stop", "web"]),
    (lambda: n.stop("web", 1), ["stop", "-t", "1", "web"]),
    (lambda: n.stop("web", 0.0), ["stop", "-t", "0", "web"]),  # Lua numbers are floats
    (lambda: n.remove("web"), ["rm", "web"]),
    (lambda: n.remove("web", force=True), ["rm", "-f", "web"]),
    (lambda: n.logs("web"), ["logs", "web"]),
    (lambda: n.logs("web", tail=20), ["logs", "--tail", "20", "web"]),
    (lambda: n.list(), ["ps", "--no-trunc", "--format", "{{json .}}"]),
    (lambda: n.list(True), ["ps", "--all", "--no-trunc", "--format", "{{json .}}"]),
])
def test_argv(engine, call, argv):
    assert call().success
    assert engine.calls() == [argv]


def test_list_parses_what_nerdctl_answers(engine):
    listing = n.list(all=True)
    (c,) = listing
    assert (c.id, c.name, c.state, c.status) == ("250762bf59eb", "test-nginx_1-1", "running", "Up")
    assert c.labels["com.docker.compose.project"] == "test" and c.ports == ["0.0.0.0:80->80/tcp"]
    assert listing.code == 0 and "test-nginx_1-1" in listing.stdout


def test_exec_failure_carries_the_commands_exit_code(engine, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_EXEC_EXIT", "3")  # nerdctl exits 1 and names the code
    with pytest.raises(CommandFailed) as info:
        n.exec("web", "exit 3")
    assert info.value.code == 3
    assert info.value.message.startswith("command 'exit 3' in container 'web' exited with status 3")


@pytest.mark.parametrize("call", [
    lambda: n.exec("missing-web", "true"),
    lambda: n.copy("missing-web:/etc/hosts", "/tmp/hosts"),
    lambda: n.stop("missing-web"),
    lambda: n.remove("missing-web"),
    lambda: n.logs("missing-web"),
])
def test_missing_container_is_classified(engine, call):
    with pytest.raises(NoSuchContainer) as info:
        call()
    assert "missing-web" in info.value.engine_message


@pytest.mark.parametrize("call, field", [
    (lambda: n.run("Bad Image"), "image"),
    (lambda: n.run(IMAGE, name="-d"), "name"),
    (lambda: n.run(IMAGE, ports="8080:80"), "ports"),
    (lambda: n.run(IMAGE, ports=["8080:80", "99999:80"]), "ports[2]"),
    (lambda: n.run(IMAGE, detach="yes"), "detach"),
    (lambda: n.run(IMAGE, command=[]), "command"),
    (lambda: n.run(IMAGE, snapshotter="a b"), "snapshotter"),
    (lambda: n.run_with_port(IMAGE, "web", "80:"), "ports[1]"),
    (lambda: n.exec("web", ""), "command"),
    (lambda: n.exec("", "true"), "container"),
    (lambda: n.copy("/a", "/b"), "copy locations"),
    (lambda: n.copy("web:/a", "db:/b"), "copy locations"),
    (lambda: n.copy("web:relative", "/b"), "source"),
    (lambda: n.stop("web", -1), "stop timeout"),
    (lambda: n.remove("web", force="yes"), "force"),
    (lambda: n.logs("web", tail="all"), "tail"),
    (lambda: n.list(all="yes"), "all"),
])
def test_bad_input_is_refused_before_anything_runs(engine, call, field):
    with pytest.raises(ConversionError) as info:
        call()
    assert info.value.field == field
    assert engine.calls() == []
