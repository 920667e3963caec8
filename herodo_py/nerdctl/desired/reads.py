"""The engine reads ``ensure`` needs: the inspect documents of a container and its image in one
command (the whole cost of an unchanged container), and of a container, an image, a network or a
volume by the library's own ``*_inspect``. A missing object reads as ``None``; any other failure raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import CommandFailed, CommandTimeout, EngineUnreachable, PermissionDenied, classify_failure
from ..executor import execute_nerdctl_command
from ..image import image_inspect
from ..inspection import inspect_one
from ..network import network_inspect
from ..parse import load_records
from ..volume import volume_inspect

_MISSING = re.compile(r"no such|not found|does not exist|not known|no container with|unable to find", re.I)
_HEX_ID = re.compile(r"(?:sha256:)?[0-9a-f]{12,64}")


def _records(args: list[str], what: str) -> list[dict[str, Any]]:
    """Records of an inspect command; tolerated failure: objects that do not exist."""
    result = execute_nerdctl_command(args, check=False)
    if not result.success:
        error = classify_failure(result.argv, result.code, result.stdout, result.stderr)
        unreachable = isinstance(error, (EngineUnreachable, PermissionDenied, CommandTimeout))
        if unreachable or not _MISSING.search(result.stderr):
            raise error
    text = result.stdout.strip()
    return load_records(text, what) if text and text != "[]" else []


def image_query(reference: str) -> str:
    """The reference as ``inspect`` must be given it to never read as a container name: with a tag
    (``redis`` -> ``redis:latest``; a container name holds no ``:``)."""
    if ":" in reference.rsplit("/", 1)[-1] or "@" in reference or _HEX_ID.fullmatch(reference):
        return reference
    return reference + ":latest"


def is_container(record: dict[str, Any]) -> bool:
    return isinstance(record.get("State"), dict)


def is_image(record: dict[str, Any]) -> bool:
    return not is_container(record) and ("RootFS" in record or "RepoTags" in record)


def container_and_image(name: str, image: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The container named ``name`` and the image ``image`` resolves to, from one ``inspect``."""
    records = _records(["inspect", name, image_query(image)], "inspect")
    container = next((r for r in records if is_container(r)
                      and str(r.get("Name") or "").lstrip("/") == name), None)
    found_image = next((r for r in records if is_image(r)), None)
    return container, found_image


def _or_none(read: Callable[[str], dict[str, Any]], name: str) -> dict[str, Any] | None:
    """``read(name)`` (a library ``*_inspect``), or ``None`` when the object does not exist; an engine
    that cannot answer raises (that says nothing about the object)."""
    try:
        return read(name)
    except (EngineUnreachable, PermissionDenied, CommandTimeout):
        raise
    except CommandFailed as exc:
        if _MISSING.search(exc.stderr or ""):
            return None
        raise


def _container_inspect(name: str) -> dict[str, Any]:
    """(``Container.inspect`` needs a ``Container``: the container noun imports this package.)"""
    return inspect_one(["container", "inspect", name], "container")


def container(name: str) -> dict[str, Any] | None:
    return _or_none(_container_inspect, name)


def image(reference: str) -> dict[str, Any] | None:
    return _or_none(image_inspect, reference)


def network(name: str) -> dict[str, Any] | None:
    return _or_none(network_inspect, name)


def volume(name: str) -> dict[str, Any] | None:
    return _or_none(volume_inspect, name)


def image_id(record: dict[str, Any] | None) -> str | None:
    """An image record's id without ``sha256:`` (podman writes none, docker and nerdctl do)."""
    if not record:
        return None
    value = str(record.get("Id") or record.get("ID") or "")
    return value.removeprefix("sha256:") or None
