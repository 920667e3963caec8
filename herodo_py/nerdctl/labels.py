"""Labels herodo puts on what it makes, and what a sweep by label reports.

An executor's ``settings.labels`` go on every container ``run`` makes and every network or volume
``create`` makes (``herodo test`` sets them per test); each noun's ``remove_labelled(label, keep)``
finds what carries one and removes it, returning a :class:`Swept`. :class:`Labelled` is the listed
record of such an object (a network, a volume).

``ensure()`` records on a container it makes what it was made from (``nerdctl/desired/``): the
canonical configuration, its hash and the image id; these keys are never part of the compared labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .executor import execute_nerdctl_command
from .parse import parse_labels
from .validate import label_flags  # (re-exported: it lives with the checks, light for a first run())

HASH_LABEL = "herodo.config-hash"  # sha256 of the canonical JSON of the configuration
CONFIG_LABEL = "herodo.config"  # the canonical JSON itself, for a field-level diff later
IMAGE_LABEL = "herodo.image-id"  # the image id the reference resolved to at creation
RECORD_LABELS = (HASH_LABEL, CONFIG_LABEL, IMAGE_LABEL)


class Swept(NamedTuple):
    """What a sweep found (with ``keep``: what it left in place) and how many it could not remove."""

    names: list[str]
    left: int = 0


@dataclass
class Labelled:
    """One listed engine object that carries labels (a network, a volume: their records add fields)."""

    name: str
    driver: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def common(cls, record: Mapping[str, Any]) -> dict[str, Any]:
        """The shared fields from an ``ls`` JSON row (``Name``, ``Driver``, ``Labels``)."""
        return {"name": str(record.get("Name") or ""), "driver": str(record.get("Driver") or ""),
                "labels": parse_labels(record.get("Labels"))}


def sweep_by_label(noun: str, label: str, keep: bool) -> Swept:
    """``NOUN ls`` the objects carrying ``label`` (``key=value``) and, unless ``keep``, ``NOUN rm`` them
    (``noun``: ``network`` or ``volume``, whose commands take the same flags for this)."""
    listed = execute_nerdctl_command([noun, "ls", "--filter", f"label={label}", "--format", "{{.Name}}"]).stdout
    names = [n for n in listed.split() if n]
    if names and not keep:
        execute_nerdctl_command([noun, "rm", *names], check=False)
    return Swept(names)


__all__ = ["CONFIG_LABEL", "HASH_LABEL", "IMAGE_LABEL", "RECORD_LABELS", "Labelled", "Swept", "label_flags",
           "sweep_by_label"]
