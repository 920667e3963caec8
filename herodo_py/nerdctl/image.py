"""Images: the ``Image`` record, ``images()`` and the image functions (exists, inspect, rmi, tag, pull,
push, build; tarballs are :mod:`.image_archive`'s). Every input is checked before a command runs; pull,
push and build stream the engine's progress to a terminal and get the long timeout
(``executor.LONG_SUBCOMMANDS``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import validate
from .errors import BuildKitMissing
from .executor import CommandResult, current_engine, execute_nerdctl_command
from .inspection import exists, inspect_one
from .parse import first, load_records, normalize_time, parse_size
from .result_list import ResultList

NONE = "<none>"

# Explicit fields give the same JSON lines on nerdctl, docker and podman (podman's ``{{json .}}``
# is an array without the tag of each row).
IMAGE_FORMAT = (
    '{"ID":{{json .ID}},"Repository":{{json .Repository}},"Tag":{{json .Tag}},'
    '"Digest":{{json .Digest}},"Size":{{json .Size}},"CreatedAt":{{json .CreatedAt}},'
    '"CreatedSince":{{json .CreatedSince}}}'
)


@dataclass
class Image:
    """One row of ``images``: an image reference (an image with two tags gives two rows)."""

    id: str
    repository: str = NONE
    tag: str = NONE
    size: str = ""  # as the engine writes it, e.g. "1.98MB"
    created: str = ""  # timestamp as the engine writes it; "" when unknown
    digest: str = ""
    size_bytes: int | None = None
    created_since: str = ""  # e.g. "2 hours ago"
    reference: str = field(init=False)  # "repo:tag", or the id when untagged

    def __post_init__(self) -> None:
        tagged = self.repository not in ("", NONE) and self.tag not in ("", NONE)
        self.reference = f"{self.repository}:{self.tag}" if tagged else self.id


class ImageList(ResultList[Image]):
    """``images()``: a list of :class:`Image` that also carries ``stdout``, ``code``... of the command."""


# --- parsing ------------------------------------------------------------------------------


def _text(value: Any, default: str = "") -> str:
    if value is None:
        return default
    return value if isinstance(value, str) else str(value)


def _short_id(value: Any) -> str:
    """Image ids as ``images`` tables show them: 12 hex digits (podman's JSON has all 64)."""
    return _text(value).removeprefix("sha256:")[:12]


def _human_size(value: Any) -> str:
    """A byte count (podman) written like docker writes sizes: ``2029261`` -> ``'2.03MB'``."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return _text(value)
    size, unit = float(value), "B"
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):  # noqa: B007 - the unit the loop stops at is written
        if size < 1000:
            break
        size /= 1000
    return f"{size:.3g}{unit}"


def _digest(value: Any) -> str:
    text = _text(value)
    return "" if text == NONE else text


def _split_name(name: str) -> tuple[str, str]:
    """``'localhost:5000/app:v1'`` -> ``('localhost:5000/app', 'v1')``."""
    repo, sep, tag = name.rpartition(":")
    if not sep or "/" in tag:
        return name, NONE
    return repo, tag


def _rows(record: dict[str, Any]) -> Iterable[Image]:
    size = first(record, "Size", "VirtualSize")
    common: dict[str, Any] = dict(
        id=_short_id(first(record, "ID", "Id")),
        digest=_digest(record.get("Digest")),
        size=_human_size(size),
        size_bytes=parse_size(size),
        created=normalize_time(first(record, "CreatedAt", "Created")),
        created_since=_text(record.get("CreatedSince")),
    )
    if "Repository" in record or "Tag" in record:  # nerdctl, docker, explicit fields
        yield Image(repository=_text(record.get("Repository"), NONE) or NONE,
                    tag=_text(record.get("Tag"), NONE) or NONE, **common)
        return
    names = record.get("Names") or record.get("RepoTags") or []  # podman's {{json .}}
    if not isinstance(names, list) or not names:
        yield Image(**common)
        return
    for name in names:
        repo, tag = _split_name(_text(name))
        yield Image(repository=repo, tag=tag, **common)


def parse_images(text: str) -> list[Image]:
    """``images`` output of any engine (JSON lines or podman's array) -> one Image per reference."""
    seen: set[tuple[str, str, str]] = set()
    result: list[Image] = []
    for record in load_records(text, "`images` output"):
        for image in _rows(record):
            key = (image.id, image.repository, image.tag)
            if key in seen:  # podman repeats the whole record once per name
                continue
            seen.add(key)
            result.append(image)
    return result


# --- commands -----------------------------------------------------------------------------


def images() -> ImageList:
    """List local images."""
    result = execute_nerdctl_command(["images", "--format", IMAGE_FORMAT])
    return ImageList(parse_images(result.stdout), result)


def image_exists(image: str) -> bool:
    """Whether the image is here (one engine call; nothing is pulled)."""
    return exists(["image", "inspect", validate.check_image(image)])


def image_inspect(image: str) -> dict[str, Any]:
    """The engine's inspect document of a local image."""
    return inspect_one(["image", "inspect", validate.check_image(image)], "image")


def image_remove(image: str, force: bool = False) -> CommandResult:
    """Remove an image (``rmi``); ``force`` also removes it when containers use it."""
    validate.check_image(image)
    if not isinstance(force, bool):
        raise validate.fail("force", force, "true or false")
    return execute_nerdctl_command(["rmi", *(["--force"] if force else []), image])


def image_tag(image: str, new_name: str) -> CommandResult:
    """Give ``image`` the extra reference ``new_name``."""
    validate.check_image(image)
    validate.check_image(new_name, "new_name")
    return execute_nerdctl_command(["tag", image, new_name])


def _registry_host(reference: str) -> str | None:
    head, sep, _ = reference.partition("/")
    if sep and ("." in head or ":" in head or head == "localhost"):
        return head
    return None


def is_loopback_registry(reference: str) -> bool:
    """True when the reference names a registry on this machine (localhost, 127.x, ::1)."""
    host = _registry_host(reference)
    if host is None:
        return False
    if host.startswith("["):
        host = host[1:host.find("]")]
    elif host.count(":") == 1:
        host = host.split(":")[0]
    if host == "localhost":
        return True
    import ipaddress  # here: only a registry host that is an address needs it (not every run())

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _registry_flags(reference: str) -> list[str]:
    """podman refuses plain-HTTP registries unless told; loopback test registries are plain HTTP."""
    if current_engine().kind == "podman" and is_loopback_registry(reference):
        return ["--tls-verify=false"]
    return []


def run_registry_flags(image: str, engine_kind: str) -> list[str]:
    """podman's ``run``/``create`` pull a missing image over HTTPS too: a loopback registry named
    with a port or an address (``127.0.0.1:5000/app``) gets ``--tls-verify=false`` as pull does.
    ``localhost/NAME`` without a port is podman's prefix for local images and gets nothing."""
    host = _registry_host(image) or ""
    if engine_kind == "podman" and host != "localhost" and is_loopback_registry(image):
        return ["--tls-verify=false"]
    return []


def image_pull(image: str, snapshotter: str | None = None) -> CommandResult:
    """Pull an image from its registry (``snapshotter``: nerdctl's, to unpack it for that snapshotter)."""
    validate.check_image(image)
    return execute_nerdctl_command(["pull", *_registry_flags(image), image], stream=True, snapshotter=snapshotter)


def image_push(image: str, destination: str | None = None) -> CommandResult:
    """Push ``image``; with a different ``destination``, tag it so first and push that reference."""
    validate.check_image(image)
    reference = image
    if destination is not None and destination != image:
        validate.check_image(destination, "destination")
        image_tag(image, destination)
        reference = destination
    return execute_nerdctl_command(["push", *_registry_flags(reference), reference], stream=True)


REMOTE_CONTEXT = re.compile(r"(?:https?|git)://[^/\s]+|git@[^:/\s]+:|github\.com/")
"""The start of a context the engines fetch (a git repository or a tarball URL); docker and podman
try a local directory of that name first, and so does :func:`is_remote_context`."""


def is_remote_context(path: str) -> bool:
    """Whether the engine fetches ``path``: it has a remote form and no such local path exists."""
    return bool(REMOTE_CONTEXT.match(path)) and "\0" not in path and not os.path.lexists(path)


def _check_build_inputs(context_path: str, dockerfile: str | None) -> str | None:
    """Check the context and return the Dockerfile as an absolute path (engines differ on what a
    relative ``--file`` is relative to: we take the current directory, then the context)."""
    validate.check_path(context_path, "context_path")
    if dockerfile is not None:
        validate.check_path(dockerfile, "dockerfile")
    if is_remote_context(context_path):
        return dockerfile
    if not os.path.isdir(context_path):
        raise validate.fail("context_path", context_path, "an existing directory (the build context)")
    if dockerfile is None:
        return None
    for candidate in (dockerfile, os.path.join(context_path, dockerfile)):
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    raise validate.fail("dockerfile", dockerfile, "an existing Dockerfile (relative to the current "
                                                  "directory or to the context)")


def _context_arg(context_path: str) -> str:
    """The context as build's last argument: a local directory named like a flag ('-q') goes as
    './-q', which every engine reads as a path (after _check_build_inputs found it a directory)."""
    if not context_path.startswith("-"):
        return context_path
    if is_remote_context(context_path):
        raise validate.fail("context_path", context_path, "a directory, or a URL (https://..., git@...)")
    return "./" + context_path


def _build_arg_flags(build_args: Mapping[str, Any] | None) -> list[str]:
    if build_args is None:
        return []
    args = validate.check_mapping(build_args, "build_args")
    flags: list[str] = []
    for key in sorted(args, key=str):
        validate.check_env_key(key, "build arg name")
        flags += ["--build-arg", f"{key}={validate.check_env_value(args[key], f'build arg {key}')}"]
    return flags


def _require_buildkit(argv: list[str]) -> None:
    import shutil  # here: only a build needs it (shutil imports zlib, bz2, lzma)

    if current_engine().kind == "nerdctl" and shutil.which("buildctl") is None:
        raise BuildKitMissing(
            "nerdctl build needs BuildKit, but `buildctl` is not on PATH "
            "(and `buildkitd` must be running)",
            argv=argv,
        )


def image_build(
    tag: str,
    context_path: str,
    dockerfile: str | None = None,
    build_args: Mapping[str, Any] | None = None,
) -> CommandResult:
    """Build ``context_path`` (with its ``Dockerfile``, or ``dockerfile``) into the image ``tag``."""
    validate.check_image(tag, "tag")
    dockerfile = _check_build_inputs(context_path, dockerfile)
    args = ["build", "--tag", tag]
    if current_engine().kind == "docker":
        args.append("--force-rm")  # docker's legacy builder keeps the container of a failed step
    if dockerfile is not None:
        args += ["--file", dockerfile]
    args += [*_build_arg_flags(build_args), _context_arg(context_path)]
    _require_buildkit([current_engine().path, *args])
    return execute_nerdctl_command(args, stream=True)
