"""parallel(tasks, options) in scripts, live on docker and podman through real herodo processes: the tasks'
engine commands really overlap (a barrier only a concurrent command can pass, and the engine's own start and
finish times), results come back in the tasks' order, failures are aggregated (raised and returned),
fail_fast cancels (the running command killed, <close> cleanup run), Ctrl-C and --script-timeout stop every
task (exit 130/124, each task's cleanup ran, no container and no engine process left), --trace labels each
command with its task, --dry-run runs nothing that changes state."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from herodo_process import Herodo, herodo


def script(tmp_path: Path, source: str, name: str = "play.lua") -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


def named(engine, prefix: str) -> list[str]:
    """The containers (any state) whose name starts with ``prefix``."""
    listed = engine.run("ps", "-a", "--format", "{{.Names}}")
    assert listed.returncode == 0, listed.stderr
    return [name for name in listed.stdout.split() if name.startswith(prefix)]


def moment(text: str) -> datetime:
    """An engine timestamp (RFC 3339 with nanoseconds, Z or an offset) as a datetime (microseconds)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text.strip())
    assert m, text
    fraction = (m[2] or "0")[:6].ljust(6, "0")
    return datetime.fromisoformat(f"{m[1]}.{fraction}{'+00:00' if m[3] == 'Z' else m[3]}")


OVERLAP = """
local prefix, image = ...
-- a barrier: task 1's command ends only once task 2's command has run while it was waiting
local box = nerdctl_container_from_image(prefix .. "-box", image):with_command({"sleep", "300"}):build()
local guard <close> = setmetatable({}, {__close = function() box:remove(true) end})
local r = parallel({
  function() box:exec("i=0; while [ ! -e /tmp/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
                      .. "[ -e /tmp/go ] && echo passed"); return "first" end,
  {name = "second", function() box:exec("touch /tmp/go"); return "second" end},
  function() return "third" end,
}, {jobs = 2})
print("results", r.n, r[1], r[2], r[3])
-- spans by the engine's own clock: three foreground containers of 2 s each, run by three tasks
local spans = {}
for i = 1, 3 do
  spans[i] = function()
    local name = prefix .. "-span" .. i
    nerdctl_run(image, name, false, nil, nil, {"sleep", "2"})
    local s = nerdctl_container_new(name):status()
    nerdctl_remove(name, true)
    return s.started .. " " .. s.finished
  end
end
local times = parallel(spans)
for i = 1, 3 do print("span", i, times[i]) end
"""


def test_tasks_overlap_and_results_come_back_in_order(engine, test_image, unique_name, tmp_path):
    prefix = unique_name()  # (the script removes what it makes; the session's sweep would catch the rest)
    result = herodo(str(script(tmp_path, OVERLAP)), "--", prefix, test_image, engine=engine.name)
    assert result.returncode == 0, result.stderr
    assert "results\t3\tfirst\tsecond\tthird" in result.stdout
    spans = [line.split("\t")[2].split() for line in result.stdout.splitlines() if line.startswith("span\t")]
    assert len(spans) == 3, result.stdout
    starts = [moment(s[0]) for s in spans]
    finishes = [moment(s[1]) for s in spans]
    assert max(starts) < min(finishes), spans  # every container ran while every other one ran
    assert named(engine, prefix) == []


FAILURES = """
local prefix, image = ...
local function boom(i) return function() nerdctl_exec(prefix .. "-missing" .. i, "true") end end
local results, failures = parallel({
  function() return "fine" end,
  {name = "db", boom(2)},
  function() error({code = 3}) end,
  function() return "also fine" end,
}, {raise = false})
print("settled", results[1], results[2], results[3], results[4], #failures)
for _, f in ipairs(failures) do
  print("failure", f.index, tostring(f.name), f.cancelled, f.message:gsub("\\n.*", ""))
end
print("category", failures[1].error.category)
local ok, err = pcall(parallel, {boom(1), function() return 1 end})
print("raised", ok, #err.failures, err.failures[1].index, err.results[2])
parallel({function() return 1 end, {name = "web", boom(5)}})
"""


def test_failures_are_aggregated_raised_and_returned(engine, unique_name, tmp_path):
    prefix = unique_name()
    result = herodo(str(script(tmp_path, FAILURES)), "--", prefix, "unused", engine=engine.name)
    out = result.stdout
    assert "settled\tfine\tnil\tnil\talso fine\t2" in out, (out, result.stderr)
    failures = [line.split("\t") for line in out.splitlines() if line.startswith("failure\t")]
    assert [f[1:4] for f in failures] == [["2", "db", "false"], ["3", "nil", "false"]]
    assert prefix + "-missing2" in failures[0][4] and "play.lua:3:" in failures[0][4]
    assert failures[1][4] == "(error object is a table value)"
    assert "category\tNoSuchContainer" in out
    assert "raised\tfalse\t1\t1\t1" in out
    # uncaught: TASKS FAILED at the parallel() line, each failure with its task, the exit code of the failure
    assert result.returncode == 1, result.stderr
    assert "TASKS FAILED" in result.stderr and "play.lua:17" in result.stderr
    assert "1 of 2 tasks failed:\n  task 2: web: " in result.stderr and prefix + "-missing5" in result.stderr


FAIL_FAST = """
local prefix, image = ...
local shared = {}
local results, failures = parallel({
  function()
    local c = nerdctl_container_from_image(prefix .. "-slow", image):with_command({"sleep", "300"}):build()
    local guard <close> = setmetatable({}, {__close = function() c:remove(true); print("closed slow") end})
    print("slow running"); io.stdout:flush()
    shared.c = c
    c:exec({"sleep", "300"})
    print("slow finished")
  end,
  function()
    -- fails once the slow task's `exec sleep 300` runs in its container (PID 1 is a `sleep 300` too)
    while not shared.c do coroutine.yield() end
    for _ = 1, 600 do
      local _, count = shared.c:exec("ps -o args").stdout:gsub("sleep 300", "")
      if count >= 2 then break end
    end
    error("second task fails")
  end,
  function() return "done before" end,
}, {fail_fast = true, raise = false, jobs = 3})
print("settled", results[3], #failures)
for _, f in ipairs(failures) do print("failure", f.index, f.cancelled, f.message) end
"""


def test_fail_fast_cancels_the_running_tasks_their_commands_killed_and_cleanup_run(engine, test_image,
                                                                                   unique_name, tmp_path):
    prefix = unique_name()
    herodo_run = Herodo([str(script(tmp_path, FAIL_FAST)), "--", prefix, test_image], engine.name, tmp_path)
    out, err = herodo_run.proc.communicate(timeout=240)
    assert herodo_run.proc.returncode == 0, (out, err)
    assert "slow running" in out and "closed slow" in out and "slow finished" not in out
    assert "settled\tdone before\t2" in out
    lines = [line.split("\t") for line in out.splitlines() if line.startswith("failure\t")]
    assert lines[0][1:3] == ["1", "true"] and lines[0][3] == "cancelled after task 2 failed"
    assert lines[1][1:3] == ["2", "false"] and "second task fails" in lines[1][3]
    assert engine.run("inspect", prefix + "-slow").returncode != 0
    herodo_run.assert_nothing_left()


STOPPED = """
local prefix, image = ...
local function task(i)
  return function()
    local c = nerdctl_container_from_image(prefix .. "-" .. i, image):with_command({"sleep", "300"}):build()
    local guard <close> = setmetatable({}, {__close = function() c:remove(true); print("removed " .. i) end})
    print("ready " .. i); io.stdout:flush()
    c:exec({"sleep", "300"})
    print("not reached " .. i)
  end
end
parallel({task(1), task(2), %s})
print("after parallel")
"""


def _both_execs_running(herodo_run: Herodo, engine, prefix: str) -> None:
    """Wait (bounded) until both tasks' `exec sleep 300` are running in their containers."""
    import time

    deadline = time.monotonic() + 120
    for i in (1, 2):
        while True:
            ps = engine.run("exec", f"{prefix}-{i}", "ps", "-o", "args")
            if ps.stdout.count("sleep 300") >= 2:
                break
            assert time.monotonic() < deadline and herodo_run.proc.poll() is None, (herodo_run.out, ps.stdout)
            time.sleep(0.2)


def test_ctrl_c_during_parallel_stops_every_task_and_runs_each_cleanup(engine, test_image, unique_name, tmp_path):
    prefix = unique_name()
    herodo_run = Herodo([str(script(tmp_path, STOPPED % "nil")), "--", prefix, test_image], engine.name, tmp_path)
    herodo_run.wait_for("ready ")  # (the two tasks' lines, in either order)
    herodo_run.wait_for("ready ")
    _both_execs_running(herodo_run, engine, prefix)
    code, _, out, err = herodo_run.interrupt(timeout=120)
    assert code == 130, (out, err)
    assert "removed 1" in out and "removed 2" in out
    assert "not reached" not in out and "after parallel" not in out
    for i in (1, 2):
        assert engine.run("inspect", f"{prefix}-{i}").returncode != 0
    herodo_run.assert_nothing_left()


def test_the_time_limit_during_parallel_stops_every_task_and_runs_each_cleanup(engine, test_image, unique_name,
                                                                              tmp_path):
    prefix = unique_name()
    # (a third task yields forever: the limit stops it too, and it starves no other task)
    source = STOPPED % "function() while true do coroutine.yield() end end"
    herodo_run = Herodo(["--script-timeout", "30", str(script(tmp_path, source)), "--", prefix, test_image],
                        engine.name, tmp_path)
    out, err = herodo_run.proc.communicate(timeout=240)
    assert herodo_run.proc.returncode == 124, (out, err)
    assert "SCRIPT TIMEOUT" in err
    assert "ready 1" in out and "ready 2" in out
    assert "removed 1" in out and "removed 2" in out and "not reached" not in out
    for i in (1, 2):
        assert engine.run("inspect", f"{prefix}-{i}").returncode != 0
    herodo_run.assert_nothing_left()


TRACED = """
local prefix, image = ...
parallel({
  function() return #nerdctl_list(true) end,
  {name = "web", function()
    local c = nerdctl_container_from_image(prefix .. "-web", image):with_command({"sleep", "300"}):build()
    c:remove(true)
  end},
})
"""


def test_trace_labels_each_command_with_its_task(engine, test_image, unique_name, tmp_path):
    prefix = unique_name()
    result = herodo("--trace", str(script(tmp_path, TRACED)), "--", prefix, test_image, engine=engine.name)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(re.fullmatch(rf"\[task 1\] \+ {engine.name} ps (--all|-a) .*", line) for line in lines), lines
    assert any(re.fullmatch(rf"\[task 2: web\] \+ {engine.name} run .*--name {prefix}-web .*", line)
               for line in lines), lines
    assert any(re.fullmatch(r"\[task 2: web\]   exit 0 in \d+\.\d\ds", line) for line in lines), lines
    assert not [line for line in lines if line.startswith("+ ")]  # every command ran in a task


def test_dry_run_inside_tasks_changes_nothing(engine, test_image, unique_name, tmp_path):
    prefix = unique_name()
    result = herodo("--dry-run", str(script(tmp_path, TRACED)), "--", prefix, test_image, engine=engine.name)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"^\[task 2: web\] would run: {engine.name} run .*--name {prefix}-web ", result.stderr, re.M)
    assert re.search(rf"^\[task 2: web\] would run: {engine.name} rm ", result.stderr, re.M)
    assert "herodo: dry run: 2 state-changing commands not run" in result.stderr
    assert engine.run("inspect", f"{prefix}-web").returncode != 0
