"""``Container.ensure()`` and ``Container.ensure_absent()``: make a container exist and run with
exactly its configuration, changing only what differs, and say what was done and why.

- absent: create it (pulling a missing image);
- present, same configuration and image, running: nothing (one engine command, an ``inspect`` of
  the container and the image together);
- present but not running: start it;
- present and different: by ``policy``, ``recreate`` it (default), ``fail`` with the diff, or
  ``leave`` it (starting it when stopped).

Recreating keeps the old container until the new one runs: it is stopped and renamed, the new one
created, then the old one removed; if creating fails the old one gets its name back (and is started
again when it was running), so a failed recreate leaves the host as it was.

What "different" means: a container ``ensure`` made carries its canonical configuration in labels
(``canonical.py``) and is compared with it field by field; any other container is compared with its
``inspect`` document (``observed.py``) and adopted when the fields match. The image is compared by
id: the id the reference resolves to now against the one the container was made from, so a tag
moved to a new image counts as a change.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from ..cmd import current_engine, execute_nerdctl_command
from ..container_builder import rm_args, run_args
from ..container_types import ContainerStatus
from ..errors import NerdctlError, OtherError
from ..validate import check_count, check_image, check_name, fail
from . import reads
from .canonical import HASH_LABEL, IMAGE_LABEL, canonical_config, config_hash, record_labels, recorded_config
from .diff import FieldChange
from .observed import observed_changes
from .outcome import Outcome, checking, record

if TYPE_CHECKING:
    from ..container_operations import Container

POLICIES = ("recreate", "fail", "leave")
_HEX = re.compile(r"(?:sha256:)?[0-9a-f]{64}")


class ConfigurationDrift(OtherError):
    """``ensure(policy="fail")`` found a container whose configuration differs; ``diff`` lists how."""

    default_hint = "make the script match the container, or ensure() with policy 'recreate' to replace it"

    def __init__(self, message: str, diff: list[FieldChange]) -> None:
        super().__init__(message)
        self.diff = diff


def short(image_id: str | None) -> str | None:
    return image_id.removeprefix("sha256:")[:12] if image_id else None


def _normal_ref(reference: str) -> str:
    """``busybox`` -> ``docker.io/library/busybox:latest`` (how nerdctl names a container's image)."""
    ref = reads.image_query(reference)
    first = ref.split("/", 1)[0]
    if "/" not in ref or not ("." in first or ":" in first or first == "localhost"):
        ref = "docker.io/" + (ref if "/" in ref else "library/" + ref)
    return ref


def image_change(container: dict[str, Any], image: dict[str, Any] | None, reference: str) -> FieldChange | None:
    """The image difference, if any: by id where both are known (the container's recorded id, or its
    ``Image`` on docker and podman), else by reference (nerdctl names the image, not its id)."""
    labels = (container.get("Config") or {}).get("Labels") or {}
    current = labels.get(IMAGE_LABEL) or (str(container.get("Image") or "")
                                          if _HEX.fullmatch(str(container.get("Image") or "")) else None)
    wanted = reads.image_id(image)
    if current and wanted:
        current = current.removeprefix("sha256:")
        return None if current == wanted else FieldChange("image", short(current), short(wanted))
    if wanted is None:
        return None  # not present locally: the pull decides (ensure pulls it first)
    named = str((container.get("Config") or {}).get("Image") or container.get("Image") or "")
    if named and _normal_ref(named) != _normal_ref(reference):
        return FieldChange("image", named, reference)
    return None


def config_changes(desired: dict[str, Any], container: dict[str, Any], image: dict[str, Any] | None
                   ) -> tuple[list[FieldChange], bool]:
    """(differences, adopted): from the recorded canonical form when the container has one, else
    from its inspect document (``adopted`` True)."""
    labels = (container.get("Config") or {}).get("Labels") or {}
    if HASH_LABEL not in labels:
        return observed_changes(desired, container, image), True
    if labels[HASH_LABEL] == config_hash(desired):
        return [], False
    recorded = recorded_config(labels)
    if recorded is not None:
        from .diff import diff_configs

        return diff_configs(recorded, desired), False
    changes = observed_changes(desired, container, image)  # recorded by hash only (too big for a label)
    return changes or [FieldChange("config-hash", labels[HASH_LABEL][:12], config_hash(desired)[:12])], False


def _validate(container: Container, policy: Any, stop_timeout: Any) -> None:
    if policy not in POLICIES:
        raise fail("policy", policy, "'recreate', 'fail' or 'leave'")
    check_name(container.name)
    if container.image is None:
        raise fail("image", None, "an image to build from",
                   hint=f"use nerdctl_container_from_image({container.name!r}, IMAGE)")
    check_image(container.image)
    if not container.detach:
        raise fail("detach", False, "a detached container (ensure keeps a container running)",
                   hint="drop with_detach(false), or use build() for a one-off run")
    if stop_timeout is not None:
        check_count(stop_timeout, "stop timeout")
    run_args(container, current_engine().kind)  # every value and engine gap, before any command


def _pull(container: Container) -> dict[str, Any] | None:
    from ..images import image_pull

    assert container.image is not None
    image_pull(container.image, snapshotter=container.snapshotter)
    return None if checking() else reads.image(container.image)


def _create(container: Container, desired: dict[str, Any], image: dict[str, Any] | None) -> None:
    """Run it with the record labels; check that it runs."""
    made = copy.copy(container)
    made.labels = {**container.labels, **record_labels(desired, reads.image_id(image))}
    made.container_id = None
    made.build()
    container.container_id, container.result = made.container_id, made.result
    if not container._dry:
        status = container.status()
        if not status.running:
            raise container._not_running(status, "after ensure created it")


def _recreate(container: Container, old: dict[str, Any], desired: dict[str, Any],
              image: dict[str, Any] | None, stop_timeout: int | None) -> None:
    """Replace ``old`` with a new container; on failure put ``old`` back as it was."""
    old_id = str(old.get("Id"))
    name = check_name(container.name)
    was_running = ContainerStatus.from_inspect(old).running
    stop = ["stop", *(["-t", str(stop_timeout)] if stop_timeout is not None else []), old_id]
    if was_running:
        execute_nerdctl_command(stop)
    aside = f"{name}-herodo-old-{old_id[:12]}"
    execute_nerdctl_command(["rename", old_id, aside])
    try:
        _create(container, desired, image)
    except BaseException:
        _remove_failed(name, old_id)
        execute_nerdctl_command(["rename", old_id, name])
        if was_running:
            execute_nerdctl_command(["start", old_id], check=False)
        raise
    execute_nerdctl_command(rm_args(old_id, force=True, engine_kind=current_engine().kind))


def _remove_failed(name: str, old_id: str) -> None:
    """Remove what a failed create left under ``name`` (not the old container)."""
    found = reads.container(name)
    if found and found.get("Id") != old_id:
        execute_nerdctl_command(rm_args(str(found["Id"]), force=True, engine_kind=current_engine().kind))


def ensure(container: Container, policy: str = "recreate", stop_timeout: Any = None) -> Outcome:
    """Make ``container`` exist and run with exactly its configuration; return what was done."""
    _validate(container, policy, stop_timeout)
    name = check_name(container.name)
    assert container.image is not None
    try:
        outcome = _ensure(container, name, policy, stop_timeout)
    except NerdctlError as exc:
        container.outcome = record(Outcome("container", name, "failed", diff=getattr(exc, "diff", []),
                                           reason=str(exc).splitlines()[0], error=type(exc).__name__))
        raise
    container.outcome = record(outcome)
    return container.outcome


def _ensure(container: Container, name: str, policy: str, stop_timeout: int | None) -> Outcome:
    assert container.image is not None
    desired = canonical_config(container)
    found, image = reads.container_and_image(name, container.image)
    if found is None:
        if image is None:
            image = _pull(container)
        _create(container, desired, image)
        return Outcome("container", name, "created", reason="it did not exist")
    container.container_id = str(found.get("Id"))
    if image is None:
        image = _pull(container)
    changes, adopted = config_changes(desired, found, image)
    moved = image_change(found, image, container.image)
    if moved:
        changes.insert(0, moved)
    status = ContainerStatus.from_inspect(found)
    if changes:
        why = "; ".join(c.render() for c in changes)
        if policy == "fail":
            raise ConfigurationDrift(f"container {name!r} differs from its configuration: {why}", changes)
        if policy == "leave":
            if not status.running:
                container.start()
                return Outcome("container", name, "started", changes, f"was {status.state}; drift left: {why}")
            return Outcome("container", name, "left", changes, f"drift left as it is: {why}")
        _recreate(container, found, desired, image, stop_timeout)
        return Outcome("container", name, "recreated", changes, why)
    if not status.running:
        container.start()
        return Outcome("container", name, "started", reason=f"it was {status.state}")
    return Outcome("container", name, "unchanged",
                   reason="made outside herodo; its settings match (adopted)" if adopted else "")


def ensure_absent(container: Container) -> Outcome:
    """Make sure no container of this name exists: remove it (forced) if there is one."""
    name = check_name(container.name)
    try:
        found = reads.container(name)
        if found is None:
            outcome = Outcome("container", name, "absent")
        else:
            execute_nerdctl_command(rm_args(str(found["Id"]), force=True, engine_kind=current_engine().kind))
            outcome = Outcome("container", name, "removed", reason=f"it was {ContainerStatus.from_inspect(found).state}")
            container.container_id = None
    except NerdctlError as exc:
        container.outcome = record(Outcome("container", name, "failed", reason=str(exc).splitlines()[0],
                                           error=type(exc).__name__))
        raise
    container.outcome = record(outcome)
    return outcome
