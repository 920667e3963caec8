"""Container control, networks, volumes and image tarballs on nerdctl (the stand-in): their exact
argv, input refused before anything runs, nerdctl's gaps refused, dry-run, the long timeout,
and build()'s clean-up of what a failed run left."""

from __future__ import annotations

import json
import os
import tarfile

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import (
    CommandFailed,
    ConversionError,
    PortInUse,
    UnsupportedByEngine,
    WaitTimeout,
)
from herodo_py.nerdctl.volume import VOLUME_FORMAT

CID = "a" * 64


def built() -> Container:
    return Container("web", image="localhost/herodo-busybox:latest", container_id=CID)


def test_container_control_argv(standin, monkeypatch):
    c = built()
    c.restart()
    c.restart(3)
    c.kill()
    c.kill("sigterm")
    c.kill(9)
    c.pause()
    c.unpause()
    monkeypatch.setenv("NERDCTL_STANDIN_WAIT_CODE", "143")
    assert c.wait() == 143
    assert c.inspect()["Id"] == CID
    assert c.port("80") == [] and c.port("53/udp") == []
    assert standin.calls() == [
        ["restart", CID], ["restart", "-t", "3", CID], ["kill", CID], ["kill", "-s", "SIGTERM", CID],
        ["kill", "-s", "9", CID], ["pause", CID], ["unpause", CID], ["wait", CID],
        ["container", "inspect", CID], ["container", "inspect", CID], ["container", "inspect", CID],
    ]


def test_static_forms_act_by_name(standin):
    n.restart("web", 0)
    n.kill("web", "KILL")
    n.pause("web")
    n.unpause("web")
    assert n.wait("web") == 0
    assert n.inspect("web")["Name"] == "web"
    assert standin.calls() == [["restart", "-t", "0", "web"], ["kill", "-s", "KILL", "web"], ["pause", "web"],
                               ["unpause", "web"], ["wait", "web"], ["container", "inspect", "web"]]


def test_copy_to_and_from_use_absolute_host_paths(standin, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    c = built()
    c.copy_to("a:b.txt", "/etc/app.conf")
    c.copy_from("/var/log/app.log", "-out.log")
    assert standin.calls() == [["cp", str(tmp_path / "a:b.txt"), f"{CID}:/etc/app.conf"],
                               ["cp", f"{CID}:/var/log/app.log", str(tmp_path / "-out.log")]]


def test_wait_timeout_kills_only_the_wait_command(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP_WAIT", "30")
    with pytest.raises(WaitTimeout):
        built().wait(timeout=0.5)
    assert standin.calls() == [["wait", CID]]


@pytest.mark.parametrize("call", [
    lambda: built().kill("SIGNOPE"), lambda: built().kill(0), lambda: built().kill(65), lambda: built().kill("-9"),
    lambda: built().kill(True), lambda: built().restart(-1), lambda: built().restart("soon"),
    lambda: built().wait(timeout=0), lambda: built().port("80/icmp"), lambda: built().port(70000),
    lambda: built().port("http"), lambda: built().copy_to("/tmp/x", "relative"),
    lambda: built().copy_from("", "/tmp/x"), lambda: n.kill("-rf", "TERM"),
    lambda: n.network_connect("net", "web", aliases="one"), lambda: n.network_inspect("bad name"),
    lambda: n.network_disconnect("net", "web", force="yes"), lambda: n.volume_create("x"),
    lambda: n.volume_create("data", labels=["a"]), lambda: n.volume_create("data", labels={"a b": "1"}),
    lambda: n.volume_remove("data", force=1), lambda: n.volume_inspect("-data"), lambda: n.volume_exists(""),
    lambda: n.image_exists("app:1 "), lambda: n.image_inspect("-x"), lambda: n.image_save([], "/tmp/x.tar"),
    lambda: n.image_save(["ok:1", "bad ref"], "/tmp/x.tar"), lambda: n.image_save("ok:1", "/nonexistent-dir/x.tar"),
    lambda: n.image_save("ok:1", "/tmp"), lambda: n.image_load("/nonexistent/file.tar"),
    lambda: n.image_import("/nonexistent/rootfs.tar", "app:1"),
])
def test_bad_input_is_refused_before_anything_runs(standin, call):
    with pytest.raises(ConversionError):
        call()
    assert standin.calls() == []


def test_network_connect_and_disconnect_are_refused_on_nerdctl(standin):
    for call in (lambda: n.network_connect("net", "web", ["alias"]), lambda: n.network_disconnect("net", "web")):
        with pytest.raises(UnsupportedByEngine, match="no network"):
            call()
    with pytest.raises(UnsupportedByEngine, match="volume driver"):
        n.volume_create("data", driver="local")
    assert standin.calls() == []


def test_network_and_volume_argv(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_NETWORK_INSPECT", '[{"Name":"appnet","Id":"17f29b073143"}]')
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_VOLUME_INSPECT", '[{"Name":"data","Driver":"local"}]')
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_VOLUME_LS",
                       '{"Driver":"local","Labels":"role=db","Mountpoint":"/m","Name":"data","Scope":"local","Size":""}\n')
    nets = n.network_list()
    assert [net.name for net in nets] == ["bridge", "host", "none"] and nets[0].id == "17f29b073143"
    assert n.network_inspect("appnet")["Name"] == "appnet"
    assert n.network_exists("appnet")
    executor.configure(labels={"herodo.test.run": "r1"})
    assert n.volume_create("data", labels={"role": "db"}).stdout == "data\n"
    executor.configure(labels={})
    vols = n.volume_list()
    assert (vols[0].name, vols[0].labels, vols[0].mountpoint) == ("data", {"role": "db"}, "/m")
    assert n.volume_inspect("data")["Driver"] == "local"
    assert n.volume_exists("data")
    n.volume_remove("data")
    n.volume_remove("data", force=True)
    assert standin.calls() == [
        ["network", "ls", "--format", "{{json .}}"], ["network", "inspect", "appnet"], ["network", "inspect", "appnet"],
        ["volume", "create", "--label", "role=db", "--label", "herodo.test.run=r1", "data"],
        ["volume", "ls", "--format", VOLUME_FORMAT],
        ["volume", "inspect", "data"], ["volume", "inspect", "data"], ["volume", "rm", "data"],
        ["volume", "rm", "--force", "data"],
    ]


def test_exists_is_false_for_a_missing_object_and_raises_when_the_engine_is_unreachable(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_FAIL_VOLUME_INSPECT", 'volume "data": not found')
    assert n.volume_exists("data") is False
    monkeypatch.setenv("NERDCTL_STANDIN_FAIL_VOLUME_INSPECT", 'cannot access containerd socket "/run/containerd/containerd.sock"')
    with pytest.raises(n.EngineUnreachable):
        n.volume_exists("data")


@pytest.fixture
def folder(tmp_path):
    """An empty folder (tmp_path holds the stand-in's log)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_image_save_load_import(standin, folder, monkeypatch):
    tmp_path = folder
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGE_INSPECT", '[{"Id":"sha256:' + "b" * 64 + '"}]')
    assert n.image_exists("app:1") and n.image_inspect("app:1")["Id"].startswith("sha256:")
    target = tmp_path / "images.tar"
    n.image_save(["app:1", "localhost:5000/team/db:2"], str(target))
    assert os.listdir(tmp_path) == ["images.tar"]
    with tarfile.open(target) as tar:
        assert json.load(tar.extractfile("manifest.json"))[0]["RepoTags"] == [
            "docker.io/library/app:1", "localhost:5000/team/db:2"]
    assert n.image_load(str(target)) == ["docker.io/library/app:1", "localhost:5000/team/db:2"]
    assert n.image_import(str(target), "app:imported").stdout == "docker.io/library/app:imported\n"
    calls = standin.calls()
    partial = calls[2][2]
    assert os.path.dirname(os.path.dirname(partial)) == str(tmp_path)  # written beside the target, then renamed
    assert calls == [["image", "inspect", "app:1"], ["image", "inspect", "app:1"],
                     ["save", "-o", partial, "app:1", "localhost:5000/team/db:2"],
                     ["load", "-i", str(target)], ["import", str(target), "app:imported"]]


def test_a_failed_save_leaves_no_file(standin, folder):
    tmp_path = folder
    with pytest.raises(CommandFailed, match="no such image"):
        n.image_save("missing-image:1", str(tmp_path / "out.tar"))
    assert os.listdir(tmp_path) == []


def test_save_load_import_get_the_long_timeout_and_dry_run_skips_them(standin, folder, monkeypatch):
    tmp_path = folder
    executor.configure(timeout=0.5, long_timeout=30)
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP_SAVE", "1")
    n.image_save("app:1", str(tmp_path / "a.tar"))  # outlives the short timeout
    standin.clear()
    executor.configure(dry_run=True)
    assert n.image_save("app:1", str(tmp_path / "b.tar")).dry_run
    assert n.image_load(str(tmp_path / "a.tar")) == []
    n.image_import(str(tmp_path / "a.tar"), "app:2")
    n.volume_create("data")
    n.volume_remove("data")
    c = built()
    c.kill()
    c.pause()
    c.restart()
    assert standin.calls() == []
    assert sorted(os.listdir(tmp_path)) == ["a.tar"]


def test_a_failed_build_removes_only_what_it_made(standin, monkeypatch):
    # the stand-in's inspect answers a container created long ago (its fixture): not this build's, kept
    monkeypatch.setenv("NERDCTL_STANDIN_FAIL_RUN", "failed to create shim task: bind: address already in use")
    with pytest.raises(PortInUse):
        Container("web", image="localhost/herodo-busybox:latest").build()
    assert standin.calls()[1:] == [["container", "inspect", "web"]]
