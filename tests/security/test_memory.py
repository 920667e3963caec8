"""Classes 4 and 6 of issue 12: memory. A value crossing into Lua is checked against the memory left
before it is pushed (records and lists included), engine output larger than the limit is refused with
a friendly error, a memory error never hangs herodo; a value crossing out of Lua (a result, an
argument, a name) is bounded too. Each probe reads the peak RSS of the herodo process (``os.wait4``)
and holds it to ``--max-memory`` plus :data:`HOST_MARGIN_MIB`, the documented margin of the Python host."""

from __future__ import annotations

import pytest

HOST_MARGIN_MIB = 64  # README "Threat model": the Python host's RSS over --max-memory (measured 11-40 MiB)


FILL = """
collectgarbage("collect")
local hold = {}
for i = 1, 10000 do
  collectgarbage("collect")
  if collectgarbage("count") > FILL_KB then break end
  hold[i] = string.rep("h", 1024 * 1024 - 64) .. i
end
"""


def _bounded(run, limit_mib: int) -> None:
    run.ended()
    assert "INTERNAL ERROR" not in run.text, run
    assert run.peak_rss_mib < limit_mib + HOST_MARGIN_MIB, run


@pytest.mark.parametrize("mode", ["--sandbox", "--trusted"])
def test_a_record_with_a_huge_field_pushed_into_a_nearly_full_state_is_a_friendly_error(hostile, mode):
    """In the sandbox the namespace cannot be set at all (a refusal); trusted, the push must fail friendly."""
    run = hostile("""
local ok, e = pcall(nerdctl_configure, {namespace = string.rep("n", 20 * 1024 * 1024)})
print("configure", ok)
local FILL_KB = 46 * 1024
""" + FILL + """
print("holding")
local ok2, e2 = pcall(nerdctl_engine)
print("engine", ok2)
""", mode, "--max-memory", "64m", "--script-timeout", "20", bound=60)
    _bounded(run, 64)
    assert "holding" in run.out, run


def test_a_list_of_records_pushed_into_a_nearly_full_state_is_a_friendly_error(hostile):
    """nerdctl_list() parses the engine's output into records: each is pushed, then the list."""
    run = hostile("""
local FILL_KB = 62 * 1024 - 200
""" + FILL + """
for i = 1, 200 do local ok = pcall(nerdctl_list, true); if not ok then break end end
print("done")
""", "--trusted", "--max-memory", "64m", "--script-timeout", "20", bound=60)
    _bounded(run, 64)


@pytest.mark.parametrize("shape", ["4 million integers", "1 million string keys"])
def test_a_huge_table_returned_by_the_script_stays_within_the_limit(hostile, shape):
    build = {"4 million integers": "for i = 1, 4000000 do t[i] = i end",
             "1 million string keys": 'for i = 1, 1000000 do t["k" .. i] = i end'}[shape]
    run = hostile(f"local t = {{}}\n{build}\nreturn t\n", "--max-memory", "100m", bound=120)
    _bounded(run, 100)


@pytest.mark.parametrize("call", [
    'nerdctl_container_from_image("c", "i"):with_envs(t)',
    'nerdctl_container_from_image("c", "i"):with_ports(t)',
    'nerdctl_container_from_image("c", "i"):with_command(t)',
])
def test_a_huge_table_passed_to_a_binding_stays_within_the_limit(hostile, call):
    keyed = "with_envs" in call
    build = ('for i = 1, 1000000 do t["K" .. i] = "v" end' if keyed else 'for i = 1, 4000000 do t[i] = "8080:80" end')
    run = hostile(f"local t = {{}}\n{build}\nprint(pcall(function() return {call} end))\n", "--max-memory", "100m",
                  bound=120)
    _bounded(run, 100)


def test_a_20_mb_unknown_binding_name_stays_within_the_limit(hostile):
    run = hostile('local name = "nerdctl_" .. string.rep("x", 20 * 1024 * 1024)\n'
                  'print(pcall(function() return _G[name] end))\n', "--max-memory", "100m", bound=120)
    _bounded(run, 100)


# --- engine output larger than the limit ----------------------------------------------------------

BIG_OUTPUT = "head -c 314572800 /dev/zero | tr '\\\\0' x"  # 300 MiB on stdout


@pytest.mark.parametrize("route", ["exec method", "logs"])
def test_engine_output_larger_than_the_limit_is_refused_friendly(engine, test_image, unique_name, hostile, route):
    name = unique_name()
    call = {
        "exec method": f'c:exec({{"sh", "-c", "{BIG_OUTPUT}"}})',
        "nerdctl_exec": f'nerdctl_exec("{name}", {{"sh", "-c", "{BIG_OUTPUT}"}})',
        "exec failing (stderr)": f'c:exec({{"sh", "-c", "{BIG_OUTPUT} >&2; exit 3"}})',
        "logs": "c:logs()",
    }[route]
    command = BIG_OUTPUT + "; touch /done; sleep 120" if route == "logs" else "sleep 120"
    run = hostile(f"""
local c = nerdctl_container_from_image("{name}", "localhost/herodo-busybox:latest")
  :with_command({{"sh", "-c", "{command}"}})
local guard <close> = setmetatable({{}}, {{__close = function() pcall(c.remove, c, true) end}})
c:build()
{'c:exec({"sh", "-c", "while [ ! -e /done ]; do sleep 0.2; done"})' if route == "logs" else ""}
local ok, e = pcall(function() return {call} end)
print("call", ok, ok and #e.stdout or tostring(e):sub(1, 300))
""", "--max-memory", "64m", engine=engine.name, bound=90)
    _bounded(run, 64)
    assert "call\tfalse" in run.out, run
    assert "memory" in run.out.lower() or "too large" in run.out.lower(), run
