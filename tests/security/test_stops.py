"""Class 5 of issue 12: ``os.exit`` and the time limit hold in every mode, with cleanup, through every
protected call the standard library makes (load readers, metamethods, iterators, callbacks,
finalizers), and no host function hands the script herodo's hook or its real ``sethook``."""

from __future__ import annotations

import pytest
from security_probes import GRACE

CLEANUP = 'local guard <close> = setmetatable({}, {__close = function() print("cleanup ran") end})\n'
LIMIT = "1"
EXIT = "os.exit(7)"

# Ways to run os.exit(7) from inside the standard library; the script must end with 7, cleanup run.
EXITS = {
    "load reader": f"load(function() {EXIT} end)",
    "load reader, second piece": f'local n = 0; load(function() n = n + 1; if n == 2 then {EXIT} end; return "x = 1 " end)',
    "gsub callback": f'string.gsub("abc", "%w", function() {EXIT} end)',
    "sort comparator": f"table.sort({{3, 1, 2}}, function() {EXIT} end)",
    "__index": f"local _ = setmetatable({{}}, {{__index = function() {EXIT} end}}).x",
    "__newindex": f"setmetatable({{}}, {{__newindex = function() {EXIT} end}}).x = 1",
    "__tostring via tostring": f"tostring(setmetatable({{}}, {{__tostring = function() {EXIT} end}}))",
    "__tostring via format": f'string.format("%s", setmetatable({{}}, {{__tostring = function() {EXIT} end}}))',
    "__eq": f"local m = {{__eq = function() {EXIT} end}}; local _ = setmetatable({{}}, m) == setmetatable({{}}, m)",
    "__lt": f"local m = {{__lt = function() {EXIT} end}}; local _ = setmetatable({{}}, m) < setmetatable({{}}, m)",
    "__concat": f'local _ = setmetatable({{}}, {{__concat = function() {EXIT} end}}) .. "x"',
    "__len": f"local _ = #setmetatable({{}}, {{__len = function() {EXIT} end}})",
    "__call": f"setmetatable({{}}, {{__call = function() {EXIT} end}})()",
    "__pairs iterator": f"for _ in pairs(setmetatable({{}}, {{__pairs = function() return function() {EXIT} end end}})) do end",
    "generic for iterator": f"for _ in function() {EXIT} end do end",
    "__close": f"do local x <close> = setmetatable({{}}, {{__close = function() {EXIT} end}}) end",
    "coroutine.wrap": f"coroutine.wrap(function() {EXIT} end)()",
    "coroutine.close": f"local c = coroutine.create(function() local x <close> = setmetatable({{}}, "
                       f"{{__close = function() {EXIT} end}}); coroutine.yield() end); coroutine.resume(c); "
                       f"coroutine.close(c)",
    "xpcall handler": f'xpcall(error, function() {EXIT} end, "x")',
    "pcall": f"pcall({EXIT.split('(')[0]}, 7)",
    "print": f"print(setmetatable({{}}, {{__tostring = function() {EXIT} end}}))",
    "require": f'package.preload.m = function() {EXIT} end; require("m")',
}


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
@pytest.mark.parametrize("route", list(EXITS))
def test_os_exit_holds_through_every_protected_call(hostile, route, mode):
    run = hostile(CLEANUP + f"""
pcall(function() {EXITS[route]} end)
print("AFTER EXIT")
while true do end
""", mode, "--script-timeout", LIMIT, bound=30)
    run.ended()
    assert (run.code, "AFTER EXIT" in run.out, "cleanup ran" in run.out) == (7, False, True), run
    assert "exiting without cleanup" not in run.text, run


TIMEOUTS = {
    "load reader": "load(function() while true do end end)",
    "load reader in a loop": "while true do load(function() while true do end end) end",
    "gsub callback in pcall": 'while true do pcall(string.gsub, "abc", "%w", function() while true do end end) end',
    "sort in pcall": "while true do pcall(table.sort, {3, 1, 2}, function() while true do end end) end",
    "__close in pcall": "while true do pcall(function() local x <close> = setmetatable({}, "
                        "{__close = function() while true do end end}) end) end",
}


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
@pytest.mark.parametrize("route", list(TIMEOUTS))
def test_the_time_limit_holds_through_every_protected_call_with_cleanup(hostile, route, mode):
    run = hostile(CLEANUP + TIMEOUTS[route] + "\nwhile true do end\n", mode, "--script-timeout", LIMIT, bound=30)
    run.ended()
    assert (run.code, "cleanup ran" in run.out) == (124, True), run
    assert "exiting without cleanup" not in run.text, run
    assert run.seconds < float(LIMIT) + GRACE + 20, run  # (a busy machine's bound, not a speed test)


def test_a_finalizer_calling_os_exit_is_not_swallowed(hostile):
    run = hostile(CLEANUP + f"""
pcall(setmetatable, {{}}, {{__gc = function() {EXIT} end}})
collectgarbage(); collectgarbage()
print("AFTER EXIT")
while true do end
""", "--trusted", "--script-timeout", LIMIT, bound=30)
    run.ended()
    assert "AFTER EXIT" not in run.out or run.code == 124, run
    assert "cleanup ran" in run.out, run
    assert "exiting without cleanup" not in run.text, run


@pytest.mark.parametrize("how", ["gethook upvalues", "upvalues of wrappers"])
def test_herodo_hook_and_sethook_do_not_leak_through_upvalues(hostile, how):
    """Trusted mode keeps ``debug``: it still must not reach the real ``sethook`` and switch the hook off."""
    run = hostile(CLEANUP + """
local found = {}
local function walk(f, depth)
  if type(f) ~= "function" or depth > 4 or found[f] then return end
  found[f] = true
  for i = 1, 255 do
    local name, v = debug.getupvalue(f, i)
    if not name then break end
    if type(v) == "function" then walk(v, depth + 1) end
    if type(v) == "table" then for _, x in pairs(v) do walk(x, depth + 1) end end
  end
end
""" + ("walk(debug.gethook(), 0)\n" if how == "gethook upvalues" else
       "for _, f in ipairs({pcall, xpcall, print, os.exit, coroutine.wrap, coroutine.resume, load, "
       "debug.sethook, string.rep, io.write, require}) do walk(f, 0) end\n") + """
local real = debug.sethook
for f in pairs(found) do
  local ok, info = pcall(debug.getinfo, f, "S")
  if ok and info.what == "C" and f ~= real then pcall(f) end   -- sethook() with no arguments: hook off
end
while true do end
""", "--trusted", "--script-timeout", LIMIT, bound=30)
    run.ended()
    assert (run.code, "cleanup ran" in run.out) == (124, True), run
    assert "exiting without cleanup" not in run.text, run
