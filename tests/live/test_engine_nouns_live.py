"""Engine nouns on docker and podman: container restart/kill/pause/unpause/wait/inspect/port/
copy_to/copy_from, networks list/inspect/exists/connect/disconnect, volumes, image exists/inspect/save/
load/import."""

from __future__ import annotations

import os
import tarfile

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.errors import CommandFailed, ConversionError, WaitTimeout

# a shell as PID 1 ignores SIGTERM unless it traps it: this one exits 143 on TERM
TRAPPING = "trap 'exit 143' TERM; while true; do sleep 0.1; done"


def _state(engine, name: str) -> str:
    return engine.run("inspect", "--format", "{{.State.Status}}", name, check=True).stdout.strip()


def test_kill_wait_restart_pause(engine, test_image, unique_name):
    c = n.Container.from_image(unique_name(), test_image).with_command(TRAPPING).build()
    c.wait_running(20)
    c.pause()
    assert _state(engine, c.name) == "paused"
    c.unpause()
    assert _state(engine, c.name) == "running"
    with pytest.raises(WaitTimeout):
        c.wait(timeout=1)
    assert c.status().running  # the timeout killed the wait command, not the container
    c.kill("TERM")
    assert c.wait(timeout=30) == 143
    c.restart(timeout=1)
    assert c.status().running
    c.kill()  # the engine's default: KILL
    assert c.wait(timeout=30) == 137
    assert n.wait(c.name, 30) == 137  # the static form, by name
    c.remove(force=True)


def test_inspect_and_port(engine, test_image, unique_name):
    c = (n.Container.from_image(unique_name(), test_image).with_port("127.0.0.1::80").with_port("127.0.0.1::53/udp")
         .with_command(TRAPPING).build())
    document = c.inspect()
    assert document["Id"] == c.container_id and document["State"]["Running"] is True
    tcp = c.port(80)
    assert len(tcp) == 1 and tcp[0].startswith("127.0.0.1:")
    assert c.port("80/tcp") == tcp == n.port(c.name, "80")
    assert engine.run("port", c.name, "80/tcp", check=True).stdout.split()[0] == tcp[0]
    assert c.port("53/udp")[0].startswith("127.0.0.1:")
    assert c.port(8080) == []
    assert n.inspect(c.name)["Id"] == c.container_id
    c.remove(force=True)


def test_copy_to_and_from(engine, test_image, unique_name, tmp_path):
    c = n.Container.from_image(unique_name(), test_image).with_command(TRAPPING).build()
    source = tmp_path / "in:side.txt"  # a ':' in a host path is not read as a container
    source.write_text("payload\n")
    c.copy_to(str(source), "/tmp/copied.txt")
    assert c.exec("cat /tmp/copied.txt").stdout == "payload\n"
    back = tmp_path / "back.txt"
    c.copy_from("/tmp/copied.txt", str(back))
    assert back.read_text() == "payload\n"
    with pytest.raises(ConversionError, match="container_path"):
        c.copy_to(str(source), "relative/path")
    c.remove(force=True)


def test_networks(engine, test_image, unique_name):
    net = unique_name()
    assert not n.network_exists(net)
    executor.configure(labels={"herodo.case": net})
    n.network_create(net)
    executor.configure(labels={})
    try:
        assert n.network_exists(net)
        row = next(r for r in n.network_list() if r.name == net)
        assert row.labels == {"herodo.case": net} and row.driver == "bridge" and row.id
        document = n.network_inspect(net)
        assert document.get("Name", document.get("name")) == net
        server = n.Container.from_image(unique_name(), test_image).with_command(
            "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www").build()
        n.network_connect(net, server.name, aliases=["web-alias"])
        client = (n.Container.from_image(unique_name(), test_image).with_network(net)
                  .with_command(["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://web-alias/ && exit 0;"
                                             " sleep 0.5; done; exit 1"]).with_detach(False).build())
        assert client.result.stdout == "hi\n"
        n.network_disconnect(net, server.name, force=True)
        nets = engine.run("inspect", "--format", "{{json .NetworkSettings.Networks}}", server.name, check=True).stdout
        assert net not in nets
        server.remove(force=True)
        client.remove(force=True)
    finally:
        n.network_remove(net)
    assert not n.network_exists(net)


def test_volumes(engine, test_image, unique_name):
    vol = unique_name()
    assert not n.volume_exists(vol)
    n.volume_create(vol, labels={"role": "data"})
    try:
        assert n.volume_exists(vol)
        row = next(v for v in n.volume_list() if v.name == vol)
        assert row.labels == {"role": "data"} and row.driver == "local" and row.mountpoint
        assert n.volume_inspect(vol)["Name"] == vol
        writer = (n.Container.from_image(unique_name(), test_image).with_volume(f"{vol}:/data")
                  .with_command("echo kept > /data/f").with_detach(False).build())
        reader = (n.Container.from_image(unique_name(), test_image).with_volume(f"{vol}:/data")
                  .with_command("cat /data/f").with_detach(False).build())
        assert reader.result.stdout == "kept\n"
        with pytest.raises(CommandFailed):
            n.volume_remove(vol)  # still used by the two (exited) containers
        writer.remove()
        reader.remove()
    finally:
        n.volume_remove(vol, force=True)
    assert not n.volume_exists(vol)


def test_image_save_load_import(engine, test_image, unique_name, tmp_path):
    tag = engine.track_image(f"localhost/{unique_name()}:1")
    n.image_tag(test_image, tag)
    assert n.image_exists(tag) and not n.image_exists(f"localhost/{unique_name()}:none")
    assert n.image_inspect(tag)["Id"]
    target = tmp_path / "images.tar"
    n.image_save([tag], str(target))
    assert tarfile.is_tarfile(target) and os.listdir(tmp_path) == ["images.tar"]
    n.image_remove(tag)
    assert n.image_load(str(target)) == [tag]
    assert n.image_exists(tag)
    # a failed save leaves neither the target nor a temporary file
    with pytest.raises(CommandFailed):
        n.image_save(f"localhost/{unique_name()}:missing", str(tmp_path / "bad.tar"))
    assert os.listdir(tmp_path) == ["images.tar"]
    # import: a container's filesystem (export) becomes an image
    c = n.Container.from_image(unique_name(), test_image).with_command("echo imported > /marker").with_detach(False).build()
    rootfs = tmp_path / "rootfs.tar"
    c.export(str(rootfs))
    c.remove()
    imported = engine.track_image(f"localhost/{unique_name()}:imp")
    assert n.image_import(str(rootfs), imported).stdout.strip()
    out = n.Container.from_image(unique_name(), imported).with_command(["/bin/cat", "/marker"]).with_detach(False).build()
    assert out.result.stdout == "imported\n"
    out.remove()


def test_the_lua_bindings_on_the_engine(engine, test_image, unique_name, tmp_path, capsys):
    from herodo_py.lua.runtime import Runtime

    name, vol = unique_name(), unique_name()
    script = tmp_path / "ops.lua"
    script.write_text(f"""
nerdctl_volume_create("{vol}", {{role = "lua"}})
local c = nerdctl_container_from_image("{name}", "{test_image}")
  :with_volume("{vol}:/data"):with_port("127.0.0.1::80"):with_command("{TRAPPING}"):build()
c:wait_running(20)
print(nerdctl_volume_exists("{vol}"), #c:port(80), c:inspect().State.Running)
c:kill("TERM")
print(c:wait(30))
c:remove()
nerdctl_volume_remove("{vol}")
print(nerdctl_volume_exists("{vol}"))
""")
    try:
        outcome = Runtime().run_file(str(script))
    finally:
        engine.run("rm", "-f", name)
        engine.run("volume", "rm", "-f", vol)
    assert outcome.ok, outcome
    assert capsys.readouterr().out == "true\t1\ttrue\n143\nfalse\n"
