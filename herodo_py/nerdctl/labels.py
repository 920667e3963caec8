"""Labels herodo puts on what it makes, and what a sweep by label reports.

An executor's ``settings.labels`` go on every container ``run`` makes and every network ``network
create`` makes (``herodo test`` sets them per test); each noun's ``remove_labelled(label, keep)``
finds what carries one and removes it, returning a :class:`Swept`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from .validate import check_label_key, check_text


class Swept(NamedTuple):
    """What a sweep found (with ``keep``: what it left in place) and how many it could not remove."""

    names: list[str]
    left: int = 0


def label_flags(labels: Mapping[str, object]) -> list[str]:
    """``--label key=value`` for each label, checked (a bad key or value is refused by its field)."""
    return [a for k, v in labels.items()
            for a in ("--label", f"{check_label_key(k)}={check_text(v, 'label value', allow_empty=True)}")]


__all__ = ["Swept", "label_flags"]
