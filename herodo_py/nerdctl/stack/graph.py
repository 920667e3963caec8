"""Dependency order of a stack's services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["dependency_cycle", "start_order"]


def dependency_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle as ``[a, b, a]`` when ``deps`` (service -> what it depends on) has one, else ``None``.
    Dependencies that are not keys are ignored (reported elsewhere)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in deps.get(node, ()):
            if dep not in deps:
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in deps:
        if node not in state and (found := visit(node)):
            return found
    return None


def start_order(deps: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Levels of services: each level depends only on earlier ones; names keep the spec's order
    within a level. (The runner starts each service as soon as its own dependencies are met; the
    levels are the plan ``--dry-run`` reports and the order ``down`` reverses.)"""
    placed: dict[str, int] = {}
    levels: list[list[str]] = []
    remaining = list(deps)
    while remaining:
        ready = [n for n in remaining if all(d in placed or d not in deps for d in deps[n])]
        if not ready:
            raise ValueError(f"dependency cycle among {', '.join(remaining)}")
        for n in ready:
            placed[n] = len(levels)
        levels.append(ready)
        remaining = [n for n in remaining if n not in placed]
    return levels
