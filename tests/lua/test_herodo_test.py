"""``herodo test`` as a process against docker and podman: every container a test makes carries the run's
labels and is gone when the run ends, after a pass, a failure, a failing hook and Ctrl-C (also in the
middle of a ``run``); ``--keep`` leaves them and names them; networks and volumes go too; JUnit from a real run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from herodo_process import herodo, interrupt_when, labelled

SUITE = """
local P = os.getenv("HERODO_T_PREFIX")
local IMAGE = "localhost/herodo-busybox:latest"
local top = nerdctl_container_from_image(P .. "-top", IMAGE):with_command("sleep 60"):build()

local function labels_of(name)
  for _, c in ipairs(nerdctl_list(true)) do
    if c.name == name then return c.labels end
  end
end

before_each(function()
  nerdctl_container_from_image(P .. "-hook-" .. math.random(1, 1e9), IMAGE):with_command("sleep 60"):build()
end)

test("passes and labels its containers", function()
  local c = nerdctl_container_from_image(P .. "-pass", IMAGE):with_command("sleep 60"):build()
  local labels = labels_of(P .. "-pass")
  assert_match(labels["herodo.test.run"], "^%d+%-%x+$")
  assert_match(labels["herodo.test.scope"], labels["herodo.test.run"] .. "/")
  assert_match(labels["herodo.test.name"], "::passes and labels its containers")
  assert_eq(labels_of(P .. "-top")["herodo.test.run"], labels["herodo.test.run"])
  nerdctl_network_create(P .. "-net")
  nerdctl_volume_create(P .. "-vol")
end)

test("fails after making containers", function()
  nerdctl_run(IMAGE, P .. "-fail", true, nil, nil, "sleep 60")
  assert_eq(nerdctl_container_new(P .. "-fail").container_id, nil)
end)
"""

RUN_ID = re.compile(r"\(run (\d{14}-[0-9a-f]{6})\)")


@pytest.fixture
def prefix(unique_name, engine):
    """A unique name prefix; whatever carries it is removed after the test (containers, networks, volumes)."""
    value = unique_name()
    yield value
    names = engine.run("ps", "-a", "--filter", f"name={value}", "--format", "{{.Names}}").stdout.split()
    if names:
        engine.run("rm", "-f", *names, timeout=180)
    networks = engine.run("network", "ls", "--format", "{{.Name}}").stdout.split()
    mine = [n for n in networks if n.startswith(value)]
    if mine:
        engine.run("network", "rm", *mine)
    volumes = [v for v in engine.run("volume", "ls", "--format", "{{.Name}}").stdout.split() if v.startswith(value)]
    if volumes:
        engine.run("volume", "rm", *volumes)


def suite(tmp_path: Path, text: str = SUITE) -> str:
    path = tmp_path / "engine_test.lua"
    path.write_text(text)
    return str(path)


def left_by(engine, prefix: str) -> list[str]:
    return engine.run("ps", "-a", "--filter", f"name={prefix}", "--format", "{{.Names}}").stdout.split()


def test_containers_are_labelled_and_removed_after_pass_and_failure(engine, test_image, prefix, tmp_path):
    junit = tmp_path / "junit.xml"
    result = herodo("test", "--junit", str(junit), suite(tmp_path), engine=engine.name, HERODO_T_PREFIX=prefix)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "  ok    passes and labels its containers" in result.stdout
    assert "  FAIL  fails after making containers" in result.stdout
    assert "1 passed, 1 failed" in result.stdout
    run_id = RUN_ID.search(result.stdout)[1]
    assert labelled(engine.cli, f"herodo.test.run={run_id}") == []
    assert left_by(engine, prefix) == []
    assert not [n for n in engine.run("network", "ls", "--format", "{{.Name}}").stdout.split() if n.startswith(prefix)]
    assert not [v for v in engine.run("volume", "ls", "--format", "{{.Name}}").stdout.split() if v.startswith(prefix)]
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "0")
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("type") == "ASSERTION FAILED" and "engine_test.lua:29" in failure.text


def test_keep_leaves_the_containers_and_names_them(engine, test_image, prefix, tmp_path):
    result = herodo("test", "--keep", suite(tmp_path), engine=engine.name, HERODO_T_PREFIX=prefix)
    assert result.returncode == 1, result.stdout + result.stderr
    run_id = RUN_ID.search(result.stdout)[1]
    kept = sorted(labelled(engine.cli, f"herodo.test.run={run_id}"))
    assert sorted(left_by(engine, prefix)) == kept
    assert {f"{prefix}-top", f"{prefix}-pass", f"{prefix}-fail"} <= set(kept) and len(kept) == 5
    line = next(line for line in result.stdout.splitlines() if line.startswith("kept 5 container(s) (--keep): "))
    assert sorted(line.split(": ", 1)[1].split(", ")) == kept
    assert f"herodo.test.run={run_id}" in result.stdout


LOOPING = """
local P = os.getenv("HERODO_T_PREFIX")
test("makes containers then hangs", function()
  for i = 1, 40 do
    nerdctl_container_from_image(P .. "-c" .. i, "localhost/herodo-busybox:latest"):with_command("sleep 60"):build()
    print("made " .. i); io.stdout:flush()
  end
  while true do end
end)
"""


@pytest.mark.parametrize("marker, delay", [("made 2", 0.0), ("made 1", 0.15), ("made 1", 0.35)],
                         ids=["in-lua", "during-run-1", "during-run-2"])
def test_ctrl_c_leaves_no_container(engine, test_image, prefix, tmp_path, marker, delay):
    path = tmp_path / "loop_test.lua"
    path.write_text(LOOPING)
    code, out, err = interrupt_when(["test", "--no-capture", str(path)], marker, engine=engine.name, delay=delay,
                                    HERODO_T_PREFIX=prefix)
    assert code == 130, out + err
    assert "herodo test: interrupted: " in out
    assert left_by(engine, prefix) == []


# --- nerdctl (the stand-in): the labels and cleanup commands, and a leak that is reported -----------

STANDIN_SUITE = """
test("makes nothing", function() assert_true(true) end)
test("makes one", function()
  nerdctl_container_from_image("web", "localhost/herodo-busybox:latest"):build()
end)
"""


def _calls(log: Path) -> list[list[str]]:
    import json

    return [json.loads(line)[1:] for line in log.read_text().splitlines() if line.strip()]


def test_nerdctl_gets_the_labels_and_the_cleanup_commands(tmp_path):
    log = tmp_path / "calls.jsonl"
    result = herodo("test", suite(tmp_path, STANDIN_SUITE), NERDCTL_STANDIN_LOG=str(log),
                    NERDCTL_STANDIN_STDOUT_PS="")  # the stand-in lists no container: nothing to remove
    assert result.returncode == 0, result.stdout + result.stderr
    run_id = RUN_ID.search(result.stdout)[1]
    calls = _calls(log)
    run = next(c for c in calls if c[0] == "run")
    assert run[run.index("--label") + 1] == f"herodo.test.run={run_id}"
    assert f"herodo.test.scope={run_id}/3" in run and "herodo.test.name=" + suite(tmp_path, STANDIN_SUITE) + \
        "::makes one" in run
    after = calls[calls.index(run) + 1:]
    # the test's scope is listed once (nothing found, nothing removed), then the run's label at the end
    assert [c[:5] for c in after] == [["ps", "-a", "--no-trunc", "--filter", f"label=herodo.test.scope={run_id}/3"],
                                      ["ps", "-a", "--no-trunc", "--filter", f"label=herodo.test.run={run_id}"]]
    assert [c[:5] for c in calls[:calls.index(run)]] == [["ps", "-a", "--no-trunc", "--filter", "name=web"]]


def test_a_container_that_cannot_be_removed_fails_the_run(tmp_path):
    """The stand-in keeps listing its fixture containers after `rm -f`: herodo says so and exits 1."""
    log = tmp_path / "calls.jsonl"
    result = herodo("test", suite(tmp_path, STANDIN_SUITE), NERDCTL_STANDIN_LOG=str(log))
    assert result.returncode == 1
    assert "2 passed, 0 failed" in result.stdout
    assert re.search(r"cleanup: .*nerdctl: \d+ container\(s\) with herodo\.test\.scope=\S+ could not be removed",
                     result.stdout)
    assert any(c[:2] == ["rm", "-f"] for c in _calls(log))
