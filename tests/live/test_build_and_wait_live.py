"""Bugs playbooks found, on docker and podman: an atomic build(), wait_healthy within its timeout, a build
from a loopback registry, a missing local image's category, resources().id."""

from __future__ import annotations

import socket
import time

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.errors import NoSuchImage, PortInUse, WaitTimeout

SLEEPER = ["sleep", "300"]


def _exists(engine, name: str) -> bool:
    return engine.run("container", "inspect", name).returncode == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_build_that_fails_on_a_taken_port_leaves_nothing_and_a_rerun_works(engine, test_image, unique_name):
    port = _free_port()
    holder, second = unique_name(), unique_name()
    first = n.Container.from_image(holder, test_image).with_port(f"127.0.0.1:{port}:80").with_command(SLEEPER).build()
    executor.configure(labels={"herodo.case": second})
    web = n.Container.from_image(second, test_image).with_port(f"127.0.0.1:{port}:80").with_command(SLEEPER)
    with pytest.raises(PortInUse):
        web.build()
    assert web.container_id is None
    assert not _exists(engine, second)  # the engine had created it: build() removed it
    first.remove(force=True)
    web.build()  # the same handle, once the port is free
    assert web.status().running and web.status().id == web.container_id
    assert engine.run("port", second, "80").stdout.strip().endswith(f":{port}")


def test_a_failed_build_leaves_alone_a_container_it_did_not_make(engine, test_image, unique_name):
    name = unique_name()
    engine.run("create", "--name", name, test_image, "sleep", "300", check=True)
    with pytest.raises(n.NameInUse):
        n.Container(name, image=test_image).build()
    assert _exists(engine, name)


def test_wait_healthy_returns_within_its_timeout_when_the_check_is_slow(engine, test_image, unique_name):
    c = (n.Container.from_image(unique_name(), test_image).with_command(SLEEPER)
         .with_health_check_options("sleep 20", interval="30s", timeout="25s", retries=1).build())
    started = time.monotonic()
    with pytest.raises(WaitTimeout):
        c.wait_healthy(3)
    assert time.monotonic() - started < 3 + 5  # a bound on the behaviour (podman ran one 20 s check before)
    c.remove(force=True)


def test_build_from_an_image_only_the_loopback_registry_has(engine, test_image, unique_name, registry):
    ref = f"{registry}/{unique_name()}:1"
    engine.track_image(ref)
    n.image_push(test_image, ref)
    n.image_remove(ref)
    assert not n.image_exists(ref)
    c = n.Container.from_image(unique_name(), ref).with_command(SLEEPER).build()
    assert c.status().running
    c.remove(force=True)


@pytest.mark.parametrize("image", ["localhost/nope:1", "nope"])
def test_a_missing_local_image_is_no_such_image_with_a_hint(engine, unique_name, image):
    name = unique_name()
    with pytest.raises(NoSuchImage) as caught:
        n.Container(name, image=image).build()
    assert caught.value.hint
    assert not _exists(engine, name)


def test_resources_id_is_the_full_id(engine, test_image, unique_name):
    c = n.Container.from_image(unique_name(), test_image).with_command(SLEEPER).build()
    assert len(c.container_id) == 64
    assert c.resources().id == c.status().id == c.container_id
    c.remove(force=True)
