"""Networks in Lua: ``nerdctl_network_create`` and ``_remove`` (the library: :mod:`herodo_py.nerdctl.network`)."""

from __future__ import annotations

from .rows import RESULT, Noun, P, function

NOUN = Noun(
    "network",
    rows=(
        function("nerdctl_network_create", "network_create",
                 [P("name", "string"), P("driver", "string?", "default 'bridge'")], RESULT,
                 "Create a user network: containers on it reach each other by name (with_network).",
                 changes_state=True),
        function("nerdctl_network_remove", "network_remove", [P("name", "string")], RESULT,
                 "Remove a network (no container may be connected).", changes_state=True),
    ),
    creates=(("network", "create"),),
    sweep="herodo_py.nerdctl.network:remove_labelled",
    sweep_rank=1,  # after the containers connected to them
)
