"""``herodo test`` reports: TAP 13 (numbering, plan, SKIP directive, YAML diagnostics) and JUnit XML
(parsed back: counts, failures carrying the friendly error, skips, file errors, captured output)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from herodo_py.lua.runner import RunOptions
from herodo_py.testing.runner import TestOptions, run_tests

FILES = {
    "a_test.lua": """
test("adds", function() print("adding"); assert_eq(1 + 1, 2) end)
test("breaks # on purpose", function() print("about to fail"); assert_eq({1, 2}, {1, 3}) end)
test("later", function() skip("no registry # here") end)
""",
    "b_test.lua": 'test("fine", function() end)\n',
    "c_test.lua": 'test("x", function()\n  if a != b then end\nend)\n',
    "d_test.lua": 'skip("not on this engine")\n',
}


@pytest.fixture
def suite(tmp_path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def run(folder: Path, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_tests([str(folder)], TestOptions(**options), RunOptions(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_tap_13(suite):
    code, out, _ = run(suite, tap=True)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "TAP version 13"
    results = [line for line in lines if re.match(r"(not )?ok \d+ ", line)]
    assert [int(re.match(r"(?:not )?ok (\d+)", r)[1]) for r in results] == [1, 2, 3, 4, 5, 6]
    assert f"1..{len(results)}" in lines
    a = f"{suite}/a_test.lua"
    assert results[:4] == [f"ok 1 - {a}::adds", f"not ok 2 - {a}::breaks \\# on purpose",
                           f"ok 3 - {a}::later # SKIP no registry \\# here", f"ok 4 - {suite}/b_test.lua::fine"]
    assert results[4] == f"not ok 5 - {suite}/c_test.lua (the file)"
    assert results[5] == f"ok 6 - {suite}/d_test.lua # SKIP not on this engine"
    assert "adding" not in out  # output of passing tests is not shown
    assert lines[-1].startswith("# 4 tests in 4 files: 2 passed, 1 failed, 1 skipped, 1 file error in ")


def _yaml_blocks(out: str) -> list[str]:
    return re.findall(r"^  ---\n(.*?)^  \.\.\.$", out, re.S | re.M)


def test_tap_yaml_diagnostics(suite):
    _, out, _ = run(suite, tap=True)
    blocks = _yaml_blocks(out)
    assert len(blocks) == 2
    assert all(line.startswith("  ") for block in blocks for line in block.splitlines())
    import yaml  # PyYAML is in the test extras: never skipped

    first, second = (yaml.safe_load(b) for b in blocks)
    assert first["message"] == "assert_eq failed: tables differ"
    assert first["severity"] == "fail" and first["at"].endswith("a_test.lua:3")
    assert "-- ASSERTION FAILED" in first["error"] and "[2]: expected 3, got 2" in first["error"]
    assert first["output"] == "about to fail\n"
    assert second["message"].startswith("syntax error: 'then' expected near '!'")


def test_junit_xml_parses_and_counts_match(suite, tmp_path):
    report = tmp_path / "out" / "junit.xml"
    report.parent.mkdir()
    code, out, _ = run(suite, junit=str(report))
    assert code == 1 and "FAILURES" in out  # the readable report still goes to stdout
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "6", "failures": "1", "errors": "1", "skipped": "2"}
    suites = {Path(s.get("name")).name: s for s in root.findall("testsuite")}
    assert list(suites) == ["a_test.lua", "b_test.lua", "c_test.lua", "d_test.lua"]
    cases = {c.get("name"): c for c in suites["a_test.lua"].findall("testcase")}
    assert list(cases) == ["adds", "breaks # on purpose", "later"]
    failure = cases["breaks # on purpose"].find("failure")
    assert failure.get("type") == "ASSERTION FAILED"
    assert failure.get("message") == "assert_eq failed: tables differ"
    assert "-- ASSERTION FAILED" in failure.text and "\x1b[" not in failure.text
    assert cases["breaks # on purpose"].find("system-out").text == "about to fail\n"
    assert cases["later"].find("skipped").get("message") == "no registry # here"
    assert cases["adds"].find("failure") is None and float(cases["adds"].get("time")) >= 0
    error = suites["c_test.lua"].find("testcase/error")
    assert error.get("type") == "SYNTAX ERROR" and "Lua writes 'not equal' as ~=" in error.text
    assert suites["d_test.lua"].find("testcase/skipped").get("message") == "not on this engine"
    for s in suites.values():
        cases_in = s.findall("testcase")
        assert int(s.get("tests")) == len(cases_in)
        assert int(s.get("failures")) == sum(c.find("failure") is not None for c in cases_in)


def test_junit_text_without_characters_xml_refuses(tmp_path):
    (tmp_path / "x_test.lua").write_text('test("bell \\a", function() print("nul \\0 esc \\27[1m"); error("x") end)')
    report = tmp_path / "j.xml"
    run(tmp_path, junit=str(report))
    case = ET.parse(report).getroot().find("testsuite/testcase")
    assert case.get("name") == "bell "
    assert case.find("system-out").text == "nul  esc [1m\n"


def test_summary_is_the_last_line_of_the_readable_report(suite):
    _, out, _ = run(suite)
    assert out.splitlines()[-1].startswith("herodo test: 4 tests in 4 files: 2 passed, 1 failed, 1 skipped, "
                                           "1 file error in ")
    assert re.search(r"\(run \d{14}-[0-9a-f]{6}\)$", out.splitlines()[-1])
