"""The image functions' exact argv on nerdctl (through the stand-in), their parsing of what it
answers, their classified errors, and the checks that refuse bad input before anything runs."""

from __future__ import annotations

import importlib
import os
import stat
import sys

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.errors import BuildKitMissing, CommandFailed, ConversionError, NoSuchImage

images_mod = importlib.import_module("herodo_py.nerdctl.image")
BASE = "localhost/herodo-busybox:latest"


@pytest.fixture(autouse=True)
def engine(standin):
    """Every command goes to the stand-in nerdctl (see tests/contract/conftest.py)."""
    return standin


def executable(path, text="#!/bin/sh\nexit 0\n"):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_images_argv_and_parse(engine):
    listing = n.images()
    assert engine.calls() == [["images", "--format", images_mod.IMAGE_FORMAT]]
    (image,) = listing
    assert (image.reference, image.id, image.size, image.size_bytes) == ("nginx:latest", "09369da6b103", "211.9MB", 211_900_000)
    assert image.digest == "sha256:09369da6b10306312cd908661320086bf87fbae1b6b0c49a1f50ba531fef2eab"
    assert listing.success and '"Repository":"nginx"' in listing.stdout


def test_images_garbage_is_a_json_error(engine, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGES", '{"ID":"09369da6b103","Repository":"ngi\n')
    with pytest.raises(n.JsonParseError, match=r'"Repository":"ngi'):
        n.images()


@pytest.mark.parametrize("call, argv", [
    (lambda: n.image_remove("nginx:latest"), ["rmi", "nginx:latest"]),
    (lambda: n.image_remove("09369da6b103", force=True), ["rmi", "--force", "09369da6b103"]),
    (lambda: n.image_tag(BASE, "localhost:5000/app:v2"), ["tag", BASE, "localhost:5000/app:v2"]),
    (lambda: n.image_pull("alpine:3.20"), ["pull", "alpine:3.20"]),
    (lambda: n.image_pull("127.0.0.1:5000/app:1"), ["pull", "127.0.0.1:5000/app:1"]),  # no podman flag here
    (lambda: n.image_push("localhost:5000/app:1"), ["push", "localhost:5000/app:1"]),
    (lambda: n.image_push("localhost:5000/app:1", "localhost:5000/app:1"), ["push", "localhost:5000/app:1"]),
    (lambda: n.image_commit("web", "localhost/web-snap:1"), ["commit", "web", "localhost/web-snap:1"]),
])
def test_argv(engine, call, argv):
    result = call()
    assert result.success
    assert engine.calls() == [argv]


def test_push_to_another_destination_tags_then_pushes_one_reference(engine):
    result = n.image_push(BASE, "127.0.0.1:5000/team/app:2")
    assert engine.calls() == [["tag", BASE, "127.0.0.1:5000/team/app:2"], ["push", "127.0.0.1:5000/team/app:2"]]
    assert result.argv[-2:] == ["push", "127.0.0.1:5000/team/app:2"]


def test_commit_prints_the_new_image_id(engine):
    assert n.image_commit("web", "localhost/web-snap:1").stdout.startswith("sha256:")


def test_build_argv(engine, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable(bin_dir / "buildctl")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NERDCTL_STANDIN_BUILDKIT", "1")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile.dev").write_text(f"FROM {BASE}\n")
    n.image_build("localhost/app:1", str(ctx), dockerfile="Dockerfile.dev", build_args={"B": "x y", "A": 1})
    n.image_build("localhost/app:2", str(ctx))
    assert engine.calls() == [
        ["build", "--tag", "localhost/app:1", "--file", str(ctx / "Dockerfile.dev"),
         "--build-arg", "A=1", "--build-arg", "B=x y", str(ctx)],
        ["build", "--tag", "localhost/app:2", str(ctx)],
    ]


def test_build_without_buildctl_says_how_to_get_buildkit(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: no buildctl
    with pytest.raises(BuildKitMissing) as info:
        n.image_build("localhost/app:1", str(tmp_path))
    err = info.value
    assert "buildctl" in err.message and "buildkitd" in err.hint and "nerdctl-full" in err.hint
    assert err.argv[1:] == ["build", "--tag", "localhost/app:1", str(tmp_path)]
    assert engine.calls() == []


def test_build_with_buildctl_but_no_buildkitd_is_classified(engine, tmp_path, monkeypatch):
    executable(tmp_path / "buildctl")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(BuildKitMissing, match="buildkitd"):
        n.image_build("localhost/app:1", str(tmp_path))
    assert len(engine.calls()) == 1


@pytest.mark.parametrize("call", [
    lambda: n.image_remove("missing-image:1"),
    lambda: n.image_tag("missing-image:1", "localhost/x:1"),
    lambda: n.image_pull("missing-image:1"),
    lambda: n.image_push("localhost:5000/missing-image:1"),
])
def test_missing_image_is_classified(engine, call):
    with pytest.raises(NoSuchImage) as info:
        call()
    assert "missing-image" in info.value.engine_message and info.value.hint


def test_missing_container_to_commit(engine):
    with pytest.raises(n.NoSuchContainer):
        n.image_commit("missing-ctr", "localhost/x:1")


@pytest.mark.parametrize("call, field", [
    (lambda: n.image_remove("Bad Image"), "image"),
    (lambda: n.image_remove("--all"), "image"),
    (lambda: n.image_remove(BASE, force="yes"), "force"),
    (lambda: n.image_tag(BASE, "team/UPPER:1"), "new_name"),
    (lambda: n.image_pull(""), "image"),
    (lambda: n.image_push(BASE, "-x"), "destination"),
    (lambda: n.image_commit("web; rm -rf /", "localhost/x:1"), "container"),
    (lambda: n.image_commit("web", None), "image_name"),
    (lambda: n.image_build("localhost/app:1", "/no/such/dir"), "context_path"),
    (lambda: n.image_build("localhost/app:1", "/", dockerfile="no-such-Dockerfile-xyz"), "dockerfile"),
    (lambda: n.image_build("localhost/app:1", "/", build_args={"A B": "1"}), "build arg name"),
    (lambda: n.image_build("localhost/app:1", "/", build_args=["A=1"]), "build_args"),
    (lambda: n.image_build("Bad Tag", "/"), "tag"),
])
def test_bad_input_is_refused_before_anything_runs(engine, call, field):
    with pytest.raises(ConversionError) as info:
        call()
    assert info.value.field == field
    assert engine.calls() == []


def test_podman_gets_tls_verify_false_for_loopback_registries_only(tmp_path, monkeypatch):
    """No stand-in for podman: a recorder named podman shows the argv the real one gets live."""
    log = tmp_path / "argv"
    podman = executable(tmp_path / "podman", f'#!/bin/sh\necho "$@" >> {log}\n')
    monkeypatch.setenv("HERODO_ENGINE", str(podman))
    executor.current_executor().forget_engine()
    n.image_push(BASE, "127.0.0.1:5000/app:1")
    n.image_pull("localhost:5000/app:1")
    n.image_pull("registry.example.com/app:1")
    assert log.read_text().splitlines() == [
        f"tag {BASE} 127.0.0.1:5000/app:1",
        "push --tls-verify=false 127.0.0.1:5000/app:1",
        "pull --tls-verify=false localhost:5000/app:1",
        "pull registry.example.com/app:1",
    ]


def test_push_failure_after_tag_is_reported(engine, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_FAIL_PUSH", "failed to do request: connection refused")
    with pytest.raises(CommandFailed, match="connection refused"):
        n.image_push(BASE, "127.0.0.1:5999/app:1")
    assert [c[0] for c in engine.calls()] == ["tag", "push"]


def test_images_module_does_not_shadow_the_function():
    assert callable(n.images) and n.images is images_mod.images
    assert sys.modules["herodo_py.nerdctl.image"] is images_mod
