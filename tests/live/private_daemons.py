"""Private container engines for live tests: a dockerd of the test's own (socket, data and exec roots under
a temporary folder, its own bridge, no iptables or sysctl changes; the shared dockerd is never touched).

    with private_dockerd_running(unusable) as daemon:     # unusable(reason): skip, or fail in CI
        daemon.address                                    # unix:///tmp/herodo-pd-.../docker.sock
        daemon.docker("load", "-i", tar)                  # the docker CLI against it
        daemon.stop(); daemon.start()

Used by test_faults.py (a daemon stopped between calls) and test_hosts_live.py (one playbook, many hosts).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class PrivateDockerd:
    """A dockerd of the test's own: socket, data and exec roots under ``root``, its own bridge
    interface (``--bridge=none`` would delete the host's docker0), no iptables or sysctl changes."""

    def __init__(self, root: Path, bridge: str) -> None:
        self.root = root
        self.bridge = bridge
        self.address = f"unix://{root}/docker.sock"
        self.proc: subprocess.Popen | None = None

    def start(self, wait: float = 30) -> bool:
        with open(self.root / "dockerd.log", "ab") as log:
            self.proc = subprocess.Popen(
                ["dockerd", "--host", self.address, "--data-root", str(self.root / "data"),
                 "--exec-root", str(self.root / "exec"), "--pidfile", str(self.root / "docker.pid"),
                 f"--bridge={self.bridge}", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                 "--ip-forward=false"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and self.proc.poll() is None:
            probe = subprocess.run(["docker", "--host", self.address, "version", "--format", "{{.Server.Version}}"],
                                   capture_output=True, timeout=30, check=False)
            if probe.returncode == 0:
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; its containerd goes with it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        deadline = time.monotonic() + 15
        while self.leftovers() and time.monotonic() < deadline:  # its containerd is still exiting
            time.sleep(0.1)

    def leftovers(self) -> list[str]:
        """Processes still running from this daemon's roots (its containerd)."""
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(self.root) in text:
                found.append(f"{cmdline.parent.name}: {text}")
        return found

    def log_tail(self) -> str:
        path = self.root / "dockerd.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""

    def docker(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """The docker CLI against this daemon (text, captured)."""
        return subprocess.run(["docker", "--host", self.address, *args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)


def _free_subnet() -> str:
    """A 10.213.X.1/24 no interface of this machine uses (several private daemons run at once)."""
    used = _ip("-o", "-4", "addr", "show").stdout
    free = [x for x in range(1, 251) if f" 10.213.{x}." not in used]
    return f"10.213.{secrets.choice(free)}.1/24"


@contextmanager
def private_dockerd_running(unusable: Callable[[str], None]) -> Iterator[PrivateDockerd]:
    """A started :class:`PrivateDockerd`; afterwards stopped, its mounts, folder and bridge removed, and
    checked to have left no process or mount. ``unusable(reason)`` when this machine cannot run one."""
    if not (shutil.which("dockerd") and shutil.which("docker") and shutil.which("ip")):
        unusable("a private dockerd needs dockerd, docker and ip (iproute2)")
    root = Path(tempfile.mkdtemp(prefix="herodo-pd-", dir="/tmp"))  # short: unix socket paths are short
    bridge = "hpd" + secrets.token_hex(4)
    made = _ip("link", "add", bridge, "type", "bridge")
    if made.returncode != 0:
        shutil.rmtree(root)
        unusable(f"cannot create a bridge for a private dockerd: {made.stderr.strip()}")
    _ip("addr", "add", _free_subnet(), "dev", bridge)
    daemon = PrivateDockerd(root, bridge)
    try:
        if not daemon.start():
            unusable(f"a private dockerd did not start:\n{daemon.log_tail()}")
        yield daemon
    finally:
        daemon.stop()
        stray = daemon.leftovers()
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
                  if line.split()[1].startswith(str(root))]
        for mount in reversed(mounts):
            subprocess.run(["umount", "-l", mount], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)
        _ip("link", "del", bridge)
        assert not stray, f"the private dockerd left processes: {stray}"
        assert not mounts, f"the private dockerd left mounts: {mounts}"
