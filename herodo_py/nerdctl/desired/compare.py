"""Compare an existing container with its desired configuration: what differs, field by field.

A container ``ensure`` made carries its canonical configuration in labels (``canonical.py``) and is
compared with it; any other container is compared with its ``inspect`` document (``observed.py``) and
adopted when the fields match. The image is compared by id: the id the reference resolves to now
against the one the container was made from, so a tag moved to a new image counts as a change.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import OtherError
from ..labels import HASH_LABEL, IMAGE_LABEL
from . import reads
from .canonical import config_hash, recorded_config
from .diff import FieldChange, diff_configs
from .observed import observed_changes

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
        return diff_configs(recorded, desired), False
    changes = observed_changes(desired, container, image)  # recorded by hash only (too big for a label)
    return changes or [FieldChange("config-hash", labels[HASH_LABEL][:12], config_hash(desired)[:12])], False


