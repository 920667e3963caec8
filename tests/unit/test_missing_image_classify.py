"""A run of an image that is neither here nor pullable is NoSuchImage with a hint on docker and podman:
docker's final words name the registry, not the image; podman's short names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from herodo_py.nerdctl import errors as e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def cases() -> list[tuple[str, str, int, str]]:
    """(engine, case, exit code, output) of each block of missing-image-run.txt."""
    found = []
    for engine in ("docker", "podman"):
        text = (FIXTURES / engine / "missing-image-run.txt").read_text()
        for block in re.split(r"^### ", text, flags=re.M)[1:]:
            head, _, body = block.partition("\n")
            lines = [line for line in body.splitlines() if not line.startswith("$ ")]
            code = int(lines.pop().removeprefix("rc="))
            found.append((engine, head.strip(), code, "\n".join(lines) + "\n"))
    return found


@pytest.mark.parametrize(("engine", "case", "code", "output"), cases())
def test_missing_local_image_is_no_such_image(engine: str, case: str, code: int, output: str) -> None:
    error = e.classify_failure([engine, "run", "-d", "x"], code, "", output)
    assert type(error) is e.NoSuchImage, (case, error.message)
    assert error.hint and "nerdctl_images()" in error.hint
    assert error.code == code


def test_a_pull_that_worked_does_not_make_a_later_failure_a_missing_image() -> None:
    stderr = ("Unable to find image 'busybox:latest' locally\nlatest: Pulling from library/busybox\n"
              "Status: Downloaded newer image for busybox:latest\n"
              "docker: Error response from daemon: failed to create task: exec: \"nope\": executable file not found.\n")
    assert type(e.classify_failure(["docker", "run", "busybox", "nope"], 127, "", stderr)) is e.CommandFailed


def test_every_fixture_block_was_read() -> None:
    assert len(cases()) == 4
