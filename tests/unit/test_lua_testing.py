"""``herodo test`` in-process: the test API (asserts, hooks, skip), what counts as a failure, selection,
the failing line reported, and output capture. No engine: tests that need one are in tests/lua."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from herodo_py.lua.runner import RunOptions
from herodo_py.testing.reporting import FAILED, PASSED, SKIPPED, RunResult, TextReporter
from herodo_py.testing.runner import TestOptions, TestRunner, discover, run_tests


def write(folder: Path, files: dict[str, str]) -> list[str]:
    paths = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(str(path))
    return paths


def run(folder: Path, files: dict[str, str], **options) -> tuple[RunResult, str]:
    """Run ``files`` (name -> source) and return the result and the text report."""
    paths = write(folder, files)
    out = io.StringIO()
    runner = TestRunner(TestOptions(**options), RunOptions(), reporter=TextReporter(out))
    return runner.run_files(sorted(paths)), out.getvalue()


def only(result: RunResult):
    [test] = result.tests()
    return test


def failure_of(folder: Path, body: str):
    result, _ = run(folder, {"a_test.lua": f'test("t", function()\n{body}\nend)\n'})
    test = only(result)
    assert test.status == FAILED, test
    return test.failures[0]


# --- asserts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "assert_eq(1 + 1, 2)", "assert_eq({1, {a = 'x'}, b = true}, {1, {a = 'x'}, b = true})",
    "assert_eq(nil, nil)", "assert_eq(3, 3.0)", "assert_true(1)", "assert_true('')", "assert_false(nil)",
    "assert_false(false)", "assert_match('port 8080 in use', 'port %d+')", "assert_match('a dry-run', 'dry-run')",
    "local e = assert_error(function() error('boom 42') end, 'boom %d+'); assert_match(e, 'boom 42')",
    "local t = {}; t.self = t; local u = {}; u.self = u; assert_eq(t, u)",
])
def test_passing_asserts(tmp_path, body):
    result, report = run(tmp_path, {"a_test.lua": f'test("t", function()\n{body}\nend)\n'})
    assert only(result).status == PASSED, report


@pytest.mark.parametrize("body, message", [
    ('assert_eq("hello", "world")', 'assert_eq failed: expected "world", got "hello"'),
    ("assert_eq(1, 2, 'the count')", "assert_eq failed: the count\n  expected 2, got 1"),
    ("assert_eq({1, 2}, nil)", "assert_eq failed: expected nil, got {1, 2}"),
    ("assert_true(nil)", "assert_true failed: expected a true value, got nil"),
    ("assert_false(0)", "assert_false failed: expected false or nil, got 0"),
    ("assert_match(42, 'x')", "assert_match failed: expected a string, got 42"),
    ("assert_match('abc', 'x%d')", 'assert_match failed: "abc" does not contain "x%d"'),
    ("assert_error(function() end)", "assert_error failed: expected an error, the function returned normally"),
])
def test_failing_asserts_say_what_differs_at_the_tests_line(tmp_path, body, message):
    failure = failure_of(tmp_path, body)
    assert failure.title == "ASSERTION FAILED"
    assert failure.message == message
    assert failure.where == f"{tmp_path}/a_test.lua:2"  # the test's line, not the helper's
    assert failure.snippets[0].token == body.split("(")[0]


def test_assert_eq_lists_the_differences_of_deep_tables(tmp_path):
    failure = failure_of(tmp_path, 'assert_eq({a = 1, b = {1, 2, 3}, c = "x"}, {a = 1, b = {1, 2, 4}, d = true})')
    lines = failure.message.splitlines()
    assert lines[:4] == ["assert_eq failed: tables differ", "  .b[3]: expected 4, got 3",
                         "  .d: missing, expected true", '  .c: unexpected "x"']
    assert lines[4] == "  expected: {a = 1, b = {1, 2, 4}, d = true}"
    assert lines[5] == '  actual:   {a = 1, b = {1, 2, 3}, c = "x"}'


def test_assert_error_pattern_and_error_objects(tmp_path):
    failure = failure_of(tmp_path, "assert_error(function() error('disk full') end, 'no space')")
    assert failure.message.startswith('assert_error failed: the error does not contain "no space":')
    assert "disk full" in failure.message
    result, report = run(tmp_path, {"b_test.lua": """
test("binding error object", function()
  local e = assert_error(function() nerdctl_container_new("bad name!") end, "invalid name")
  assert_eq(e.kind, "ConversionError")
  assert_eq(e.field, "name")
end)"""})
    assert only(result).status == PASSED, report


def test_the_report_renders_the_friendly_error_with_the_test_line_underlined(tmp_path):
    result, report = run(tmp_path, {"a_test.lua": 'local x = 3\ntest("counts", function()\n  assert_eq(x, 4)\nend)\n'})
    assert "-- ASSERTION FAILED " in report and report.count("a_test.lua:3") == 1
    assert "   3|   assert_eq(x, 4)\n        ^^^^^^^^^\n" in report
    assert f"{tmp_path}/a_test.lua::counts (" in report
    assert report.rstrip().splitlines()[-1].startswith("herodo test: 1 test in 1 file: 0 passed, 1 failed, 0 skipped in ")


def test_a_binding_failure_is_reported_like_herodo_run_does(tmp_path):
    failure = failure_of(tmp_path, "nerdctl_container_from_image('web', 'Bad Image')")
    assert failure.title == "BAD INPUT"
    assert failure.line == 2


# --- hooks, skip, what fails -------------------------------------------------------------

HOOKS = """
local log = {}
before_each(function() log[#log + 1] = "before" end)
after_each(function() log[#log + 1] = "after"; print(table.concat(log, ",")) end)
test("passes", function() log[#log + 1] = "body" end)
test("fails", function() log[#log + 1] = "body"; error("body broke") end)
"""


def test_hooks_run_around_every_test_even_a_failing_one(tmp_path):
    result, _ = run(tmp_path, {"h_test.lua": HOOKS})
    passes, fails = result.tests()
    assert (passes.status, fails.status) == (PASSED, FAILED)
    assert passes.output == "before,body,after\n"
    assert fails.output == "before,body,after,before,body,after\n"
    assert fails.failures[0].message == "body broke"


def test_a_failing_before_each_fails_the_test_skips_its_body_and_still_runs_after_each(tmp_path):
    result, _ = run(tmp_path, {"h_test.lua": """
before_each(function() error("setup broke") end)
after_each(function() print("after ran") end)
test("t", function() print("body ran") end)"""})
    test = only(result)
    assert test.status == FAILED and test.failures[0].message == "setup broke"
    assert test.output == "after ran\n"


def test_a_failing_after_each_fails_a_passing_test_and_adds_to_a_failing_one(tmp_path):
    result, _ = run(tmp_path, {"h_test.lua": """
after_each(function() error("teardown broke") end)
test("passes", function() end)
test("fails", function() error("body broke") end)"""})
    passes, fails = result.tests()
    assert passes.status == FAILED and [f.message for f in passes.failures] == ["teardown broke"]
    assert [f.message for f in fails.failures] == ["body broke", "teardown broke"]


def test_skip_in_a_test_and_at_the_top_of_a_file(tmp_path):
    result, report = run(tmp_path, {
        "a_test.lua": 'test("later", function() skip("no registry") end)\ntest("ok", function() end)',
        "b_test.lua": 'skip("needs podman")\ntest("never", function() end)',
    })
    later, ok = result.tests()
    assert (later.status, later.reason, ok.status) == (SKIPPED, "no registry", PASSED)
    assert result.files[1].skipped == "needs podman" and result.files[1].error is None
    assert result.ok
    assert "  skip  later: no registry" in report and "  skip  (every test): needs podman" in report


@pytest.mark.parametrize("source, title", [
    ('test("x", function()\n  if a != b then end\nend)', "SYNTAX ERROR"),
    ('local cfg = nil\nprint(cfg.port)\ntest("x", function() end)', "RUNTIME ERROR"),
    ("local helper = 1", "NO TESTS"),
    ('test("x", function() end)\ntest("x", function() end)', "SCRIPT ERROR"),
    ('test("outer", function() test("inner", function() end) end)', None),
    ("return false", "SCRIPT RETURNED FALSE"),
    ("os.exit(0)", "OS.EXIT IN A TEST FILE"),
])
def test_nothing_is_swallowed(tmp_path, source, title):
    result, report = run(tmp_path, {"x_test.lua": source})
    assert not result.ok
    assert run_code(tmp_path, "x_test.lua") == 1
    if title is None:  # test() inside a test fails that test
        assert only(result).failures[0].message.startswith("test() inside a test")
    else:
        assert result.files[0].error.title == title, report


def run_code(folder: Path, *names: str, **options) -> int:
    out, err = io.StringIO(), io.StringIO()
    return run_tests([str(folder / n) for n in names], TestOptions(**options), stdout=out, stderr=err)


def test_os_exit_in_a_test_fails_it_and_the_rest_of_the_file_is_reported_not_run(tmp_path):
    result, report = run(tmp_path, {"x_test.lua": """
test("exits", function() os.exit(0) end)
test("after", function() end)
test("after too", function() end)"""})
    test = only(result)
    assert test.failures[0].title == "OS.EXIT IN A TEST"
    assert result.files[0].error.title == "TESTS NOT RUN"
    assert "2 test(s)" in result.files[0].error.message


def test_a_time_limit_fails_the_test_that_ran_out(tmp_path):
    write(tmp_path, {"t_test.lua": 'test("loops", function() while true do end end)\ntest("next", function() end)'})
    out = io.StringIO()
    runner = TestRunner(TestOptions(), RunOptions(script_timeout=0.3), reporter=TextReporter(out))
    result = runner.run_files([str(tmp_path / "t_test.lua")])
    assert only(result).failures[0].title == "SCRIPT TIMEOUT"
    assert result.files[0].error.title == "TESTS NOT RUN"


def test_each_file_runs_in_a_fresh_runtime(tmp_path):
    result, report = run(tmp_path, {
        "a_test.lua": 'shared = "leaked"\ntest("a", function() end)',
        "b_test.lua": 'test("b", function() assert_eq(shared, nil) end)',
    })
    assert result.ok, report


# --- selection and exit codes --------------------------------------------------------------

def test_discovery_finds_both_patterns_sorted_and_skips_the_rest(tmp_path):
    write(tmp_path, dict.fromkeys(("b_test.lua", "test_a.lua", "sub/c_test.lua", "helper.lua", "test.lua", "notes_test.txt", ".hidden/x_test.lua"), ""))
    found = [Path(p).relative_to(tmp_path).as_posix() for p in discover([str(tmp_path)])]
    assert found == ["b_test.lua", "sub/c_test.lua", "test_a.lua"]
    assert discover([str(tmp_path / "helper.lua")]) == [str(tmp_path / "helper.lua")]


def test_filter_selects_by_file_and_name(tmp_path):
    files = {"a_test.lua": 'test("web serves", function() end)\ntest("db", function() end)',
             "b_test.lua": 'test("web again", function() end)'}
    result, report = run(tmp_path, files, filter="web")
    assert [t.name for t in result.tests()] == ["web serves", "web again"]
    assert result.deselected == 1 and "1 deselected" in report
    result, _ = run(tmp_path, files, filter=r"b_test\.lua::")
    assert [t.name for t in result.tests()] == ["web again"]
    assert run_code(tmp_path, "a_test.lua", filter="nothing matches") == 1
    assert run_code(tmp_path, "a_test.lua", filter="(") == 2


def test_fail_fast_stops_after_the_first_failure(tmp_path):
    files = {"a_test.lua": 'test("1", function() end)\ntest("2", function() error("x") end)\ntest("3", function() end)',
             "b_test.lua": 'test("4", function() end)'}
    result, _ = run(tmp_path, files, fail_fast=True)
    assert [t.name for t in result.tests()] == ["1", "2"] and len(result.files) == 1
    result, _ = run(tmp_path, files)
    assert [t.name for t in result.tests()] == ["1", "2", "3", "4"]


def test_exit_codes(tmp_path):
    write(tmp_path, {"ok_test.lua": 'test("a", function() end)\ntest("b", function() skip() end)',
                     "bad_test.lua": 'test("c", function() assert_true(false) end)'})
    assert run_code(tmp_path, "ok_test.lua") == 0
    assert run_code(tmp_path, "ok_test.lua", "bad_test.lua") == 1
    assert run_code(tmp_path, "missing_test.lua") == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_code(empty, ".") == 2


def test_output_is_captured_and_shown_with_failures_only(tmp_path, capsys):
    files = {"a_test.lua": 'test("quiet", function() print("from quiet") end)\n'
                           'test("loud", function() print("from loud"); io.stderr:write("err line\\n"); error("x") end)'}
    result, report = run(tmp_path, files)
    assert capsys.readouterr().out == ""
    assert "from quiet" not in report
    assert "output:\n  | from loud\n  | err line\n" in report
    result, _ = run(tmp_path, files, capture=False)
    assert capsys.readouterr().out == "from quiet\nfrom loud\n"
