"""``herodo --check``, ``--diff``, ``--recap`` and ``--recap-json`` run as a process, on docker and podman:
a check run changes nothing (the engine's state is read before and after) and predicts exactly what the
real run then does (same outcomes, same diffs); the recap counts by kind; the diff names the field.
Without an engine: the recap of a script that uses no ensure, a failing script's exit code, a refused
``--recap-json`` path."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from herodo_process import IMAGE, herodo

from herodo_py.lua.exit_codes import EXIT_FAILED, EXIT_USAGE

# A small app: a network, a volume, the image, a web server and a worker on the network.
# arg[1]: the name prefix; arg[2]: the web server's MODE.
APP = f"""
local prefix, mode = arg[1], arg[2] or "prod"
nerdctl_image_ensure("{IMAGE}")
nerdctl_network_ensure(prefix .. "-net")
nerdctl_volume_ensure(prefix .. "-data", {{labels = {{app = prefix}}}})
local web = nerdctl_container_from_image(prefix .. "-web", "{IMAGE}")
  :with_network(prefix .. "-net")
  :with_env("MODE", mode)
  :with_volume(prefix .. "-data:/data")
  :with_command({{"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"}})
  :ensure()
local worker = nerdctl_container_from_image(prefix .. "-worker", "{IMAGE}")
  :with_network(prefix .. "-net")
  :with_command({{"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"}})
  :ensure()
print("web", web:outcome().action, "worker", worker:outcome().action)
"""


@pytest.fixture
def app(engine, tmp_path):
    """(prefix, script path); what the app made is removed after the test. The prefix is this file's own
    (``herodo-e14-``): other suites' end-of-session sweeps of ``herodo-t-*`` leave it alone."""
    prefix = "herodo-e14-" + secrets.token_hex(4)
    script = tmp_path / "app.lua"
    script.write_text(APP)
    yield prefix, script
    engine.run("rm", "-f", *(["-t", "0"] if engine.name == "podman" else []), f"{prefix}-web", f"{prefix}-worker",
               timeout=180)
    engine.run("network", "rm", f"{prefix}-net")
    engine.run("volume", "rm", f"{prefix}-data")


def engine_state(engine, prefix: str) -> dict:
    """What the engine has of the app: each container's id, start time, state and env; the network's and
    the volume's id or name (absent: None)."""
    state: dict = {}
    for suffix in ("web", "worker"):
        found = engine.run("container", "inspect", f"{prefix}-{suffix}")
        record = json.loads(found.stdout)[0] if found.returncode == 0 else None
        state[suffix] = record and (record["Id"], record["State"]["StartedAt"], record["State"]["Status"],
                                    sorted(record["Config"]["Env"]))
    for kind, name in (("network", f"{prefix}-net"), ("volume", f"{prefix}-data")):
        found = engine.run(kind, "inspect", name)
        record = json.loads(found.stdout)[0] if found.returncode == 0 else None
        state[kind] = record and (record.get("Id") or record.get("id") or record.get("Name") or record.get("name"))
    return state


def run_app(engine, script: Path, tmp_path: Path, *options: str, args: tuple[str, ...]) -> tuple[dict, str]:
    """``herodo OPTIONS --recap-json FILE app.lua -- ARGS`` (exit 0): (the recap's JSON, stderr)."""
    out = tmp_path / "recap.json"
    result = herodo("--no-color", *options, "--recap-json", str(out), str(script), "--", *args, engine=engine.name)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return json.loads(out.read_text()), result.stderr


def predicted(recap: dict) -> list[tuple]:
    return [(o["kind"], o["name"], o["action"], o["changed"], o["diff"]) for o in recap["outcomes"]]


def test_check_changes_nothing_and_predicts_the_real_run(engine, test_image, app, tmp_path):
    prefix, script = app
    steps = [("prod", {"container": "created", "network": "created", "volume": "created", "image": "unchanged"}),
             ("prod", {"container": "unchanged", "network": "unchanged", "volume": "unchanged", "image": "unchanged"}),
             ("staging", None)]
    for mode, expected in steps:
        before = engine_state(engine, prefix)
        check, _ = run_app(engine, script, tmp_path, "--check", args=(prefix, mode))
        assert engine_state(engine, prefix) == before  # nothing changed
        assert check["check"] is True and all(o["check"] for o in check["outcomes"])
        real, _ = run_app(engine, script, tmp_path, args=(prefix, mode))
        assert real["check"] is False
        assert predicted(real) == predicted(check)  # the check said exactly what the run did
        if expected is not None:
            assert {o["kind"]: o["action"] for o in real["outcomes"]} == expected
    after = engine_state(engine, prefix)
    changed = {o["name"]: o for o in real["outcomes"] if o["changed"]}
    assert list(changed) == [f"{prefix}-web"]  # only the web server, for its env
    assert changed[f"{prefix}-web"]["diff"] == ['env.MODE: "prod" -> "staging"']
    assert after["worker"] == before["worker"] and after["web"][0] != before["web"][0]
    assert "MODE=staging" in after["web"][3]


def test_the_recap_counts_by_kind_and_a_second_run_changes_nothing(engine, test_image, app, tmp_path):
    prefix, script = app
    first, err = run_app(engine, script, tmp_path, args=(prefix,))
    assert first["totals"] == {"ok": 1, "changed": 4, "failed": 0}
    assert first["counts"] == {"container": {"ok": 0, "changed": 2, "failed": 0},
                               "network": {"ok": 0, "changed": 1, "failed": 0},
                               "volume": {"ok": 0, "changed": 1, "failed": 0},
                               "image": {"ok": 1, "changed": 0, "failed": 0}}
    lines = err.splitlines()
    assert lines[-6:] == ["RECAP",
                          "  container  ok=0   changed=2   failed=0",
                          "  image      ok=1   changed=0   failed=0",
                          "  network    ok=0   changed=1   failed=0",
                          "  volume     ok=0   changed=1   failed=0",
                          "  4 changed, 1 ok, 0 failed"]
    state = engine_state(engine, prefix)
    second, err = run_app(engine, script, tmp_path, args=(prefix,))
    assert second["totals"] == {"ok": 5, "changed": 0, "failed": 0} and second["calls"] == {}
    assert err.splitlines()[-1] == "  0 changed, 5 ok, 0 failed"
    assert engine_state(engine, prefix) == state  # same ids, same start times
    check, err = run_app(engine, script, tmp_path, "--check", args=(prefix,))
    assert err.splitlines()[-1] == "  0 to change, 5 ok, 0 failed"
    assert "RECAP (check: nothing was changed)" in err
    assert f"check: container {prefix}-web: unchanged" in err.splitlines()


def test_diff_prints_each_difference_as_the_ensure_runs(engine, test_image, app, tmp_path):
    prefix, script = app
    run_app(engine, script, tmp_path, args=(prefix,))
    result = herodo("--no-color", "--diff", str(script), "--", prefix, "staging", engine=engine.name, merged=True)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    at = lines.index(f"container {prefix}-web: recreated")
    assert lines[at + 1] == '  env.MODE: "prod" -> "staging"'
    assert lines[at + 2] == "web\trecreated\tworker\tunchanged"  # printed where it happened, before the script's line
    check = herodo("--no-color", "--check", "--diff", str(script), "--", prefix, "prod", engine=engine.name)
    lines = check.stderr.splitlines()
    at = lines.index(f"check: container {prefix}-web: would be recreated")
    assert lines[at + 1] == '  env.MODE: "staging" -> "prod"'
    assert any(line.startswith(f"would run: {engine.name} rename ") for line in lines[:at])


def test_other_state_changing_calls_are_reported_and_counted_apart(engine, test_image, app, tmp_path):
    prefix, script = app
    run_app(engine, script, tmp_path, args=(prefix,))
    extra = tmp_path / "extra.lua"
    extra.write_text(script.read_text() + 'web = nerdctl_container_new(arg[1] .. "-web")\nweb:exec("true")\n')
    recap, err = run_app(engine, extra, tmp_path, "--check", args=(prefix,))
    assert recap["totals"]["changed"] == 0 and recap["calls"] == {"Container:exec": 1}
    lines = err.splitlines()
    web_id = json.loads(engine.run("container", "inspect", f"{prefix}-web").stdout)[0]["Id"]
    assert f"would run: {engine.name} exec {web_id} sh -c true" in lines
    assert "check: Container:exec would run (not an ensure: it runs every time)" in lines
    assert lines[-2:] == ["  other      1 state-changing call would run, not ensures (Container:exec x1)",
                          "  0 to change, 5 ok, 0 failed"]


# --- without an engine -------------------------------------------------------------------------


def test_recap_is_printed_only_when_asked_or_an_ensure_ran(tmp_path):
    script = tmp_path / "plain.lua"
    script.write_text('print("hi")\n')
    plain = herodo(str(script))
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, "hi\n", "")
    asked = herodo("--recap", str(script))
    assert asked.returncode == 0 and asked.stderr == "RECAP\n  0 changed, 0 ok, 0 failed\n"


def test_a_failing_script_keeps_its_exit_code_and_still_writes_the_recap(tmp_path):
    script = tmp_path / "fails.lua"
    script.write_text('error("boom")\n')
    out = tmp_path / "r.json"
    result = herodo("--recap", "--recap-json", str(out), str(script))
    assert result.returncode == EXIT_FAILED, result.stderr
    assert json.loads(out.read_text())["totals"] == {"ok": 0, "changed": 0, "failed": 0}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".herodo-recap-")]  # no temporary file left


@pytest.mark.parametrize("where", ["missing/r.json", "."])
def test_a_recap_json_path_that_cannot_be_written_is_refused_before_the_script_runs(tmp_path, where):
    script = tmp_path / "marks.lua"
    marker = tmp_path / "ran"
    script.write_text(f'io.open("{marker}", "w"):close()\n')
    result = herodo("--recap-json", str(tmp_path / where), str(script))
    assert result.returncode == EXIT_USAGE
    assert "--recap-json" in result.stderr and "expected a file path in an existing, writable folder" in result.stderr
    assert not marker.exists()


def test_herodo_test_recaps_the_ensures_of_its_tests(engine, test_image, tmp_path):
    name = "herodo-e14-" + secrets.token_hex(4)
    (tmp_path / "app_test.lua").write_text(f"""
test("ensure twice", function()
  local c = nerdctl_container_from_image("{name}", "{IMAGE}"):with_command("sleep 300")
  assert_eq(c:ensure():outcome().action, "created")
  assert_eq(c:ensure():outcome().changed, false)
end)
""")
    out = tmp_path / "recap.json"
    try:
        result = herodo("test", "--diff", "--recap-json", str(out), str(tmp_path), engine=engine.name)
        assert result.returncode == 0, result.stdout + result.stderr
        recap = json.loads(out.read_text())
        assert recap["counts"] == {"container": {"ok": 1, "changed": 1, "failed": 0}}
        assert result.stderr.splitlines()[-1] == "  1 changed, 1 ok, 0 failed"
        assert engine.run("container", "inspect", name).returncode != 0  # the test's container was swept
    finally:
        engine.run("rm", "-f", name)
