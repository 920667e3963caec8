"""Class 9 of issue 12: Ctrl-C in a busy loop after a container was built: exit 130 and the script's
``<close>`` handler removes the container, every time, also on a loaded machine (the probe runs many
times, with busy processes competing for the CPU)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

RUNS = int(os.environ.get("HERODO_S12_CTRL_C_RUNS", "6"))

SCRIPT = """
local c = nerdctl_container_from_image({name!r}, "localhost/herodo-busybox:latest"):with_command("sleep 300")
local guard <close> = setmetatable({{}}, {{__close = function()
  {removal}
  print("removed")
end}})
c:build()
print("ready")
{loop}
"""
LOOPS = {
    "busy loop": "while true do end",
    "busy loop in pcall": "while true do pcall(function() while true do end end) end",
    "string work": 'local s = "" while true do s = s .. "x" if #s > 100000 then s = "" end end',
}
REMOVALS = {"remove": "c:remove(true)", "stop then remove": "c:stop(0); c:remove(true)"}


@contextmanager
def busy_cpus(count: int) -> Iterator[None]:
    """``count`` processes spinning on the CPU for the duration (a loaded machine)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


@pytest.mark.parametrize("removal", list(REMOVALS))
@pytest.mark.parametrize("loop", list(LOOPS))
def test_ctrl_c_in_a_busy_loop_always_removes_the_container(engine, test_image, unique_name, hostile, loop, removal):
    failures = []
    with busy_cpus(max(2, multiprocessing.cpu_count())):
        for attempt in range(RUNS):
            name = unique_name()
            run = hostile(SCRIPT.format(name=name, removal=REMOVALS[removal], loop=LOOPS[loop]), "--trusted",
                          engine=engine.name, interrupt_on="ready", bound=120, name=f"probe{attempt}.lua")
            left = engine.run("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout.split()
            if run.killed or run.code != 130 or "removed" not in run.out or left:
                failures.append((attempt, run.code, left, run.out[-300:], run.err[-600:]))
    assert failures == [], failures
