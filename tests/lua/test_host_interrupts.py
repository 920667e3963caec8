"""Ctrl-C and --script-timeout during a host command, a sleep, a wait and an io.popen read (herodo as a
process): exit 130 or 124, the script's <close> cleanup runs, no process of the script is left (the
command's whole process group is killed), and herodo's temporary folders are gone."""

from __future__ import annotations

import socket
import time

import pytest
from herodo_process import STANDIN
from test_interrupts import Herodo, processes_with

SCRIPT = """
local what, port = arg[1], tonumber(arg[2])
local guard <close> = setmetatable({}, {__close = function(_, err) print("cleanup ran") end})
local scratch = temp_dir()
file_write(scratch .. "/f", "x")
print("ready")
io.stdout:flush()
if what == "run" then run({"sleep", "60"})
elseif what == "run-shell" then run("sleep 61 & sleep 62; wait")
elseif what == "execute" then os.execute("sleep 63")
elseif what == "popen" then io.popen("sleep 64"):read("a")
elseif what == "sleep" then sleep(60)
elseif what == "wait_port" then wait_port("127.0.0.1", port, 60)
elseif what == "retry" then retry(function() error("again") end, {times = 100, delay = 60})
end
print("not interrupted")
"""

CHILD = {"run", "run-shell", "execute", "popen"}  # cases with a child process to wait for


@pytest.fixture
def closed_port():
    """A port that refuses connections (bound, never listening)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def _start(tmp_path, what: str, port: int, *options: str) -> Herodo:
    script = tmp_path / "host.lua"
    script.write_text(SCRIPT)
    herodo = Herodo([*options, str(script), "--", what, str(port)], str(STANDIN), tmp_path)
    herodo.wait_for("ready")
    if what in CHILD:  # the event: the command runs
        deadline = time.monotonic() + 30
        while not any("sleep 6" in p for p in processes_with(herodo.marker)):
            assert time.monotonic() < deadline, processes_with(herodo.marker)
            time.sleep(0.02)
    return herodo


@pytest.mark.parametrize("what", ["run", "run-shell", "execute", "popen", "sleep", "wait_port", "retry"])
def test_ctrl_c(what, tmp_path, closed_port):
    herodo = _start(tmp_path, what, closed_port)
    if what not in CHILD:
        time.sleep(0.3)  # (before the signal: let the script enter its wait; a signal before it is also handled)
    code, _, out, err = herodo.interrupt()
    assert code == 130, (out, err)
    assert "cleanup ran" in out and "not interrupted" not in out
    herodo.assert_nothing_left()


@pytest.mark.parametrize("what", ["run", "popen", "sleep", "wait_port"])
def test_script_timeout(what, tmp_path, closed_port):
    herodo = _start(tmp_path, what, closed_port, "--script-timeout", "2")
    out, err = herodo.proc.communicate(timeout=60)
    out = "".join(herodo.out) + out
    assert herodo.proc.returncode == 124, (out, err)
    assert "SCRIPT TIMEOUT" in err and "cleanup ran" in out and "not interrupted" not in out
    herodo.assert_nothing_left()
