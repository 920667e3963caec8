"""The Lua runtime without an engine: output, arguments, modules, os.exit, stopping, the attribute
whitelist, error objects and records, with a small registry of test bindings."""

from __future__ import annotations

import io
import sys
import threading
import time
from dataclasses import dataclass, field

import pytest

from herodo_py.lua.diagnostics.errors import ScriptError
from herodo_py.lua.exit_codes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TIMEOUT
from herodo_py.lua.registry import Param, class_key
from herodo_py.lua.runtime import Runtime, base_registry, prepare_source
from herodo_py.nerdctl.errors import CommandFailed, NoSuchContainer


@dataclass
class Box:
    name: str
    items: list[str] = field(default_factory=list)
    secret: str = "hidden"

    def add(self, item: str) -> Box:
        self.items.append(item)
        return self


@dataclass
class Report:
    state: str
    code: int
    note: str | None = None


def raise_keyboard_interrupt() -> None:
    raise KeyboardInterrupt  # what the SIGINT handler raises while a binding waits


def make_registry():
    r = base_registry()
    r.type("Box", "object", python=class_key(Box), exclude=["secret"])
    r.type("Report", "record", python=class_key(Report))
    r.type("Opts", "options", fields=[])
    r.function("box_new", [Param("name", "string")], "Box", waits=False)(lambda name: Box(name))
    r.method("Box", "add", [Param("item", "string")], "self", waits=False)(lambda box, item: box.add(item))
    r.function("box_wait", [Param("name", "string")], "Box")(lambda name: Box(name))  # (runs in a worker in tasks)
    r.method("Box", "report", [], "Report")(lambda box: Report("running", 0))
    r.function("report_new", [], "Report")(lambda: Report("exited", 3))
    r.function("fail_engine", [], "nil")(lambda: (_ for _ in ()).throw(NoSuchContainer(
        "`docker stop web` exited with status 1: No such container: web", argv=["docker", "stop", "web"], code=1,
        stderr="Error response from daemon: No such container: web")))
    r.function("generator", [], "any")(lambda: (i for i in range(3)))
    r.function("frame", [], "any")(lambda: __import__("sys")._getframe())
    r.function("echo", [Param("value", "any")], "any")(lambda value: value)
    r.function("echo_bytes", [Param("text", "string")], "string")(lambda text: text)
    r.function("lists", [Param("ports", "string[]"), Param("env", "table<string,string>?")], "any")(
        lambda ports, env=None: {"ports": ports, "env": env})
    r.function("takes_int", [Param("n", "integer")], "integer")(lambda n: n)
    r.function("interrupted", [], "nil")(raise_keyboard_interrupt)
    return r


@pytest.fixture
def run(tmp_path):
    """run(source, *args, **runtime_options) -> (Outcome, Runtime); the script is tmp_path/main.lua."""
    def runner(source: str, *args: str, **options):
        path = tmp_path / "main.lua"
        path.write_text(source)
        runtime = Runtime(make_registry(), **options)
        return runtime.run_file(str(path), list(args)), runtime
    return runner


def test_print_and_io_write_go_through_python_streams_in_order(run, capsys):
    outcome, _ = run('print("a", 1, 2.5, nil, true)\nio.write("b", 3, "\\n")\nio.stderr:write("err\\n")\n'
                     'io.stdout:write("c"):write("d\\n")\nprint(("x"):rep(3))')
    assert outcome.ok
    captured = capsys.readouterr()
    assert captured.out == "a\t1\t2.5\tnil\ttrue\nb3\ncd\nxxx\n"
    assert captured.err == "err\n"


def test_arguments_reach_arg_and_varargs(run, capsys, tmp_path):
    outcome, _ = run("print(arg[0], arg[1], arg[2], #arg, ...)", "one", "two words")
    assert outcome.ok
    assert capsys.readouterr().out == f"{tmp_path}/main.lua\tone\ttwo words\t2\tone\ttwo words\n"


def test_shebang_line_is_accepted_and_line_numbers_stay(run):
    outcome, _ = run("#!/usr/bin/env herodo\nlocal x = 1\nerror('boom')\n")
    assert outcome.exit_code == 1
    assert (outcome.failure.title, outcome.failure.line) == ("SCRIPT ERROR", 3)
    assert prepare_source(b"\xef\xbb\xbf#!x\nprint(1)") == b"--!x\nprint(1)"


def test_require_finds_modules_next_to_the_script(run, tmp_path, capsys, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helper.lua").write_text("return { greet = function(n) return 'hi ' .. n end }")
    (tmp_path / "util.lua").write_text("return 42")
    monkeypatch.chdir("/")
    outcome, _ = run("print(require('lib.helper').greet('ops'), (require('util')))")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "hi ops\t42\n"


def test_os_exit_ends_the_script_with_its_code_after_close_handlers(run, capsys):
    outcome, _ = run("""
local guard <close> = setmetatable({}, {__close = function() print("cleanup") end})
pcall(function() os.exit(3) end)
print("not reached")
""")
    assert (outcome.exit_code, outcome.status) == (3, "exit")
    assert capsys.readouterr().out == "cleanup\n"


@pytest.mark.parametrize("call, code", [("os.exit()", 0), ("os.exit(true)", 0), ("os.exit(false)", 1),
                                        ("os.exit(7.0)", 7)])
def test_os_exit_codes(run, call, code):
    assert run(call)[0].exit_code == code


def test_os_exit_inside_a_coroutine_ends_the_script(run, capsys):
    outcome, _ = run("coroutine.wrap(function() os.exit(4) end)()\nprint('not reached')")
    assert outcome.exit_code == 4
    assert capsys.readouterr().out == ""


def test_no_python_global_eval_or_builtins(run, capsys):
    outcome, _ = run("""
print(python, package.loaded.python, rawget(_G, "python"))
print(pcall(debug.getregistry))
""")
    assert outcome.ok
    out = capsys.readouterr().out
    assert out.startswith("nil\tnil\tnil\nfalse\t") and "reserved by herodo" in out


@pytest.mark.parametrize("expr", [
    "b.__class__", "b.__dict__", "b['__class__']", "b['__init__']", "b.secret", "b[1]",
    "b.add.__func__", "b.add.__self__", "box_new.__globals__", "box_new['__globals__']", "box_new.__code__",
])
def test_whitelist_refuses_python_internals(run, capsys, expr):
    outcome, _ = run(f"""
local b = box_new("x")
local ok, err = pcall(function() return {expr} end)
print(ok, err.category)
""")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "false\tUnknownName\n"


@pytest.mark.parametrize("expr", ["box_wait.__globals__", "box_wait['__code__']", "b.report.__func__",
                                  "debug.getupvalue(box_wait, 1)"])
def test_waiting_bindings_are_lua_closures_with_nothing_of_python_to_reach(run, capsys, expr):
    """A binding that waits is a Lua wrapper (it yields inside parallel tasks): indexing it fails like any
    Lua function's; its upvalues (the Python callables) are out of reach in the sandbox (no debug)."""
    outcome, _ = run(f"""
local b = box_new("x")
local ok, err = pcall(function() return {expr} end)
print(ok, type(err) == "string" and err:match("attempt to index") and "indexing" or tostring(err))
""", policy="sandbox")
    assert outcome.ok, outcome.failure
    out = capsys.readouterr().out
    assert out.startswith("false\t"), out


def test_error_objects_expose_only_their_fields(run, capsys):
    outcome, _ = run("""
local _, e = pcall(fail_engine)
for _, key in ipairs({"cause", "__class__", "__traceback__", "args", "with_traceback"}) do
  local ok, err = pcall(function() return e[key] end)
  io.write(tostring(ok), " ", err.category, " ")
end
""")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "false UnknownName " * 5


def test_calling_a_python_object_is_a_runtime_error_not_a_crash(run):
    outcome, _ = run("local b = box_new('x')\nb()")
    assert (outcome.exit_code, outcome.failure.title, outcome.failure.line) == (1, "RUNTIME ERROR", 2)


def test_fields_are_read_only(run, capsys):
    outcome, _ = run("local b = box_new('x')\nlocal ok, e = pcall(function() b.name = 'y' end)\nprint(ok, e.category, b.name)")
    assert outcome.ok
    assert capsys.readouterr().out == "false\tReadOnly\tx\n"


@pytest.mark.parametrize("fn", ["generator", "frame"])
def test_generators_and_frames_are_never_handed_to_lua(run, capsys, fn):
    outcome, _ = run(f"local ok, e = pcall({fn})\nprint(ok, e.category)\nreturn {fn}()")
    assert capsys.readouterr().out == "false\tInternalError\n"
    assert outcome.exit_code == EXIT_INTERNAL


def test_methods_chain_with_colon_and_dot_and_fields_read_as_lua_values(run, capsys):
    outcome, _ = run("""
local b = box_new("web"):add("a")
b.add("b"):add("c")
print(b.name, #b.items, b.items[1], b.items[3], type(b.items))
""")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "web\t3\ta\tc\ttable\n"


def test_records_are_tables_with_did_you_mean_on_unknown_fields(run, capsys):
    outcome, _ = run("""
local r = report_new()
print(r.state, r.code, r.note, tostring(r))
local ok, e = pcall(function() return r.stat end)
print(ok, e.category, e.hint)
r.extra = 1
print(r.extra)
""")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == ('exited\t3\tnil\tReport{code=3, state="exited"}\n'
                                      "false\tUnknownName\tdid you mean 'state'?\n1\n")


def test_engine_errors_are_catchable_objects_with_fields(run, capsys, tmp_path):
    outcome, _ = run("""
local ok, e = pcall(fail_engine)
print(ok, type(e), e.kind, e.category, e.code, e.command, e.line, e.func)
print(e.stderr)
print(tostring(e))
""")
    assert outcome.ok, outcome.failure
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "false\ttable\tCommandFailed\tNoSuchContainer\t1\tdocker stop web\t2\tfail_engine"
    assert lines[1] == "Error response from daemon: No such container: web"
    assert lines[2] == f"{tmp_path}/main.lua:2: `docker stop web` exited with status 1: No such container: web"
    assert lines[3].startswith("hint: check the name with nerdctl_list(true)")


def test_uncaught_engine_error_becomes_a_failure_at_the_calling_line(run):
    outcome, _ = run("local x = 1\n\nfail_engine()")
    failure = outcome.failure
    assert (outcome.exit_code, failure.title, failure.line, failure.snippets[0].token) == \
        (1, "NO SUCH CONTAINER", 3, "fail_engine")
    assert isinstance(failure.error, CommandFailed)


def test_rethrown_error_keeps_its_origin(run):
    outcome, _ = run("local ok, e = pcall(fail_engine)\nlocal y = 2\nerror(e)")
    assert (outcome.failure.title, outcome.failure.line) == ("NO SUCH CONTAINER", 1)


def test_error_inside_a_coroutine_reports_the_coroutine_line(run):
    outcome, _ = run("local co = coroutine.wrap(function()\n  local a = 1\n  fail_engine()\nend)\nco()")
    assert outcome.failure.line == 3


@pytest.mark.parametrize("call, message", [
    ("box_new()", "bad argument #1 to 'box_new' (string expected, got no value)"),
    ("box_new(nil)", "bad argument #1 to 'box_new' (string expected, got nil)"),
    ("box_new({})", "bad argument #1 to 'box_new' (string expected, got table)"),
    ("box_new('a', 'b')", "too many arguments to 'box_new' (it takes 1 argument, got 2)"),
    ("box_new('a'):add(true)", "bad argument #1 to 'add' (string expected, got boolean)"),
    ("takes_int(1.5)", "bad argument #1 to 'takes_int' (number has no integer representation)"),
    ("lists('8080:80')", "bad argument #1 to 'lists' (table expected, got string)"),
    ("lists({'a', {}})", "bad argument #1 to 'lists' (item 2: string expected, got table)"),
    ("lists({a = 1})", "bad argument #1 to 'lists' (table expected to be a list like {'a', 'b'}, got a table with keys)"),
    ("lists({}, {K = {}})", "bad argument #2 to 'lists' (value of 'K': string expected, got table)"),
    ("lists({}, {'x'})", "bad argument #2 to 'lists' (key 1: string expected, got number)"),
])
def test_bad_arguments_read_like_lua(run, capsys, call, message):
    outcome, _ = run(f"local ok, e = pcall(function() return {call} end)\nprint(e.message)\nprint(e.kind, e.category)")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == f"{message}\nConversionError\tBadArgument\n"


def test_numbers_cross_as_strings_where_strings_are_expected_and_lists_convert(run, capsys):
    outcome, _ = run("""
local r = lists({8080, "53:53/udp"}, {A = 1, B = "x"})
print(r.ports[1], r.ports[2], r.env.A, r.env.B, takes_int(3.0), math.type(takes_int(3.0)))
""")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "8080\t53:53/udp\t1\tx\t3\tinteger\n"


def test_non_utf8_bytes_survive_the_round_trip(run, monkeypatch):
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", out)
    outcome, _ = run('io.write(echo_bytes("\\xff\\x00ab"))')
    assert outcome.ok, outcome.failure
    assert out.buffer.getvalue() == b"\xff\x00ab"


def test_unknown_nerdctl_globals_raise_other_globals_read_nil(run, capsys):
    outcome, _ = run("print(undefined_thing == nil, rawget(_G, 'nerdctl_nope'))\nlocal x = nerdctl_nope")
    assert capsys.readouterr().out == "true\tnil\n"
    assert (outcome.failure.title, outcome.failure.line, outcome.failure.message) == \
        ("UNKNOWN NAME", 2, "unknown global 'nerdctl_nope'")


def test_returning_false_fails_the_script(run):
    outcome, _ = run("return false, 'not healthy'")
    assert (outcome.exit_code, outcome.failure.message) == (1, "the script returned false: not healthy")
    assert run("return true")[0].ok


def test_syntax_error_and_unreadable_file(run, tmp_path):
    outcome, _ = run("if x then\n  print(1)\n")
    assert (outcome.exit_code, outcome.failure.title) == (1, "SYNTAX ERROR")
    assert [s.line for s in outcome.failure.snippets] == [1]
    missing = Runtime(make_registry()).run_file(str(tmp_path / "nope.lua"))
    assert (missing.exit_code, missing.status) == (2, "unreadable")


def test_long_paths_are_shown_whole(tmp_path):
    folder = tmp_path / ("a-very-long-folder-name-" * 4)
    folder.mkdir()
    script = folder / "deploy.lua"
    script.write_text("local t = nil\nprint(t.x)")
    outcome = Runtime(make_registry()).run_file(str(script))
    assert outcome.failure.file == str(script)
    from herodo_py.lua.diagnostics.friendly import render

    header = render(outcome.failure).splitlines()[0]
    assert len(header) > 80 and header.endswith(f" {script}:2")  # wider than the rule: the path is not cut


# --- stopping: Ctrl-C (requested from another thread here) and the script time limit -----------


def assert_stopped(source: str, within: float) -> None:
    """The loop ends interrupted having spent at most ``within`` seconds of this thread's CPU time (the grace is
    CPU time: wall time would measure the machine's load, not the stop)."""
    runtime = Runtime(make_registry())
    threading.Timer(0.2, runtime.request_stop, args=("interrupt",)).start()
    started = time.thread_time()
    outcome = runtime.run_source(source, "loop.lua")
    assert outcome.exit_code == EXIT_INTERRUPTED
    assert time.thread_time() - started < within


@pytest.mark.parametrize("loop", [
    "while true do end",
    "while true do pcall(function() while true do end end) end",
    "while true do xpcall(function() while true do end end, print) end",
    "coroutine.wrap(function() while true do end end)()",
    "local co = coroutine.create(function() while true do end end)\nwhile true do coroutine.resume(co) end",
])
def test_a_stop_request_ends_pure_lua_loops(loop):
    assert_stopped(loop, within=2)


def test_the_raw_pcall_stays_out_of_reach_of_a_loop_that_would_catch_the_stop():
    """Neither pcall's upvalues nor the stack under a protected call hand out the real pcall."""
    assert_stopped("""
assert(debug.getupvalue(pcall, 1) == nil)
local below = {}
pcall(function() for level = 1, 4 do below[level] = debug.getinfo(level, "f").func or false end end)
assert(below[1] and not below[2] and not below[3] and below[4], "the C pcall and its wrapper are hidden")
assert(select(2, debug.getlocal(1, 1)) == below, "a script's own levels are unchanged")
while true do pcall(function() while true do end end) end
""", within=3)


def test_script_timeout_stops_the_script_with_124():
    outcome = Runtime(make_registry(), script_timeout=0.3).run_source("while true do end", "slow.lua")
    assert (outcome.exit_code, outcome.failure.title) == (EXIT_TIMEOUT, "SCRIPT TIMEOUT")


def test_keyboard_interrupt_inside_a_binding_stops_the_script(run, capsys):
    outcome, _ = run("pcall(interrupted)\nprint('not reached')")
    assert outcome.exit_code == EXIT_INTERRUPTED
    assert capsys.readouterr().out == ""


def test_script_error_str_without_location():
    assert str(ScriptError("boom", hint="try again")) == "boom\nhint: try again"
