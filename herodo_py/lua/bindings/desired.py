"""Desired state in Lua: what an ``ensure`` did (the ``Outcome`` record) and the ensures of networks,
volumes and images (``nerdctl_network_ensure`` ...). ``Container:ensure()`` is a row of the container
noun. The behaviour is :mod:`herodo_py.nerdctl.desired`'s; every ensure changes state (a strict sandbox
drops it) and reports, in a ``--check`` run, what it would do instead of doing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..registry import FieldDef
from .rows import Noun, P, TypeDef, function

OUTCOME = "Outcome"
POLICY = "'recreate' | 'fail' (raise with the diff) | 'leave'"


def _with_options(name: str) -> Callable[..., Any]:
    """``nerdctl_X_ensure(name, {options})`` -> the library's ``X_ensure(name, **options)``."""

    def call(target: str, options: dict[str, Any] | None = None) -> Any:
        import herodo_py.nerdctl as api  # here: the library loads on a script's first call

        return getattr(api, name)(target, **(options or {}))
    return call


def _absent(kind: str, doc: str, param: str = "name") -> Any:
    return function(f"nerdctl_{kind}_ensure_absent", f"{kind}_ensure_absent", [P(param, "string")], OUTCOME, doc,
                    changes_state=True)


NOUN = Noun(
    "desired",
    types=(
        TypeDef(OUTCOME, "record", "What an ensure did (in a --check run: would do, with check = true).",
                "herodo_py.nerdctl.desired.outcome:Outcome", fields=(
                    FieldDef("kind", "string", "container, network, volume or image"),
                    FieldDef("name", "string"),
                    FieldDef("action", "string", "created, started, recreated, unchanged, left, removed, absent, "
                                                 "pulled, updated or failed"),
                    FieldDef("changed", "boolean", "true when it changed (would change) something"),
                    FieldDef("diff", "FieldChange[]", "what differed, field by field"),
                    FieldDef("diff_lines", "string[]", "the diff as lines: 'env.MODE: \"prod\" -> \"staging\"'"),
                    FieldDef("reason", "string", "why, in one line ('' when nothing needed doing)"),
                    FieldDef("check", "boolean", "true in a --check run: nothing was done"),
                    FieldDef("error", "string", "the error's kind when action is 'failed'"))),
        TypeDef("FieldChange", "record", "One difference: the value now (before) and the one wanted (after).",
                "herodo_py.nerdctl.desired.diff:FieldChange", fields=(
                    FieldDef("field", "string", "'env.MODE', 'ports', 'image' ..."),
                    FieldDef("before", "any", "nil for a member to add (ports, volumes, aliases)"),
                    FieldDef("after", "any", "nil for a member to remove"))),
        TypeDef("NetworkEnsureOptions", "options", "nerdctl_network_ensure(name, {...})", fields=(
            FieldDef("driver", "string?", "default 'bridge'"), FieldDef("policy", "string?", POLICY))),
        TypeDef("VolumeEnsureOptions", "options", "nerdctl_volume_ensure(name, {...})", fields=(
            FieldDef("driver", "string?", "default 'local'"), FieldDef("labels", "table<string,string>?"),
            FieldDef("policy", "string?", "'leave' (default: recreating deletes the data) | 'fail' | 'recreate'"))),
        TypeDef("ImageEnsureOptions", "options", "nerdctl_image_ensure(ref, {...})", fields=(
            FieldDef("pull", "string?", "'missing' (default) | 'always' | 'never'"),)),
    ),
    rows=(
        function("nerdctl_network_ensure", _with_options("network_ensure"),
                 [P("name", "string"), P("options", "NetworkEnsureOptions?")], OUTCOME,
                 "Make the network exist with its driver (recreated on drift by default).", changes_state=True,
                 guard="network_ensure"),
        _absent("network", "Make sure the network does not exist (removed, or absent already)."),
        function("nerdctl_volume_ensure", _with_options("volume_ensure"),
                 [P("name", "string"), P("options", "VolumeEnsureOptions?")], OUTCOME,
                 "Make the volume exist with its driver and labels (drift is left unless policy says).",
                 changes_state=True),
        _absent("volume", "Make sure the volume does not exist (its data goes with it)."),
        function("nerdctl_image_ensure", _with_options("image_ensure"),
                 [P("reference", "string"), P("options", "ImageEnsureOptions?")], OUTCOME,
                 "Make the image present by the pull policy; 'always' reports updated when the tag moved.",
                 changes_state=True),
        _absent("image", "Make sure the reference is not present (removed, or absent already).", "reference"),
    ),
)
