"""Class 8 of issue 12: the operator's choices hold. In the sandbox a script cannot change the engine,
its address or namespace (not even back to a default), and no route shows an environment value the
allow-list hides; every setting a script can change is validated (a friendly error, never a crash).
Effects are read from ``--trace`` (the engine commands herodo really ran) and from the output."""

from __future__ import annotations

import pytest
from herodo_process import STANDIN

ADDRESS = "unix:///run/s12-operator.sock"


def _traced(run) -> list[str]:
    """The engine commands herodo ran (``--trace`` lines on stderr)."""
    return [line for line in run.err.splitlines() if str(STANDIN) in line or "docker" in line]


@pytest.mark.parametrize("change", [
    '{engine = ""}', '{engine = "docker"}', '{address = ""}', '{address = "unix:///tmp/other.sock"}',
    '{namespace = "other"}', '{namespace = ""}', '{engine = "", address = "", namespace = ""}'])
def test_the_sandbox_keeps_the_operators_engine_address_and_namespace(hostile, change):
    run = hostile(f"""
print("configure", pcall(nerdctl_configure, {change}))
print("list", pcall(nerdctl_list, true))
""", "--sandbox", "--trace", "--engine", str(STANDIN), "--address", ADDRESS, "--namespace", "operator",
        engine="docker")
    run.ended()
    commands = _traced(run)
    assert commands, run
    assert all(str(STANDIN) in c and ADDRESS in c and "--namespace operator" in c for c in commands), run
    assert "configure\tfalse" in run.out, run


@pytest.mark.parametrize("variable", ["CONTAINERD_ADDRESS", "CONTAINERD_NAMESPACE", "CONTAINERD_SNAPSHOTTER"])
def test_no_route_shows_an_environment_value_the_sandbox_hides(hostile, variable):
    secret = "s12hidden" + variable.lower()
    run = hostile(f"""
print("getenv", os.getenv("{variable}"))
local e = nerdctl_engine()
print("engine", e.address, e.namespace, e.snapshotter, tostring(e))
local ok, err = pcall(nerdctl_remove, "s12-no-such-container")
if not ok then print("error", err.command, err.stderr, tostring(err)) end
""", **{variable: secret})
    run.ended()
    assert secret not in run.out, run


@pytest.mark.parametrize("mode", ["--trusted", "--sandbox"])
@pytest.mark.parametrize("change", [
    "{namespace = string.rep('n', 20 * 1024 * 1024)}", "{namespace = 'a b'}", "{namespace = '--privileged'}",
    "{snapshotter = 'a\\0b'}", "{snapshotter = string.rep('s', 200000)}", "{timeout = 0/0}",
    "{timeout = 1/0}", "{long_timeout = -1}"])
def test_every_setting_a_script_changes_is_validated(hostile, change, mode):
    run = hostile(f"""
local ok, e = pcall(nerdctl_configure, {change})
print("configure", ok, ok and "" or tostring(e):sub(1, 200))
print("list", pcall(nerdctl_list, true))
""", mode, "--trace")
    run.ended()
    assert "configure\tfalse" in run.out, run
    assert "INTERNAL ERROR" not in run.text, run
