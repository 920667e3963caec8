"""The engines, the test image and the registry that live tests rely on are really there."""

from __future__ import annotations

import json
import urllib.request


def test_test_image_present(engine, test_image):
    info = json.loads(engine.run("image", "inspect", test_image, check=True).stdout)[0]
    assert info["Config"]["Cmd"] == ["sh"]
    assert any(e.startswith("PATH=") for e in info["Config"]["Env"])


def test_container_runs_echo(engine, test_image, unique_name):
    name = unique_name()
    # No --rm: the unique_name fixture must clean the exited container up.
    result = engine.run("run", "--name", name, test_image, "echo", "hello from", name, check=True)
    assert result.stdout == f"hello from {name}\n"
    listed = engine.run("ps", "-a", "--filter", f"name={name}", "--format", "{{.Names}}", check=True)
    assert listed.stdout.split() == [name]


def test_registry_answers(registry):
    with urllib.request.urlopen(f"http://{registry}/v2/", timeout=5) as response:
        assert response.status == 200


def test_push_to_registry(engine, test_image, unique_name, registry):
    ref = engine.track_image(f"{registry}/{unique_name()}:1")
    engine.run("tag", test_image, ref, check=True)
    tls = ["--tls-verify=false"] if engine.name == "podman" else []
    engine.run("push", *tls, ref, check=True)
    repo = ref.split("/", 1)[1].split(":")[0]
    with urllib.request.urlopen(f"http://{registry}/v2/{repo}/tags/list", timeout=5) as response:
        assert json.load(response)["tags"] == ["1"]
