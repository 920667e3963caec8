"""The Lua bindings of container control, networks, volumes and image tarballs on nerdctl (the stand-in): names in the original's style, values crossing
as Lua values, host paths confined by --sandbox, state changes removed by --sandbox=strict, dry-run,
and the editor types."""

from __future__ import annotations

import pytest

from herodo_py.cli.typegen import generate
from herodo_py.lua.bindings import register_all
from herodo_py.lua.registry import Registry
from herodo_py.lua.runtime import Runtime
from herodo_py.nerdctl import executor

CID = "c" * 64
PS_WEB = '{"ID":"' + CID + '","Names":"web"}\n'  # so nerdctl_container_new("web") finds its id
SCRIPT = """
local c = nerdctl_container_new("web")
print(c:kill("TERM").success, c:wait(), c:port(80)[1], c:inspect().Name)
print(nerdctl_pause("web").code, nerdctl_wait("web", 5))
local nets = nerdctl_network_list()
print(#nets, nets[1].name, nets.success)
print(nerdctl_volume_create("data", {role = "db"}).stdout)
print(nerdctl_volume_exists("data"), nerdctl_volume_remove("data", true).code)
print(nerdctl_image_exists("app:1"))
local ok, err = pcall(nerdctl_network_connect, "net", "web")
print(ok, err.category)
"""


def test_bindings_run_the_library(standin, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_CONTAINER_INSPECT",
                       '[{"Id":"x","Name":"web","NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]}}}]')
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_VOLUME_INSPECT", '[{"Name":"data"}]')
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGE_INSPECT", '[{"Id":"sha256:1"}]')
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_PS", PS_WEB)
    script = tmp_path / "s.lua"
    script.write_text(SCRIPT)
    outcome = Runtime().run_file(str(script))
    assert outcome.ok, outcome
    assert capsys.readouterr().out == ("true\t0\t127.0.0.1:8080\tweb\n0\t0\n3\tbridge\ttrue\ndata\n\n"
                                       "true\t0\ntrue\nfalse\tUnsupportedByEngine\n")
    assert ["volume", "create", "--label", "role=db", "data"] in standin.calls()


@pytest.mark.parametrize("call", [
    'nerdctl_image_save("app:1", "/tmp/outside.tar")', 'nerdctl_image_load("/etc/passwd")',
    'nerdctl_image_import("/etc/passwd", "app:1")',
    'local c = nerdctl_container_new("web"); c:copy_to("/etc/shadow", "/x")',
    'local c = nerdctl_container_new("web"); c:copy_from("/x", "/tmp/outside")',
])
def test_the_sandbox_keeps_host_paths_in_the_script_folder(standin, tmp_path, monkeypatch, capsys, call):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_PS", PS_WEB)
    script = tmp_path / "s.lua"
    script.write_text(call + "\n")
    outcome = Runtime(policy="sandbox").run_file(str(script))
    assert not outcome.ok
    assert "SANDBOX REFUSED" in capsys.readouterr().err or "outside the script's folder" in str(outcome)
    assert not any(c[0] in ("save", "load", "import", "cp") for c in standin.calls())


def test_strict_sandbox_removes_the_state_changes_and_keeps_the_reads(standin, tmp_path, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_VOLUME_INSPECT", '[{"Name":"data"}]')
    script = tmp_path / "s.lua"
    script.write_text('assert(nerdctl_volume_exists("data"))\nnerdctl_volume_create("data")\n')
    outcome = Runtime(policy="strict").run_file(str(script))
    assert not outcome.ok
    assert standin.calls() == [["volume", "inspect", "data"]]


def test_dry_run_skips_the_state_changes(standin, tmp_path, capsys):
    executor.configure(dry_run=True)
    script = tmp_path / "s.lua"
    script.write_text('print(nerdctl_volume_create("data").dry_run, nerdctl_kill("web").dry_run, '
                      'nerdctl_network_disconnect ~= nil)\n')
    assert Runtime().run_file(str(script)).ok
    assert capsys.readouterr().out == "true\ttrue\ttrue\n"
    assert standin.calls() == []


def test_editor_types_name_the_new_bindings():
    text = generate(register_all(Registry()))
    for name in ("nerdctl_volume_create", "nerdctl_image_save", "nerdctl_network_list", "function Container:wait",
                 "---@class VolumeList"):
        assert name in text


def test_every_row_matches_the_python_api():
    """Each row's parameters are the Python function's (or method's) first parameters, in order."""
    import importlib
    import inspect

    import herodo_py.nerdctl as api
    from herodo_py.lua.bindings import nouns
    from herodo_py.nerdctl.container.operations import Container

    checked = 0
    for row in (row for noun in nouns() for row in noun.rows):
        if isinstance(row.call, str):
            module_name, _, function_name = row.call.rpartition(":")
            module = importlib.import_module(module_name) if module_name else api
            names = list(inspect.signature(getattr(module, function_name)).parameters)
        elif row.owner == "Container" and row.call is None:
            names = list(inspect.signature(getattr(Container, row.name)).parameters)[1:]
        else:
            continue
        assert [p.name for p in row.params] == names[:len(row.params)], row.name
        checked += 1
    assert checked > 50
