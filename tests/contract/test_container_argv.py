"""Container through the nerdctl stand-in: the exact argv of every builder option and operation,
nerdctl's gaps refused before running, and the answers parsed."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.operations import STATS_FORMAT, Container
from herodo_py.nerdctl.container.types import ContainerNotBuilt
from herodo_py.nerdctl.errors import (
    CommandFailed,
    ContainerNotRunning,
    ContainerUnhealthy,
    NameInUse,
    NoSuchImage,
    UnsupportedByEngine,
    WaitTimeout,
)

IMAGE = "localhost/herodo-busybox:latest"
INSPECT = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "nerdctl" / "inspect-running.json").read_text())[0]


@pytest.fixture
def nerdctl(standin):
    """The stand-in as the engine (see tests/contract/conftest.py)."""
    return standin


def built(nerdctl, name: str = "web") -> Container:
    c = Container(name, IMAGE).build()
    nerdctl.clear()
    return c


def inspect_answer(monkeypatch, **state) -> None:
    record = json.loads(json.dumps(INSPECT))
    record["State"].update(state)
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_CONTAINER_INSPECT", json.dumps([record]))


# --- build: every option ---------------------------------------------------------------------


def test_build_with_every_option(nerdctl) -> None:
    c = (Container("web", IMAGE)
         .with_ports(["8080:80"]).with_port("127.0.0.1:5353:53/udp")
         .with_volume("/srv:/data:ro").with_volumes(["cache:/cache"])
         .with_env("B", "2").with_envs({"A": "1"})
         .with_network("backend")
         .with_cpu_limit("0.5").with_memory_limit("64m").with_memory_swap_limit("128m").with_cpu_shares(512)
         .with_restart_policy("on-failure:3")
         .with_health_check_options("wget -q -O- http://127.0.0.1/ || exit 1", "1s", "2s", 3, "5s")
         .with_entrypoint("/bin/sh").with_workdir("/srv").with_user("1000:1000")
         .with_label("role", "web").with_labels({"tier": "front"})
         .with_command(["-c", "httpd -f -p 80"])
         .build())
    assert nerdctl.calls() == [[
        "run", "-d", "--name", "web", "-p", "8080:80", "-p", "127.0.0.1:5353:53/udp",
        "-v", "/srv:/data:ro", "-v", "cache:/cache", "-e", "B=2", "-e", "A=1", "--network", "backend",
        "--cpus", "0.5", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512",
        "--restart", "on-failure:3", "--health-cmd", "wget -q -O- http://127.0.0.1/ || exit 1",
        "--health-interval", "1s", "--health-timeout", "2s", "--health-retries", "3",
        "--health-start-period", "5s", "--entrypoint", "/bin/sh", "--workdir", "/srv", "--user", "1000:1000",
        "--label", "role=web", "--label", "tier=front", IMAGE, "-c", "httpd -f -p 80",
    ]]
    assert c.container_id and len(c.container_id) == 64
    assert c.result is not None and c.result.stdout.strip() == c.container_id


@pytest.mark.parametrize("configure, flags", [
    (lambda c: c.with_port("8080:80"), ["-p", "8080:80"]),
    (lambda c: c.with_volume("/srv:/srv"), ["-v", "/srv:/srv"]),
    (lambda c: c.with_env("K", "v w"), ["-e", "K=v w"]),
    (lambda c: c.with_network("n1"), ["--network", "n1"]),
    (lambda c: c.with_cpu_limit(1.5), ["--cpus", "1.5"]),
    (lambda c: c.with_memory_limit("1g"), ["--memory", "1g"]),
    (lambda c: c.with_memory_limit("1g").with_memory_swap_limit("-1"), ["--memory", "1g", "--memory-swap", "-1"]),
    (lambda c: c.with_cpu_shares("1024"), ["--cpu-shares", "1024"]),
    (lambda c: c.with_restart_policy("unless-stopped"), ["--restart", "unless-stopped"]),
    (lambda c: c.with_health_check("test -f /ok"), ["--health-cmd", "test -f /ok"]),
    (lambda c: c.with_health_check("a\nb"), ["--health-cmd", "a\nb"]),
    (lambda c: c.with_entrypoint(""), ["--entrypoint", ""]),
    (lambda c: c.with_workdir("/w"), ["--workdir", "/w"]),
    (lambda c: c.with_user("nobody"), ["--user", "nobody"]),
    (lambda c: c.with_label("k", "v"), ["--label", "k=v"]),
])
def test_each_option_alone(nerdctl, configure, flags) -> None:
    configure(Container("web", IMAGE)).build()
    assert nerdctl.calls() == [["run", "-d", "--name", "web", *flags, IMAGE]]


def test_command_string_runs_through_sh(nerdctl) -> None:
    Container("web", IMAGE).with_command("echo $HOME; sleep 1").build()
    assert nerdctl.calls() == [["run", "-d", "--name", "web", IMAGE, "sh", "-c", "echo $HOME; sleep 1"]]


def test_settings_labels_on_every_run(nerdctl, monkeypatch) -> None:
    monkeypatch.setattr(executor.settings(), "labels", {"herodo.test": "t1"})
    Container("web", IMAGE).with_label("role", "x").build()
    assert nerdctl.calls() == [["run", "-d", "--name", "web", "--label", "role=x", "--label", "herodo.test=t1", IMAGE]]


def test_snapshotter_is_a_global_flag(nerdctl) -> None:
    Container("web", IMAGE).with_snapshotter("native").build()
    assert nerdctl.calls() == [["--snapshotter", "native", "run", "-d", "--name", "web", IMAGE]]


def test_network_alias_refused_before_running(nerdctl) -> None:
    c = Container("web", IMAGE).with_network("n1").with_network_aliases(["db"])
    with pytest.raises(UnsupportedByEngine) as info:
        c.build()
    assert "reach each other by name" in info.value.hint
    assert nerdctl.calls() == []
    # ...because nerdctl itself would refuse the flag:
    with pytest.raises(CommandFailed, match="unknown flag: --network-alias"):
        executor.execute_nerdctl_command(["run", "-d", "--network-alias", "db", IMAGE])


def test_foreground_build(nerdctl) -> None:
    c = Container("job", IMAGE).with_detach(False).with_command(["echo", "hi"]).build()
    assert nerdctl.calls() == [["run", "--name", "job", IMAGE, "echo", "hi"],
                               ["container", "inspect", "job"]]
    assert c.result is not None and c.result.code == 0
    assert c.container_id and len(c.container_id) == 64


def test_name_in_use(nerdctl) -> None:
    with pytest.raises(NameInUse) as info:
        Container("taken-web", IMAGE).build()
    assert "'taken-web'" in str(info.value) and "reset()" in info.value.hint
    assert info.value.argv[-1] == IMAGE


def test_build_twice_is_refused_without_a_second_run(nerdctl) -> None:
    c = built(nerdctl)
    with pytest.raises(NameInUse, match="'web' already exists"):
        c.build()
    assert nerdctl.calls() == []


def test_dry_run_build_gets_a_placeholder_id(nerdctl, monkeypatch) -> None:
    monkeypatch.setattr(executor.settings(), "dry_run", True)
    c = Container("web", IMAGE).with_port("80:80").build()
    assert c.container_id == "dry-run:web" and c.result.dry_run
    assert c.status().running and c.logs().stdout == ""
    assert nerdctl.calls() == []


def test_reset(nerdctl) -> None:
    c = Container("web", IMAGE).with_port("80:80").with_env("A", "1").with_label("x", "y")
    c.container_id = "f" * 64
    assert c.reset() is c
    assert nerdctl.calls() == [["rm", "-f", "web"]]
    assert (c.name, c.image, c.container_id, c.ports, c.env_vars, c.labels, c.detach) == (
        "web", IMAGE, None, [], {}, {}, True)
    missing = Container("missing-web", IMAGE)
    assert missing.reset() is missing  # nothing to remove is fine: the failed `rm -f` raises nothing
    assert nerdctl.calls()[-1] == ["rm", "-f", "missing-web"] and missing.container_id is None


# --- constructors ------------------------------------------------------------------------------


def test_new_takes_the_id_of_the_exact_name(nerdctl, monkeypatch) -> None:
    rows = [{"ID": "1" * 64, "Names": "web-1"}, {"ID": "2" * 64, "Names": "web"}]
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_PS", "\n".join(json.dumps(r) for r in rows))
    c = Container.new("web")
    assert c.container_id == "2" * 64
    assert nerdctl.calls() == [["ps", "-a", "--no-trunc", "--filter", "name=web", "--format",
                                '{"ID":{{json .ID}},"Names":{{json .Names}}}']]
    assert Container.new("we").container_id is None
    assert Container.from_image("web", IMAGE).image == IMAGE


# --- lifecycle ---------------------------------------------------------------------------------


def test_start_unbuilt_checks_image_then_runs_and_verifies(nerdctl) -> None:
    c = Container("web", IMAGE)
    c.start()
    cid = c.container_id
    assert nerdctl.calls() == [["inspect", "--type", "image", IMAGE],
                               ["run", "-d", "--name", "web", IMAGE],
                               ["container", "inspect", cid]]


def test_start_in_the_foreground_does_not_verify_running(nerdctl) -> None:
    c = Container("job", IMAGE).with_detach(False).with_command(["true"])
    assert c.start().code == 0
    assert nerdctl.calls() == [["inspect", "--type", "image", IMAGE],
                               ["run", "--name", "job", IMAGE, "true"],
                               ["container", "inspect", "job"]]


def test_start_pulls_a_missing_image(nerdctl) -> None:
    with pytest.raises(NoSuchImage):
        Container("web", "missing-image:1").start()
    assert nerdctl.calls() == [["inspect", "--type", "image", "missing-image:1"], ["pull", "missing-image:1"]]


def test_start_built(nerdctl) -> None:
    c = built(nerdctl)
    c.start()
    assert nerdctl.calls() == [["start", c.container_id], ["container", "inspect", c.container_id]]


def test_start_of_a_container_that_exits(nerdctl, monkeypatch) -> None:
    c = built(nerdctl)
    inspect_answer(monkeypatch, Status="exited", Running=False, ExitCode=3, Pid=0)
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_LOGS", "boom: config missing")
    with pytest.raises(ContainerNotRunning) as info:
        c.start()
    assert (info.value.state, info.value.exit_code) == ("exited", 3)
    assert "boom: config missing" in info.value.logs and "exit code 3" in str(info.value)
    assert nerdctl.calls()[-1] == ["logs", "--tail", "20", c.container_id]


def test_stop_and_remove(nerdctl) -> None:
    c = built(nerdctl)
    cid = c.container_id
    c.stop()
    c.stop(timeout=1)
    c.remove()
    assert c.container_id is None
    c.container_id = cid
    c.remove(force=True)
    assert nerdctl.calls() == [["stop", cid], ["stop", "-t", "1", cid], ["rm", cid], ["rm", "-f", cid]]


@pytest.mark.parametrize("call", [
    lambda c: c.stop(), lambda c: c.remove(), lambda c: c.exec("ls"), lambda c: c.logs(),
    lambda c: c.status(), lambda c: c.resources(), lambda c: c.commit("x:1"), lambda c: c.export("/tmp/x.tar"),
    lambda c: c.copy("/etc/hosts", "web:/tmp"), lambda c: c.wait_running(1), lambda c: c.health_status(),
])
def test_operations_on_a_container_never_built(nerdctl, call) -> None:
    with pytest.raises(ContainerNotBuilt, match="'web' has not been built"):
        call(Container("web", IMAGE))
    assert nerdctl.calls() == []


# --- exec, copy, logs --------------------------------------------------------------------------


def test_exec(nerdctl) -> None:
    c = built(nerdctl)
    assert c.exec("echo hi | wc -c").success
    c.exec(["ls", "-l", "/"])
    assert nerdctl.calls() == [["exec", c.container_id, "sh", "-c", "echo hi | wc -c"],
                               ["exec", c.container_id, "ls", "-l", "/"]]


def test_exec_failure_has_the_real_exit_code(nerdctl, monkeypatch) -> None:
    c = built(nerdctl)
    monkeypatch.setenv("NERDCTL_STANDIN_EXEC_EXIT", "42")
    with pytest.raises(CommandFailed) as info:
        c.exec("exit 42")
    assert info.value.code == 42
    assert "exited with status 42" in str(info.value)


def test_copy_both_ways(nerdctl) -> None:
    c = built(nerdctl)
    c.copy("/etc/hosts", "web:/tmp/hosts")
    c.copy("web:/etc/passwd", "/tmp/passwd")
    assert nerdctl.calls() == [["cp", "/etc/hosts", "web:/tmp/hosts"], ["cp", "web:/etc/passwd", "/tmp/passwd"]]


def test_logs(nerdctl) -> None:
    c = built(nerdctl)
    c.logs()
    c.logs(tail=5)
    assert nerdctl.calls() == [["logs", c.container_id], ["logs", "--tail", "5", c.container_id]]


# --- reading state -----------------------------------------------------------------------------


def test_status_and_resources(nerdctl) -> None:
    c = built(nerdctl)
    status = c.status()
    assert (status.state, status.running, status.id, status.finished) == ("running", True, c.container_id, "")
    usage = c.resources()
    assert (usage.cpu_usage, usage.memory_usage, usage.memory_limit_bytes, usage.pids_count) == (
        "0.00%", "1.59MiB", 8 * 1024**6, 1)
    assert nerdctl.calls() == [["container", "inspect", c.container_id],
                               ["stats", "--no-stream", "--format", STATS_FORMAT, c.container_id]]


def test_wait_healthy_triggers_the_check(nerdctl, monkeypatch) -> None:
    c = built(nerdctl)
    inspect_answer(monkeypatch, Health={"Status": "healthy", "Log": [{"ExitCode": 0, "Output": "ok"}]})
    assert c.wait_healthy(5).health_status == "healthy"
    assert nerdctl.calls() == [["container", "healthcheck", c.container_id], ["container", "inspect", c.container_id]]


def test_wait_healthy_fails_at_once_when_unhealthy(nerdctl, monkeypatch) -> None:
    c = built(nerdctl)
    inspect_answer(monkeypatch, Health={"Status": "unhealthy", "Log": [{"ExitCode": 1, "Output": "db down\n"}]})
    with pytest.raises(ContainerUnhealthy) as info:
        c.wait_healthy(30)
    assert info.value.output == "db down\n" and "db down" in str(info.value)
    assert len(nerdctl.calls()) == 2


def test_wait_healthy_times_out(nerdctl, monkeypatch) -> None:
    c = built(nerdctl)
    inspect_answer(monkeypatch, Health={"Status": "starting", "Log": []})
    with pytest.raises(WaitTimeout, match="starting"):
        c.wait_healthy(0.3)


def test_wait_running(nerdctl, monkeypatch) -> None:
    c = built(nerdctl)
    assert c.wait_running(1).running
    inspect_answer(monkeypatch, Status="exited", Running=False, ExitCode=1)
    with pytest.raises(ContainerNotRunning):
        c.wait_running(10)


# --- images and archives -----------------------------------------------------------------------


def test_commit(nerdctl) -> None:
    c = built(nerdctl)
    c.commit("localhost:5000/web:snap")
    assert nerdctl.calls() == [["commit", c.container_id, "localhost:5000/web:snap"]]


def test_export_renames_a_complete_tarball(nerdctl, tmp_path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    c = built(nerdctl)
    target = tmp_path / "web.tar"
    c.export(str(target))
    (call,) = nerdctl.calls()
    assert call[:2] == ["export", "-o"] and call[3] == c.container_id
    assert Path(call[2]).parent == tmp_path and call[2] != str(target)
    with tarfile.open(target) as tar:
        assert tar.getnames() == ["etc/standin-export"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web.tar"]


def test_export_failure_leaves_no_file(nerdctl, tmp_path, monkeypatch) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    c = built(nerdctl)
    monkeypatch.setenv("NERDCTL_STANDIN_FAIL_EXPORT", "disk full")
    with pytest.raises(CommandFailed, match="disk full"):
        c.export(str(tmp_path / "web.tar"))
    assert list(tmp_path.iterdir()) == []
