"""The engine reads ``ensure`` needs: the inspect documents of a container and its image in one
command (the whole cost of an unchanged container; a stack reads all its containers and images in
one), and of a container, an image, a network or a volume by the library's own ``*_inspect``. A
missing object reads as ``None``; any other failure raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
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
    return [r for text in _documents(result.stdout) for r in load_records(text, what)]


def _documents(text: str) -> list[str]:
    """The JSON arrays of an inspect output: one for docker and podman, one per argument for
    nerdctl's top-level ``inspect`` (it inspects each name as an image or a container apart)."""
    text = text.strip()
    if not text.startswith("["):
        return [text] if text else []
    decoder, parts, at = json.JSONDecoder(), [], 0
    while at < len(text):
        try:
            _, end = decoder.raw_decode(text, at)
        except ValueError:
            return [text[at:]]  # load_records names what is wrong with it
        parts.append(text[at:end])
        at = len(text) - len(text[end:].lstrip())
    return [p for p in parts if p.strip() != "[]"]


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


def containers_and_images(names: Sequence[str], images: Sequence[str]
                          ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The containers named ``names`` (by name) and the images ``images`` (by reference, as given)
    that exist, from one ``inspect``. An image record is matched to its reference by tag or id; with
    one image asked for, the one image record found is it."""
    queries = {ref: image_query(ref) for ref in dict.fromkeys(images)}
    records = _records(["inspect", *dict.fromkeys(names), *dict.fromkeys(queries.values())], "inspect")
    wanted = set(names)
    containers = {str(r.get("Name") or "").lstrip("/"): r for r in records if is_container(r)}
    found_images = [r for r in records if is_image(r)]
    by_ref: dict[str, dict[str, Any]] = {}
    for ref, query in queries.items():
        match = [r for r in found_images if _names_image(r, query)]
        if match or (len(queries) == 1 and len(found_images) == 1):
            by_ref[ref] = (match or found_images)[0]
    return {n: r for n, r in containers.items() if n in wanted}, by_ref


def _names_image(record: dict[str, Any], query: str) -> bool:
    """Whether ``query`` (a tagged reference or an id) names the image ``record``."""
    tags = {str(t) for t in record.get("RepoTags") or []}
    short = query.removeprefix("docker.io/").removeprefix("library/")
    if tags & {query, short, f"docker.io/{query}", f"docker.io/library/{short}"}:
        return True
    ident = str(record.get("Id") or record.get("ID") or "").removeprefix("sha256:")
    return bool(ident) and ident.startswith(query.removeprefix("sha256:"))


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
