"""Live faults: the world misbehaves and herodo answers with a classified error that says what
happened, and leaves nothing behind (no container it made, no temporary file, no child process).

- the engine binary is missing, or removed between two calls;
- the docker daemon stops between two calls and comes back (a private dockerd started by the
  test, with its own socket, data/exec roots and bridge: the shared dockerd is never touched);
- a container exits at once after build();
- an export onto a full or a read-only filesystem (small tmpfs mounts made by the test).
The hanging engine command (timeout, process group killed) is in tests/contract/test_faults_contract.py.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from private_daemons import private_dockerd_running
from support import unusable

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import (
    CommandFailed,
    ContainerNotRunning,
    ConversionError,
    EngineNotFound,
    EngineUnreachable,
    OtherError,
)

QUICK_EXIT = ["sh", "-c", "echo boom; echo 'bad config' >&2; exit 3"]


def live_children() -> set[int]:
    """Pids of this process's children that are not zombies."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


@pytest.fixture(autouse=True)
def no_child_left():
    """Every test here: herodo leaves no child process running."""
    before = live_children()
    yield
    assert live_children() - before == set()


def no_temp_files(directory: Path) -> None:
    leftovers = [p.name for p in directory.iterdir()]
    assert leftovers == [], f"left in {directory}: {leftovers}"


# --- the engine binary ---------------------------------------------------------------------


def test_no_engine_on_path(use_engine, monkeypatch, tmp_path) -> None:
    use_engine("placeholder")
    monkeypatch.delenv("HERODO_ENGINE")
    monkeypatch.setenv("PATH", str(tmp_path))
    for call in (lambda: Container.new("web"), n.list, n.images, lambda: n.run("busybox")):
        with pytest.raises(EngineNotFound) as info:
            call()
        err = info.value
        assert err.kind == "CommandExecutionFailed"
        assert "looked for nerdctl, docker and podman" in err.message and str(tmp_path) in err.message
        assert "HERODO_ENGINE" in err.hint


@pytest.mark.parametrize("pin", ["/opt/no-such-dir/docker", "no-such-engine-xyz"])
def test_pinned_engine_missing(use_engine, pin) -> None:
    use_engine(pin)
    with pytest.raises(EngineNotFound) as info:
        n.list()
    assert repr(pin) in info.value.message and info.value.hint


def test_engine_removed_between_two_calls(engine, use_engine, tmp_path) -> None:
    link = tmp_path / engine.name
    link.symlink_to(engine.cli)
    use_engine(str(link))
    n.list(True)
    link.unlink()
    with pytest.raises(EngineNotFound) as info:
        n.list(True)
    assert str(link) in info.value.message and "gone" in info.value.message
    link.symlink_to(engine.cli)  # back again: found anew
    assert n.list(True).success


# --- the daemon stops between two calls ----------------------------------------------------


@pytest.fixture
def private_dockerd():
    with private_dockerd_running(unusable) as daemon:
        yield daemon


def test_daemon_stopped_between_two_calls(private_dockerd, use_engine) -> None:
    use_engine("docker")
    executor.configure(address=private_dockerd.address)  # docker --host unix://...
    assert list(n.list(True)) == [] and list(n.images()) == []

    private_dockerd.stop()
    started = time.monotonic()
    for call in (lambda: n.list(True), n.images, lambda: Container.new("web"),
                 lambda: n.run("localhost/herodo-busybox:latest", name="web")):
        with pytest.raises(EngineUnreachable) as info:
            call()
        err = info.value
        assert err.kind == "CommandFailed" and err.code not in (0, None)
        assert "Cannot connect to the Docker daemon" in err.message and private_dockerd.address in err.message
        assert "daemon is not running" in err.hint and "--host" in err.command
    assert time.monotonic() - started < 20, "an unreachable daemon is reported at once, not after a timeout"

    assert private_dockerd.start(), private_dockerd.log_tail()
    assert list(n.list(True)) == [] and n.images().success


# --- a container that exits at once --------------------------------------------------------


def test_container_that_exits_at_once_after_build(engine, test_image, unique_name) -> None:
    c = Container(unique_name(), test_image).with_command(QUICK_EXIT)
    with pytest.raises(ContainerNotRunning) as info:
        c.start()
    err = info.value
    assert (err.state, err.exit_code) == ("exited", 3)
    assert "exit code 3" in err.message and "boom" in err.logs and "bad config" in err.logs
    assert "last log lines" in err.message and err.hint
    c.remove()  # the handle still knows it: the script can clean up
    assert engine.run("container", "inspect", c.name).returncode != 0

    d = Container(unique_name(), test_image).with_command(QUICK_EXIT).build()
    with pytest.raises(ContainerNotRunning) as info:
        d.wait_running(20)
    assert info.value.exit_code == 3 and "boom" in info.value.logs
    d.remove()


# --- export onto a full or read-only target ------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """``tmpfs(options)`` -> a directory with a small tmpfs mounted by the test (unmounted after)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        target = tmp_path / f"mnt{len(mounted)}"
        target.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            unusable(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in mounted:
        subprocess.run(["umount", str(target)], check=True)


@pytest.fixture
def sleeper(engine, test_image, unique_name) -> Container:
    c = Container(unique_name(), test_image).with_command(["sleep", "300"])
    c.start()
    return c


def test_export_onto_a_full_filesystem(sleeper, tmpfs) -> None:
    full = tmpfs("size=64k")
    with pytest.raises(CommandFailed) as info:
        sleeper.export(str(full / "rootfs.tar"))
    assert "no space left on device" in info.value.message.lower()
    no_temp_files(full)
    assert sleeper.status().running  # the container is unharmed


def test_export_onto_a_read_only_filesystem(sleeper, tmpfs, tmp_path) -> None:
    read_only = tmpfs("ro,size=64k")
    with pytest.raises(OtherError) as info:
        sleeper.export(str(read_only / "rootfs.tar"))
    assert "Read-only file system" in info.value.message and str(read_only) in info.value.message
    assert info.value.hint
    no_temp_files(read_only)
    # a target that is a directory is refused before anything is written
    with pytest.raises(ConversionError, match="not a directory"):
        sleeper.export(str(tmp_path))
    assert not [p for p in tmp_path.parent.iterdir() if p.name.endswith(".partial")]
