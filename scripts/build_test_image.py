#!/usr/bin/env python3
"""Build the offline test image `localhost/herodo-busybox:latest` as a docker-archive tarball.

No registry, no daemon: the rootfs is made from Debian's static busybox (package busybox-static)
and packed as `manifest.json` + config JSON + one layer tar, which both `docker load -i` and
`podman load -i` accept.

Rootfs: /bin/busybox and one symlink per applet (`busybox --list`) in /bin, /etc/passwd (root,
nobody), /etc/group, /tmp (1777), /root (0700). Config: Cmd ["sh"], Env PATH.

The output is deterministic (fixed mtimes, owners and order): the same busybox binary always gives
the same bytes, hence the same image id. It is written atomically (temp file + rename).

Usage: build_test_image.py [OUTPUT] [--busybox PATH]   (default OUTPUT: build/herodo-busybox.tar)
Prints the image id (sha256:<config digest>) on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

IMAGE_NAME = "localhost/herodo-busybox:latest"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EPOCH = 0  # mtime of every entry: deterministic output
CREATED = "1970-01-01T00:00:00Z"

PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"

# Go's GOARCH names, which image configs use.
ARCHES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386", "ppc64le": "ppc64le", "s390x": "s390x"}


def _info(name: str, kind: bytes, mode: int, size: int = 0, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.linkname = linkname
    info.mtime = EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    tar.addfile(_info(name, tarfile.REGTYPE, mode, len(data)), io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str, mode: int) -> None:
    tar.addfile(_info(name, tarfile.DIRTYPE, mode))


def is_static_elf(path: Path) -> bool:
    """True for an ELF executable without a program interpreter (PT_INTERP), i.e. statically linked."""
    import struct

    data = path.read_bytes()[:65536]
    if data[:4] != b"\x7fELF":
        return False
    is64, little = data[4] == 2, data[5] == 1
    end = "<" if little else ">"
    if is64:
        phoff, = struct.unpack_from(end + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(end + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x2A)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 4 > len(data):
            break
        if struct.unpack_from(end + "I", data, off)[0] == 3:  # PT_INTERP
            return False
    return True


def applets(busybox: Path) -> list[str]:
    """Applet names, from `busybox --list` (argv list, no shell)."""
    out = subprocess.run([str(busybox), "--list"], check=True, capture_output=True, text=True).stdout
    names = {line.strip() for line in out.splitlines()}
    # Only plain names: never let an applet name escape /bin.
    return sorted(n for n in names if n and "/" not in n and n not in (".", "..", "busybox"))


def layer_tar(busybox: Path) -> bytes:
    """The rootfs as an uncompressed tar, entries in a fixed order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        _add_dir(tar, "bin", 0o755)
        _add_file(tar, "bin/busybox", busybox.read_bytes(), 0o755)
        for name in applets(busybox):
            tar.addfile(_info(f"bin/{name}", tarfile.SYMTYPE, 0o777, linkname="busybox"))
        _add_dir(tar, "etc", 0o755)
        _add_file(tar, "etc/group", GROUP.encode(), 0o644)
        _add_file(tar, "etc/passwd", PASSWD.encode(), 0o644)
        _add_dir(tar, "root", 0o700)
        _add_dir(tar, "tmp", 0o1777)
    return buf.getvalue()


def image_config(diff_id: str) -> bytes:
    arch = ARCHES.get(platform.machine(), platform.machine())
    config = {
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": {"Env": [PATH_ENV], "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": CREATED, "created_by": "herodo_py scripts/build_test_image.py (busybox-static)"}],
    }
    return json.dumps(config, sort_keys=True, separators=(",", ":")).encode()


def docker_archive(busybox: Path) -> tuple[bytes, str]:
    """The whole docker-archive tarball and the image id."""
    layer = layer_tar(busybox)
    layer_hex = hashlib.sha256(layer).hexdigest()
    config = image_config(f"sha256:{layer_hex}")
    config_hex = hashlib.sha256(config).hexdigest()
    manifest = [{"Config": f"{config_hex}.json", "RepoTags": [IMAGE_NAME], "Layers": [f"{layer_hex}/layer.tar"]}]
    repo, tag = IMAGE_NAME.rsplit(":", 1)
    repositories = {repo: {tag: layer_hex}}

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        _add_dir(tar, layer_hex, 0o755)
        _add_file(tar, f"{layer_hex}/VERSION", b"1.0", 0o644)
        _add_file(tar, f"{layer_hex}/layer.tar", layer, 0o644)
        _add_file(tar, f"{config_hex}.json", config, 0o644)
        _add_file(tar, "manifest.json", json.dumps(manifest, separators=(",", ":")).encode(), 0o644)
        _add_file(tar, "repositories", json.dumps(repositories, separators=(",", ":")).encode(), 0o644)
    return buf.getvalue(), f"sha256:{config_hex}"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    repo_root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(repo_root / "build" / "herodo-busybox.tar"))
    parser.add_argument("--busybox", default="/bin/busybox", help="static busybox binary (default /bin/busybox)")
    args = parser.parse_args(argv)

    busybox = Path(args.busybox)
    if not busybox.is_file():
        print(f"build_test_image: {busybox} not found (apt-get install busybox-static)", file=sys.stderr)
        return 1
    if not is_static_elf(busybox):
        print(f"build_test_image: {busybox} is not statically linked (apt-get install busybox-static)", file=sys.stderr)
        return 1
    data, image_id = docker_archive(busybox)
    output = Path(args.output)
    write_atomically(output, data)
    print(image_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
