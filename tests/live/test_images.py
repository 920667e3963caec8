"""Image functions against the real docker and podman: build, tag, push to and pull from the local
registry, remove, commit; ``images()`` sees each step; missing images give NoSuchImage."""

from __future__ import annotations

import json
import os
import pty
import sys
import urllib.request

import pytest

from herodo_py import nerdctl as n


def refs() -> dict[str, str]:
    """reference -> id of every local image, as images() reports them."""
    return {image.reference: image.id for image in n.images()}


def registry_tags(registry: str, repo: str) -> list[str]:
    with urllib.request.urlopen(f"http://{registry}/v2/{repo}/tags/list", timeout=10) as answer:
        return json.load(answer)["tags"]


def test_build_tag_push_pull_remove(engine, test_image, unique_name, registry, tmp_path):
    name = unique_name()
    built, extra, pushed = f"localhost/{name}:1", f"localhost/{name}:2", f"{registry}/{name}:1"
    (tmp_path / "Containerfile.test").write_text(
        f"FROM {test_image}\nARG GREETING=unset\nRUN echo \"$GREETING\" > /greeting\nCMD [\"cat\", \"/greeting\"]\n")

    result = n.image_build(built, str(tmp_path), dockerfile="Containerfile.test", build_args={"GREETING": f"hi {name}"})
    assert result.success
    listed = refs()
    assert built in listed
    # the build argument reached the RUN step
    runner = unique_name()
    assert n.run(built, name=runner, detach=False) == f"hi {name}\n"
    n.remove(runner)  # else it holds the image

    n.image_tag(built, extra)
    listed = refs()
    assert listed[extra] == listed[built]

    n.image_push(built, pushed)  # tags, then pushes the one reference
    assert refs()[pushed] == listed[built]
    assert "1" in registry_tags(registry, name)

    n.image_remove(pushed)
    assert pushed not in refs() and built in refs()  # only the one reference went
    n.image_pull(pushed)
    assert refs()[pushed] == listed[built]

    n.image_remove(extra)
    n.image_remove(pushed)
    n.image_remove(built)
    assert not [ref for ref in refs() if name in ref]


def test_images_keeps_the_raw_result(engine, test_image):
    listing = n.images()
    mine = [image for image in listing if image.reference == test_image]
    assert mine and mine[0].size_bytes and mine[0].size_bytes > 100_000
    assert listing.success and listing.code == 0 and test_image.split(":")[0] in listing.stdout
    assert listing.result.argv[0].endswith(engine.name)


def test_dangling_image_is_listed_by_id(engine, test_image, unique_name, tmp_path):
    ref = f"localhost/{unique_name()}:1"
    for text in ("one", "two"):  # the second build takes the tag: the first image is left untagged
        (tmp_path / "Dockerfile").write_text(f"FROM {test_image}\nRUN echo {text} > /which\n")
        n.image_build(ref, str(tmp_path))
        ids = [image.id for image in n.images() if image.reference == ref]
        engine.track_image(ids[0])
    first_id = engine.images[0]
    (dangling,) = [image for image in n.images() if image.id == first_id]
    assert (dangling.repository, dangling.tag, dangling.reference) == ("<none>", "<none>", first_id)
    n.image_remove(first_id)
    assert first_id not in {image.id for image in n.images()}


def test_commit_a_container_and_run_the_result(engine, test_image, unique_name):
    source = unique_name()
    n.run(test_image, name=source, command=["sleep", "300"])
    n.exec(source, "echo committed > /marker")
    snapshot = f"localhost/{source}-snap:1"
    assert n.image_commit(source, snapshot).success
    assert snapshot in refs()
    assert n.run(snapshot, name=unique_name(), detach=False, command=["cat", "/marker"]) == "committed\n"


def test_missing_images_are_no_such_image(engine, unique_name, registry):
    missing = f"localhost/{unique_name()}:1"
    for call in (lambda: n.image_remove(missing),
                 lambda: n.image_tag(missing, f"{missing}-copy"),
                 lambda: n.image_push(missing),
                 lambda: n.image_pull(f"{registry}/{unique_name()}:1")):
        with pytest.raises(n.NoSuchImage) as info:
            call()
        assert info.value.hint and info.value.argv[0].endswith(engine.name)


def test_commit_of_a_missing_container(engine, unique_name):
    with pytest.raises(n.NoSuchContainer):
        n.image_commit(unique_name(), f"localhost/{unique_name()}:1")


def test_build_failure_is_reported_and_leaves_no_container(engine, test_image, unique_name, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {test_image}\nRUN exit 7\n")
    before = {c.id for c in n.list(all=True)}
    with pytest.raises(n.CommandFailed) as info:
        n.image_build(f"localhost/{unique_name()}:1", str(tmp_path))
    assert info.value.code != 0 and "exit" in (info.value.stdout + info.value.stderr)
    left = [c.id for c in n.list(all=True) if c.id not in before and "exit 7" in c.command]
    if left:
        engine.run("rm", "-f", *left)
    assert not left


def test_build_progress_reaches_a_terminal_and_is_still_captured(engine, test_image, unique_name, tmp_path):
    """On a terminal the engine's build steps appear as they happen; the result keeps them too."""
    ref = f"localhost/{unique_name()}:1"
    (tmp_path / "Dockerfile").write_text(f"FROM {test_image}\nRUN echo building-now\n")
    script = (f"from herodo_py import nerdctl as n\nr = n.image_build({ref!r}, {str(tmp_path)!r})\n"
              "print('CAPTURED', 'building-now' in r.stdout + r.stderr)")
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the pty
        os.execv(sys.executable, [sys.executable, "-c", script])
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child is gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    shown = b"".join(chunks).decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, shown
    echoed, _, summary = shown.partition("CAPTURED")
    assert "building-now" in echoed  # streamed to the terminal before the function returned
    assert summary.strip() == "True"
