"""The static container functions against the real docker and podman, on running containers."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from herodo_py import nerdctl as n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(probe, seconds: float = 10):
    """``probe()``'s first truthy value, polled every 0.1 s (an assertion error when time runs out)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = probe()
            if value:
                return value
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{probe} was not true within {seconds}s"
        time.sleep(0.1)


def by_name(listing) -> dict:
    return {c.name: c for c in listing}


def test_run_exec_copy_logs_list_stop_remove(engine, test_image, unique_name, tmp_path):
    name, port = unique_name(), free_port()
    cid = n.run(test_image, name=name, ports=[f"127.0.0.1:{port}:80"],
                command="echo started; echo oops >&2; exec httpd -f -p 80 -h /etc")
    assert len(cid) == 64 and int(cid, 16) >= 0

    summary = by_name(n.list())[name]
    assert (summary.id, summary.state, summary.image) == (cid, "running", test_image)
    assert summary.status.startswith("Up") and "httpd" in summary.command
    assert f"127.0.0.1:{port}->80/tcp" in summary.ports
    # the published port really serves
    page = eventually(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/passwd", timeout=2).read())
    assert b"root:" in page

    assert n.exec(name, "echo $((6 * 7))").stdout == "42\n"
    assert n.exec(cid, ["cat", "/etc/passwd"]).stdout.startswith("root:")
    with pytest.raises(n.CommandFailed) as info:
        n.exec(name, "echo to-stderr >&2; exit 3")
    assert info.value.code == 3 and "to-stderr" in info.value.stderr

    (tmp_path / "in.txt").write_text("from the host\n")
    n.copy(str(tmp_path / "in.txt"), f"{name}:/tmp/in.txt")
    assert n.exec(name, ["cat", "/tmp/in.txt"]).stdout == "from the host\n"
    n.copy(f"{name}:/etc/passwd", str(tmp_path / "passwd"))
    assert (tmp_path / "passwd").read_text().startswith("root:")

    logs = eventually(lambda: (r := n.logs(name)).stdout and r)
    assert logs.stdout == "started\n" and "oops" in logs.stderr
    assert n.logs(name, tail=0).stdout == ""

    n.stop(name, 1)
    assert name not in by_name(n.list())
    stopped = by_name(n.list(all=True))[name]
    assert stopped.state == "exited" and stopped.status.startswith("Exited")

    n.remove(name)
    assert name not in by_name(n.list(all=True))


def test_run_with_name_and_run_with_port(engine, test_image, unique_name):
    named, ported, port = unique_name(), unique_name(), free_port()
    cid = n.run_with_name(test_image, named)
    n.run_with_port(test_image, ported, f"127.0.0.1:{port}:80")
    listing = by_name(n.list(all=True))
    assert listing[named].id == cid and listing[ported].image == test_image
    bindings = engine.run("container", "inspect", "--format", "{{json .HostConfig.PortBindings}}", ported, check=True)
    assert f'"HostPort":"{port}"' in bindings.stdout.replace(" ", "")
    with pytest.raises(n.NameInUse):
        n.run_with_name(test_image, named)


def test_run_in_the_foreground(engine, test_image, unique_name):
    assert n.run(test_image, name=unique_name(), detach=False, command=["echo", "hello"]) == "hello\n"
    with pytest.raises(n.CommandFailed) as info:
        n.run(test_image, name=unique_name(), detach=False, command="exit 4")
    assert info.value.code == 4


def test_remove_force_removes_a_running_container(engine, test_image, unique_name):
    name = unique_name()
    n.run(test_image, name=name, command=["sleep", "300"])
    with pytest.raises(n.CommandFailed):
        n.remove(name)  # both refuse a running container without force
    n.remove(name, force=True)
    assert name not in by_name(n.list(all=True))


@pytest.mark.parametrize("call", [
    lambda name: n.exec(name, "true"),
    lambda name: n.copy(f"{name}:/etc/passwd", "/tmp/herodo-never-written"),
    lambda name: n.stop(name),
    lambda name: n.remove(name),
    lambda name: n.logs(name),
])
def test_missing_container_is_no_such_container(engine, unique_name, call):
    with pytest.raises(n.NoSuchContainer) as info:
        call(unique_name())
    assert info.value.hint and info.value.argv[0].endswith(engine.name)


def test_snapshotter_is_refused_before_anything_runs(engine, test_image, unique_name):
    name = unique_name()
    with pytest.raises(n.UnsupportedByEngine, match="snapshotter"):
        n.run(test_image, name=name, snapshotter="overlayfs")
    assert name not in by_name(n.list(all=True))
