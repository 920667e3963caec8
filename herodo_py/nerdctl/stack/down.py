"""``down``: remove a stack's containers and networks (volumes when asked), found by labels only,
so it works from any process, also after a crash or an interrupted ``up``. The lists are read at
once; the containers go with one ``rm -f`` (listed again only when it failed)."""

from __future__ import annotations

from ..executor import current_engine, execute_nerdctl_command
from ..validate import check_count
from .checks import check_stack_name
from .observe import labelled_names, stack_filter
from .workers import concurrently

__all__ = ["down"]


def down(stack: str, *, volumes: bool = False, timeout: int = 0) -> list[str]:
    """Remove everything labelled as ``stack``'s; return the names of what was removed.
    ``timeout``: seconds the containers get to stop (0: killed at once, like ``compose down -t 0``)."""
    check_stack_name(stack)
    grace = check_count(timeout, "down timeout")
    kind = current_engine().kind
    listed, networks, names = concurrently([  # the reads at once
        lambda: execute_nerdctl_command(["ps", "-a", "--no-trunc", "--filter", stack_filter(stack),
                                         "--format", "{{.ID}} {{.Names}}"]),
        lambda: labelled_names("network", stack),
        lambda: labelled_names("volume", stack) if volumes else [],
    ])
    rows = [line.split(None, 1) for line in listed.stdout.splitlines() if line.strip()]
    ids = list(dict.fromkeys(r[0] for r in rows))
    removed = [r[1] if len(r) > 1 else r[0] for r in rows]
    if ids:
        if grace:
            execute_nerdctl_command(["stop", "-t", str(grace), *ids], check=False)
        extra = ["--time", "0"] if kind == "podman" else []
        if not execute_nerdctl_command(["rm", "-f", *extra, *ids], check=False).success:
            left = execute_nerdctl_command(["ps", "-a", "-q", "--filter", stack_filter(stack)]).stdout.split()
            if left:  # one that could not go (the engine said why): ask again, with its error
                execute_nerdctl_command(["rm", "-f", *extra, *left])
    if networks:
        execute_nerdctl_command(["network", "rm", *networks])
        removed += networks
    if names:
        execute_nerdctl_command(["volume", "rm", *names])
        removed += names
    return removed
