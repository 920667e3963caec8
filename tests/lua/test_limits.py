"""Limits in every mode: the script time limit (no escape through pcall, xpcall, coroutines,
metamethods or callbacks; it interrupts a binding that waits and kills its engine command), the
memory limit (bombs of every shape end with OUT OF MEMORY at the script's line), cleanup after
either (``<close>`` handlers run), huge strings into bindings, the options and their parsing, and
the watchdog that ends herodo when a script is stuck in one C call."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from herodo_process import HERODO, STANDIN, herodo, herodo_env

from herodo_py.lua import limits
from herodo_py.lua.diagnostics.friendly import render
from herodo_py.lua.exit_codes import EXIT_FAILED, EXIT_TIMEOUT
from herodo_py.lua.registry import Param
from herodo_py.lua.runtime import Runtime, base_registry
from herodo_py.lua.runtime.stop import STOP_GRACE

LIMIT = 0.25  # seconds of script time in these tests
MEMORY = 32 * limits.MIB


def registry():
    r = base_registry()
    r.function("sleep", [Param("seconds", "number")], "nil")(lambda seconds: time.sleep(seconds))
    r.function("big", [Param("n", "integer")], "string")(lambda n: "x" * n)
    r.function("length", [Param("s", "string")], "integer")(lambda s: len(s))
    return r


def run(tmp_path: Path, source: str, *, policy: str = "trusted", name: str = "main.lua", **options):
    path = tmp_path / name
    path.write_text(source)
    return Runtime(registry(), policy=policy, **options).run_file(str(path))


# --- time ------------------------------------------------------------------------------------------

CLOSE = 'local guard <close> = setmetatable({}, {__close = function() print("cleanup") end})\n'

ESCAPES = {
    "loop": "while true do end",
    "pcall": "while true do pcall(function() while true do end end) end",
    "pcall error": 'while true do pcall(error, "x") end',
    "xpcall handler loops": 'while true do xpcall(function() error("x") end, function() while true do end end) end',
    "xpcall handler swallows": "while true do xpcall(function() while true do end end, function() return 1 end) end",
    "coroutine.wrap": "coroutine.wrap(function() while true do end end)()",
    "coroutine.create": "local co = coroutine.create(function() while true do end end)\n"
                        "while true do coroutine.resume(co) end",
    "nested coroutines": "coroutine.wrap(function() coroutine.wrap(function() while true do end end)() end)()",
    "coroutine catching": "coroutine.wrap(function() while true do pcall(function() while true do end end) end end)()",
    "yield across pcall": "local co = coroutine.wrap(function() while true do pcall(coroutine.yield) end end)\n"
                          "while true do pcall(co) end",
    "resume of dead ones": "while true do local co = coroutine.create(function() end) coroutine.resume(co) end",
    "gsub callback": 'string.gsub(string.rep("a", 1000), "a", function() while true do end end)',
    "sort comparator": "table.sort({3, 2, 1}, function(a, b) while true do end end)",
    "__index": "local t = setmetatable({}, {__index = function() while true do end end})\nlocal _ = t.x",
    "__tostring": "print(setmetatable({}, {__tostring = function() while true do end end}))",
    "__close": "do local x <close> = setmetatable({}, {__close = function() while true do end end}) end",
    "load": 'load("while true do end")()',
    "cleanup that loops": "do local x <close> = setmetatable({}, {__close = function() while true do end end})\n"
                          "  while true do end end",
    "error object that loops": "error(setmetatable({}, {__tostring = function() while true do end end}))",
    "error in loop": "while true do local ok = pcall(function() local t = nil; return t.x end) end",
    "slow instructions": 'local s, y = "", string.rep("y", 200000)\n'
                         'for i = 1, 1e9 do s = s .. y; if #s > 2e7 then s = "" end end',
}


@pytest.mark.parametrize("policy", ["trusted", "sandbox"])
@pytest.mark.parametrize("escape", list(ESCAPES))
def test_the_time_limit_cannot_be_escaped(tmp_path, capsys, escape, policy):
    started = time.monotonic()
    outcome = run(tmp_path, CLOSE + ESCAPES[escape], policy=policy, script_timeout=LIMIT, max_memory=256 * limits.MIB)
    elapsed = time.monotonic() - started
    assert (outcome.exit_code, outcome.status) == (EXIT_TIMEOUT, "timeout"), outcome.failure
    assert elapsed < LIMIT + 2.0, elapsed
    if escape != "cleanup that loops":  # (that one spends the grace: then every instruction fails)
        assert capsys.readouterr().out.endswith("cleanup\n")  # the <close> handler ran
    failure = outcome.failure
    assert failure.title == "SCRIPT TIMEOUT" and failure.file == str(tmp_path / "main.lua"), failure
    assert failure.line is not None and failure.line >= 2  # a line of the escape, not of the guard


def test_a_stop_raised_by_pcall_leaves_cleanup_its_grace(tmp_path, capsys):
    # the stop is asked for, and the script learns of it only later, when a pcall'd call fails
    # (after longer than the grace in wall time); pcall raises the stop in its place, and the
    # <close> handler, long enough for the hook to poll in it, still runs to its end
    r = registry()

    @r.function("fail_after_stop", [], "nil")
    def fail_after_stop() -> None:
        runtime.request_stop("timeout")
        time.sleep(STOP_GRACE + 0.3)
        raise ValueError("failed anyway")

    runtime = Runtime(r, script_timeout=30)

    path = tmp_path / "main.lua"
    path.write_text('local guard <close> = setmetatable({}, {__close = function()\n'
                    '  local n = 0; for i = 1, 100000 do n = n + i end; print("cleanup", n) end})\n'
                    'while true do pcall(fail_after_stop) end')
    outcome = runtime.run_file(str(path))
    assert (outcome.exit_code, outcome.status, outcome.failure.line) == (EXIT_TIMEOUT, "timeout", 3)
    assert capsys.readouterr().out == "cleanup\t5000050000\n"


def test_time_in_bindings_does_not_spend_the_grace_of_cleanup(tmp_path, capsys):
    # (cleanup removing a container waits for the engine: seconds on a busy machine)
    source = ('local guard <close> = setmetatable({}, {__close = function()\n'
              f'  sleep({STOP_GRACE + 0.3}); sleep(0.1); print("cleaned") end}})\n'
              'while true do end')
    outcome = run(tmp_path, source, script_timeout=LIMIT, hook_count=5)  # (the hook polls in the handler)
    assert (outcome.exit_code, outcome.status) == (EXIT_TIMEOUT, "timeout"), outcome.failure
    assert capsys.readouterr().out == "cleaned\n"


def test_the_timeout_failure_names_the_line_and_the_limit(tmp_path):
    outcome = run(tmp_path, "local n = 0\nfor i = 1, 10 do n = n + i end\nwhile true do\n  n = n + 1\nend",
                  script_timeout=LIMIT)
    text = render(outcome.failure)
    assert outcome.failure.line in (3, 4)
    assert text.startswith("-- SCRIPT TIMEOUT ")
    assert f"the script ran longer than {LIMIT:g}s and was stopped here" in text
    assert "--script-timeout" in text


def test_the_time_limit_interrupts_a_binding_that_waits(tmp_path, capsys):
    started = time.monotonic()
    outcome = run(tmp_path, CLOSE + "local x = 1\nsleep(30)\nprint('not reached')", script_timeout=LIMIT)
    assert (outcome.exit_code, outcome.failure.line) == (EXIT_TIMEOUT, 3)
    assert time.monotonic() - started < LIMIT + 1.5
    assert capsys.readouterr().out == "cleanup\n"


def test_the_time_limit_kills_the_engine_command_it_waits_on(tmp_path, use_engine, monkeypatch):
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("NERDCTL_STANDIN_LOG", str(log))
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP", "30")
    monkeypatch.setenv("HERODO_TEST_MARKER", marker := f"limits-{os.getpid()}-{time.monotonic_ns()}")
    use_engine(str(STANDIN))
    path = tmp_path / "main.lua"
    path.write_text("local x = 1\nnerdctl_images()")
    started = time.monotonic()
    outcome = Runtime(script_timeout=1.0).run_file(str(path))
    assert (outcome.exit_code, outcome.failure.title, outcome.failure.line) == (EXIT_TIMEOUT, "SCRIPT TIMEOUT", 2)
    assert time.monotonic() - started < 3
    time.sleep(0.1)
    assert _processes_with(marker) == []  # the stand-in (and its group) is gone


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes() and int(pid) != os.getpid():
                found.append(int(pid))
        except OSError:
            continue
    return found


def test_the_sandbox_has_a_default_time_limit_and_trusted_none():
    assert Runtime(base_registry()).script_timeout is None
    assert Runtime(base_registry(), policy="sandbox").script_timeout == limits.SANDBOX_SCRIPT_TIMEOUT == 300
    assert Runtime(base_registry(), policy="strict", script_timeout=None).script_timeout is None
    assert Runtime(base_registry(), policy="trusted", script_timeout=5).script_timeout == 5


def test_a_runtime_runs_again_after_a_timeout_and_each_call_gets_its_own_time(tmp_path):
    runtime = Runtime(registry(), script_timeout=LIMIT)
    first = runtime.run_source("while true do end", str(tmp_path / "a.lua"))
    assert first.status == "timeout"
    runtime._stop = None  # what herodo test does not do: a stopped file runs nothing more
    fn = runtime.lua.eval("function() local n = 0 for i = 1, 1000 do n = n + i end return n end")
    again = runtime.call(fn)
    assert again.ok and again.returned == (500500,)


def test_stop_requests_from_another_thread_still_work_with_the_new_pacing(tmp_path):
    runtime = Runtime(registry())
    threading.Timer(0.2, runtime.request_stop, args=("interrupt",)).start()
    started = time.thread_time()  # CPU time of this thread: the grace is CPU time, wall time measures the load
    outcome = runtime.run_source('local s = ""\nwhile true do s = s .. "x"; if #s > 1e6 then s = "" end end',
                                 str(tmp_path / "a.lua"))
    assert outcome.status == "interrupted" and time.thread_time() - started < 5


# --- memory ----------------------------------------------------------------------------------------

# source, the lines the failure may name (in a loop, the hook sees the loop's header or its body; one
# `..` between huge strings fails inside the VM, where no handler runs: its line is known only if
# the hook saw the script under memory pressure just before, hence None)
BOMBS = {
    "string.rep": ('local s = string.rep("x", 1e9)', {2}),
    "string.rep separator": ('local s = string.rep("x", 1e8, "yy")', {2}),
    "table growth": ("local t = {}\nfor i = 1, 1e10 do\n  t[i] = i\nend", {3, 4}),
    "string concatenation": ('local s, y = "", string.rep("y", 100000)\nfor i = 1, 1e10 do\n  s = s .. y .. i\nend',
                             {3, 4, None}),
    "string doubling": ('local s = "x"\nfor i = 1, 100 do\n  s = s .. s\nend', {3, 4, None}),
    "many small tables": ("local t = {}\nfor i = 1, 1e10 do\n  t[#t + 1] = {i, i}\nend", {3, 4}),
    "table.concat": ('local t = {}\nfor i = 1, 20 do t[i] = string.rep("z", 1e6) end\nlocal s = table.concat(t)', {4}),
    "string.format": ('local a = string.rep("q", 6e6)\nlocal b = string.format("%s%s%s%s%s%s", a, a, a, a, a, a)', {3}),
    "coroutines": ("local t = {}\nfor i = 1, 1e10 do\n  t[i] = coroutine.create(print)\nend", {3, 4}),
    "closures": ("local t = {}\nfor i = 1, 1e10 do\n  t[i] = function() return i end\nend", {3, 4}),
    "binding result": ("local x = 1\nlocal s = big(200 * 1024 * 1024)", {3}),
}


@pytest.mark.parametrize("policy", ["trusted", "sandbox"])
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_memory_bombs_end_with_out_of_memory_at_their_line_and_cleanup_runs(tmp_path, capsys, bomb, policy):
    source, lines = BOMBS[bomb]
    outcome = run(tmp_path, CLOSE + source, policy=policy, max_memory=MEMORY, script_timeout=60)
    assert outcome.exit_code == EXIT_FAILED, outcome
    failure = outcome.failure
    assert failure.title == "OUT OF MEMORY" and failure.line in lines, failure
    assert "32m" in failure.message or bomb == "binding result"
    assert capsys.readouterr().out.endswith("cleanup\n")


def test_out_of_memory_renders_with_the_source_line_and_the_option(tmp_path):
    outcome = run(tmp_path, 'local t = {}\nfor i = 1, 1e10 do t[i] = "item " .. i end', max_memory=MEMORY)
    text = render(outcome.failure)
    assert text.startswith("-- OUT OF MEMORY ")
    assert "the script needed more memory than its limit of 32m" in text
    assert "   2| for i = 1, 1e10 do" in text
    assert "--max-memory" in text


def test_a_memory_bomb_inside_a_coroutine_points_into_the_script(tmp_path):
    outcome = run(tmp_path, "local f = coroutine.wrap(function()\n  local t = {}\n  for i = 1, 1e10 do t[i] = i end\n"
                            "end)\nf()", max_memory=MEMORY)
    assert outcome.failure.title == "OUT OF MEMORY" and outcome.failure.line in (3, 5), outcome.failure


def test_the_runtime_is_usable_after_out_of_memory_and_the_limit_is_restored(tmp_path):
    runtime = Runtime(registry(), max_memory=MEMORY)
    first = runtime.run_source('local t = {} for i = 1, 1e10 do t[i] = i end', str(tmp_path / "a.lua"))
    assert first.failure.title == "OUT OF MEMORY"
    assert runtime.lua.get_max_memory() == MEMORY
    again = runtime.call(runtime.lua.eval('function() return #string.rep("x", 1000000) end'))
    assert again.ok and again.returned == (1000000,)
    third = runtime.call(runtime.lua.eval('function() return string.rep("x", 1e9) end'))
    assert third.failure.title == "OUT OF MEMORY"


def test_pcall_may_catch_out_of_memory_and_go_on(tmp_path, capsys):
    outcome = run(tmp_path, 'local ok, e = pcall(string.rep, "x", 1e9)\nprint(ok, tostring(e))', max_memory=MEMORY)
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "false\tnot enough memory\n"


def test_the_default_memory_limit_is_512m_and_0_means_none():
    assert Runtime(base_registry()).lua.get_max_memory() == 512 * limits.MIB
    assert Runtime(base_registry(), max_memory=0).max_memory == 0
    assert Runtime(base_registry(), max_memory=None).max_memory == 0


def test_huge_strings_cross_into_bindings(tmp_path, capsys):
    outcome = run(tmp_path, 'print(length(string.rep("x", 50 * 1024 * 1024)))', max_memory=256 * limits.MIB)
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == f"{50 * 1024 * 1024}\n"


@pytest.mark.parametrize("call, title, code", [
    # (the kernel would refuse an argument over 128 KiB: E2BIG; the validators refuse it first)
    ('nerdctl_container_from_image("herodo-t-big", "busybox"):with_env("K", BIG):build()', "BAD INPUT", 1),
    ('nerdctl_container_from_image("herodo-t-big", "busybox"):with_label("k", BIG):build()', "BAD INPUT", 1),
    ('nerdctl_run("busybox", "n" .. BIG)', "BAD INPUT", 1),
    ('nerdctl_run(BIG)', "BAD INPUT", 1),
    ('nerdctl_container_new("web"):with_command(BIG)', "BAD INPUT", 1),
    ('nerdctl_container_new("web"):with_command(string.rep("x", 128 * 1024 - 1))', None, 0),
])
def test_a_50_mb_value_into_the_engine_bindings_is_refused_or_passed_never_a_crash(tmp_path, use_engine,
                                                                                 monkeypatch, call, title, code):
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("NERDCTL_STANDIN_LOG", str(log))
    use_engine(str(STANDIN))
    path = tmp_path / "big.lua"
    path.write_text(f'local BIG = string.rep("x", 50 * 1024 * 1024)\n{call}')
    outcome = Runtime().run_file(str(path))
    assert outcome.exit_code == code, outcome.failure
    if title is not None:
        assert (outcome.failure.title, outcome.failure.line) == (title, 2)
    calls = [json.loads(line)[1] for line in log.read_text().splitlines()] if log.exists() else []
    assert "run" not in calls  # nothing started


# --- the herodo options ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, size", [("512m", 512 * limits.MIB), ("2g", 2048 * limits.MIB),
                                        ("1.5G", 1536 * limits.MIB), ("256MiB", 256 * limits.MIB),
                                        ("64mb", 64 * limits.MIB), (str(8 * limits.MIB), 8 * limits.MIB), ("0", 0),
                                        ("none", 0)])
def test_parse_size(text, size):
    assert limits.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1", "12", "1k", "lots", "1e9", "5x", "nan"])
def test_parse_size_refuses(text):
    with pytest.raises(ValueError):
        limits.parse_size(text)


@pytest.mark.parametrize("text, seconds", [("300", 300.0), ("90s", 90.0), ("1.5m", 90.0), ("1h", 3600.0),
                                           ("0.25", 0.25), ("0", None), ("none", None)])
def test_parse_seconds(text, seconds):
    assert limits.parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "-5", "soon", "1d", "inf", "nan", "3000000"])
def test_parse_seconds_refuses(text):
    with pytest.raises(ValueError):
        limits.parse_seconds(text)


def test_herodo_limit_options(tmp_path):
    (tmp_path / "loop.lua").write_text("local x = 0\nwhile true do x = x + 1 end")
    (tmp_path / "bomb.lua").write_text("local t = {}\nfor i = 1, 1e10 do t[i] = i end")
    timed = herodo("--script-timeout", "0.5", str(tmp_path / "loop.lua"))
    assert timed.returncode == 124 and timed.stderr.startswith("-- SCRIPT TIMEOUT") and "loop.lua:2" in timed.stderr
    bombed = herodo("--max-memory", "16m", str(tmp_path / "bomb.lua"))
    assert bombed.returncode == 1 and bombed.stderr.startswith("-- OUT OF MEMORY") and "bomb.lua:2" in bombed.stderr
    assert "limit of 16m" in bombed.stderr
    assert herodo("--max-memory", "lots", str(tmp_path / "bomb.lua")).returncode == 2
    assert herodo("--script-timeout", "soon", str(tmp_path / "loop.lua")).returncode == 2
    sandboxed = herodo("--sandbox", "--script-timeout", "0.5", str(tmp_path / "loop.lua"))
    assert sandboxed.returncode == 124


def test_herodo_test_honours_the_limits(tmp_path):
    (tmp_path / "slow_test.lua").write_text(
        'test("spins", function()\n  while true do end\nend)\n'
        'test("reads a file", function()\n  io.open("/etc/hostname")\nend)\n')
    result = herodo("test", "--sandbox", "--script-timeout", "0.5", str(tmp_path / "slow_test.lua"))
    assert result.returncode == 1
    assert "SCRIPT TIMEOUT" in result.stdout + result.stderr


# --- one C call no hook can stop: the watchdog ends herodo -----------------------------------------

STUCK = {
    # exponential backtracking: 2^40 steps inside one string.find
    "pattern": 'local s = string.rep("a", 40)\nprint("ready")\nstring.find(s, string.rep("a?", 40) .. s)',
    # the same backtracking inside one string.gsub (finalizers, which also ran with hooks off, are refused)
    "gsub": 'local s = string.rep("a", 40)\nprint("ready")\nstring.gsub(s, string.rep("a?", 40) .. s, "")',
}


def test_a_script_stuck_in_one_c_call_is_ended_by_the_watchdog(tmp_path):
    procs = {}
    for name, source in STUCK.items():
        (tmp_path / f"{name}.lua").write_text(source)
        procs[name] = subprocess.Popen([*HERODO, "--script-timeout", "0.5", str(tmp_path / f"{name}.lua")],
                                       env=herodo_env(str(STANDIN)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
    started = time.monotonic()
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=0.5 + limits.STUCK_AFTER + 10)
        finally:
            proc.kill()
        assert proc.returncode == EXIT_TIMEOUT, (name, err)
        assert out == "ready\n"
        assert "script timeout: the script did not stop within" in err and "exiting without cleanup" in err
    assert time.monotonic() - started < 0.5 + limits.STUCK_AFTER + 5
