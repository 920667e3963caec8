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
    """Paths inside ``folder`` (real path) pass; ``folder`` None: no host path passes. ``binds=False``
    (the sandbox): no bind mount at all (the engine resolves its source after herodo checked it)."""

    def __init__(self, folder: str | None, *, binds: bool = True) -> None:
        self.folder = os.path.realpath(folder) if folder else None
        self.binds = binds

    def __repr__(self) -> str:
        return f"Confinement({self.folder!r}, binds={self.binds})"

    def bind(self, source: str, what: str) -> None:
        """Refuse the bind mount of ``source`` unless binds are allowed and it is inside the folder."""
        if self.binds:
            self.real(source, what)
            return
        raise ConversionError(
            f"{what} {source!r}: a bind mount is refused in the sandbox", field=what, value=source,
            expected="a named volume of the stack ('NAME:/path')",
            hint="the engine resolves a bind mount's host path after herodo could check it: use a named volume "
                 "and fill it with copy_to, or run the script without --sandbox")

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
