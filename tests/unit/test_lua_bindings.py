"""The nerdctl bindings end to end through the nerdctl stand-in: the argv a Lua script produces,
health-check options in both forms, result shapes, engine settings from a script."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from herodo_py.lua.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
STANDIN = ROOT / "tests" / "contract" / "standin" / "nerdctl"
FIXTURES = ROOT / "tests" / "fixtures" / "nerdctl"


@pytest.fixture
def lua(use_engine, monkeypatch, tmp_path, capsys):
    """lua(source) -> (outcome, stdout, argv list of every engine call, global flags dropped)."""
    for name in list(os.environ):
        if name.startswith("NERDCTL_STANDIN_"):
            monkeypatch.delenv(name)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("NERDCTL_STANDIN_LOG", str(log))
    monkeypatch.setenv("NERDCTL_STANDIN_FIXTURES", str(FIXTURES))
    use_engine(str(STANDIN))

    def run(source: str):
        outcome = Runtime().run_source(source, str(tmp_path / "t.lua"))
        calls = [json.loads(line)[1:] for line in log.read_text().splitlines()] if log.exists() else []
        return outcome, capsys.readouterr().out, calls
    return run


IMAGE = "localhost/herodo-busybox:latest"


def test_builder_chain_produces_the_run_argv(lua):
    outcome, _, calls = lua(f"""
local c = nerdctl_container_from_image("web", "{IMAGE}")
  :with_port("8080:80"):with_env("A", 1):with_envs({{B = "two"}})
  :with_health_check_options("wget -q -O- localhost", nil, "3s", 2)
  :with_restart_policy("always"):with_label("team", "ops")
c.with_command({{"httpd", "-f"}}).build()
print(c.container_id)
""")
    assert outcome.ok, outcome.failure
    assert calls[-1] == ["run", "-d", "--name", "web", "-p", "8080:80", "-e", "A=1", "-e", "B=two",
                         "--restart", "always", "--health-cmd", "wget -q -O- localhost", "--health-timeout", "3s",
                         "--health-retries", "2", "--label", "team=ops", IMAGE, "httpd", "-f"]


def test_health_check_options_table_form_and_refusals(lua):
    outcome, out, _ = lua(f"""
local c = nerdctl_container_from_image("web", "{IMAGE}")
c:with_health_check_options{{cmd = "true", interval = 5, start_period = "1m30s", retries = 3.0}}
local h = c.health_check
print(h.cmd, h.interval, h.timeout, h.retries, h.start_period)
print(select(2, pcall(c.with_health_check_options, c, {{cmd = "true"}}, "5s")).kind)
print(select(2, pcall(c.with_health_check_options, c, {{interval = "5s"}})).message)
print(select(2, pcall(c.with_health_check_options, c, "true", "5")).hint)
""")
    assert outcome.ok, outcome.failure
    assert out.splitlines() == [
        "true\t5s\tnil\t3\t1m30s",
        "ConversionError",
        "bad argument #1 to 'with_health_check_options' (field 'cmd' missing in HealthCheckOptions (string expected))",
        "a bare number has no unit: write '30s'",
    ]


def test_lists_carry_the_command_result_and_records_read_naturally(lua):
    outcome, out, calls = lua("""
local images = nerdctl_images()
print(#images > 0, images.success, images.code, type(images.stdout), images[1].repository ~= nil)
local list = nerdctl_list(true)
print(#list > 0, list.success, list[1].name ~= nil, type(list[1].names))
local r = nerdctl_stop("web")
print(r.success, r.code, r.stdout, r.command:match("stop web$") ~= nil)
""")
    assert outcome.ok, outcome.failure
    assert out.splitlines() == ["true\ttrue\t0\tstring\ttrue", "true\ttrue\ttrue\ttable", "true\t0\tweb", "\ttrue"]
    assert ["stop", "web"] in calls


def test_engine_settings_from_a_script(lua):
    outcome, out, calls = lua("""
local e = nerdctl_engine()
print(e.kind, e.namespace, e.timeout)
local changed = nerdctl_configure{namespace = "k8s.io", timeout = 30}
print(changed.namespace, changed.timeout)
nerdctl_images()
nerdctl_configure{namespace = ""}
print(nerdctl_engine().namespace)
print(select(2, pcall(nerdctl_configure, {timeout = -1})).category)
print(select(2, pcall(nerdctl_configure, {namspace = "x"})).message)
""")
    assert outcome.ok, outcome.failure
    assert out.splitlines() == [
        "nerdctl\tdefault\t120.0", "k8s.io\t30.0", "default", "ConversionError",
        "bad argument #1 to 'nerdctl_configure' (unknown field 'namspace' in EngineOptions; did you mean 'namespace'?)",
    ]
    assert calls[-1][:2] == ["--namespace", "k8s.io"]


def test_engine_gaps_are_refused_before_running(lua):
    outcome, out, calls = lua(f"""
local c = nerdctl_container_from_image("web", "{IMAGE}"):with_network_alias("db")
local ok, e = pcall(c.build, c)
print(ok, e.category, e.hint ~= nil)
""")
    assert outcome.ok, outcome.failure
    assert out == "false\tUnsupportedByEngine\ttrue\n"
    assert not any(call[0] == "run" for call in calls)


def test_a_scripts_configure_changes_its_runtime_only(lua):
    """Each runtime owns its executor: nerdctl_configure in one script reaches neither the executor the
    runtime was made under nor the next script's runtime."""
    from herodo_py.nerdctl.executor import current_executor

    outcome, out, _ = lua('nerdctl_configure{namespace = "k8s.io", timeout = 30}\nprint(nerdctl_engine().namespace)')
    assert outcome.ok, outcome.failure
    assert out.splitlines() == ["k8s.io"]
    assert current_executor().settings.namespace is None and current_executor().settings.timeout == 120.0
    outcome, out, calls = lua("print(nerdctl_engine().namespace, nerdctl_engine().timeout)\nnerdctl_images()")
    assert out.splitlines() == ["default\t120.0"]
    assert "--namespace" not in calls[-1]
