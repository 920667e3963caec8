"""nerdctl_network_create / nerdctl_network_remove on nerdctl (the stand-in): argv, labels from the
settings, input refused before anything runs, the Lua bindings and dry-run."""

from __future__ import annotations

import pytest

from herodo_py import nerdctl as n
from herodo_py.lua.runtime import Runtime
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.errors import CommandFailed, ConversionError


def test_create_and_remove_argv(standin):
    created = n.network_create("appnet")
    assert created.stdout.strip() and created.success
    n.network_create("other", driver="bridge")
    n.network_remove("appnet")
    assert standin.calls() == [["network", "create", "appnet"], ["network", "create", "--driver", "bridge", "other"],
                               ["network", "rm", "appnet"]]


def test_create_adds_the_settings_labels(standin):
    executor.configure(labels={"herodo.test.run": "r1", "team": "ops"})
    n.network_create("appnet")
    assert standin.calls() == [["network", "create", "--label", "herodo.test.run=r1", "--label", "team=ops", "appnet"]]


@pytest.mark.parametrize("call", [lambda: n.network_create("bad name"), lambda: n.network_create(""),
                                  lambda: n.network_create("net", driver="br idge"),
                                  lambda: n.network_remove("-rf")])
def test_bad_input_is_refused_before_anything_runs(standin, call):
    with pytest.raises(ConversionError):
        call()
    assert standin.calls() == []


def test_engine_failure_is_a_command_failure(standin):
    with pytest.raises(CommandFailed, match="network \"missing-net\" not found"):
        n.network_remove("missing-net")


def test_lua_bindings_and_dry_run(standin, tmp_path, capsys):
    script = tmp_path / "net.lua"
    script.write_text('local r = nerdctl_network_create("appnet")\nprint(r.success, #r.stdout > 0)\n'
                      'print(nerdctl_network_remove("appnet").code)\n')
    assert Runtime().run_file(str(script)).ok
    assert capsys.readouterr().out == "true\ttrue\n0\n"
    assert standin.calls() == [["network", "create", "appnet"], ["network", "rm", "appnet"]]
    standin.clear()
    executor.configure(dry_run=True)
    assert Runtime().run_file(str(script)).ok
    assert capsys.readouterr().out == "true\tfalse\n0\n"
    assert standin.calls() == []
