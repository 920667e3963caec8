"""What a ``<close>`` handler receives when the script is stopped (herodo as a process): Ctrl-C while
a binding waits and while Lua runs, ``os.exit(N)`` and ``--script-timeout``: a read-only value with
``kind``, ``code`` and a text saying what happened (issue #13 friction), not herodo's internal table."""

from __future__ import annotations

import pytest
from herodo_process import herodo, interrupt_when

SCRIPT = """
local mode = arg[1]
local function guard(name)
  return setmetatable({}, {__close = function(_, e)
    print(name .. ": " .. tostring(e) .. " | " .. tostring(e.kind) .. " | " .. tostring(e.code)
          .. " | " .. tostring(getmetatable(e)))
    if name == "inner" and mode ~= "exit" then e.kind = "changed" end  -- read-only: raises
  end})
end
local outer <close> = guard("outer")
local function work()
  local inner <close> = guard("inner")
  if mode == "exit" then os.exit(3) end
  print("ready")
  io.stdout:flush()
  if mode == "sleep" then sleep(60) else while true do end end
end
work()
"""


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "stopped.lua"
    path.write_text(SCRIPT)
    return str(path)


def _lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("inner:", "outer:"))]


@pytest.mark.parametrize("mode", ["sleep", "loop"])
def test_ctrl_c(script, mode):
    code, out, err = interrupt_when([script, mode], "ready", engine="docker")
    assert code == 130, err
    inner, outer = _lines(out)
    assert inner == "inner: interrupted (Ctrl-C) | interrupted | 130 | protected by herodo"
    # the inner handler's attempt to change it failed: the outer handler sees that error
    assert outer.startswith("outer: ") and "the stop value is read-only (cannot set kind)" in outer, out


def test_os_exit(script):
    result = herodo(script, "exit")
    assert result.returncode == 3, result.stderr
    assert _lines(result.stdout) == ["inner: os.exit(3) | exit | 3 | protected by herodo",
                                     "outer: os.exit(3) | exit | 3 | protected by herodo"]


@pytest.mark.parametrize("mode", ["sleep", "loop"])
def test_script_timeout(script, mode):
    result = herodo("--script-timeout", "2", script, mode)
    assert result.returncode == 124, result.stderr
    inner, outer = _lines(result.stdout)
    assert inner == "inner: script timeout after 2 s | timeout | 124 | protected by herodo"
    assert "the stop value is read-only (cannot set kind)" in outer
    assert "SCRIPT TIMEOUT" in result.stderr


def test_a_binding_error_reaches_close_handlers_as_an_error_value(tmp_path):
    path = tmp_path / "failed.lua"
    path.write_text("""
local guard <close> = setmetatable({}, {__close = function(_, e)
  print("closing: " .. e .. " | " .. e.category .. " | " .. tostring(getmetatable(e)))
end})
nerdctl_volume_create("bad name!!")
""")
    result = herodo(str(path))
    assert result.returncode == 1
    line, = (x for x in result.stdout.splitlines() if x.startswith("closing: "))
    assert line.startswith("closing: ") and "failed.lua:5: invalid volume name" in line
    assert line.endswith("| ConversionError | herodo error value (read-only)")
    assert "failed.lua:5" in result.stderr and "invalid volume name" in result.stderr
