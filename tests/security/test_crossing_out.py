"""Class 7 of issue 12: whatever a script returns or raises (functions, coroutines, cycles, depth,
metatables, host objects), herodo answers with a friendly error, never a traceback, and a folder run
(``--keep-going``) and ``herodo test`` go on to the next script."""

from __future__ import annotations

import pytest
from security_probes import run_herodo

RETURNS = {
    "function": "return function() end",
    "coroutine": "return coroutine.create(print)",
    "cycle": "local t = {}; t.t = t; return t",
    "cycle through a list": "local t = {}; t[1] = {t}; return t",
    "100000 deep": "local t = {}; local c = t; for i = 1, 100000 do c[1] = {}; c = c[1] end; return t",
    "table holding a function": "return {f = print}",
    "function as a key": "return {[print] = 1}",
    "host object": 'return nerdctl_container_from_image("a", "b")',
    "error object": "return select(2, pcall(nerdctl_copy))",
    "record": "return nerdctl_engine()",
    "metatable that errors": 'return setmetatable({}, {__index = function() error("no") end, '
                             '__pairs = function() error("no") end})',
    "many values": "return table.unpack((function() local t = {} for i = 1, 100000 do t[i] = i end return t end)())",
    "false and a cycle": "local t = {}; t.t = t; return false, t",
    "false and a function": "return false, print",
}


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
@pytest.mark.parametrize("shape", list(RETURNS))
def test_whatever_a_script_returns_ends_friendly(hostile, shape, mode):
    run = hostile(RETURNS[shape] + "\n", mode)
    run.ended()
    assert run.code in (0, 1), run
    assert "INTERNAL ERROR" not in run.text, run


ERRORS = {
    "function": "error(print)",
    "coroutine": "error(coroutine.create(print))",
    "cycle": "local t = {}; t.t = t; error(t)",
    "100000 deep": "local t = {}; local c = t; for i = 1, 100000 do c[1] = {}; c = c[1] end; error(t)",
    "__tostring returning a table": "error(setmetatable({}, {__tostring = function() return {} end}))",
    "__tostring erroring": 'error(setmetatable({}, {__tostring = function() error("x") end}))',
    "__name not a string": "error(setmetatable({}, {__name = {}}))",
    "nil": "error(nil)",
    "huge string": 'error(string.rep("e", 20 * 1024 * 1024))',
}


@pytest.mark.parametrize("shape", list(ERRORS))
def test_whatever_a_script_raises_ends_friendly(hostile, shape):
    run = hostile(ERRORS[shape] + "\n")
    run.ended()
    assert run.code == 1, run
    assert "INTERNAL ERROR" not in run.text, run
    assert len(run.err) < 64 * 1024, run  # a huge error is shown by its start


def test_a_folder_run_with_keep_going_goes_on_after_each_bad_return(box):
    for i, shape in enumerate(["function", "cycle", "100000 deep", "coroutine"]):
        (box.folder / f"{i}-bad.lua").write_text(RETURNS[shape] + "\n")
    (box.folder / "9-last.lua").write_text('print("LAST RAN")\n')
    run = run_herodo(["--sandbox", "--keep-going", str(box.folder)], cwd=box.folder)
    run.ended()
    assert "LAST RAN" in run.out, run
    assert run.code == 1, run
    assert "5 scripts: 1 passed, 4 failed" in run.err, run


def test_herodo_test_goes_on_after_a_file_returning_a_bad_value(box):
    (box.folder / "a_test.lua").write_text('test("a", function() end)\nlocal t = {}; t.t = t; return t\n')
    (box.folder / "b_test.lua").write_text('test("b", function() end)\nreturn function() end\n')
    (box.folder / "c_test.lua").write_text('test("c runs", function() print("C RAN") end)\n')
    run = run_herodo(["test", "--sandbox", "--no-capture", str(box.folder)], cwd=box.folder)
    run.ended()
    assert "C RAN" in run.out, run


def test_herodo_test_compares_cyclic_and_deep_tables_friendly(box):
    (box.folder / "a_test.lua").write_text("""
test("cycles", function() local a, b = {}, {}; a.a = a; b.a = b; assert_eq(a, b) end)
test("deep", function()
  local function deep() local t = {}; local c = t; for i = 1, 100000 do c[1] = {}; c = c[1] end; return t end
  assert_eq(deep(), deep())
end)
test("functions", function() assert_eq(print, print); assert_eq({f = print}, {f = tostring}) end)
""")
    (box.folder / "z_test.lua").write_text('test("z runs", function() print("Z RAN") end)\n')
    run = run_herodo(["test", "--sandbox", "--no-capture", str(box.folder)], cwd=box.folder)
    run.ended()
    assert "Z RAN" in run.out, run
    assert "INTERNAL ERROR" not in run.text, run
