"""Class 3 of issue 12: metatables the host owns or made (records, host objects, errors) stay the
host's in every mode, and nothing the script defined (a finalizer) runs after the script and its
cleanup or outside the limits."""

from __future__ import annotations

import pytest
from security_probes import GRACE

HOST_VALUES = {
    "record": "nerdctl_engine()",
    "object": 'nerdctl_container_from_image("s12-none", "localhost/herodo-busybox:latest")',
    "error": "select(2, pcall(nerdctl_copy))",
}
CLEANUP = 'local guard <close> = setmetatable({}, {__close = function() print("cleanup ran") end})\n'
LIMIT = "1"


def _limited(run) -> None:
    """The run ended on its own, within the limit and the watchdog's grace, with its cleanup."""
    run.ended()
    assert "exiting without cleanup" not in run.text, run
    assert run.seconds < float(LIMIT) + GRACE + 20, run  # (the bound of a busy machine, not a speed test)


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
@pytest.mark.parametrize("kind", list(HOST_VALUES))
def test_a_looping_finalizer_on_a_host_metatable_does_not_outlive_the_limits(hostile, kind, mode):
    run = hostile(CLEANUP + f"""
local mt = getmetatable({HOST_VALUES[kind]})
pcall(function() mt.__gc = function() while true do end end end)
pcall(rawset, mt, "__gc", function() while true do end end)
for i = 1, 50 do local _ = {HOST_VALUES[kind]} end
collectgarbage()
print("script end")
""", mode, "--script-timeout", LIMIT, bound=30)
    _limited(run)
    assert "cleanup ran" in run.out, run


def test_a_looping_finalizer_of_the_scripts_own_table_does_not_outlive_the_limits(hostile):
    """Trusted mode keeps setmetatable: a finalizer there must not run unbounded at lua_close."""
    run = hostile(CLEANUP + """
pcall(setmetatable, {}, {__gc = function() while true do end end})
print("script end")
""", "--trusted", "--script-timeout", LIMIT, bound=30)
    _limited(run)


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
def test_nothing_the_script_defined_runs_after_its_end(hostile, mode):
    run = hostile("""
local later = function() print("RAN AFTER THE END") end
pcall(setmetatable, {}, {__gc = later})
pcall(function() getmetatable(nerdctl_engine()).__gc = later end)
pcall(function() getmetatable(nerdctl_container_from_image("a", "b")).__gc = later end)
for i = 1, 20 do local _ = nerdctl_engine(); local _ = nerdctl_container_from_image("a", "b") end
print("script end")
""", mode)
    run.ended()
    assert "script end" in run.out, run
    assert "RAN AFTER THE END" not in run.out.split("script end", 1)[1], run


TAMPER = """
local function tamper(v)
  local mt = getmetatable(v)
  if type(mt) == "table" then
    for _, k in ipairs({"__index", "__tostring", "__name", "__call", "__eq", "__len", "__concat", "__close"}) do
      pcall(rawset, mt, k, function() return "HIJACKED" end)
    end
  end
  if type(v) == "table" then pcall(setmetatable, v, {__index = function() return "HIJACKED" end}) end
  if debug and debug.setmetatable then pcall(debug.setmetatable, v, {__index = function() return "HIJACKED" end}) end
end
"""


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
@pytest.mark.parametrize("kind", list(HOST_VALUES))
def test_a_script_cannot_change_what_host_values_answer(hostile, kind, mode):
    run = hostile(TAMPER + f"""
tamper({HOST_VALUES[kind]})
local fresh = {HOST_VALUES[kind]}
print("fresh", tostring(fresh))
print("field", pcall(function() return fresh.no_such_field end))
print("engine", nerdctl_engine().name)
local ok, e = pcall(nerdctl_copy)
print("error", tostring(e), e.category)
""", mode)
    run.ended()
    assert "HIJACKED" not in run.out, run
    assert "field\tfalse" in run.out, run
    assert "error\t" in run.out and "BadArgument" in run.out, run


@pytest.mark.parametrize("victim", ["io.stdin", "1", "print", "coroutine.create(print)", "true", "'s'"])
def test_debug_setmetatable_with_the_host_object_metatable_does_not_crash(hostile, victim):
    run = hostile(f"""
local host_mt = debug.getmetatable(nerdctl_container_from_image("a", "b"))
local victim = {victim}
print("set", pcall(debug.setmetatable, victim, host_mt))
print("tostring", pcall(tostring, victim))
print("index", pcall(function() return victim.x end))
print("call", pcall(function() return victim() end))
print("alive")
""", "--trusted")
    run.ended()
    assert run.code >= 0, run  # not killed by a signal (SIGSEGV)
    assert "alive" in run.out, run
