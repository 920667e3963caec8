"""Faults with a stand-in engine: a command that hangs hits its timeout and its whole process
group is killed (children and grandchildren too); a helper that escaped the group cannot hold
herodo past the timeout; an engine killed mid-command; failed and timed-out exports leave no file.
Each ends in a classified error and leaves no process behind (a zombie, state Z, counts as gone:
PID 1 does not reap orphans here)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import CommandFailed, CommandTimeout

IMAGE = "localhost/herodo-busybox:latest"
SLACK = 3.0  # seconds of scheduling slack on a busy machine


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def survivors(pids: list[int], seconds: float = 5) -> list[int]:
    """The pids still alive after up to ``seconds`` (a SIGKILL lands at once, but not instantly)."""
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def pids_with_env(marker: str) -> list[int]:
    """Processes whose environment contains ``marker`` (how the stand-ins of one test are found)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return [p for p in found if p != os.getpid()]


def script_engine(tmp_path: Path, use_engine, body: str) -> Path:
    """An engine named nerdctl that runs ``body`` (sh); returns the file it may write pids to."""
    script = tmp_path / "nerdctl"
    script.write_text("#!/bin/sh\n" + body.replace("PIDS", str(tmp_path / "pids")))
    script.chmod(0o755)
    use_engine(str(script))
    return tmp_path / "pids"


def test_hanging_command_hits_its_timeout_and_is_killed(standin, monkeypatch) -> None:
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP", "60")
    executor.configure(timeout=1)
    started = time.monotonic()
    with pytest.raises(CommandTimeout) as info:
        n.list()
    assert time.monotonic() - started < 1 + SLACK
    err = info.value
    assert err.kind == "CommandFailed" and err.timeout == 1 and err.code is None
    assert "did not finish within 1s and was killed" in err.message and "ps" in err.command
    assert "timeout" in err.hint
    assert standin.calls() and standin.calls()[0][0] == "ps"  # it did start...
    assert survivors(pids_with_env(str(standin.log))) == []  # ...and is gone


@pytest.mark.parametrize("sub, call", [
    ("RUN", lambda: Container("web", IMAGE).build(timeout=1)),
    ("CONTAINER_INSPECT", lambda: Container("web", IMAGE, container_id="f" * 64).status()),
    ("EXEC", lambda: n.exec("web", ["sleep", "1"])),
    ("PULL", lambda: n.image_pull(IMAGE)),  # pull has the long timeout
], ids=["build", "status", "exec", "pull"])
def test_every_entry_point_times_out(standin, monkeypatch, sub, call) -> None:
    monkeypatch.setenv(f"NERDCTL_STANDIN_SLEEP_{sub}", "60")
    executor.configure(timeout=0.5, long_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(CommandTimeout):
        call()
    assert time.monotonic() - started < 0.5 + SLACK
    assert survivors(pids_with_env(str(standin.log))) == []


def test_timeout_kills_the_whole_process_group(tmp_path, use_engine) -> None:
    pids_file = script_engine(tmp_path, use_engine, """
sleep 300 & echo $! >> PIDS
sh -c 'sleep 300 & echo $! >> PIDS; wait' & echo $! >> PIDS
echo $$ >> PIDS
wait
""")
    executor.configure(timeout=0.5)
    with pytest.raises(CommandTimeout):
        n.list()
    pids = [int(p) for p in pids_file.read_text().split()]
    assert len(pids) == 4  # the engine, its child, a shell and the shell's child
    assert survivors(pids) == []


def test_a_helper_that_left_the_group_does_not_hold_herodo(tmp_path, use_engine, monkeypatch) -> None:
    """A daemonizing helper (setsid) keeps the output pipes open: herodo still returns right
    after the timeout, with what the command had written."""
    monkeypatch.setattr(executor, "DRAIN_SECONDS", 0.5)
    pids_file = script_engine(tmp_path, use_engine, """
echo partial-out; echo partial-err >&2
setsid sleep 60 & echo $! >> PIDS
exec sleep 60
""")
    executor.configure(timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(CommandTimeout) as info:
            n.list()
        assert time.monotonic() - started < 1 + executor.DRAIN_SECONDS + SLACK
        assert (info.value.stdout, info.value.stderr) == ("partial-out\n", "partial-err\n")
    finally:
        for pid in map(int, pids_file.read_text().split()):
            os.kill(pid, signal.SIGKILL)  # not herodo's to kill: outside its process group


def test_engine_killed_in_the_middle(tmp_path, use_engine) -> None:
    script_engine(tmp_path, use_engine, "echo half-written\nkill -9 $$\n")
    with pytest.raises(CommandFailed) as info:
        n.list()
    err = info.value
    assert not isinstance(err, CommandTimeout) and err.code == -9 and err.stdout == "half-written\n"
    assert "was killed by signal 9 (SIGKILL)" in err.message


@pytest.mark.parametrize("fault", ["FAIL", "SLEEP"])
def test_failed_or_timed_out_export_leaves_no_file(standin, monkeypatch, tmp_path, fault) -> None:
    monkeypatch.setenv(f"NERDCTL_STANDIN_{fault}_EXPORT", "write /x: no space left on device" if fault == "FAIL" else "60")
    executor.configure(long_timeout=0.5)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CommandFailed) as info:
        Container("web", IMAGE, container_id="f" * 64).export(str(out / "rootfs.tar"))
    assert isinstance(info.value, CommandTimeout) == (fault == "SLEEP")
    assert list(out.iterdir()) == []
    assert survivors(pids_with_env(str(standin.log))) == []
