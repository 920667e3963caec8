"""One file holding the compiled code of herodo's own modules, for the ``herodo`` command's start-up.

Importing a module from its ``.pyc`` costs 60-100 µs of Python's import machinery (the path finder,
the file finder, the loader's stat, open, read and checks), and a script's first engine call imports
about fifty of herodo's: several milliseconds of every run. ``bin/herodo`` installs a :class:`CodeCache`
first; it serves ``herodo_py`` modules from ``herodo_py/__pycache__/herodo-code.<tag>.bin`` (one open,
one ``pread`` per module), each checked against its source's size and modification time as a ``.pyc``
is (a changed or unknown module is imported the usual way). At exit, when the run imported herodo
modules the cache did not have, the file is written again with them (atomically; not with
``PYTHONDONTWRITEBYTECODE``, nor where the package is read-only). Anything wrong with the file makes
the cache serve nothing. Library users (``import herodo_py``) import as usual.

File: the 4-byte import magic of this Python, the header's size (4 bytes, little-endian), the header
(marshal: ``name -> (source path, is a package, mtime_ns, size, offset, length)``, the offset counted
from the header's end), then each module's marshalled code object.
"""

from __future__ import annotations

import marshal
import os
import sys
from _frozen_importlib import ModuleSpec  # (importlib's own, always loaded; importlib itself is not)
from _frozen_importlib_external import MAGIC_NUMBER

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

PACKAGE = "herodo_py"
ROOT = os.path.dirname(os.path.abspath(__file__))
FILE = os.path.join(ROOT, "__pycache__", f"herodo-code.{sys.implementation.cache_tag}.bin")

Entry = tuple  # (path, is_package, mtime_ns, size, offset, length)


class CodeCache:
    """A meta path finder and loader for ``herodo_py`` modules from :data:`FILE` (see the module doc)."""

    def __init__(self, path: str = FILE) -> None:
        self.path = path
        self.entries: dict[str, Entry] = {}
        self.fd: int | None = None
        self.base = 0  # where the code objects start
        self.served: set[str] = set()
        try:
            self._open()
        except (OSError, ValueError, EOFError, TypeError):  # no file, or not one of ours: serve nothing
            self._close()
            self.entries = {}

    @classmethod
    def install(cls, path: str = FILE) -> CodeCache:
        """A cache put first on ``sys.meta_path``, saved at exit."""
        import atexit  # (built in)

        cache = cls(path)
        sys.meta_path.insert(0, cache)
        atexit.register(cache.save)
        return cache

    def _open(self) -> None:
        fd = self.fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        head = os.pread(fd, 8, 0)
        if len(head) != 8 or head[:4] != MAGIC_NUMBER:
            raise ValueError("not a code cache of this Python")
        size = int.from_bytes(head[4:], "little")
        entries = marshal.loads(os.pread(fd, size, 8))
        if not isinstance(entries, dict) or not all(map(_well_formed, entries.values())):
            raise ValueError("not a code cache")
        self.entries, self.base = entries, 8 + size

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    # -- the finder and loader -------------------------------------------------------------

    def _current(self, name: str) -> bool:
        """Whether the cache holds ``name`` as its source is now (same size and modification time)."""
        entry = self.entries.get(name)
        if entry is None:
            return False
        try:
            stat = os.stat(entry[0])
        except OSError:
            return False
        return stat.st_mtime_ns == entry[2] and stat.st_size == entry[3]

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if not self._current(name):
            return None  # unknown, or changed since cached: the usual import (the next save takes its code)
        entry = self.entries[name]
        source, is_package = entry[0], entry[1]
        try:
            assert self.fd is not None
            code = marshal.loads(os.pread(self.fd, entry[5], self.base + entry[4]))
        except (OSError, ValueError, EOFError, TypeError):  # (a damaged file: this module the usual way)
            return None
        spec = ModuleSpec(name, self, origin=source, is_package=is_package, loader_state=code)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(source)]
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module

    def exec_module(self, module: ModuleType) -> None:
        self.served.add(module.__name__)
        exec(module.__spec__.loader_state, module.__dict__)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> bool:
        """Write the file again when this process imported herodo modules it did not serve: True if written."""
        if sys.dont_write_bytecode:
            return False
        try:
            return self._save()
        except Exception:  # (at exit: a cache not written is the next run's ordinary imports, never an error)
            return False

    def _save(self) -> bool:
        new = {name: module for name, module in list(sys.modules.items())
               if _ours(name, module) and name not in self.served and not self._current(name)}
        if not new:
            return False
        codes: dict[str, tuple[str, bool, int, int, bytes]] = {}
        for name, entry in self.entries.items():  # kept as they are (each is checked when imported)...
            if name not in new:  # ... unless imported from its source this time
                assert self.fd is not None
                codes[name] = (*entry[:4], os.pread(self.fd, entry[5], self.base + entry[4]))
        for name, module in new.items():
            compiled = _compiled(module)
            if compiled is not None:
                codes[name] = compiled
        return _write(self.path, codes)


def _well_formed(entry: object) -> bool:
    """An entry as :func:`_write` makes them: (source path, is a package, mtime_ns, size, offset, length)."""
    return (isinstance(entry, tuple) and len(entry) == 6 and isinstance(entry[0], str) and isinstance(entry[1], bool)
            and all(isinstance(n, int) and n >= 0 for n in entry[2:]))


def _ours(name: str, module: object) -> bool:
    """A module of herodo's own, imported from its source file (a ``.py`` under the package)."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return False
    source = getattr(module, "__file__", None)
    return isinstance(source, str) and source.endswith(".py") and source.startswith(ROOT + os.sep)


def _compiled(module: Any) -> tuple[str, bool, int, int, bytes] | None:
    """(source, is a package, mtime_ns, size, marshalled code) of ``module``, by its own loader's ``get_code``
    (its ``.pyc`` when current), or None when it cannot be had."""
    try:
        source = module.__file__
        stat = os.stat(source)
        code = module.__spec__.loader.get_code(module.__name__)
    except Exception:  # (a module without a usual loader, a source gone since: left out)
        return None
    if code is None:
        return None
    is_package = module.__spec__.submodule_search_locations is not None
    return (source, is_package, stat.st_mtime_ns, stat.st_size, marshal.dumps(code))


def _write(path: str, codes: dict[str, tuple[str, bool, int, int, bytes]]) -> bool:
    """Write ``codes`` to ``path`` atomically (a temporary file renamed over it): True if written."""
    entries: dict[str, Entry] = {}
    blobs: list[bytes] = []
    offset = 0
    for name, (source, is_package, mtime_ns, size, blob) in codes.items():
        entries[name] = (source, is_package, mtime_ns, size, offset, len(blob))
        blobs.append(blob)
        offset += len(blob)
    header = marshal.dumps(entries)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC_NUMBER + len(header).to_bytes(4, "little") + header)
            for blob in blobs:
                out.write(blob)
        os.replace(temporary, path)
    except OSError:  # (a read-only install, a full disk: the next run imports as usual)
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    return True


__all__ = ["FILE", "CodeCache"]
