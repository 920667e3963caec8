"""Host paths a sandboxed script hands the engine, pinned at the moment of use.

Checking a path and letting the engine resolve it later leaves a gap: in between, the path can be
turned into a symlink that leads out of the script's folder. So a sandboxed binding never gives the
engine the script's path. Just before the command, herodo opens the path's folder from the script's
folder (``openat2`` with ``RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS``; where that is missing, one name
at a time with ``O_NOFOLLOW``, refusing every symlink), keeps that ``O_PATH`` descriptor open for the
command, and gives the engine ``/proc/<herodo's pid>/fd/N/name``: whatever happens to the script's
path meanwhile, the kernel resolves that to the folder herodo checked. The final name must not be a
symlink (the engine would follow it). ``/proc/<pid>`` rather than ``/proc/self``: the engine may hand
the path to a helper process of its own, which does not inherit the descriptor.

The engine reports errors with these ``/proc`` paths; ``--trace`` and ``--dry-run`` show them too.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
from collections.abc import Callable

SYS_OPENAT2 = 437  # the same number on every Linux architecture (asm-generic)
RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_BENEATH = 0x08


class PathRefused(Exception):
    """A host path the sandbox does not hand the engine; ``reason`` says why (the sandbox words it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


_openat2_missing = False


def open_beneath(root_fd: int, relative: str, flags: int) -> int:
    """Open ``relative`` below the folder ``root_fd`` without leaving it (no ``..`` or symlink out,
    no magic link); ``OSError`` when it cannot be opened, ``PathRefused`` when it would leave."""
    global _openat2_missing
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PathRefused("'..' is refused in a sandboxed host path")
    if not parts:
        return os.open(".", flags | os.O_CLOEXEC, dir_fd=root_fd)
    if not _openat2_missing:
        libc = ctypes.CDLL(None, use_errno=True)
        how = _OpenHow(flags | os.O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
        fd = libc.syscall(SYS_OPENAT2, root_fd, os.fsencode("/".join(parts)), ctypes.byref(how),
                          ctypes.sizeof(how))
        if fd >= 0:
            return fd
        code = ctypes.get_errno()
        if code == errno.EXDEV or code == errno.ELOOP:
            raise PathRefused("a symlink on the way leads out of the script's folder")
        if code not in (errno.ENOSYS, errno.EPERM):
            raise OSError(code, os.strerror(code), relative)
        _openat2_missing = True  # Linux before 5.6, or a seccomp filter: walk by hand
    return _walk(root_fd, parts, flags)


def _walk(root_fd: int, parts: list[str], flags: int) -> int:
    """One name at a time with ``O_NOFOLLOW``: every symlink on the way is refused."""
    current = os.dup(root_fd)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            try:
                nxt = os.open(part, (flags if last else os.O_PATH | os.O_DIRECTORY) | os.O_NOFOLLOW | os.O_CLOEXEC,
                              dir_fd=current)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and stat.S_ISLNK(
                        os.stat(part, dir_fd=current, follow_symlinks=False).st_mode):
                    raise PathRefused("a symlink on the way is refused (this kernel has no openat2)") from None
                raise
            os.close(current)
            current = nxt
        result, current = current, -1
        return result
    finally:
        if current >= 0:
            os.close(current)


class PinnedPaths:
    """The descriptors of one binding call: ``pin`` opens, ``close`` (after the command) closes."""

    def __init__(self, folders: tuple[str, ...], refuse: Callable[[str, str], Exception]) -> None:
        self.folders = folders  # the script's folder as named and as resolved (trusted: the operator's)
        self.refuse = refuse  # (path, reason) -> the error to raise
        self.fds: list[int] = []

    def _keep(self, fd: int) -> str:
        self.fds.append(fd)
        return f"/proc/{os.getpid()}/fd/{fd}"

    def _relative(self, path: str) -> str:
        if "\0" in path:
            raise self.refuse(path, "it contains a NUL byte (no file name does)")
        absolute = os.path.normpath(os.path.join(os.getcwd(), path))
        for folder in self.folders:
            if absolute == folder:
                return ""
            if absolute.startswith(folder.rstrip("/") + "/"):
                return absolute[len(folder.rstrip("/")) + 1:]
        raise self.refuse(path, "it is outside the script's folder")

    def _open(self, path: str, relative: str, flags: int) -> int:
        root = os.open(self.folders[-1], os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            return open_beneath(root, relative, flags)
        except PathRefused as exc:
            raise self.refuse(path, exc.reason) from None
        except OSError as exc:
            raise self.refuse(path, exc.strerror or str(exc)) from None
        finally:
            os.close(root)

    def folder(self, path: str) -> str:
        """``path``, an existing folder inside the script's folder, as a ``/proc`` path to it."""
        return self._keep(self._open(path, self._relative(path), os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW))

    def entry(self, path: str) -> str:
        """``path`` (existing or not; not a symlink) as ``/proc/<pid>/fd/N/name``, N its folder, pinned.
        A trailing ``/`` or ``/.`` stays (``copy`` reads it: a folder's content)."""
        relative = self._relative(path)
        tail = "/." if path.endswith("/.") else "/" if path.endswith("/") and relative else ""
        if not relative:  # the script's folder itself: pinned in its parent (outside: the operator's)
            parent_fd = os.open(os.path.dirname(self.folders[-1]) or "/", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            return f"{self._keep(parent_fd)}/{os.path.basename(self.folders[-1])}{tail}"
        parent, _, name = relative.rpartition("/")
        parent_fd = self._open(path, parent, os.O_PATH | os.O_DIRECTORY)
        pinned = self._keep(parent_fd)
        try:
            mode = os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISLNK(mode):
            raise self.refuse(path, "it is a symlink (the engine would follow it)")
        return f"{pinned}/{name}{tail}"

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()


__all__ = ["PinnedPaths", "PathRefused", "open_beneath"]
