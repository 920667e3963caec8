"""Volumes in Lua: ``nerdctl_volume_*`` (the library: :mod:`herodo_py.nerdctl.volume`)."""

from __future__ import annotations

from .rows import DOCUMENT, RESULT, RESULT_LIST_FIELDS, Noun, P, TypeDef, function

NAME = P("name", "string")

NOUN = Noun(
    "volume",
    types=(
        TypeDef("Volume", "record", "One volume (volume_list).", "herodo_py.nerdctl.volume:Volume"),
        TypeDef("VolumeList", "record", "Volumes, with the command's stdout, stderr, success, code.",
                "herodo_py.nerdctl.volume:VolumeList", RESULT_LIST_FIELDS, item="Volume"),
    ),
    rows=(
        function("nerdctl_volume_create", "volume_create",
                 [NAME, P("labels", "table<string,string>?"), P("driver", "string?", "not on nerdctl")], RESULT,
                 "Create a named volume (mount it with with_volume('NAME:/path')).", changes_state=True),
        function("nerdctl_volume_remove", "volume_remove", [NAME, P("force", "boolean?")], RESULT,
                 "Remove a volume.", changes_state=True),
        function("nerdctl_volume_list", "volume_list", [], "VolumeList",
                 "Volumes (records name, driver, mountpoint, labels)."),
        function("nerdctl_volume_inspect", "volume_inspect", [NAME], DOCUMENT, "A volume's document."),
        function("nerdctl_volume_exists", "volume_exists", [NAME], "boolean", "Whether a volume exists."),
    ),
    creates=(("volume", "create"),),
    sweep="herodo_py.nerdctl.volume:remove_labelled",
    sweep_rank=1,  # after the containers that mount them
)
