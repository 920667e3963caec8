"""The few file helpers playbooks need: ``exist``, ``mkdir`` (-p), ``file_read``, ``file_write`` (atomic)
and ``temp_dir`` (removed when herodo exits).

Relative paths start from the current folder, as with ``io.open`` (in a sandbox: from the script's
folder, :attr:`~.policy.HostPolicy.base`). When the current
:class:`~.policy.HostPolicy` has ``roots`` (a sandbox), a path must lie inside one of them, and the
kernel checks it at the moment of use: the file is opened from the root's descriptor with
``openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)``, so ``..``, absolute symlinks and symlinks that
lead out are refused however they are swapped in meanwhile (no check-then-use race); the final name
of a write is created ``O_EXCL | O_NOFOLLOW`` and renamed into place inside the checked folder.
Where ``openat2`` is missing (Linux before 5.6), every symlink on a confined path is refused.

In a dry run (``policy.dry_run()``), ``mkdir`` and ``file_write`` report (``skip``) instead of changing anything;
``exist``, ``file_read`` and ``temp_dir`` act (a temporary folder is harmless and later steps need it).
"""

from __future__ import annotations

import ctypes
import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from . import policy
from .errors import BadHostInput, FileError, HostRefused

MAX_READ = 256 * 1024 * 1024  # bytes file_read returns at most (the Lua memory limit is usually lower)

_SYS_OPENAT2 = 437  # x86_64 and aarch64 (the asm-generic number)
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_BENEATH = 0x08


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


_libc: ctypes.CDLL | None = None
_has_openat2: bool | None = None


def _openat2(dir_fd: int, path: str, flags: int, mode: int = 0) -> int:
    """``openat2(dir_fd, path, RESOLVE_BENEATH)``; without it, a walk refusing every symlink."""
    global _libc, _has_openat2
    if _has_openat2 is not False:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        how = _OpenHow(flags | os.O_CLOEXEC, mode, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS)
        fd = _libc.syscall(_SYS_OPENAT2, dir_fd, os.fsencode(path), ctypes.byref(how), ctypes.sizeof(how))
        if fd >= 0:
            _has_openat2 = True
            return fd
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EPERM) or _has_openat2:
            raise OSError(code, os.strerror(code), path)
        _has_openat2 = False
    return _walk_open(dir_fd, path, flags, mode)


def _walk_open(dir_fd: int, path: str, flags: int, mode: int) -> int:
    """Open ``path`` below ``dir_fd`` one name at a time, never following a symlink, never ``..``."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise OSError(errno.EXDEV, "'..' leads out of the folder", path)
    current = os.dup(dir_fd)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=current)
            os.close(current)
            current = nxt
        if not parts:
            return os.open(".", flags | os.O_CLOEXEC, dir_fd=current) if flags & os.O_DIRECTORY or \
                flags & os.O_PATH else os.dup(current)
        return os.open(parts[-1], flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=current)
    finally:
        os.close(current)


def _checked(path: str, what: str) -> str:
    if not isinstance(path, str) or not path:
        raise BadHostInput(f"invalid {what}: {path!r}", field=what, value=path, expected="a file path")
    if "\0" in path:
        raise BadHostInput(f"invalid {what}: it contains a NUL byte", field=what, value=path,
                           expected="a file path without NUL bytes")
    return path


class _Place:
    """Where a path is: ``(dir_fd, relative)`` below a root (confined), or ``(AT_FDCWD, path)``."""

    def __init__(self, path: str, func: str) -> None:
        self.path = _checked(path, "path")
        self.func = func
        rules = policy.current()
        roots = rules.roots
        self.fd: int | None = None
        self.relative = path if rules.base is None or path.startswith("/") else os.path.join(rules.base, path)
        if roots is None:
            return
        absolute = path if path.startswith("/") else os.path.join(rules.base or os.getcwd(), path)
        for root in roots:
            for named in dict.fromkeys((root, os.path.realpath(root))):
                prefix = named.rstrip("/") + "/"
                if absolute == named or absolute.startswith(prefix):
                    self.relative = absolute[len(prefix):] if absolute != named else "."
                    self.fd = os.open(named, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                    return
        raise self.refused("it is outside the script's folder")

    def refused(self, why: str) -> HostRefused:
        folders = ", ".join(policy.current().roots or []) or "none"
        return HostRefused(f"{self.func}: {self.path!r} is refused: {why}", field="path", value=self.path,
                           hint=f"a sandboxed script reaches files inside its folder only ({folders})")

    def open(self, relative: str, flags: int, mode: int = 0) -> int:
        try:
            if self.fd is None:
                return os.open(relative, flags | os.O_CLOEXEC, mode)
            return _openat2(self.fd, relative, flags, mode)
        except OSError as exc:
            if self.fd is not None and exc.errno in (errno.EXDEV, errno.ELOOP):
                raise self.refused("it leads outside the script's folder (through '..' or a symlink)") from None
            raise

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@contextmanager
def _place(path: str, func: str) -> Iterator[_Place]:
    place = _Place(path, func)
    try:
        yield place
    except OSError as exc:
        raise FileError(f"{func}: {path}: {exc.strerror or exc}", field="path", value=path) from None
    finally:
        place.close()


def exist(path: str) -> bool:
    """Whether ``path`` exists (a file, folder, or anything else; a dangling symlink does not)."""
    with _place(path, "exist") as place:
        try:
            os.close(place.open(place.relative, os.O_PATH))
            return True
        except FileNotFoundError:
            return False
        except NotADirectoryError:
            return False


def file_read(path: str) -> str:
    """The whole content of the file ``path`` (bytes kept: text that is not UTF-8 survives)."""
    with _place(path, "file_read") as place:
        fd = place.open(place.relative, os.O_RDONLY)
        with os.fdopen(fd, "rb") as f:
            data = f.read(MAX_READ + 1)
        if len(data) > MAX_READ:
            raise FileError(f"file_read: {path} is larger than {MAX_READ // (1024 * 1024)} MiB", field="path",
                            value=path, hint="read big files in a container, or in parts with io.open")
        return data.decode("utf-8", "surrogateescape")


def _split(relative: str, path: str) -> tuple[str, str]:
    folder, _, name = relative.rstrip("/").rpartition("/")
    if name in ("", ".", ".."):
        raise BadHostInput(f"invalid path: {path!r} names no file", field="path", value=path,
                           expected="a path ending in a file name")
    return folder or ".", name


def file_write(path: str, content: str | bytes) -> int:
    """Write ``content`` to ``path`` atomically (a temporary file in the same folder, renamed over
    it: a reader sees the old or the new content, never half). Returns the bytes written."""
    data = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
    with _place(path, "file_write") as place:
        folder, name = _split(place.relative, path)
        if policy.dry_run():
            policy.notify("skip", ["file_write", path, f"({len(data)} bytes)"], None)
            return len(data)
        dir_fd = place.open(folder, os.O_PATH | os.O_DIRECTORY)
        try:
            temp = f".{name}.herodo-{os.getpid()}-{os.urandom(4).hex()}"
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
                         dir_fd=dir_fd)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                try:
                    os.unlink(temp, dir_fd=dir_fd)
                except OSError:
                    pass
                raise
        finally:
            os.close(dir_fd)
    return len(data)


def mkdir(path: str) -> bool:
    """Create the folder ``path`` and its missing parents (``mkdir -p``); ``True`` when it exists."""
    with _place(path, "mkdir") as place:
        if policy.dry_run():
            policy.notify("skip", ["mkdir", "-p", path], None)
            return True
        parts = [p for p in place.relative.split("/") if p not in ("", ".")]
        base = "/" if place.fd is None and path.startswith("/") else "."
        done = base
        for part in parts:
            parent = place.open(done, os.O_PATH | os.O_DIRECTORY)
            try:
                if part != "..":
                    try:
                        os.mkdir(part, 0o755, dir_fd=parent)
                    except FileExistsError:
                        pass
            finally:
                os.close(parent)
            done = part if done == "." else f"{done.rstrip('/')}/{part}"
        os.close(place.open(done, os.O_PATH | os.O_DIRECTORY))  # it is a folder (or a symlink to one inside)
    return True


def temp_dir() -> str:
    """A new private folder (mode 0700), removed with its content when herodo exits; in a sandbox the
    script's file helpers may use it."""
    path = tempfile.mkdtemp(prefix="herodo-script-")
    policy.current().add_temp_dir(path)
    return path


__all__ = ["MAX_READ", "exist", "file_read", "file_write", "mkdir", "temp_dir"]
