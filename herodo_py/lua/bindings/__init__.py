"""Bindings, one file per engine noun (``container``, ``image``, ``network``, ``engine``), each declaring a
:class:`~herodo_py.lua.bindings.rows.Noun`: its Lua types and keyed rows. The registry, the sandbox's
guards and ``herodo test``'s janitor all read these declarations.

Adding a noun (say volumes) is its library module in ``herodo_py.nerdctl`` and its rows file here:
every module of this package but ``rows`` that defines ``NOUN`` is one.
"""

from __future__ import annotations

import functools
import importlib
import os

from ..registry import Registry
from .rows import Noun


@functools.cache
def nouns() -> tuple[Noun, ...]:
    """Every declared noun, in file-name order (read once)."""
    names = sorted(f[:-3] for f in os.listdir(os.path.dirname(__file__))
                   if f.endswith(".py") and f not in ("__init__.py", "rows.py"))
    found = (getattr(importlib.import_module(f"{__name__}.{name}"), "NOUN", None) for name in names)
    return tuple(noun for noun in found if noun is not None)


def register_all(registry: Registry) -> Registry:
    for noun in nouns():
        noun.register(registry)
    return registry
