"""Image tarballs: save, load, import.

``image_save`` is all or nothing: the engine writes a temporary file in the target's folder, which is
renamed onto the target when complete (no half-written tarball after a failure). Save, load and
import get the long timeout (``executor.LONG_SUBCOMMANDS``)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from typing import Any

from .errors import OtherError
from .executor import CommandResult, execute_nerdctl_command
from .validate import check_image, check_path, check_string_list, fail

__all__ = ["image_import", "image_load", "image_save", "loaded_images"]

_LOADED = re.compile(r"^Loaded image(?:\(s\))?(?: ID)?:\s*(?P<names>.+?)\s*$", re.M)


def _target_file(path: Any, field: str) -> str:
    target = os.path.abspath(check_path(path, field))
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise fail(field, path, "a file path in an existing directory", hint=f"create {directory} first")
    if os.path.isdir(target):
        raise fail(field, path, "a file path, not a directory",
                   hint=f"name the tarball, e.g. {os.path.join(target, 'images.tar')}")
    return target


def image_save(images: str | Sequence[str], path: str) -> CommandResult:
    """Write ``images`` (one reference or a list) as one tarball to ``path``, all or nothing."""
    refs = [images] if isinstance(images, str) else check_string_list(images, "images")
    if not refs:
        raise fail("images", images, "one image reference or a non-empty list of them")
    refs = [check_image(r, "images" if isinstance(images, str) else f"images[{i + 1}]") for i, r in enumerate(refs)]
    target = _target_file(path, "path")
    try:  # a fresh folder: podman refuses to write over an existing file, even an empty one
        scratch = tempfile.mkdtemp(dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.")
    except OSError as exc:
        raise OtherError(f"cannot write the images to {os.path.dirname(target)}: {exc.strerror or exc}",
                         hint="choose a writable directory with room for the tarball") from None
    partial = os.path.join(scratch, "images.tar")
    try:
        result = execute_nerdctl_command(["save", "-o", partial, *refs])
        if not result.dry_run:
            try:
                os.chmod(partial, 0o644)
                os.replace(partial, target)
            except OSError as exc:
                raise OtherError(f"cannot write the images to {target}: {exc.strerror or exc}",
                                 hint="choose a writable directory with room for the tarball") from None
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _existing_file(path: Any, field: str) -> str:
    check_path(path, field)
    if not os.path.isfile(path):
        raise fail(field, path, "an existing tarball file")
    return os.path.abspath(path)


def loaded_images(output: str) -> list[str]:
    """The names in ``load``'s ``Loaded image: NAME`` lines (``Loaded image ID: sha256:...`` for an
    untagged one; podman 3's ``Loaded image(s): a,b``)."""
    return [name.strip() for m in _LOADED.finditer(output) for name in m["names"].split(",") if name.strip()]


def image_load(path: str) -> list[str]:
    """Load the images of a tarball (``save``'s or ``docker save``'s); the loaded image names."""
    result = execute_nerdctl_command(["load", "-i", _existing_file(path, "path")])
    return loaded_images(result.stdout + "\n" + result.stderr)


def image_import(path: str, reference: str) -> CommandResult:
    """Make the image ``reference`` from a filesystem tarball (what ``Container.export`` writes);
    ``stdout`` holds the new image's id."""
    source = _existing_file(path, "path")
    return execute_nerdctl_command(["import", source, check_image(reference, "reference")])
