"""Issue 12, the property: hostile Lua values (cycles, depth, size, metatables with every metamethod,
functions, coroutines, userdata) passed to every binding of the registry and returned from the script
never end in a traceback, a hang, an internal error or a crash, and herodo's peak RSS stays within
``--max-memory`` plus the documented host margin. One herodo process per example (``--sandbox
--dry-run`` against the nerdctl stand-in: nothing changes on the host)."""

from __future__ import annotations

from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from security_probes import run_herodo
from test_memory import HOST_MARGIN_MIB

from herodo_py.lua.runtime import default_registry

MAX_MEMORY_MIB = 64
METAMETHODS = ["__index", "__newindex", "__call", "__tostring", "__len", "__eq", "__lt", "__le", "__concat",
               "__unm", "__add", "__pairs", "__close", "__name", "__metatable", "__mode"]
MM_BODIES = ['function() error("mm") end', "function() return {} end", "function(...) return ... end",
             '"not a function"', "function() return nil end", "function() return 1/0 end", "{}"]

leaves = st.sampled_from([
    "nil", "true", "0", "-1", "0/0", "1/0", "math.mininteger", "2^63", '""', '"\\0"', '"a\\0b"',
    'string.rep("x", 200000)', "print", "function() end", "coroutine.create(print)", "io.stdout",
    'nerdctl_container_from_image("hv", "localhost/herodo-busybox:latest")', "nerdctl_engine()",
    "select(2, pcall(nerdctl_copy))", '"/etc/shadow"', '"../x:/y"', '"x://y"', '"--privileged"',
])


def _tables(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    entries = st.lists(st.tuples(st.one_of(st.sampled_from(["1", "2", '"a"', '"cmd"', "true", "1.5"]), children),
                                 children), max_size=4)
    plain = entries.map(lambda kv: "{" + ", ".join(f"[{k}] = {v}" for k, v in kv) + "}")
    listed = st.lists(children, max_size=4).map(lambda vs: "{" + ", ".join(vs) + "}")
    with_mt = st.tuples(st.one_of(plain, listed), st.sampled_from(METAMETHODS), st.sampled_from(MM_BODIES)).map(
        lambda t: f"setmetatable({t[0]}, {{{t[1]} = {t[2]}}})")
    return st.one_of(plain, listed, with_mt)


structured = st.recursive(leaves, _tables, max_leaves=8)
shaped = st.sampled_from([
    "(function() local t = {} t.t = t t[1] = t return t end)()",
    "(function() local t = {} local c = t for i = 1, 100000 do c[1] = {} c = c[1] end return t end)()",
    "(function() local t = {} for i = 1, 1000000 do t[i] = i end return t end)()",
    '(function() local t = {} for i = 1, 200000 do t["k" .. i] = "v" end return t end)()',
    "setmetatable({}, {__pairs = function() return function() while true do end end end})",
])
hostile_values = st.one_of(structured, shaped)


def _bindings() -> list[tuple[str, int]]:
    """(Lua call prefix, parameter count) of every binding: globals and Container methods."""
    registry = default_registry()
    calls = [(name, len(b.params)) for name, b in registry.functions.items()]
    for ltype in registry.types.values():
        calls += [(f"OBJ:{name}", len(b.params)) for name, b in ltype.methods.items()]
    return calls


BINDINGS = _bindings()


def _script(value: str, returned: bool) -> str:
    lines = ['local OBJ = nerdctl_container_from_image("hv-obj", "localhost/herodo-busybox:latest")',
             f"local V = {value}"]
    for call, count in BINDINGS:
        args = ", ".join(["V"] * max(count, 1))
        if call.startswith("OBJ:"):
            lines.append(f"pcall(function() return OBJ:{call[4:]}({args}) end)")
        else:
            lines.append(f"pcall({call}, {args})")
    lines.append('print("all bindings called")')
    lines.append("return V" if returned else "return true")
    return "\n".join(lines) + "\n"


@settings(max_examples=20, phases=(Phase.explicit, Phase.generate), deadline=None)  # one process each: no shrinking
@given(value=hostile_values, returned=st.booleans())
def test_hostile_values_into_every_binding_and_out_of_the_script(tmp_path_factory, value, returned):
    folder = tmp_path_factory.mktemp("hostile")
    script = folder / "values.lua"
    script.write_text(_script(value, returned))
    run = run_herodo(["--sandbox", "--dry-run", "--max-memory", f"{MAX_MEMORY_MIB}m", "--script-timeout", "20",
                      str(script)], cwd=folder, bound=90)
    run.ended()
    assert run.code in (0, 1, 124), run
    assert "INTERNAL ERROR" not in run.text, run
    assert run.peak_rss_mib < MAX_MEMORY_MIB + HOST_MARGIN_MIB, run
