"""Networks in Lua: ``nerdctl_network_*`` (the library: :mod:`herodo_py.nerdctl.network`)."""

from __future__ import annotations

from .rows import DOCUMENT, RESULT, RESULT_LIST_FIELDS, Noun, P, TypeDef, function

NOUN = Noun(
    "network",
    types=(
        TypeDef("Network", "record", "One network (network_list).", "herodo_py.nerdctl.network:Network"),
        TypeDef("NetworkList", "record", "Networks, with the command's stdout, stderr, success, code.",
                "herodo_py.nerdctl.network:NetworkList", RESULT_LIST_FIELDS, item="Network"),
    ),
    rows=(
        function("nerdctl_network_create", "network_create",
                 [P("name", "string"), P("driver", "string?", "default 'bridge'")], RESULT,
                 "Create a user network: containers on it reach each other by name (with_network).",
                 changes_state=True, guard="network_create"),
        function("nerdctl_network_remove", "network_remove", [P("name", "string")], RESULT,
                 "Remove a network (no container may be connected).", changes_state=True),
        function("nerdctl_network_list", "network_list", [], "NetworkList",
                 "Networks (records name, id, driver, labels)."),
        function("nerdctl_network_inspect", "network_inspect", [P("name", "string")], DOCUMENT,
                 "A network's document."),
        function("nerdctl_network_exists", "network_exists", [P("name", "string")], "boolean",
                 "Whether a network exists."),
        function("nerdctl_network_connect", "network_connect",
                 [P("network", "string"), P("container", "string", "name or id"), P("aliases", "string[]?")], RESULT,
                 "Connect a container to a network (not on nerdctl).", changes_state=True, guard="network"),
        function("nerdctl_network_disconnect", "network_disconnect",
                 [P("network", "string"), P("container", "string", "name or id"), P("force", "boolean?")], RESULT,
                 "Disconnect a container from a network (not on nerdctl).", changes_state=True),
    ),
    creates=(("network", "create"),),
    sweep="herodo_py.nerdctl.network:remove_labelled",
    sweep_rank=1,  # after the containers connected to them
)
