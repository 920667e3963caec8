"""io.popen and os.execute in herodo behave as in stock Lua 5.4 on Linux: the same snippets run by
the real ``lua5.4`` binary and by herodo (as a process) print the same lines. Pointer addresses are
masked (``file (0x...)``)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from herodo_process import herodo

LUA54 = shutil.which("lua5.4")

SNIPPETS = {
    "execute statuses": """
        print(os.execute())
        print(os.execute("true"))
        print(os.execute("exit 3"))
        print(os.execute("kill -TERM $$"))
        print(os.execute("kill -KILL $$"))
        print(os.execute("echo from-execute"))
    """,
    "popen read formats": """
        local f = io.popen("echo hi; echo 12 3.5 0x10 abc; printf 'x\\ny\\n\\nlast'", "r")
        print(io.type(f), tostring(f):match("^file %(0x") ~= nil)
        print(f:read())
        print(f:read("n", "n", "n", "n"))
        print(f:read("l"), f:read("L"), f:read(1), f:read(0), f:read("*l"), f:read("a"))
        print(f:read("a"), f:read("l"), f:read(0), f:read(5), f:read("n"))
        print(f:close())
        print(io.type(f), tostring(f))
        print(pcall(f.read, f))
        print(pcall(f.close, f))
        print(pcall(f.lines, f))
    """,
    "popen numbers": """
        for _, text in ipairs({"  -12e2x", ".5", "0x1p4", "0x", "1e", "--1", "007", "1.5.5", "+3", " \\n 42"}) do
          local f = io.popen("printf '%s' '" .. text .. "'")
          print(text, f:read("n"), f:read("a"))
          f:close()
        end
    """,
    "popen lines": """
        for l in io.popen("printf 'a\\nb\\n\\nc'"):lines() do io.write("[", l, "]") end print()
        for l in io.popen("printf 'a\\nb\\n'"):lines("L") do io.write("[", l, "]") end print()
        for a, b in io.popen("printf 'ab\\ncd'"):lines(1, "l") do io.write("[", a, "|", tostring(b), "]") end print()
        for n in io.popen("echo 1 2 3"):lines("n") do io.write(n, ";") end print()
    """,
    "popen write": """
        local w = io.popen("cat; exit 4", "w")
        print(io.type(w))
        print(w:read("l"))
        print(w:write("to cat\\n", 5, " ", 2.5, "\\n") == w)
        print(w:flush())
        print(w:close())
        print(pcall(w.write, w, "x"))
        local r = io.popen("true", "r")
        print(r:write("x"))
        print(r:close())
    """,
    "popen statuses and modes": """
        print(io.popen("exit 7"):close())
        print(io.popen("kill -TERM $$"):close())
        print(pcall(io.popen, "true", "rw"))
        print(pcall(io.popen, "true", "x"))
        local f = io.popen("echo z")
        print(f:setvbuf("no"), f:seek("cur"))
        print(f:read("a"))
        print(f:close())
        do local g <close> = io.popen("echo closed-by-scope") print(g:read("l")) end
    """,
}


def _masked(text: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x?", text)


@pytest.mark.skipif(LUA54 is None, reason="the stock lua5.4 binary is not installed")
@pytest.mark.parametrize("name", list(SNIPPETS))
def test_same_output_as_stock_lua(name, tmp_path):
    script = tmp_path / "snippet.lua"
    script.write_text("\n".join(line[8:] if line.startswith(" " * 8) else line
                                for line in SNIPPETS[name].splitlines()))
    stock = subprocess.run([LUA54, str(script)], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL, check=False)
    ours = herodo(str(script))
    assert ours.returncode == stock.returncode == 0, ours.stderr + stock.stderr
    assert _masked(ours.stdout) == _masked(stock.stdout)
    assert stock.stdout.strip()  # the comparison compared something


def test_trace_and_dry_run_cover_them(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text('print(os.execute("exit 3")) local f = io.popen("echo x") print(f:read("a")) print(f:close())')
    traced = herodo("--trace", str(script))
    assert traced.returncode == 0
    assert "+ /bin/sh -c 'exit 3'\n  exit 3 in" in traced.stderr and "+ /bin/sh -c 'echo x'" in traced.stderr
    dry = herodo("--dry-run", str(script))
    assert dry.stdout == "true\texit\t0\n\ntrue\texit\t0\n"
    assert "would run: /bin/sh -c 'exit 3'" in dry.stderr and "2 state-changing commands not run" in dry.stderr


def test_the_sandbox_removes_them(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text('print(pcall(os.execute, "true")) print(pcall(io.popen, "true")) io.popen("true")')
    result = herodo("--sandbox", str(script))
    assert result.returncode == 1 and "REMOVED BY SANDBOX" in result.stderr
    assert "os.execute is not available in the sandbox" in result.stdout
