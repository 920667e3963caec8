"""Bindings, one file per engine noun (``container``, ``image``, ``network``, ``engine``), each declaring a
:class:`~herodo_py.lua.bindings.rows.Noun`: its Lua types and keyed rows. The registry, the sandbox's
guards and ``herodo test``'s janitor all read these declarations.

Adding a noun (say volumes) is its library module in ``herodo_py.nerdctl`` and its rows file here:
every module of this package but ``rows`` that defines ``NOUN`` is one.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from ..registry import Registry
from .rows import Noun


@functools.cache
def nouns() -> tuple[Noun, ...]:
    """Every declared noun, in file-name order (read once)."""
    names = sorted(f[:-3] for f in os.listdir(os.path.dirname(__file__))
                   if f.endswith(".py") and f not in ("__init__.py", "rows.py"))
    # __import__ with a fromlist returns the module itself (importlib would add importlib + warnings to start-up)
    found = (getattr(__import__(f"{__name__}.{name}", fromlist=("NOUN",)), "NOUN", None) for name in names)
    return tuple(noun for noun in found if noun is not None)


def noun(name: str) -> Noun:
    """The noun declared by the bindings module ``name`` (imported on first use)."""
    return __import__(f"{__name__}.{name}", fromlist=("NOUN",)).NOUN  # type: ignore[no-any-return]


def register_all(registry: Registry) -> Registry:
    for each in nouns():
        each.register(registry)
    return registry


def register_nouns(registry: Registry, chosen: Sequence[Noun]) -> None:
    """Register ``chosen`` nouns together: every type first, then every row (a row may be a method of a
    type another of them declares)."""
    for each in chosen:
        each.register_types(registry)
    for each in chosen:
        each.register_rows(registry)


def type_needs(all_nouns: Sequence[Noun]) -> dict[str, tuple[str, ...]]:
    """For each noun, the other nouns whose types its rows and types name (directly or through those),
    sorted: what must be registered with it (``binding_names.NOUN_NEEDS`` is kept equal to this)."""
    import re  # here: only the test keeping binding_names.py equal computes this

    declared = {t.name: each.name for each in all_nouns for t in each.types}

    def named(each: Noun) -> set[str]:
        texts = [t for row in each.rows for t in (row.owner, row.returns, *(p.type for p in row.params),
                                                   *row.overloads)]
        texts += [t for typedef in each.types for t in (typedef.item, *(f.type for f in typedef.fields or ()))]
        return {name for text in texts if text for name in re.findall(r"\b[A-Z][A-Za-z0-9_]*\b", text)}

    direct = {each.name: {declared[t] for t in named(each) if t in declared} - {each.name} for each in all_nouns}
    needs = {}
    for name in direct:
        seen: set[str] = set()
        todo = list(direct[name])
        while todo:
            other = todo.pop()
            if other != name and other not in seen:
                seen.add(other)
                todo += direct[other]
        needs[name] = tuple(sorted(seen))
    return needs
