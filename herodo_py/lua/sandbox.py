"""Sandbox mode, for scripts you did not write: ``herodo --sandbox`` and ``--sandbox=strict``
(``Runtime(policy="sandbox")`` / ``"strict"``, ``RunOptions(policy=...)``).

What a sandboxed script loses (calling a removed function, or reading a removed value such as
``package.path``, fails with ``REMOVED BY SANDBOX`` at the script's line):

- ``os.execute``, ``os.remove``, ``os.rename``, ``os.tmpname``, ``os.setlocale``; ``os.getenv`` answers
  only for :data:`ENV_ALLOWED` names (and ``--allow-env`` ones), ``nil`` for the rest;
- ``io`` except ``io.write``, ``io.stdout``, ``io.stderr``, ``io.type`` and ``io.output()`` on those;
- ``dofile``, ``loadfile``, ``string.dump``; ``load`` reads text only (a binary chunk is refused);
- ``debug`` except ``debug.traceback``; ``__gc`` finalizers (``setmetatable`` refuses them: they run
  where no hook can stop them);
- ``package`` keeps ``loaded``, ``preload`` and ``config``; ``require`` loads ``name.lua`` or
  ``name/init.lua`` from the script's folder only (``lib.util`` -> ``lib/util.lua``): no ``/``, ``..``
  or absolute names, and a file whose real path (symlinks resolved) leaves the folder is refused.

Engine bindings stay (they are the point of the script), with their host paths held to the script's
folder: volume sources, the host side of ``copy``, ``export`` targets, a build's context and
Dockerfile (keep a sandboxed script in a folder of its own; one in ``/`` gets no modules or host
paths). ``nerdctl_configure`` cannot change ``engine`` or ``address`` (the operator picks them).
``strict`` also removes every binding that changes containers, images or networks (the registry's
``changes_state``): what is left reads (list, inspect, logs, stats, waits).

Python stays out of reach in every mode (see :mod:`herodo_py.lua.runtime`); ``os.exit`` ends the script
as in normal mode. The sandbox does not make engine access harmless: a container can still do what
the engine lets containers do (a root engine's containers run as root). Limits (memory, time) are in
:mod:`herodo_py.lua.limits`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase
from typing import Any

from .convert import lua_bytes, text
from .diagnostics.errors import ScriptError
from .registry import Binding
from .sources import lua_source

ENV_ALLOWED = ("HOME", "USER", "LOGNAME", "HOSTNAME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
               "TZ", "TERM", "HERODO_*")
"""Environment variables a sandboxed ``os.getenv`` reads (``*`` ends a prefix). Secrets live in the
environment (tokens, passwords, cloud keys): everything else reads as unset."""

MODULE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*")
REMOVED = "RemovedBySandbox"  # ScriptError category: a removed name or binding
REFUSED = "SandboxRefused"  # ScriptError category: a value the sandbox does not let through

_HINTS = {
    "os.execute": "a sandboxed script cannot start programs: run commands in a container (exec)",
    "io": "a sandboxed script cannot open files: print() and io.write() write to the output",
    "os": "a sandboxed script cannot change files or the process",
    "string.dump": "a sandboxed script loads Lua source only",
    "debug": "the debug library reaches into herodo itself; only debug.traceback stays",
    "__gc": "finalizers run where herodo cannot stop them: use a <close> variable for cleanup",
    "package": "require finds modules in the script's folder: require('lib.util') loads lib/util.lua",
    "dofile": "require finds modules in the script's folder: require('lib.util') loads lib/util.lua",
    "loadfile": "require finds modules in the script's folder: require('lib.util') loads lib/util.lua",
}



def env_allowed(name: str, extra: Sequence[str] = ()) -> bool:
    """Whether a sandboxed script may read the environment variable ``name``."""
    return any(fnmatchcase(name, pattern) for pattern in (*ENV_ALLOWED, *extra))


def within(path: str, folder: str) -> bool:
    """Whether the real path ``path`` is ``folder`` or inside it (both already resolved)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class Sandbox:
    """The Python side of a sandboxed runtime: modules, environment, removed names and bindings.

    ``folder``: the script's folder (set when a script runs; ``None``: no module or host path passes).
    """

    def __init__(self, *, strict: bool = False, env_allow: Sequence[str] = ()) -> None:
        self.strict = strict
        self.env_allow = tuple(env_allow)
        self.folder: str | None = None  # as the script names it
        self.real_folder: str | None = None  # symlinks resolved

    def set_script(self, path: str) -> None:
        """The script's folder bounds modules and host paths (none at all for a script in ``/``)."""
        folder = os.path.dirname(os.path.abspath(path))
        real = os.path.realpath(folder)
        self.folder, self.real_folder = (folder, real) if real != "/" else (None, None)

    def install(self, lua: Any, locate: Callable[[ScriptError], ScriptError],
                fitting: Callable[[bytes, str], bytes]) -> None:
        """Restrict the standard library of ``lua`` (after the prelude, before any script).
        ``locate`` places an error at the script's line; ``fitting`` refuses a string Lua has no room for."""
        self.locate, self.fitting = locate, fitting
        helpers = {b"removed": self.removed, b"find_module": self.find_module, b"getenv": self.getenv}
        lua.execute(lua_source(__file__, "sandbox.lua"), lua.table_from(helpers), name=b"=herodo")

    # -- called from Lua -------------------------------------------------------------------------

    def removed(self, name: Any) -> None:
        name = text(name)
        family = name if name in _HINTS else name.split(".")[0].split("(")[0]
        raise self.locate(ScriptError(f"{name} is not available in the sandbox (herodo --sandbox)", category=REMOVED,
                                      func=name.split(".")[-1].split("(")[0], hint=_HINTS.get(family)))

    def getenv(self, name: bytes) -> bytes | None:
        key = text(name)
        if not env_allowed(key, self.env_allow):
            return None
        value = os.environb.get(name)
        return value

    def find_module(self, name: bytes) -> tuple[bytes, bytes]:
        """(source, path) of module ``name`` in the script's folder, or a located ScriptError."""
        module = text(name)
        if not MODULE_NAME.fullmatch(module):
            raise self._refused(f"require('{module}') is refused: a sandboxed script loads modules from its own folder",
                                "require", "a dotted name of a file in the script's folder: 'util' or 'lib.util' "
                                "(no '/', '..' or absolute paths)")
        if self.folder is None or self.real_folder is None:
            raise self._refused(f"module '{module}' not found: the sandbox has no script folder", "require", None)
        relative = module.replace(".", "/")
        for candidate in (f"{relative}.lua", f"{relative}/init.lua"):
            path = os.path.join(self.folder, candidate)
            if not os.path.isfile(path):
                continue
            real = os.path.realpath(path)
            if not within(real, self.real_folder):
                raise self._refused(f"module '{module}' is refused: {path} leads outside the script's folder "
                                    f"(to {real})", "require", "keep modules as files in the script's folder")
            try:
                with open(real, "rb") as f:
                    return self.fitting(f.read(), "require"), lua_bytes(path)
            except OSError as exc:
                raise self._refused(f"module '{module}': cannot read {path}: {exc.strerror or exc}", "require",
                                    None) from None
        raise self.locate(ScriptError(
            f"module '{module}' not found in {self.folder} (tried {relative}.lua and {relative}/init.lua)",
            category="ModuleNotFound", func="require", hint="a sandboxed script loads modules from its own folder"))

    # -- bindings --------------------------------------------------------------------------------

    def check_binding(self, binding: Binding) -> None:
        """Refuse a state-changing binding in strict mode (before its arguments are looked at)."""
        if self.strict and binding.changes_state:
            what = binding.qualified_name + ("()" if binding.owner is None else "")
            raise ScriptError(f"{what} changes containers or images: --sandbox=strict removed it",
                              category=REMOVED, func=binding.name,
                              hint="a strict sandbox only reads (list, status, logs, waits); run the script "
                                   "with --sandbox to let it change things")

    def check_arguments(self, binding: Binding, args: Sequence[Any]) -> None:
        """Refuse host paths outside the script's folder and engine changes: the check the binding's row
        names (``guard``), with the converted ``args``."""
        if binding.guard is not None:
            GUARDS[binding.guard](self, binding.name, *args)

    def host_path(self, path: Any, func: str, what: str) -> None:
        if not isinstance(path, str):
            return  # the library refuses it
        real = os.path.realpath(path)
        if self.real_folder is None or not within(real, self.real_folder):
            raise self._refused(f"{what} {path!r} is outside the script's folder"
                                + (f" (it leads to {real})" if real != os.path.abspath(path) else ""), func,
                                f"a sandboxed script uses host paths inside its folder ({self.folder})")

    def _refused(self, message: str, func: str, hint: str | None) -> ScriptError:
        return self.locate(ScriptError(message, category=REFUSED, func=func, hint=hint))


# --- host paths in bindings ------------------------------------------------------------------------


def _volume(box: Sandbox, func: str, volume: Any) -> None:
    if isinstance(volume, str):
        source = volume.split(":")[0] if ":" in volume else None
        if source is not None and source.startswith("/"):
            box.host_path(source, func, "volume source")


def _volumes(box: Sandbox, func: str, volumes: Any = None) -> None:
    for volume in volumes if isinstance(volumes, list) else ():
        _volume(box, func, volume)


def _copy(box: Sandbox, func: str, *locations: Any) -> None:
    for location in locations:
        if isinstance(location, str):
            head, sep, _ = location.partition(":")
            if not (sep and head and "/" not in head):  # not 'container:/path'
                box.host_path(location, func, "copy path")


def _export(box: Sandbox, func: str, path: Any = None, *_: Any) -> None:
    box.host_path(path, func, "export path")


def _build(box: Sandbox, func: str, tag: Any = None, context: Any = None, dockerfile: Any = None, *_: Any) -> None:
    from ..nerdctl.image import is_remote_context  # here: a sandboxed script that builds nothing never loads it

    if isinstance(context, str) and is_remote_context(context):
        return
    box.host_path(context, func, "build context")
    if isinstance(dockerfile, str) and isinstance(context, str):
        for candidate in (dockerfile, os.path.join(context, dockerfile)):  # the library's order
            if os.path.isfile(candidate):
                box.host_path(candidate, func, "Dockerfile")
                return


def _configure(box: Sandbox, func: str, options: Any = None, *_: Any) -> None:
    for key in ("engine", "address"):
        if isinstance(options, dict) and options.get(key) not in (None, ""):
            raise box._refused(f"nerdctl_configure{{{key}=...}} is refused in the sandbox", func,
                               f"the operator chooses the engine: herodo --sandbox --{key} ...")


def _host_paths(*positions: int, what: str) -> Callable[..., None]:
    """A guard for the host paths at these argument positions (0-based, after the object)."""
    def guard(box: Sandbox, func: str, *args: Any) -> None:
        for i in positions:
            if i < len(args):
                box.host_path(args[i], func, what)
    return guard


GUARDS: dict[str, Callable[..., None]] = {
    "copy_to": _host_paths(0, what="copy path"),
    "copy_from": _host_paths(1, what="copy path"),
    "save": _host_paths(1, what="save path"),
    "load": _host_paths(0, what="load path"),
    "import": _host_paths(0, what="import path"),
    "volume": _volume,
    "volumes": _volumes,
    "copy": _copy,
    "export": _export,
    "build": _build,
    "configure": _configure,
}
"""The checks a binding row names in its ``guard`` (its converted arguments follow the function name)."""


__all__ = ["Sandbox", "ENV_ALLOWED", "GUARDS", "env_allowed", "REMOVED", "REFUSED"]
