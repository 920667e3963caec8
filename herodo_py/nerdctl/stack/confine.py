"""Host paths a stack may touch, when it is confined to a folder (``herodo --sandbox`` confines a
script's stacks to the script's folder).

Checked when used, not when the spec was written: the compose file, ``.env`` and ``env_file`` files
when they are read (and then read through their checked real path), bind-mount sources and build
contexts and Dockerfiles at each ``up`` and ``build``. Symlinks are resolved: a path whose real
path leaves the folder is refused, whatever it is named.
"""

from __future__ import annotations

import os

from ..errors import ConversionError

__all__ = ["Confinement"]


class Confinement:
    """Paths inside ``folder`` (real path) pass; ``folder`` None: no host path passes."""

    def __init__(self, folder: str | None) -> None:
        self.folder = os.path.realpath(folder) if folder else None

    def __repr__(self) -> str:
        return f"Confinement({self.folder!r})"

    def real(self, path: str, what: str) -> str:
        """The real path of ``path`` if it is inside the folder; else a ConversionError naming ``what``."""
        real = os.path.realpath(path)
        folder = self.folder
        if folder is not None and (real == folder or real.startswith(folder.rstrip("/") + "/")):
            return real
        leads = f" (it leads to {real})" if real != os.path.abspath(path) else ""
        raise ConversionError(
            f"{what} {path!r} is outside the folder this stack is confined to{leads}",
            field=what, value=path,
            expected=f"a path inside {folder}" if folder else "no host path (the script has no folder of its own)",
            hint="a sandboxed script's stacks use host paths inside the script's folder")
