"""Ctrl-C (a real SIGINT to a real herodo process) in the middle of slow engine work, on docker and
podman: an image pull from a registry that accepts and then stalls (a loopback server of this test),
and a wait_healthy on a container whose health check never passes (inside a script, and inside a
`herodo test` run). Each ends with exit 130 within a few seconds, the engine command killed (no process
carrying the test's marker is left), no temporary file left in herodo's TMPDIR, and the container
removed (by the script's <close> cleanup, or by herodo test's janitor). Also: Ctrl-C while the script is
stuck in one C call ends herodo through the watchdog."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid

from herodo_process import STANDIN, Herodo, herodo, processes_with

from herodo_py.lua import limits

STALL_SECONDS = 60  # the stalling registry holds a connection at most this long


class StallingRegistry:
    """A TCP server on 127.0.0.1 that accepts connections and never answers (bounded in time)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.accepted = threading.Event()
        self.stop = threading.Event()
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        deadline = time.monotonic() + STALL_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            self.clients.append(client)  # keep it open, read nothing, answer nothing
            self.accepted.set()

    def __enter__(self) -> StallingRegistry:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        for sock in (*self.clients, self.server):
            sock.close()


def test_ctrl_c_in_the_middle_of_a_pull_from_a_stalling_registry(engine, tmp_path):
    with StallingRegistry() as registry:
        reference = f"127.0.0.1:{registry.port}/herodo/stalled:{uuid.uuid4().hex[:8]}"
        engine.track_image(reference)
        script = tmp_path / "pull.lua"
        script.write_text(f'print("pulling")\nio.stdout:flush()\nnerdctl_image_pull("{reference}")\nprint("pulled")')
        herodo = Herodo([str(script)], engine.name, tmp_path)
        herodo.wait_for("pulling")
        assert registry.accepted.wait(60), "the engine never connected to the registry"
        time.sleep(0.5)
        assert herodo.engine_child_running(), processes_with(herodo.marker)
        code, seconds, out, err = herodo.interrupt()
    assert code == 130, (out, err)
    assert seconds < 3, seconds
    assert "pulled" not in out
    herodo.assert_nothing_left()


WAIT_HEALTHY = """
local c = nerdctl_container_from_image("{name}", "{image}")
  :with_command("sleep 600")
  :with_health_check_options{{cmd = "false", interval = "1s", retries = 100000}}
local guard <close> = setmetatable({{}}, {{__close = function()
  c:remove(true)
  print("removed")
end}})
c:build()
print("waiting")
io.stdout:flush()
c:wait_healthy(600)
print("healthy?")
"""


def test_ctrl_c_in_the_middle_of_wait_healthy_kills_the_wait_and_cleanup_runs(engine, test_image, unique_name,
                                                                             tmp_path):
    name = unique_name()
    script = tmp_path / "wait.lua"
    script.write_text(WAIT_HEALTHY.format(name=name, image=test_image))
    herodo = Herodo([str(script)], engine.name, tmp_path)
    herodo.wait_for("waiting")
    time.sleep(2)  # well inside wait_healthy's polling
    assert engine.run("inspect", name).returncode == 0
    code, seconds, out, err = herodo.interrupt()
    assert code == 130, (out, err)
    assert seconds < 15, seconds  # the <close> handler removes the container first
    assert "healthy?" not in out and "removed" in out
    assert engine.run("inspect", name).returncode != 0  # removed by the script's cleanup
    herodo.assert_nothing_left()


def test_ctrl_c_in_a_herodo_test_run_removes_its_container(engine, test_image, unique_name, tmp_path):
    name = unique_name()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "wait_test.lua").write_text(f"""
test("waits for health that never comes", function()
  local c = nerdctl_container_from_image("{name}", "{test_image}")
    :with_command("sleep 600")
    :with_health_check_options{{cmd = "false", interval = "1s", retries = 100000}}
    :build()
  io.stderr:write("waiting\\n")
  c:wait_healthy(600)
end)
""")
    herodo = Herodo(["test", "--no-capture", str(tmp_path / "tests")], engine.name, tmp_path)
    deadline = time.monotonic() + 120
    while engine.run("inspect", name).returncode != 0:
        assert time.monotonic() < deadline and herodo.proc.poll() is None, "the test never made its container"
        time.sleep(0.3)
    time.sleep(2)
    code, seconds, out, err = herodo.interrupt(timeout=120)
    assert code == 130, (out, err)
    assert engine.run("inspect", name).returncode != 0  # the janitor removed it
    herodo.assert_nothing_left()


def test_ctrl_c_while_stuck_in_one_c_call_ends_herodo_through_the_watchdog(tmp_path):
    script = tmp_path / "stuck.lua"
    script.write_text('local s = string.rep("a", 40)\nprint("ready")\nio.stdout:flush()\n'
                      'string.find(s, string.rep("a?", 40) .. s)')
    herodo = Herodo([str(script)], str(STANDIN), tmp_path)
    herodo.wait_for("ready")
    time.sleep(0.3)
    code, seconds, out, err = herodo.interrupt(timeout=limits.STUCK_AFTER + 10)
    assert code == 130, (out, err)
    assert limits.STUCK_AFTER - 0.5 < seconds < limits.STUCK_AFTER + 3
    assert "interrupted: the script did not stop within" in err
    herodo.assert_nothing_left()


def test_ctrl_c_stops_a_sandboxed_loop_with_cleanup(tmp_path):
    script = tmp_path / "loop.lua"
    script.write_text('local g <close> = setmetatable({}, {__close = function() print("cleanup") end})\n'
                      'print("ready")\nio.stdout:flush()\nwhile true do pcall(function() while true do end end) end')
    herodo = Herodo(["--sandbox", str(script)], str(STANDIN), tmp_path)
    herodo.wait_for("ready")
    code, _, out, err = herodo.interrupt(timeout=60)
    assert (code, out) == (130, "ready\ncleanup\n"), err


def test_ctrl_c_inside_a_binding_leaves_the_cleanup_its_bindings():
    """In-process: SIGINT while a binding waits stops the script once; its <close> handler still calls
    bindings (a second, hard stop would fail them)."""
    from herodo_py.lua.registry import Param
    from herodo_py.lua.runtime import Runtime, base_registry

    calls: list[str] = []
    registry = base_registry()
    registry.function("sleep", [Param("seconds", "number")], "nil")(lambda seconds: time.sleep(seconds))
    registry.function("note", [Param("text", "string")], "nil")(calls.append)
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    outcome = Runtime(registry).run_source(
        'local g <close> = setmetatable({}, {__close = function() note("cleanup"); note("done") end})\n'
        'sleep(30)\nnote("not reached")', "main.lua")
    timer.join()
    assert outcome.status == "interrupted"
    assert calls == ["cleanup", "done"]


def test_the_watchdog_does_not_count_the_time_cleanup_spends_in_bindings(tmp_path):
    """After the time limit, a <close> handler whose first binding waits longer than the watchdog's
    STUCK_AFTER (the engine answers slowly) and then runs Lua before the next binding still finishes:
    the watchdog counts only time in Lua, not time spent waiting in bindings."""
    script = tmp_path / "slow_cleanup.lua"
    script.write_text(
        'local guard <close> = setmetatable({}, {__close = function()\n'
        '  nerdctl_list(true)  -- the engine answers after STUCK_AFTER + 1 seconds\n'
        '  local c = os.clock(); while os.clock() - c < 0.2 do end  -- Lua between two bindings\n'
        '  nerdctl_list(true)\n'
        '  print("cleanup done")\n'
        'end})\n'
        'while true do end\n')
    slow = str(limits.STUCK_AFTER + 1)
    result = herodo("--script-timeout", "0.2", str(script), timeout=4 * limits.STUCK_AFTER + 60,
                    NERDCTL_STANDIN_SLEEP_PS=slow)
    assert (result.returncode, result.stdout) == (124, "cleanup done\n"), result.stderr
    assert "exiting without cleanup" not in result.stderr
