"""A binding's error, caught by a script, behaves like its message (issue #13 friction): concatenation,
tostring, length, comparison, string methods, its fields; read-only with a protected metatable; the
same through pcall, xpcall, coroutines and retry, in every mode; re-raised, it still fails at its own
line. Errors raised by the binding's argument check (no engine needed: it fails before any command)."""

from __future__ import annotations

import pytest

from herodo_py.lua.runtime import Runtime

FAIL = 'nerdctl_volume_create("bad name!!")'  # a binding error at the line it stands on
MODES = ["trusted", "sandbox", "strict"]
CATEGORY = {"trusted": "ConversionError", "sandbox": "ConversionError", "strict": "RemovedBySandbox"}


@pytest.fixture
def run(tmp_path, capsys):
    """run(source, policy) -> (Outcome, stdout lines); the script is tmp_path/main.lua."""
    def runner(source: str, policy: str = "trusted"):
        path = tmp_path / "main.lua"
        path.write_text(source.lstrip("\n"))
        outcome = Runtime(policy=policy).run_file(str(path))
        return outcome, capsys.readouterr().out.splitlines()
    return runner


@pytest.mark.parametrize("policy", MODES)
def test_a_caught_error_concatenates_and_compares_like_its_message(run, policy):
    outcome, out = run(f"""
local ok, err = pcall(function() {FAIL} end)
local text = tostring(err)
print(ok, type(err), text:match("^[^:]+:%d+: ") ~= nil)
print(("failed: " .. err) == "failed: " .. text, (err .. "!") == text .. "!", (1 .. err) == "1" .. text)
print(#err == #text, err == err, err < text .. "~", text .. "~" > err, err <= text)
print(err:find("volume", 1, true) ~= nil, err:upper() == text:upper(), err:sub(1, 4) == text:sub(1, 4),
      select("#", err:gsub("e", "E")) == 2, err:match("(%d+): ") == "1")
print(string.format("%s", err) == text, err.category, err.category ~= nil, err.func, err.line, err.file ~= nil)
""", policy)
    assert outcome.ok, outcome.failure
    assert out[0] == "false\ttable\ttrue"
    assert out[1:4] == ["true\ttrue\ttrue", "true\ttrue\ttrue\ttrue\ttrue", "true\ttrue\ttrue\ttrue\ttrue"]
    assert out[4].split("\t")[:2] == ["true", CATEGORY[policy]]
    assert out[4].split("\t")[3:5] == ["nerdctl_volume_create", "1"]


@pytest.mark.parametrize("policy", MODES)
def test_its_fields_are_the_errors_and_it_cannot_be_changed(run, policy):
    outcome, out = run(f"""
local ok, err = pcall(function() {FAIL} end)
print(getmetatable(err))
print(select(2, pcall(setmetatable, err, {{}})):match("cannot change a protected metatable") ~= nil)
local ok2, msg = pcall(function() err.kind = "Other" end)
print(ok2, msg:match("read%-only") ~= nil, err.category)
local keys = {{}}
for k in pairs(err) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","))
print(err.message, err.field, err.value)
""", policy)
    assert outcome.ok, outcome.failure
    assert out[0] == "herodo error value (read-only)"
    assert out[1] == "true"
    assert out[2] == f"false\ttrue\t{CATEGORY[policy]}"
    if policy == "strict":  # the binding is removed: the sandbox's error
        assert out[3] == "category,file,func,hint,kind,line,message"
    else:
        assert out[3] == "category,expected,field,file,func,kind,line,message,value"
        assert out[4].split("\t")[1:] == ["volume name", "bad name!!"]


def test_rawset_on_it_changes_only_the_scripts_copy(run):
    """The host reads the error behind the proxy: a script cannot make it report another line or kind."""
    outcome, out = run(f"""
local ok, err = pcall(function()
  {FAIL}
end)
rawset(err, "line", 99); rawset(err, "category", "Nothing")
print(err.line)
error(err)
""")
    assert out == ["99"]
    assert outcome.exit_code == 1 and outcome.failure.line == 2
    assert "invalid volume name" in outcome.failure.message


@pytest.mark.parametrize("policy", MODES)
def test_xpcall_handler_coroutines_and_retry_see_the_same_value(run, policy):
    outcome, out = run(f"""
local _, handled = xpcall(function() {FAIL} end, function(e) return "handled: " .. e end)
print(type(handled), handled:match("^handled: .-:1: ") ~= nil)
local co = coroutine.create(function() {FAIL} end)
local ok, e = coroutine.resume(co)
print(ok, e.category, ("" .. e):match(":3: ") ~= nil)
local ok2, e2 = pcall(coroutine.wrap(function() {FAIL} end))
print(ok2, e2.line, "x" .. e2 ~= nil)
local ok3, e3 = pcall(retry, function() {FAIL} end, {{times = 2, delay = 0}})
print(ok3, e3:match("gave up after 2 attempts") ~= nil, e3.line)
""", policy)
    assert outcome.ok, outcome.failure
    assert out == ["string\ttrue", f"false\t{CATEGORY[policy]}\ttrue", "false\t6\ttrue", "false\ttrue\t8"]


def test_errors_a_script_raises_stay_its_own(run):
    outcome, out = run("""
local t = {code = 7}
local _, e = pcall(error, t)
print(rawequal(e, t), getmetatable(e))
local _, s = pcall(error, "plain", 0)
print(type(s), s)
local _, n = pcall(error, 42)
print(math.type(n))
""")
    assert outcome.ok, outcome.failure
    assert out == ["true\tnil", "string\tplain", "integer"]


@pytest.mark.parametrize("rethrow", ["error(err)", "error(err, 0)", "error(err, 2)", "assert(false, err)"])
def test_a_rethrown_error_fails_with_the_friendly_message_at_its_own_line(run, rethrow):
    outcome, _ = run(f"""
local ok, err = pcall(function()
  {FAIL}
end)
{rethrow}
""")
    assert outcome.exit_code == 1
    assert outcome.failure.line == 2
    assert outcome.failure.file.endswith("main.lua")
    assert "invalid volume name" in outcome.failure.message


def test_an_uncaught_error_is_unchanged(run):
    outcome, _ = run(f"-- one\n-- two\n{FAIL}\n")
    assert outcome.exit_code == 1 and outcome.failure.line == 3
    assert "invalid volume name" in outcome.failure.message
