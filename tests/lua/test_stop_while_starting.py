"""Ctrl-C arriving while ``Popen`` is starting a command (engine or host) stops the script and leaves
no process behind: the signal handler holds the stop back until the handle exists
(:class:`herodo_py.processes.StartGuard`), then the command's group is killed.

The signal is sent through herodo's own fault-injection seam (:data:`herodo_py.processes.SPAWNED`),
called after the child exists and before the start is over: the one moment at which raising would lose
the child. The commands are real processes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from herodo_py import processes
from herodo_py.lua.runtime import Runtime
from herodo_py.nerdctl.executor import Executor

ENGINE = """#!/bin/sh
# an engine CLI that answers --version and otherwise waits (a real process to leave behind or not)
if [ "$1" = "--version" ]; then echo "nerdctl version 1.7.7"; exit 0; fi
exec sleep 61
"""


def _signal_when_spawned(started: list[int]):
    """A SPAWNED hook: records the real child, then Ctrl-C reaches herodo while its start is guarded."""

    def hook(proc) -> None:
        started.append(proc.pid)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0)  # (a bytecode boundary inside the guarded start: Python runs the handler here)

    return hook


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("call", ["nerdctl_list(true)", 'run({"sleep", "62"})', 'os.execute("sleep 63")'])
def test_ctrl_c_while_a_command_starts_leaves_nothing_running(tmp_path, monkeypatch, call):
    engine = tmp_path / "nerdctl"
    engine.write_text(ENGINE)
    engine.chmod(0o755)
    executor = Executor()
    executor.configure(engine=str(engine))
    executor.engine()  # resolved now (its --version runs before the signalling Popen is in place)
    runtime = Runtime(executor=executor)
    script = tmp_path / "start.lua"
    script.write_text("local closed <close> = setmetatable({}, {__close = function() print('cleanup ran') end})\n"
                      f"{call}\nprint('not interrupted')\n")
    started: list[int] = []
    monkeypatch.setattr(processes, "SPAWNED", _signal_when_spawned(started))
    outcome = runtime.run_file(str(script))
    monkeypatch.undo()
    assert (outcome.status, outcome.exit_code) == ("interrupted", 130), outcome
    assert len(started) == 1
    pid = started[0]
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), f"the command {call} was left running"
