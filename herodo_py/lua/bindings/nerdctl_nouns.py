"""Lua names for issue #13's library additions: container control (methods and ``nerdctl_*``
functions), networks, volumes and images, as keyed rows. The behaviour is the Python API's
(``herodo_py.nerdctl.container_control``, ``network_ops``, ``volume``, ``image_ops``)."""

from __future__ import annotations

from typing import NamedTuple

from ..registry import Param, Registry
from .nerdctl import CONTAINER, RESULT, RESULT_LIST_FIELDS, _forward, _function

P = Param
DOCUMENT = "table<string,any>"  # an engine's inspect document, keys as the engine writes them


class Row(NamedTuple):
    """One binding: Lua name, Python name, parameters, LuaCATS return type, doc, changes state."""

    name: str
    python: str
    params: list[Param]
    returns: str
    doc: str
    changes_state: bool


METHODS = [
    Row("restart", "restart", [P("timeout", "integer?", "seconds before the engine kills it")], RESULT,
        "Stop and start it again.", True),
    Row("kill", "kill", [P("signal", "(string|integer)?", "'SIGTERM', 'TERM', 'KILL' or 1-64; default KILL")], RESULT,
        "Send a signal to its main process.", True),
    Row("pause", "pause", [], RESULT, "Freeze all its processes.", True),
    Row("unpause", "unpause", [], RESULT, "Thaw its processes.", True),
    Row("wait", "wait", [P("timeout", "number?", "seconds; then WaitTimeout, the container runs on")], "integer",
        "Wait until it exits; its exit code.", False),
    Row("inspect", "inspect", [], DOCUMENT, "The engine's whole inspect document.", False),
    Row("port", "port", [P("container_port", "string|integer", "80, '80/tcp', '53/udp'")], "string[]",
        "Host addresses publishing that port ('127.0.0.1:8080'); empty when not published.", False),
    Row("copy_to", "copy_to", [P("host_path", "string"), P("container_path", "string", "absolute")], RESULT,
        "Copy a host file or folder into the container.", True),
    Row("copy_from", "copy_from", [P("container_path", "string", "absolute"), P("host_path", "string")], RESULT,
        "Copy a file or folder from the container to the host.", True),
]

CTR = P("container", "string", "name or id")
FUNCTIONS = [
    Row("nerdctl_restart", "restart", [CTR, P("timeout", "integer?")], RESULT, "Restart a container.", True),
    Row("nerdctl_kill", "kill", [CTR, P("signal", "(string|integer)?")], RESULT, "Signal a container.", True),
    Row("nerdctl_pause", "pause", [CTR], RESULT, "Pause a container.", True),
    Row("nerdctl_unpause", "unpause", [CTR], RESULT, "Unpause a container.", True),
    Row("nerdctl_wait", "wait", [CTR, P("timeout", "number?")], "integer", "Wait for a container's exit code.", False),
    Row("nerdctl_inspect", "inspect", [CTR], DOCUMENT, "A container's inspect document.", False),
    Row("nerdctl_port", "port", [CTR, P("container_port", "string|integer")], "string[]",
        "Host addresses publishing a container port.", False),
    Row("nerdctl_network_list", "network_list", [], "NetworkList", "Networks (records name, id, driver, labels).",
        False),
    Row("nerdctl_network_inspect", "network_inspect", [P("name", "string")], DOCUMENT, "A network's document.", False),
    Row("nerdctl_network_exists", "network_exists", [P("name", "string")], "boolean", "Whether a network exists.",
        False),
    Row("nerdctl_network_connect", "network_connect",
        [P("network", "string"), CTR, P("aliases", "string[]?")], RESULT,
        "Connect a container to a network (not on nerdctl).", True),
    Row("nerdctl_network_disconnect", "network_disconnect", [P("network", "string"), CTR, P("force", "boolean?")],
        RESULT, "Disconnect a container from a network (not on nerdctl).", True),
    Row("nerdctl_volume_create", "volume_create",
        [P("name", "string"), P("labels", "table<string,string>?"), P("driver", "string?", "not on nerdctl")],
        RESULT, "Create a named volume.", True),
    Row("nerdctl_volume_remove", "volume_remove", [P("name", "string"), P("force", "boolean?")], RESULT,
        "Remove a volume.", True),
    Row("nerdctl_volume_list", "volume_list", [], "VolumeList", "Volumes (records name, driver, mountpoint, labels).",
        False),
    Row("nerdctl_volume_inspect", "volume_inspect", [P("name", "string")], DOCUMENT, "A volume's document.", False),
    Row("nerdctl_volume_exists", "volume_exists", [P("name", "string")], "boolean", "Whether a volume exists.", False),
    Row("nerdctl_image_exists", "image_exists", [P("image", "string")], "boolean", "Whether an image is here.", False),
    Row("nerdctl_image_inspect", "image_inspect", [P("image", "string")], DOCUMENT, "An image's document.", False),
    Row("nerdctl_image_save", "image_save", [P("images", "string|string[]"), P("path", "string", "tarball path")],
        RESULT, "Save images to one tarball (all or nothing).", True),
    Row("nerdctl_image_load", "image_load", [P("path", "string")], "string[]",
        "Load the images of a tarball; their names.", True),
    Row("nerdctl_image_import", "image_import", [P("path", "string", "a filesystem tarball"),
                                                 P("reference", "string")], RESULT,
        "Make an image from a filesystem tarball (Container:export's).", True),
]


def register(r: Registry) -> None:
    """Add the rows to ``r`` (after ``nerdctl``'s, which registers Container and CommandResult)."""
    r.type("Network", "record", "One network (network_list).", python="herodo_py.nerdctl.network_ops:Network")
    r.type("NetworkList", "record", "Networks, with the command's stdout, stderr, success, code.",
           python="herodo_py.nerdctl.network_ops:NetworkList", fields=RESULT_LIST_FIELDS, item="Network")
    r.type("Volume", "record", "One volume (volume_list).", python="herodo_py.nerdctl.volume:Volume")
    r.type("VolumeList", "record", "Volumes, with the command's stdout, stderr, success, code.",
           python="herodo_py.nerdctl.volume:VolumeList", fields=RESULT_LIST_FIELDS, item="Volume")
    for row in METHODS:
        r.method(CONTAINER, row.name, row.params, row.returns, row.doc,
                 changes_state=row.changes_state)(_forward(row.python))
    for row in FUNCTIONS:
        r.function(row.name, row.params, row.returns, row.doc, changes_state=row.changes_state)(_function(row.python))

