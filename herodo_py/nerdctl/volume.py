"""Named volumes: create, remove, list, inspect, exists. A container mounts one with
``with_volume("NAME:/path")``. ``volume_create`` adds ``settings().labels`` as ``network_create`` does
(``herodo test`` removes what a test made with ``remove_labelled``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import UnsupportedByEngine
from .executor import CommandResult, current_engine, execute_nerdctl_command, settings
from .inspection import exists, inspect_one
from .labels import Labelled, Swept, label_flags, sweep_by_label
from .parse import load_records
from .result_list import ResultList
from .validate import check_mapping, check_name, fail

__all__ = [
    "Volume",
    "VolumeList",
    "check_volume_name",
    "remove_labelled",
    "volume_create",
    "volume_exists",
    "volume_inspect",
    "volume_list",
    "volume_remove",
]

# Explicit fields give JSON lines on every engine (podman's ``{{json .}}`` is a pretty-printed array).
VOLUME_FORMAT = ('{"Name":{{json .Name}},"Driver":{{json .Driver}},"Labels":{{json .Labels}},'
                 '"Mountpoint":{{json .Mountpoint}}}')


@dataclass
class Volume(Labelled):
    """One row of ``volume ls``."""

    mountpoint: str = ""


class VolumeList(ResultList[Volume]):
    """``volume_list()``: a list of :class:`Volume` that also carries ``stdout``, ``code``..."""


def check_volume_name(value: Any, field: str = "volume name") -> str:
    """A volume name: ``[a-zA-Z0-9][a-zA-Z0-9_.-]+`` (what docker, podman and nerdctl accept)."""
    name = check_name(value, field)
    if len(name) < 2:
        raise fail(field, value, "at least 2 characters: letters, digits, '_', '.', '-' (e.g. 'data')")
    return name


def volume_create(name: str, labels: Mapping[str, Any] | None = None, driver: str | None = None) -> CommandResult:
    """Create the volume ``name`` with ``labels``; ``driver``: docker and podman only (nerdctl's
    volumes are local directories and it has no ``--driver``). ``stdout`` holds the name."""
    args = ["volume", "create"]
    if driver is not None:
        check_name(driver, "volume driver")
        if current_engine().kind == "nerdctl":
            raise UnsupportedByEngine(field="volume driver", value=driver, expected="no volume driver on nerdctl",
                                      hint="leave the driver out: nerdctl's volumes are local directories")
        args += ["--driver", driver]
    given = {} if labels is None else dict(check_mapping(labels, "labels"))
    args += label_flags({**given, **settings().labels})  # the executor's labels win on a clash
    args.append(check_volume_name(name))
    return execute_nerdctl_command(args)


def volume_remove(name: str, force: bool = False) -> CommandResult:
    """Remove the volume ``name`` (it fails while a container uses it; ``force``: on docker and podman,
    remove it anyway)."""
    if not isinstance(force, bool):
        raise fail("force", force, "true or false")
    return execute_nerdctl_command(["volume", "rm", *(["--force"] if force else []), check_volume_name(name)])


def volume_list() -> VolumeList:
    """Every volume."""
    result = execute_nerdctl_command(["volume", "ls", "--format", VOLUME_FORMAT])
    rows = [Volume(**Volume.common(r), mountpoint=str(r.get("Mountpoint") or ""))
            for r in load_records(result.stdout, "`volume ls` output")]
    return VolumeList(rows, result)


def volume_inspect(name: str) -> dict[str, Any]:
    """The engine's inspect document of the volume (``Name``, ``Driver``, ``Mountpoint``, ``Labels``...)."""
    return inspect_one(["volume", "inspect", check_volume_name(name)], "volume")


def volume_exists(name: str) -> bool:
    """Whether the volume ``name`` exists (one engine call)."""
    return exists(["volume", "inspect", check_volume_name(name)])


def remove_labelled(label: str, keep: bool = False) -> Swept:
    """Remove the volumes carrying ``label`` (``key=value``); with ``keep`` only list them."""
    return sweep_by_label("volume", label, keep)
