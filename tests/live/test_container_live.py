"""Container against real docker and podman: httpd on a published port, env, volumes, limits read
back from inspect, restart policy, health checks, exec, copy, logs, stats, commit, export, the start
paths and the waits. Every container is removed in a finalizer (podman: without the 10 s SIGTERM wait).
"""

from __future__ import annotations

import json
import socket
import tarfile
import time
import urllib.request
from collections.abc import Callable

import pytest

from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import (
    CommandFailed,
    ContainerNotRunning,
    ContainerUnhealthy,
    NameInUse,
    UnsupportedByEngine,
)

SLEEP = ["sleep", "300"]


@pytest.fixture
def make(engine, test_image, unique_name) -> Callable[..., Container]:
    """``make()`` -> a ``Container`` with a unique name on ``engine``, force-removed after the test."""
    names: list[str] = []

    def factory(image: str = test_image) -> Container:
        names.append(unique_name())
        return Container(names[-1], image)

    yield factory
    if names:
        engine.run("rm", "-f", *(["--time", "0"] if engine.name == "podman" else []), *names)


def inspect(engine, name: str) -> dict:
    result = engine.run("container", "inspect", name, check=True)
    return json.loads(result.stdout)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_httpd_port_env_volume_exec_copy_logs_stats(engine, make, tmp_path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "index.html").write_text("hello from the volume\n")
    port = free_port()
    c = (make().with_port(f"127.0.0.1:{port}:80").with_volume(f"{www}:/www")
         .with_env("GREETING", "hi there").with_envs({"MODE": "test", "EMPTY": ""})
         .with_command(["httpd", "-f", "-v", "-p", "80", "-h", "/www"]))
    c.start()
    assert c.container_id and len(c.container_id) == 64
    assert c.wait_running(10).running

    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10).read().decode()
    assert body == "hello from the volume\n"

    assert c.exec("echo \"$GREETING/$MODE/[$EMPTY]\"").stdout == "hi there/test/[]\n"
    assert c.exec(["cat", "/www/index.html"]).stdout == "hello from the volume\n"
    with pytest.raises(CommandFailed) as info:
        c.exec(["sh", "-c", "echo to-out; echo to-err >&2; exit 7"])
    assert (info.value.code, info.value.stdout, "to-err" in info.value.stderr) == (7, "to-out\n", True)

    # copy both ways
    src = tmp_path / "in.txt"
    src.write_text("copied in\n")
    c.copy(str(src), f"{c.name}:/tmp/in.txt")
    assert c.exec("cat /tmp/in.txt").stdout == "copied in\n"
    c.exec("echo made inside > /tmp/out.txt")
    c.copy(f"{c.name}:/tmp/out.txt", str(tmp_path / "out.txt"))
    assert (tmp_path / "out.txt").read_text() == "made inside\n"

    # logs: httpd -v logs each request to stderr
    c.exec("for i in 1 2 3; do wget -q -O /dev/null http://127.0.0.1/index.html; done")
    logs = c.logs()
    assert (logs.stdout + logs.stderr).count("response:200") == 4
    tail = c.logs(tail=1)
    assert len((tail.stdout + tail.stderr).strip().splitlines()) == 1

    status = c.status()
    assert (status.state, status.status, status.id, status.name, status.health_status) == (
        "running", "running", c.container_id, c.name, "")
    assert status.pid > 0 and status.started and status.finished == ""

    usage = c.resources()
    assert usage.pids_count is not None and usage.pids_count >= 1
    assert usage.memory_usage_bytes and usage.memory_usage_bytes > 0
    assert usage.cpu_percent is not None and usage.cpu_usage.endswith("%")
    assert usage.network_input_bytes is not None and usage.network_input_bytes > 0

    assert Container.new(c.name).container_id == c.container_id
    c.remove(force=True)
    assert c.container_id is None
    assert engine.run("container", "inspect", c.name).returncode != 0


def test_limits_restart_policy_and_config_read_back(engine, make) -> None:
    c = (make().with_cpu_limit("0.5").with_memory_limit("64m").with_memory_swap_limit("128m")
         .with_cpu_shares(512).with_restart_policy("on-failure:3").with_user("1000:1000").with_workdir("/tmp")
         .with_label("herodo.role", "limits").with_command(SLEEP).build())
    record = inspect(engine, c.name)
    host = record["HostConfig"]
    assert (host["NanoCpus"], host["Memory"], host["MemorySwap"], host["CpuShares"]) == (
        500_000_000, 64 * 1024**2, 128 * 1024**2, 512)
    assert (host["RestartPolicy"]["Name"], host["RestartPolicy"]["MaximumRetryCount"]) == ("on-failure", 3)
    assert (record["Config"]["User"], record["Config"]["WorkingDir"]) == ("1000:1000", "/tmp")
    assert record["Config"]["Labels"]["herodo.role"] == "limits"
    assert c.exec("id -u; pwd").stdout == "1000\n/tmp\n"


def test_restart_policy_restarts(engine, make) -> None:
    c = make().with_restart_policy("on-failure:2").with_command("sleep 0.3; exit 1").build()
    deadline = time.monotonic() + 15
    while not ((status := c.status()).restart_count == 2 and status.state == "exited"):
        assert time.monotonic() < deadline, f"no 2 restarts in 15 s: {status}"
        time.sleep(0.3)
    assert (status.exit_code, status.status) == (1, "exited (code 1)")


def test_health_checks_single_and_multi_line(engine, make) -> None:
    script_ok = "set -e\ntest -f /etc/passwd\n[ \"$(echo ok)\" = ok ]\necho all good"
    script_bad = "echo checking db\nif ! test -f /nope; then\n  echo db down\n  exit 1\nfi"
    cases = {
        "single ok": make().with_health_check_options("test -f /etc/passwd", "1s", "2s", 1),
        "multi ok": make().with_health_check_options(script_ok, "1s", "2s", 1),
        "single bad": make().with_health_check_options("echo nope; exit 1", "1s", "2s", 1),
        "multi bad": make().with_health_check_options(script_bad, "1s", "2s", 1),
    }
    for c in cases.values():
        c.with_command(SLEEP).build()
    assert cases["single ok"].wait_healthy(20).health_status == "healthy"
    healthy = cases["multi ok"].wait_healthy(20)
    assert healthy.health_status == "healthy" and "all good" in healthy.health_output
    assert cases["multi ok"].health_status() == "healthy"
    with pytest.raises(ContainerUnhealthy) as info:
        cases["single bad"].wait_healthy(20)
    assert "nope" in info.value.output
    with pytest.raises(ContainerUnhealthy) as info:
        cases["multi bad"].wait_healthy(20)
    assert "checking db\ndb down" in info.value.output and "db down" in str(info.value)
    assert cases["multi bad"].status().status == "running (unhealthy)"


def test_foreground_build(engine, make) -> None:
    c = make().with_detach(False).with_command("echo hello; echo warn >&2").build()
    assert c.result is not None and c.result.code == 0 and c.result.stdout == "hello\n"
    assert c.container_id and len(c.container_id) == 64
    assert c.status().status == "exited (code 0)"
    bad = make().with_detach(False).with_command("echo broken; exit 3")
    with pytest.raises(CommandFailed) as info:
        bad.build()
    assert info.value.code == 3 and "broken" in info.value.stdout
    assert bad.result.code == 3 and bad.status().exit_code == 3


def test_build_refuses_an_existing_name_until_reset(engine, make, test_image) -> None:
    c = make().with_command(SLEEP).build()
    first_id = c.container_id
    again = Container.from_image(c.name, test_image)
    assert again.container_id == first_id
    with pytest.raises(NameInUse) as info:
        again.build()
    assert c.name in str(info.value) and "reset()" in info.value.hint
    with pytest.raises(NameInUse) as info:  # no lookup first: the engine says so
        Container(c.name, test_image).with_command(SLEEP).build()
    assert c.name in str(info.value) and info.value.argv
    again.with_env("X", "1").reset()
    assert again.container_id is None and again.env_vars == {} and again.image == test_image
    assert again.with_command(SLEEP).build().container_id not in (None, first_id)


def test_start_stop_start(engine, make) -> None:
    c = make().with_command(SLEEP)
    c.start()
    first_id = c.container_id
    assert c.status().running
    c.start()  # already running: fine
    c.stop(timeout=0)
    stopped = c.status()
    assert (stopped.running, stopped.state) == (False, "exited") and stopped.finished
    c.start()
    assert c.container_id == first_id and c.status().running


def test_start_of_a_container_that_exits_at_once(engine, make) -> None:
    c = make().with_command("echo boom-output; echo boom-err >&2; exit 3")
    with pytest.raises(ContainerNotRunning) as info:
        c.start()
    assert (info.value.state, info.value.exit_code) == ("exited", 3)
    assert "boom-output" in info.value.logs and "boom-err" in info.value.logs
    assert "exit code 3" in str(info.value)
    assert c.container_id  # the id is kept so the script can look at it
    with pytest.raises(ContainerNotRunning):
        c.wait_running(10)


def test_commit_then_run_the_image_and_export(engine, make, tmp_path) -> None:
    c = make().with_command(SLEEP).build()
    c.exec("echo committed > /marker")
    image = engine.track_image(f"localhost/{c.name}:snap")
    c.commit(image)
    child = make(image).with_command(["cat", "/marker"]).with_detach(False).build()
    assert child.result.stdout == "committed\n"

    target = tmp_path / "fs.tar"
    c.export(str(target))
    with tarfile.open(target) as tar:
        names = tar.getnames()
    assert "marker" in names and any(n.endswith("busybox") for n in names)
    assert [p.name for p in tmp_path.iterdir()] == ["fs.tar"]


def test_snapshotter_refused(engine, make) -> None:
    c = make().with_snapshotter("native")
    with pytest.raises(UnsupportedByEngine):
        c.build()
    assert engine.run("container", "inspect", c.name).returncode != 0
