"""Binding modules: each ``register(registry)`` adds its Lua names to the registry."""

from __future__ import annotations

from ..registry import Registry

MODULES = ("nerdctl", "host")


def register_all(registry: Registry) -> Registry:
    import importlib

    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").register(registry)
    return registry
