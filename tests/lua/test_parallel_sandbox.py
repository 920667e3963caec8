"""parallel() against hostile and unusual scripts, in-process on the nerdctl stand-in (real engine commands of
the stand-in, real threads, real signals): a task that yields forever (the time limit still stops it, and
it starves no other task), tasks that resume or close each other's coroutines, hostile error objects (an
__eq that says yes, a __tostring that loops or fails), a parallel inside a task, a strict sandbox, bindings
called where a task cannot yield, out of memory, os.exit and bad arguments refused before anything runs;
and as a process: --trace labels and the argv the stand-in received."""

from __future__ import annotations

import json
import uuid

import pytest
from herodo_process import STANDIN, herodo, processes_with
from support import interrupt_when

from herodo_py.lua.runtime import Runtime
from herodo_py.nerdctl.concurrency import MAX_JOBS


@pytest.fixture
def run(use_engine, tmp_path, capsys):
    """run(source, **runtime options) -> (Outcome, stdout); on the nerdctl stand-in."""
    use_engine(str(STANDIN))

    def runner(source: str, **options):
        path = tmp_path / "main.lua"
        path.write_text(source)
        outcome = Runtime(**options).run_file(str(path))
        return outcome, capsys.readouterr().out
    return runner


def test_a_task_yielding_forever_neither_escapes_the_time_limit_nor_starves_the_others(run):
    outcome, out = run("""
parallel({
  function() while true do coroutine.yield() end end,
  function() local n = #nerdctl_list(true); print("listed " .. n); io.stdout:flush() end,
  function() while true do pcall(coroutine.yield) end end,
})
print("not reached")
""", policy="sandbox", script_timeout=1.5)
    assert outcome.status == "timeout", outcome
    assert out.startswith("listed ") and "not reached" not in out


def test_tasks_resuming_or_closing_each_other_get_nothing_of_the_scheduler(run):
    outcome, out = run("""
local shared = {}
local fake_wake = setmetatable({}, {__eq = function() return true end})
local results, failures = parallel({
  function() shared.one = coroutine.running(); local l = nerdctl_list(true); return "one " .. #l end,
  function()
    -- task one waits for its engine call: resuming it returns nothing of the scheduler's, even with an
    -- argument whose __eq says it is the scheduler's wake-up
    print("resume", select("#", coroutine.resume(shared.one)), select("#", coroutine.resume(shared.one, fake_wake)))
    print("status", coroutine.status(shared.one))
    shared.two = coroutine.running()
    return "two"
  end,
  function()
    print("close", coroutine.close(shared.two))  -- finished already: closing a dead coroutine is allowed
    local ok = pcall(coroutine.resume, shared.two)
    print("resume dead", ok)
    return "three"
  end,
  function() local l = nerdctl_list(true); shared.four = coroutine.running(); return #l end,
  function()
    while not shared.four do coroutine.yield() end
    return "five"
  end,
}, {raise = false})
print("results", results[1] == "one " .. #nerdctl_list(true), results[2], results[3], results[5], failures == nil)
local _, fails = parallel({
  function() shared.six = coroutine.running(); nerdctl_list(true); return "six" end,
  function() while not shared.six do coroutine.yield() end; print("closing", coroutine.close(shared.six)) end,
}, {raise = false})
print("closed task", fails[1].index, fails[1].message)
""", policy="sandbox")
    assert outcome.ok, outcome.failure
    lines = out.splitlines()
    assert lines[0] == "resume\t1\t1"  # true, and nothing else (no marker leaked)
    assert lines[1] == "status\tsuspended"
    assert lines[2].startswith("close\ttrue") and lines[3] == "resume dead\ttrue"
    assert lines[4] == "results\ttrue\ttwo\tthree\tfive\ttrue"
    assert lines[5] == "closing\ttrue"
    assert lines[6] == "closed task\t1\ttask 1 was ended by another task (coroutine.resume or coroutine.close)"


def test_hostile_error_objects(run):
    outcome, out = run("""
local says_yes = setmetatable({}, {__eq = function() return true end, __tostring = function() return "yes" end})
local _, failures = parallel({
  function() nerdctl_list(true); error(says_yes) end,  -- not mistaken for the scheduler's own values
  function() error(setmetatable({}, {__tostring = function() error("no") end})) end,
  function() error(setmetatable({}, {__tostring = function() return {} end})) end,
  function() error((coroutine.running())) end,
  function() return "fine" end,
}, {raise = false})
for _, f in ipairs(failures) do print(f.index, f.message) end
""", policy="sandbox")
    assert outcome.ok, outcome.failure
    assert out.splitlines() == ["1\tyes", "2\t(error object cannot be shown)", "3\t(error object cannot be shown)",
                                "4\t(error object is a thread value)"]


def test_an_error_object_whose_tostring_loops_is_stopped_by_the_time_limit(run):
    outcome, _ = run("""
local cleaned = false
parallel({function()
  local g <close> = setmetatable({}, {__close = function() print("cleanup") end})
  error(setmetatable({}, {__tostring = function() while true do end end}))
end, function() nerdctl_list(true) end})
""", policy="sandbox", script_timeout=1.5)
    assert outcome.status == "timeout", outcome


def test_nested_parallel_and_strict_sandbox_fail_the_task_not_the_scheduler(run):
    outcome, out = run("""
local _, failures = parallel({
  function() return parallel({function() end}) end,
  function() return nerdctl_run("localhost/herodo-busybox:latest", "x") end,
  function() return #nerdctl_list(true) end,
}, {raise = false})
for _, f in ipairs(failures) do print(f.index, f.error.category) end
""", policy="strict")
    assert outcome.ok, outcome.failure
    assert out.splitlines() == ["1\tNestedParallel", "2\tRemovedBySandbox"]


def test_bindings_where_a_task_cannot_yield_run_in_place(run):
    outcome, out = run("""
local r = parallel({
  function()  -- a coroutine of the task's own
    return coroutine.wrap(function() return #nerdctl_list(true) end)() == #nerdctl_list(true)
  end,
  function()  -- inside a C call that cannot yield (a sort comparator)
    local t = {3, 1, 2}
    table.sort(t, function(a, b) nerdctl_engine(); return a < b end)
    return table.concat(t, ",")
  end,
  function()  -- inside pcall (which can yield): in a worker, its error caught there
    local ok, err = pcall(nerdctl_stop, "missing-web")
    return tostring(ok) .. " " .. err.category
  end,
})
print(r[1], r[2], r[3])
""", policy="sandbox")
    assert outcome.ok, outcome.failure
    assert out == "true\t1,2,3\tfalse NoSuchContainer\n"


def test_out_of_memory_in_a_task_ends_the_script_after_every_cleanup(run):
    outcome, out = run("""
parallel({
  function()
    local g <close> = setmetatable({}, {__close = function() print("cleanup 1") end})
    nerdctl_list(true)  -- (the other task starts meanwhile)
    local t = {}
    for i = 1, 1e9 do t[i] = ("x"):rep(1000) .. i end
  end,
  function()
    local g <close> = setmetatable({}, {__close = function() print("cleanup 2") end})
    nerdctl_list(true)
    while true do coroutine.yield() end
  end,
})
""", max_memory=64 * 1024 * 1024)
    assert outcome.exit_code == 1 and outcome.failure.title == "OUT OF MEMORY", outcome
    assert "cleanup 1" in out and "cleanup 2" in out


def test_os_exit_in_a_task_ends_the_script_and_closes_the_others(run):
    outcome, out = run("""
parallel({
  function()
    local g <close> = setmetatable({}, {__close = function() print("closed 1") end})
    nerdctl_list(true)
    while true do coroutine.yield() end
  end,
  function() nerdctl_list(true); os.exit(7) end,
})
print("not reached")
""")
    assert outcome.exit_code == 7
    assert out == "closed 1\n"


@pytest.mark.parametrize(("call", "message"), [
    ("parallel(nil)", "tasks must be a list of functions, got nil"),
    ("parallel({function() end, 'x'})", "task 2 is a string (expected a function, or {name = 'web', function() ... end})"),
    ("parallel({function() end, {name = 'a'}})", "task 2 has no function"),
    ("parallel({{name = 'a\\nb', function() end}})", "task 1: name must be a string of 1 to 64 characters"),
    ("parallel({[1] = print, [3] = print})", "tasks must be a list (keys 1..1), found the key 3"),
    ("parallel({nerdctl_list}, {jobs = 0})", f"options.jobs must be a whole number from 1 to {MAX_JOBS}, got 0"),
    ("parallel({nerdctl_list}, {jobs = 1.5})", "options.jobs must be a whole number"),
    ("parallel({nerdctl_list}, {job = 2})", 'unknown option "job" (expected jobs, fail_fast or raise)'),
    ("parallel({nerdctl_list}, {fail_fast = 'yes'})", "options.fail_fast must be true or false, got string"),
])
def test_bad_arguments_are_refused_before_any_task_runs(run, call, message):
    outcome, out = run(f"print('start')\n{call}\nprint('not reached')")
    assert outcome.failure is not None and outcome.failure.title == "BAD ARGUMENT", outcome
    assert message in outcome.failure.message and outcome.failure.line == 2, outcome.failure.message
    assert out == "start\n"


def test_ctrl_c_while_every_task_waits_kills_their_commands(run, monkeypatch):
    """In-process: SIGINT once both tasks wait on a stand-in exec that sleeps: both commands killed (no
    process of theirs left), both cleanups run."""
    marker = f"parallel-{uuid.uuid4().hex}"
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP_EXEC", "60")
    monkeypatch.setenv("HERODO_TEST_MARKER", marker)
    watcher = interrupt_when(lambda: len(processes_with(marker)) >= 2)
    outcome, out = run("""
local function task(i)
  return function()
    local g <close> = setmetatable({}, {__close = function() print("closed " .. i) end})
    nerdctl_exec("web", {"true"})
  end
end
parallel({task(1), task(2)})
""")
    watcher.join()
    assert outcome.status == "interrupted", outcome
    assert sorted(out.splitlines()) == ["closed 1", "closed 2"]
    assert processes_with(marker) == []


def test_trace_labels_and_argv_on_the_standin(tmp_path):
    log = tmp_path / "argv.jsonl"
    play = tmp_path / "play.lua"
    play.write_text("""
parallel({
  function() return nerdctl_logs("web", 5) end,
  {name = "db", function() return nerdctl_stop("db", 3) end},
}, {jobs = 2})
""")
    result = herodo("--trace", str(play), NERDCTL_STANDIN_LOG=str(log))
    assert result.returncode == 0, result.stderr
    argvs = sorted(json.loads(line)[1:] for line in log.read_text().splitlines())
    assert argvs == [["logs", "--tail", "5", "web"], ["stop", "-t", "3", "db"]]
    lines = result.stderr.splitlines()
    assert any(line.startswith("[task 1] + ") and line.endswith("nerdctl logs --tail 5 web") for line in lines), lines
    assert any(line.startswith("[task 2: db] + ") and line.endswith("nerdctl stop -t 3 db") for line in lines)
    assert sum(1 for line in lines if line.startswith("[task ") and "  exit 0 in " in line) == 2


def test_a_task_failure_uncaught_is_friendly_and_exits_with_the_shared_code(tmp_path):
    play = tmp_path / "play.lua"
    play.write_text('parallel({function() nerdctl_stop("missing-a") end, {name = "b", function() '
                    'nerdctl_stop("missing-b") end}})\n')
    result = herodo(str(play))
    assert result.returncode == 1
    assert "-- TASKS FAILED " in result.stderr and f"{play}:1" in result.stderr
    assert "2 of 2 tasks failed:\n  task 1: " in result.stderr and "\n  task 2: b: " in result.stderr
