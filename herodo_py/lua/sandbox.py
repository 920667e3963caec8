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
folder and pinned while the engine uses them (:mod:`.sandbox_paths`): the host side of ``copy``,
``export``/``save`` targets, ``load``/``import`` sources, a build's context and Dockerfile, a stack's
compose file, ``.env`` and ``env_file`` files and build contexts (checked when used: symlinks resolved), and a
compose file's ``${VAR}`` reads only the variables ``os.getenv`` may (keep a
sandboxed script in a folder of its own; one in ``/`` gets no modules or host paths). Bind mounts of
host paths and the host's network are refused. ``nerdctl_configure`` cannot change ``engine``,
``address`` or ``namespace`` (the operator picks them), and ``CONTAINERD_*`` values the allow-list
hides are not read by herodo (so not shown).
``strict`` also removes every binding that changes containers, images, networks or stacks (the registry's
``changes_state``): what is left reads (list, inspect, logs, stats, waits).

Python stays out of reach in every mode (see :mod:`herodo_py.lua.runtime`); ``os.exit`` ends the script
as in normal mode. The sandbox does not make engine access harmless: a container can still do what
the engine lets containers do (a root engine's containers run as root). Limits (memory, time) are in
:mod:`herodo_py.lua.limits`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fnmatch import fnmatchcase
from typing import Any

from .convert import lua_bytes, text
from .diagnostics.errors import ScriptError
from .registry import Binding
from .sandbox_paths import PinnedPaths
from .sources import run_host_chunk

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
        run_host_chunk(lua, __file__, "sandbox.lua", lua.table_from(helpers))

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

    @contextmanager
    def arguments(self, binding: Binding, args: Sequence[Any]) -> Iterator[Sequence[Any]]:
        """The arguments the binding runs with: refused when the check its row names (``guard``) says
        so; host paths pinned (:mod:`.sandbox_paths`) until the binding returns. Hides, on the
        executor in use, the ``CONTAINERD_*`` values the allow-list hides."""
        _hide_environment(self)
        pins = PinnedPaths(tuple(dict.fromkeys((self.folder or "", self.real_folder or ""))) if self.folder else (),
                           lambda path, why: self._refused(
                               f"{binding.name}: host path {_shown(path)} is refused: {why}", binding.name,
                               f"a sandboxed script uses host paths inside its folder ({self.folder}), "
                               "without symlinks at their end"))
        try:
            if binding.guard is None:
                yield args
            else:
                changed = GUARDS[binding.guard](self, pins, binding.name, *args)
                yield args if changed is None else changed
        finally:
            pins.close()

    def check_arguments(self, binding: Binding, args: Sequence[Any]) -> None:
        """Only the checks of :meth:`arguments` (no path is pinned)."""
        with self.arguments(binding, args):
            pass

    def _refused(self, message: str, func: str, hint: str | None) -> ScriptError:
        return self.locate(ScriptError(message, category=REFUSED, func=func, hint=hint))


# --- the checks binding rows name (``guard``) --------------------------------------------------------
# A guard gets the sandbox, the call's PinnedPaths, the binding's name and its converted arguments; it
# raises to refuse, and returns the arguments to run with (None: unchanged).

_MAX_SHOWN = 200


def _shown(value: str) -> str:
    """``value`` quoted for a message, cut when long, NUL bytes visible."""
    return repr(value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "...")


BIND_MOUNT_HINT = ("the engine resolves a bind mount's host path after herodo could check it: create a named "
                   "volume (nerdctl_volume_create), mount it as 'NAME:/path', and fill or read it with "
                   "copy_to/copy_from; or run the script without --sandbox")
HOST_NETWORK_HINT = ("a container on the host's network reaches the host's own services (127.0.0.1): use a "
                     "network of the script's own (nerdctl_network_create) and publish ports (with_port)")
HEX = re.compile(r"[0-9a-fA-F]+")


def _volume(box: Sandbox, pins: PinnedPaths, func: str, volume: Any) -> None:
    if isinstance(volume, str) and ":" in volume:
        from ..nerdctl.validate import _VOLUME_NAME  # here: loaded once the script builds a container

        if not _VOLUME_NAME.fullmatch(volume.split(":")[0]):
            raise box._refused(f"{func}: the bind mount {_shown(volume)} is refused in the sandbox", func,
                               BIND_MOUNT_HINT)


def _volumes(box: Sandbox, pins: PinnedPaths, func: str, volumes: Any = None) -> None:
    for volume in volumes if isinstance(volumes, list) else ():
        _volume(box, pins, func, volume)


def _is_container_side(location: str) -> bool:
    head, sep, _ = location.partition(":")
    return bool(sep and head and "/" not in head)  # 'container:/path', as the library reads it


def _copy(box: Sandbox, pins: PinnedPaths, func: str, *locations: Any) -> list[Any]:
    return [pins.entry(x) if isinstance(x, str) and not _is_container_side(x) else x for x in locations]


def _host_paths(*positions: int) -> Callable[..., list[Any]]:
    """A guard pinning the host paths at these argument positions (0-based, after the object)."""
    def guard(box: Sandbox, pins: PinnedPaths, func: str, *args: Any) -> list[Any]:
        return [pins.entry(a) if i in positions and isinstance(a, str) else a for i, a in enumerate(args)]
    return guard


def _build(box: Sandbox, pins: PinnedPaths, func: str, tag: Any = None, context: Any = None, dockerfile: Any = None,
           *rest: Any) -> list[Any] | None:
    from ..nerdctl.image import is_remote_context  # here: a sandboxed script that builds nothing never loads it

    if not isinstance(context, str):
        return None  # the library refuses it
    if is_remote_context(context):
        if isinstance(dockerfile, str) and (dockerfile.startswith("/") or ".." in dockerfile.split("/")):
            raise box._refused(f"{func}: Dockerfile {_shown(dockerfile)} is outside the script's folder and "
                               f"outside the remote context {_shown(context)}", func,
                               "with a remote context, name a Dockerfile inside it by a relative path without '..'")
        return None
    pinned_context = pins.folder(context)
    if isinstance(dockerfile, str):
        candidates = (dockerfile, os.path.join(context, dockerfile))  # the library's order
        found = next((c for c in candidates if "\0" not in c and os.path.lexists(c)), candidates[-1])
        pinned_dockerfile = pins.entry(found)
    else:
        pins.entry(os.path.join(context, "Dockerfile"))  # refused when a symlink: the engine would follow it
        pinned_dockerfile = None
    return [tag, pinned_context, pinned_dockerfile, *rest]


def _configure(box: Sandbox, pins: PinnedPaths, func: str, options: Any = None, *_: Any) -> None:
    for key in ("engine", "address", "namespace"):
        if isinstance(options, dict) and options.get(key) is not None:
            raise box._refused(f"nerdctl_configure{{{key}=...}} is refused in the sandbox (even '', the "
                               "default)", func, f"the operator chooses it: herodo --sandbox --{key} ...")


def _network(box: Sandbox, pins: PinnedPaths, func: str, network: Any = None, *_: Any) -> None:
    """No container joins the host's network: not ``host``, nor the host network by (a prefix of) its id."""
    if not isinstance(network, str):
        return
    refused = network == "host"
    if not refused and HEX.fullmatch(network):  # docker also finds a network by an id prefix
        from ..nerdctl.network import network_list  # here: only for names that could be ids

        wanted = network.lower()
        refused = any(n.id and (n.driver == "host" or n.name == "host")
                      and (n.id.startswith(wanted) or wanted.startswith(n.id)) for n in network_list())
    if refused:
        raise box._refused(f"{func}: network {_shown(network)} is the host's network: refused in the sandbox",
                           func, HOST_NETWORK_HINT)


def _network_create(box: Sandbox, pins: PinnedPaths, func: str, name: Any = None, driver: Any = None,
                    *_: Any) -> None:
    if driver is not None and driver != "bridge":
        raise box._refused(f"{func}: network driver {_shown(str(driver))} is refused in the sandbox", func,
                           "a sandboxed script creates bridge networks (the default driver)")


def _network_ensure(box: Sandbox, pins: PinnedPaths, func: str, name: Any = None, options: Any = None,
                    *_: Any) -> None:
    _network_create(box, pins, func, name, options.get("driver") if isinstance(options, dict) else None)


def _confinement(box: Sandbox) -> Any:
    from ..nerdctl.stack.confine import Confinement  # here: a sandboxed script without stacks never loads it

    return Confinement(box.real_folder, binds=False)


def _stack(box: Sandbox, pins: PinnedPaths, func: str, name: Any = None, spec: Any = None) -> list[Any]:
    """A stack's host paths (build contexts) stay in the script's folder, checked at each use; no bind mount."""
    return [name, spec, _confinement(box)]


def _compose(box: Sandbox, pins: PinnedPaths, func: str, path: Any = None, options: Any = None) -> list[Any]:
    """The compose file, its .env and env_file files and the stack's host paths stay in the script's folder
    (checked when read, symlinks resolved); ``${VAR}`` reads only the environment a sandboxed script may read."""
    environ = {k: v for k, v in os.environ.items() if env_allowed(k, box.env_allow)}
    return [path, options, _confinement(box), environ]


GUARDS: dict[str, Callable[..., Any]] = {
    "copy_to": _host_paths(0),
    "copy_from": _host_paths(1),
    "save": _host_paths(1),
    "load": _host_paths(0),
    "import": _host_paths(0),
    "export": _host_paths(0),

    "volume": _volume,
    "volumes": _volumes,
    "copy": _copy,
    "build": _build,
    "configure": _configure,
    "stack": _stack,
    "compose": _compose,
    "network": _network,
    "network_create": _network_create,
    "network_ensure": _network_ensure,
}
"""The checks a binding row names in its ``guard`` (its converted arguments follow the function name); one
returns None, or the arguments to call the binding with instead."""


def _hide_environment(box: Sandbox) -> None:
    """The executor in use does not read the ``CONTAINERD_*`` variables the allow-list hides (nerdctl
    still reads its own environment: herodo only does not show the values)."""
    from ..nerdctl.engine_settings import CONTAINERD_VARIABLES  # here: loaded by the first binding call
    from ..nerdctl.executor import current_executor

    hidden = frozenset(v for v in CONTAINERD_VARIABLES.values() if not env_allowed(v, box.env_allow))
    current_executor().settings.hidden_variables = hidden


__all__ = ["Sandbox", "ENV_ALLOWED", "GUARDS", "env_allowed", "REMOVED", "REFUSED"]
