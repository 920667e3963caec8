"""Escape and abuse probes against the Lua host, each asserted by effect: a canary file that the
escape would write (or a command would create) does not exist afterwards, a module outside the
folder never runs, a secret never reaches the output. Routes to Python are closed in every mode; the
standard library's doors (programs, files, bytecode, modules outside the folder) in the sandbox.
Controls show each probe works where the door is open (trusted mode)."""

from __future__ import annotations

import glob
import json
import locale
import os
import re
from pathlib import Path

import pytest
from lupa import lua54

from herodo_py.lua.runtime import Runtime
from herodo_py.lua.sandbox import ENV_ALLOWED, env_allowed

MODES = ["trusted", "sandbox", "strict"]


@pytest.fixture
def canary(tmp_path) -> Path:
    path = tmp_path / "canary"
    yield path
    assert not path.exists(), f"an escape wrote {path}"


def run(tmp_path: Path, source: str, *args: str, policy: str = "sandbox", name: str = "main.lua", **options):
    """Run ``source`` as tmp_path/scripts/<name> with the real bindings; (Outcome, stdout)."""
    folder = tmp_path / "scripts"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(source)
    return Runtime(policy=policy, **options).run_file(str(path), list(args))


# --- routes to Python: closed in every mode -----------------------------------------------------

EXPLOIT = r"""
local CANARY = arg[1]
local reached = 0
local function try(f, ...) local ok, r = pcall(f, ...); if ok then return r end end
-- given anything Python-ish, try to write the canary with it
local function exploit(o)
  if o == nil then return end
  reached = reached + 1
  local quoted = string.format("%q", CANARY)
  try(function() o.eval("open(" .. quoted .. ", 'w')") end)
  try(function() o.exec("open(" .. quoted .. ", 'w')") end)
  try(function() o.builtins.open(CANARY, "w") end)
  try(function() o.open(CANARY, "w") end)
  try(function() o["open"](CANARY, "w") end)
  try(function() o.system("touch " .. CANARY) end)
  try(function() o.os.system("touch " .. CANARY) end)
  try(function() o["os"]["system"]("touch " .. CANARY) end)
  try(function() o.__builtins__.open(CANARY, "w") end)
  try(function() o["__builtins__"]["open"](CANARY, "w") end)
  try(function() o.f_globals.os.system("touch " .. CANARY) end)
  try(function() o.gi_frame.f_globals.os.system("touch " .. CANARY) end)
  try(function() o.__globals__.os.system("touch " .. CANARY) end)
  -- dicts (f_globals, __globals__, __builtins__): lupa maps o[k] to getattr, so use dict.get
  try(function() o.get("os").system("touch " .. CANARY) end)
  try(function() o.get("open")(CANARY, "w") end)
  try(function() o.get("__builtins__").get("open")(CANARY, "w") end)
  try(function() o.get("__builtins__").open(CANARY, "w") end)
  try(function() o.__globals__.get("os").system("touch " .. CANARY) end)
  try(function() o.f_globals.get("os").system("touch " .. CANARY) end)
  try(function() o.gi_frame.f_globals.get("os").system("touch " .. CANARY) end)
end
"""

NAMES = ["__globals__", "__class__", "__dict__", "__init__", "__self__", "__func__", "__code__", "__closure__",
         "__builtins__", "__module__", "__subclasses__", "__base__", "__mro__", "__reduce_ex__", "__getattribute__",
         "__traceback__", "__context__", "__cause__", "cause", "gi_frame", "f_globals", "f_back", "tb_frame",
         "_config", "impl", "__wrapped__", "registry", "runtime", "lua"]

PYTHON_ROUTES = EXPLOIT + "local NAMES = {" + ", ".join(f'"{n}"' for n in NAMES) + "}\n" + r"""
exploit(python)
exploit(rawget(_G, "python"))
exploit(package and package.loaded.python)
exploit(try(require, "python"))
local registry = try(function() return debug.getregistry() end)
if registry then
  for k, v in pairs(registry) do
    if type(v) == "table" and (rawget(v, "eval") or rawget(v, "builtins")) then exploit(v) end
    if type(v) == "userdata" then exploit(v) end
  end
end
-- what a script can hold that is Python: binding functions, a Container, an error object
local ok, err = pcall(nerdctl_stop, "")
local things = {nerdctl_list, nerdctl_configure, nerdctl_container_from_image, print,
                 nerdctl_container_from_image("herodo-probe", "busybox"), err}
local c = things[5]
things[#things + 1] = try(function() return c.with_env end)
for _, obj in ipairs(things) do
  for _, name in ipairs(NAMES) do
    exploit(try(function() return obj[name] end))
    local attr = try(function() return obj[name] end)
    exploit(try(function() return attr.__globals__ end))
    exploit(try(function() return attr.__subclasses__() end))
  end
  local mt = getmetatable(obj)
  if type(mt) == "table" then
    for _, name in ipairs(NAMES) do
      exploit(try(function() return mt.__index(obj, name) end))
      exploit(try(function() return rawget(mt, name) end))
    end
  end
  -- the classic walk: ().__class__.__base__.__subclasses__() -> os._wrap_close.__init__.__globals__
  local subclasses = try(function() return obj.__class__.__base__.__subclasses__() end)
  for i = 0, 400 do
    local cls = subclasses and try(function() return subclasses[i] end)
    if cls == nil then break end
    exploit(try(function() return cls.__init__.__globals__ end))
  end
  local getattr = try(function() return python.builtins.getattr end)
  if getattr then exploit(getattr(obj, "__globals__")) end
end
-- where debug exists (trusted): every upvalue of every library function, herodo's helpers included
local getupvalue = try(function() debug.getupvalue(print, 1); return debug.getupvalue end)
if getupvalue then
  local seen = {}
  local function walk(f, depth)
    if seen[f] or depth > 8 then return end
    seen[f] = true
    for i = 1, 255 do
      local name, v = getupvalue(f, i)
      if name == nil then break end
      if type(v) == "function" then walk(v, depth + 1) end
      if type(v) == "userdata" then
        exploit(v)
        for _, n in ipairs(NAMES) do exploit(try(function() return v[n] end)) end
      end
      if type(v) == "table" and v ~= _G then
        for _, x in pairs(v) do
          if type(x) == "function" then walk(x, depth + 1) elseif type(x) == "userdata" then exploit(x) end
        end
      end
    end
  end
  for _, lib in ipairs({_G, coroutine, io, os, string, table}) do
    for _, v in pairs(lib) do if type(v) == "function" then walk(v, 0) end end
  end
  print("upvalues walked")
end
print("probes done")
"""


@pytest.mark.parametrize("policy", MODES)
def test_no_route_to_python_writes_the_canary(tmp_path, canary, capsys, policy):
    outcome = run(tmp_path, PYTHON_ROUTES, str(canary), policy=policy)
    assert outcome.ok, outcome.failure
    out = capsys.readouterr().out
    assert out == ("upvalues walked\nprobes done\n" if policy == "trusted" else "probes done\n")


def test_the_python_probe_writes_the_canary_when_a_route_is_open(tmp_path):
    """Control: the exploit helper works when handed Python (a bare lupa runtime)."""
    canary = tmp_path / "canary"
    lua = lua54.LuaRuntime()
    lua.globals().arg = lua.table_from({1: str(canary)})
    lua.execute(EXPLOIT + "\nexploit(python)")
    assert canary.exists()


# --- the standard library's doors: shut in the sandbox, open when trusted -----------------------

STDLIB_PROBES = {
    "os.execute": 'os.execute("touch " .. CANARY)',
    "io.popen": 'io.popen("touch " .. CANARY, "r"):read("a")',
    "io.open": 'io.open(CANARY, "w"):close()',
    "io.output": 'io.output(CANARY); io.write("x"); io.close()',
    "require('io')": 'require("io").open(CANARY, "w"):close()',
    "package.loaded.io": 'package.loaded.io.open(CANARY, "w"):close()',
    "package.loadlib": 'package.loadlib("libc.so.6", "system")("touch " .. CANARY)',
    "os.rename": 'os.rename(VICTIM, CANARY)',
    "load(string.dump)": 'load(string.dump(load("ESCAPED = true; io.open(\'" .. CANARY .. "\', \'w\'):close()")))()',
    "binary chunk": 'load(BYTECODE)()',
    "binary chunk, mode b": 'load(BYTECODE, "x", "b")()',
}


def bytecode(canary: Path) -> str:
    """A binary chunk (from another runtime) that sets ESCAPED and writes the canary, as a Lua string literal."""
    lua = lua54.LuaRuntime(encoding=None)
    dumped = lua.eval(f'string.dump(function() ESCAPED = true; io.open("{canary}", "w"):close() end)')
    return '"' + "".join(f"\\{b}" for b in dumped) + '"'


def probe_source(probe: str, canary: Path, victim: Path) -> str:
    return (f'local CANARY, VICTIM = "{canary}", "{victim}"\nlocal BYTECODE = {bytecode(canary)}\n'
            f"local ok, err = pcall(function() {probe} end)\nprint(ok, ESCAPED)\n")


@pytest.mark.parametrize("probe", list(STDLIB_PROBES))
def test_stdlib_doors_are_shut_in_the_sandbox(tmp_path, canary, capsys, probe):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    outcome = run(tmp_path, probe_source(STDLIB_PROBES[probe], canary, victim), policy="sandbox")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out == "false\tnil\n"  # refused, and no loaded bytecode ran
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize("probe", ["os.execute", "io.open", "io.output", "require('io')", "load(string.dump)",
                                   "binary chunk", "os.rename"])
def test_control_the_same_probes_work_in_trusted_mode(tmp_path, capsys, probe):
    """(lupa's Lua has no io.popen at all: "'popen' not supported".)"""
    canary, victim = tmp_path / "canary", tmp_path / "victim"
    victim.write_text("keep me")
    outcome = run(tmp_path, probe_source(STDLIB_PROBES[probe], canary, victim), policy="trusted")
    assert outcome.ok, outcome.failure
    assert capsys.readouterr().out.startswith("true\t")
    assert canary.exists()


def test_os_remove_and_tmpname_touch_no_file(tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    before = set(glob.glob("/tmp/lua_*"))
    outcome = run(tmp_path, f'print(pcall(os.remove, "{victim}"))\nprint(pcall(os.tmpname))')
    assert outcome.ok, outcome.failure
    assert victim.read_text() == "keep me"
    assert set(glob.glob("/tmp/lua_*")) <= before
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()[::2]] == ["false", "false"]


def test_os_setlocale_cannot_change_the_process_locale(tmp_path):
    before = locale.setlocale(locale.LC_ALL)
    outcome = run(tmp_path, 'pcall(os.setlocale, "C.UTF-8")\npcall(os.setlocale, "POSIX", "numeric")')
    assert outcome.ok, outcome.failure
    assert locale.setlocale(locale.LC_ALL) == before


def test_files_cannot_be_read(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t-value")
    outcome = run(tmp_path, f"""
local path = "{secret}"
for _, f in ipairs({{function() return io.open(path):read("a") end, function() return io.lines(path)() end,
                     function() return dofile(path) end, function() return loadfile(path) end,
                     function() io.input(path) return io.read("a") end}}) do
  print(select(2, pcall(f)))
end""")
    assert outcome.ok, outcome.failure
    assert "s3cr3t" not in capsys.readouterr().out


def test_a_removed_name_fails_at_its_line_with_a_friendly_error(tmp_path):
    outcome = run(tmp_path, 'local x = 1\nos.execute("ls")\n')
    failure = outcome.failure
    assert (outcome.exit_code, failure.title, failure.line) == (1, "REMOVED BY SANDBOX", 2)
    assert failure.message == "os.execute is not available in the sandbox (herodo --sandbox)"
    assert "run commands in a container" in failure.hint


def test_what_stays_in_the_sandbox(tmp_path, capsys):
    outcome = run(tmp_path, """
io.write("w ")
io.stdout:write("o ")
io.stderr:write("e\\n")
io.output():write("p ")
print(io.type(io.stdout), type(debug.traceback()), load("return 1 + 1")(), os.time() > 0, type(os.clock()),
      os.date("%Y") ~= nil, string.format("%5.1f", 2.25), math.max(1, 2), utf8.char(72), table.concat({1, 2}, ","))
local ok, e = pcall(os.exit, "x")
print(ok, e.category)
""")
    assert outcome.ok, outcome.failure
    captured = capsys.readouterr()
    assert captured.out == "w o p file\tstring\t2\ttrue\tnumber\ttrue\t  2.2\t2\tH\t1,2\nfalse\tBadArgument\n"
    assert captured.err == "e\n"


def test_os_exit_ends_a_sandboxed_script_as_in_normal_mode(tmp_path, capsys):
    outcome = run(tmp_path, 'local g <close> = setmetatable({}, {__close = function() print("cleanup") end})\n'
                            'pcall(os.exit, 3)\nprint("not reached")')
    assert (outcome.exit_code, outcome.status) == (3, "exit")
    assert capsys.readouterr().out == "cleanup\n"


def test_gc_finalizers_are_refused(tmp_path, capsys):
    outcome = run(tmp_path, 'print(pcall(setmetatable, {}, {__gc = function() end}))\n'
                            'print(pcall(setmetatable, {}, {__index = {}}))')
    assert outcome.ok, outcome.failure
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("false") and lines[-1].startswith("true")


def test_debug_keeps_only_traceback_and_the_hook_is_reserved_in_every_mode(tmp_path, capsys):
    source = 'print((pcall(function() return debug.getinfo(1) end)))\nprint((pcall(debug.sethook)))\n' \
             'print(type(debug.traceback()))'
    assert run(tmp_path, source).ok
    assert capsys.readouterr().out == "false\nfalse\nstring\n"
    assert run(tmp_path, source, policy="trusted").ok
    assert capsys.readouterr().out == "true\nfalse\nstring\n"


# --- environment -----------------------------------------------------------------------------------


def test_getenv_answers_only_the_allow_list(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("HERODO_TARGET", "staging")
    monkeypatch.setenv("APP_TOKEN", "t0ken")
    monkeypatch.setenv("LANG", "C.UTF-8")
    source = 'print(os.getenv("AWS_SECRET_ACCESS_KEY"), os.getenv("HERODO_TARGET"), os.getenv("APP_TOKEN"), ' \
             'os.getenv("LANG"), os.getenv("NOPE"))'
    assert run(tmp_path, source).ok
    assert capsys.readouterr().out == "nil\tstaging\tnil\tC.UTF-8\tnil\n"
    assert run(tmp_path, source, env_allow=("APP_*",)).ok
    assert capsys.readouterr().out == "nil\tstaging\tt0ken\tC.UTF-8\tnil\n"
    assert run(tmp_path, source, policy="trusted").ok
    assert capsys.readouterr().out == "s3cr3t\tstaging\tt0ken\tC.UTF-8\tnil\n"


def test_env_allow_list_matching():
    assert "HOME" in ENV_ALLOWED and "PATH" not in ENV_ALLOWED
    assert env_allowed("HERODO_X") and not env_allowed("XHERODO_") and not env_allowed("home")
    assert env_allowed("MY_VAR", ["MY_*"]) and not env_allowed("MY_VAR", ["MY"])


# --- require: only files of the script's folder ----------------------------------------------------


@pytest.fixture
def modules(tmp_path) -> Path:
    """scripts/ with lib/ok.lua and links out; outside/evil.lua prints a marker when it runs."""
    scripts = tmp_path / "scripts"
    (scripts / "lib").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.lua").write_text('print("EVIL RAN") return {}')
    (tmp_path / "evil.lua").write_text('print("EVIL RAN") return {}')
    (scripts / "lib" / "ok.lua").write_text("return {answer = 42}")
    (scripts / "lib" / "link.lua").symlink_to(outside / "evil.lua")
    (scripts / "away").symlink_to(outside)
    return tmp_path


@pytest.mark.parametrize("name", ["../evil", "..evil", "/tmp/evil", "away.evil", "lib.link", "lib/../../evil",
                                  "./lib/ok", "", "lib..ok", "evil\0"])
def test_require_outside_the_folder_never_runs_the_module(modules, capsys, name):
    outcome = run(modules, f"local ok, e = pcall(require, {name!r})\nprint(ok, e and e.category)")
    assert outcome.ok, outcome.failure
    out = capsys.readouterr().out
    assert "EVIL RAN" not in out
    assert out.split("\t")[0] == "false"


def test_package_path_and_searchers_cannot_widen_require(modules, capsys):
    outcome = run(modules, f"""
pcall(function() package.path = "{modules}/outside/?.lua;{modules}/?.lua" end)
pcall(function() table.insert(package.searchers, 1, function(n) return loadfile("{modules}/evil.lua") end) end)
print(pcall(require, "evil"))""")
    assert outcome.ok, outcome.failure
    out = capsys.readouterr().out
    assert "EVIL RAN" not in out and out.startswith("false")


def test_require_inside_the_folder_works_and_caches(modules, capsys):
    (modules / "scripts" / "lib" / "pkg").mkdir()
    (modules / "scripts" / "lib" / "pkg" / "init.lua").write_text("count = (count or 0) + 1 return {n = count}")
    (modules / "scripts" / "bad.lua").write_text("return {")
    outcome = run(modules, """
print(require("lib.ok").answer, require("lib.pkg").n, require("lib.pkg").n)
package.preload.virtual = function(name) return name .. "!" end
print(require("virtual"))
local ok, e = pcall(require, "bad")
print(ok, (tostring(e):gsub("\\n.*", "")))""")
    assert outcome.ok, outcome.failure
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "42\t1\t1"
    assert lines[1] == "virtual!\t:preload:"
    assert lines[2].startswith("false\t") and "error loading module 'bad'" in lines[2]


def test_a_missing_module_is_a_friendly_error_at_the_require_line(modules):
    outcome = run(modules, "local x = 1\nlocal m = require('lib.missing')")
    assert (outcome.failure.title, outcome.failure.line) == ("MODULE NOT FOUND", 2)
    assert "lib/missing.lua" in outcome.failure.message


# --- engine bindings: host paths in the folder, the engine chosen by the operator ------------------
# The engine is the nerdctl stand-in, which logs every command line: a refused call must leave no
# command that acts (only the read-only look-ups that come before, like `ps` for an existing name).

STANDIN = Path(__file__).resolve().parents[1] / "contract" / "standin" / "nerdctl"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nerdctl"
READ_ONLY = {"ps", "inspect", "version", "--version", "images"}


@pytest.fixture
def engine_calls(use_engine, tmp_path, monkeypatch):
    """The stand-in as the engine; returns a function listing the subcommands it ran that act."""
    log = tmp_path / "calls.jsonl"
    log.write_text("")
    monkeypatch.setenv("NERDCTL_STANDIN_LOG", str(log))
    monkeypatch.setenv("NERDCTL_STANDIN_FIXTURES", str(FIXTURES))
    use_engine(str(STANDIN))
    def acting() -> list[list[str]]:
        calls = [argv[1:] for argv in map(json.loads, log.read_text().splitlines())]
        return [c for c in calls if c[0] not in READ_ONLY and c[:2] != ["container", "inspect"]]
    return acting


@pytest.mark.parametrize("call", [
    'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volume("/:/host")',
    'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volume("/var/run/docker.sock:/s")',
    'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volumes({"data:/data", "/etc:/e:ro"})',
    'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volume(FOLDER .. "/away:/x")',
    'nerdctl_copy("herodo-t-x:/etc/passwd", "/tmp/stolen")',
    'nerdctl_copy("/etc/shadow", "herodo-t-x:/tmp/s")',
    'nerdctl_copy("../outside", "herodo-t-x:/tmp/s")',
    'nerdctl_container_new("herodo-t-x"):copy("/etc", "herodo-t-x:/e")',
    'nerdctl_container_new("herodo-t-x"):export("/tmp/x.tar")',
    'nerdctl_image_build("t:1", "/etc")',
    'nerdctl_image_build("t:1", FOLDER, "/etc/hostname")',
    'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volume("/etc:/e"):ensure()',
    'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volumes({"/:/host"}):ensure("recreate")',
    'nerdctl_configure{engine = "/bin/sh"}',
    'nerdctl_configure{address = "tcp://10.0.0.1:2375"}',
])
def test_host_paths_outside_the_folder_and_engine_changes_are_refused(tmp_path, engine_calls, call):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "away").symlink_to("/etc")
    outcome = run(tmp_path, f'local FOLDER = "{tmp_path}/scripts"\n{call}')
    assert (outcome.failure.title, outcome.failure.line) == ("SANDBOX REFUSED", 2), outcome.failure
    assert engine_calls() == []


def test_named_volumes_and_pinned_host_paths_inside_the_folder_pass_the_sandbox(tmp_path, engine_calls, capsys):
    outcome = run(tmp_path, """
local here = arg[0]:match("(.*)/")
local c = nerdctl_container_from_image("herodo-t-x", "busybox"):with_volume("data:/data"):with_volumes({"named:/v"})
print("volumes ok")
print("bind mount", (pcall(c.with_volume, c, here .. "/data:/data")))
nerdctl_copy(here .. "/x", "herodo-t-x:/x")""")
    assert capsys.readouterr().out == "volumes ok\nbind mount\tfalse\n"
    assert outcome.ok, outcome.failure
    [[cp, source, dest]] = engine_calls()
    assert (cp, dest) == ("cp", "herodo-t-x:/x")
    assert re.fullmatch(rf"/proc/{os.getpid()}/fd/\d+/x", source), source  # the folder, pinned while cp ran


STATE_CHANGING = ['nerdctl_run("busybox")', 'nerdctl_remove("web")', 'nerdctl_image_pull("busybox")',
                  'nerdctl_network_create("n")', 'nerdctl_container_from_image("herodo-t-x", "busybox"):build()',
                  'nerdctl_container_new("web"):stop()', 'nerdctl_container_new("web"):exec("ls")',
                  'nerdctl_container_from_image("herodo-t-x", "busybox"):ensure()',
                  'nerdctl_container_new("web"):ensure_absent()', 'nerdctl_network_ensure("n")',
                  'nerdctl_network_ensure_absent("n")', 'nerdctl_volume_ensure("v", {labels = {a = "1"}})',
                  'nerdctl_volume_ensure_absent("v")', 'nerdctl_image_ensure("busybox", {pull = "always"})',
                  'nerdctl_image_ensure_absent("busybox")']


def test_a_script_in_the_root_folder_gets_no_modules_and_no_host_paths(engine_calls, capsys):
    runtime = Runtime(policy="sandbox")
    outcome = runtime.run_source('print(pcall(require, "etc.x"))\n'
                                 'nerdctl_container_from_image("herodo-t-x", "busybox"):with_volume("/tmp:/t")',
                                 "/script.lua")
    assert capsys.readouterr().out.startswith("false")
    assert (outcome.failure.title, outcome.failure.line) == ("SANDBOX REFUSED", 2)
    assert engine_calls() == []


@pytest.mark.parametrize("call", STATE_CHANGING)
def test_strict_removes_state_changing_bindings(tmp_path, engine_calls, call):
    outcome = run(tmp_path, f"local x = 1\n{call}", policy="strict")
    failure = outcome.failure
    assert (failure.title, failure.line) == ("REMOVED BY SANDBOX", 2), failure
    assert "--sandbox=strict removed it" in failure.message
    assert engine_calls() == []


def test_strict_keeps_reading_bindings_and_plain_sandbox_keeps_all(tmp_path, engine_calls, capsys):
    strict = run(tmp_path, "local c = nerdctl_container_new('test-nginx_1-1')\n"
                           "print(#nerdctl_list(true) > 0, c:logs().success, c:status().state, c:outcome())",
                 policy="strict")
    assert strict.ok, strict.failure
    assert capsys.readouterr().out == "true\ttrue\trunning\tnil\n"
    assert [c[0] for c in engine_calls()] == ["logs"]
    sandbox = run(tmp_path, 'nerdctl_run("busybox", "herodo-t-x")', policy="sandbox")
    assert sandbox.ok, sandbox.failure
    assert engine_calls()[-1][:2] == ["run", "-d"]
