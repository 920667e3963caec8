"""ensure() on nerdctl, through the stand-in: the exact command lines for absent, unchanged and
drifted containers. The stand-in's inspect answer is its fixture (tests/fixtures/nerdctl/
inspect-running.json) with the labels ensure records, given back through NERDCTL_STANDIN_STDOUT_INSPECT."""

from __future__ import annotations

import json

import pytest

from herodo_py.nerdctl import Container, configure
from herodo_py.nerdctl.desired.canonical import canonical_config, record_labels
from herodo_py.nerdctl.errors import NerdctlError

IMAGE = "localhost/app:1"
IMAGE_ID = "sha256:" + "ab" * 32


def desired(name: str, env: str = "prod") -> Container:
    return Container(name=name, image=IMAGE).with_env("MODE", env).with_port("127.0.0.1:8080:80")


def inspect_answer(standin, name: str, labels: dict[str, str]) -> str:
    """The fixture container, named ``name``, with ``labels``; and an image record for IMAGE."""
    entry = json.loads((standin.fixtures / "inspect-running.json").read_text())[0]
    entry["Name"] = name
    entry["Config"]["Labels"].update(labels)
    return json.dumps([entry, {"Id": IMAGE_ID, "RepoTags": [IMAGE], "RootFS": {"Type": "layers"}}])


def test_an_absent_container_is_created_with_its_record_labels(standin, monkeypatch):
    # (the stand-in has no recorded `image inspect` output: the image's record is given here; its
    # `inspect NAME IMAGE` answers the image as nerdctl does, so nothing is pulled)
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGE_INSPECT",
                       json.dumps([{"Id": IMAGE_ID, "RepoTags": [IMAGE], "RootFS": {"Type": "layers"}}]))
    c = desired("missing-web").ensure()
    calls = standin.calls()
    assert calls[0] == ["inspect", "missing-web", IMAGE]
    run = calls[1]
    assert run[:8] == ["run", "-d", "--name", "missing-web", "-p", "127.0.0.1:8080:80", "-e", "MODE=prod"]
    labels = dict(run[i + 1].split("=", 1) for i, a in enumerate(run) if a == "--label")
    assert labels == record_labels(canonical_config(c), IMAGE_ID.removeprefix("sha256:"))
    assert calls[2][:2] == ["container", "inspect"] and len(calls) == 3
    assert c.outcome.action == "created"


def test_an_absent_container_of_a_missing_image_pulls_it_first(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGE_INSPECT",
                       json.dumps([{"Id": IMAGE_ID, "RepoTags": ["missing-app:1"], "RootFS": {"Type": "layers"}}]))
    with pytest.raises(NerdctlError):  # (the stand-in's registry has no missing-* image: the pull fails)
        Container(name="missing-web", image="missing-app:1").ensure()
    calls = standin.calls()
    assert calls[0] == ["inspect", "missing-web", "missing-app:1"]
    assert calls[1] == ["pull", "missing-app:1"] and len(calls) == 2


def test_an_unchanged_container_costs_one_inspect(standin, monkeypatch):
    c = desired("web")
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_INSPECT",
                       inspect_answer(standin, "web", record_labels(canonical_config(c), IMAGE_ID)))
    c.ensure()
    assert standin.calls() == [["inspect", "web", IMAGE]]
    assert (c.outcome.action, c.outcome.changed) == ("unchanged", False)


@pytest.mark.parametrize("image_id,diff", [
    (IMAGE_ID, ['env.MODE: "prod" -> "staging"']),
    ("sha256:" + "cd" * 32, ["image: cdcdcdcdcdcd -> abababababab", 'env.MODE: "prod" -> "staging"']),
])
def test_a_drifted_container_is_stopped_renamed_replaced_then_removed(standin, monkeypatch, image_id, diff):
    recorded = record_labels(canonical_config(desired("web")), image_id)
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_INSPECT", inspect_answer(standin, "web", recorded))
    c = desired("web", env="staging").ensure()
    old = json.loads((standin.fixtures / "inspect-running.json").read_text())[0]["Id"]
    calls = standin.calls()
    assert [a[0] for a in calls] == ["inspect", "stop", "rename", "run", "container", "rm"]
    assert calls[1:3] == [["stop", old], ["rename", old, f"web-herodo-old-{old[:12]}"]]
    assert calls[-1] == ["rm", "-f", old]
    assert c.outcome.action == "recreated" and c.outcome.diff_lines == diff


def test_a_check_run_reports_and_runs_only_reads(standin, monkeypatch):
    recorded = record_labels(canonical_config(desired("web")), IMAGE_ID)
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_INSPECT", inspect_answer(standin, "web", recorded))
    configure(dry_run=True)
    c = desired("web", env="staging").ensure()
    assert standin.calls() == [["inspect", "web", IMAGE]]
    assert c.outcome.summary() == 'container web: would be recreated (env.MODE: "prod" -> "staging")'
