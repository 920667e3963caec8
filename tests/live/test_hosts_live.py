"""``herodo --hosts`` on real engines through their own transports:

- three private dockerd daemons on their own sockets (tests/live/private_daemons.py), one of them stopped:
  that host fails (engine unreachable, exit 69), the others run the playbook, each on its own daemon;
  ``--forks 1`` and ``--forks 3`` both run every host;
- docker over ``ssh://root@127.0.0.1:PORT`` to an sshd of the test's own (Debian's openssh-server, its own
  host key and config, root login with the test's key only). The docker CLI starts ``ssh`` from PATH: the
  test puts first on PATH an ``ssh`` that adds ``-F CONFIG`` (ssh reads ~/.ssh/config from the passwd
  entry, not $HOME), whose known_hosts file the test writes: host keys are checked (a host name the file
  does not list is refused). The key's ``environment="DOCKER_HOST=..."`` points the remote
  ``docker system dial-stdio`` at a private daemon, so where the container lands shows the path taken;
- podman through its own connection URL: ``podman system service --time=0 unix://...`` started by the test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from private_daemons import PrivateDockerd, private_dockerd_running
from support import recap_line, unusable

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/herodo-busybox:latest"
HERODO = [sys.executable, "-m", "herodo_py.cli"]

PLAY = """
local name = arg[1] .. "-" .. os.getenv("HERODO_HOST")
local c = nerdctl_container_from_image(name, "localhost/herodo-busybox:latest"):with_command({"sleep", "300"}):build()
print("created " .. name .. " " .. c:status().state)
print("address " .. nerdctl_engine().address)
"""


def run_herodo(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HERODO_", "CONTAINERD_"))}
    return subprocess.run([*HERODO, *args], env={**clean, **env}, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def names_on(daemon: PrivateDockerd) -> list[str]:
    result = daemon.docker("ps", "-a", "--format", "{{.Names}}")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture(scope="module")
def image_tar(tmp_path_factory) -> Path:
    tar = tmp_path_factory.mktemp("image") / "herodo-busybox.tar"
    built = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_test_image.py"), str(tar)],
                           capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        unusable(f"cannot build the test image: {built.stderr.strip()[-500:]}")
    return tar


def loaded(daemon: PrivateDockerd, tar: Path) -> PrivateDockerd:
    result = daemon.docker("load", "-q", "-i", str(tar), timeout=300)
    assert result.returncode == 0, result.stderr
    return daemon


@pytest.fixture(scope="module")
def three_daemons(image_tar) -> Iterator[list[PrivateDockerd]]:
    with ExitStack() as stack:
        yield [loaded(stack.enter_context(private_dockerd_running(unusable)), image_tar) for _ in range(3)]


@pytest.fixture
def play(tmp_path) -> Path:
    path = tmp_path / "play.lua"
    path.write_text(PLAY)
    return path


def test_three_daemons_one_stopped(three_daemons, play, tmp_path, unique_name) -> None:
    d1, d2, d3 = three_daemons
    prefix = unique_name()
    inventory = tmp_path / "fleet.txt"
    inventory.write_text(f"# three private daemons\nd1 {d1.address} docker\nd2 {d2.address} docker\n"
                         f"d3 {d3.address} docker   # stopped below\n")
    d3.stop()
    try:
        result = run_herodo("--hosts", str(inventory), "--forks", "3", str(play), "--", prefix)
    finally:
        assert d3.start(), d3.log_tail()
    assert result.returncode == 1, result.stderr
    for name, daemon in (("d1", d1), ("d2", d2)):
        assert f"{name} | created {prefix}-{name} running" in result.stdout.splitlines()
        assert f"{name} | address {daemon.address}" in result.stdout.splitlines()
        assert re.match(rf"  {name} +ok +exit 0 ", recap_line(result.stderr, name))
        assert [n for n in names_on(daemon) if n.startswith(prefix)] == [f"{prefix}-{name}"]  # on its own daemon
        daemon.docker("rm", "-f", f"{prefix}-{name}")
    assert re.match(r"  d3 +unavailable +exit 69 ", recap_line(result.stderr, "d3"))
    assert re.search(r"^d3 \| .*Cannot connect to the Docker daemon", result.stderr, re.M), result.stderr
    assert result.stderr.splitlines()[-1] == "herodo: 1 of 3 hosts failed: d3"
    assert names_on(d3) == []
    assert all(re.match(r"d[123] \| ", line) for line in result.stdout.splitlines())


@pytest.mark.parametrize("forks", ["1", "3"])
def test_forks_one_and_three_run_every_host(three_daemons, play, unique_name, forks) -> None:
    prefix = unique_name()
    hosts = ",".join(f"d{i}=docker+{d.address}" for i, d in enumerate(three_daemons, start=1))
    result = run_herodo("--hosts", hosts, "--forks", forks, str(play), "--", prefix)
    assert result.returncode == 0, result.stderr
    assert f"3 hosts, forks {forks}," in result.stderr
    for i, daemon in enumerate(three_daemons, start=1):
        assert f"d{i} | created {prefix}-d{i} running" in result.stdout.splitlines()
        assert f"{prefix}-d{i}" in names_on(daemon)
        daemon.docker("rm", "-f", f"{prefix}-d{i}")


# --- docker over ssh -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackSshd:
    """An sshd on 127.0.0.1:PORT with its own host key and config; root logs in with the test's key only, and
    that key's sessions get ``DOCKER_HOST=docker_host``. ``client_bin``: a folder with an ``ssh`` that uses
    the test's client config (key, known_hosts with this sshd's host key, strict host key checking)."""

    def __init__(self, root: Path, docker_host: str) -> None:
        self.root, self.port = root, free_port()
        for key in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(root / key)], check=True,
                           capture_output=True, timeout=60)
        client_public = (root / "client_key.pub").read_text().strip()
        (root / "authorized_keys").write_text(f'environment="DOCKER_HOST={docker_host}" {client_public}\n')
        host_public = " ".join((root / "host_key.pub").read_text().split()[:2])
        (root / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_public}\n")
        (root / "sshd_config").write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {root / 'host_key'}",
            f"PidFile {root / 'sshd.pid'}", f"AuthorizedKeysFile {root / 'authorized_keys'}",
            "PermitRootLogin prohibit-password", "AllowUsers root", "PubkeyAuthentication yes",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
            "StrictModes no",  # the key files live under /tmp (world-writable): the test's own sshd only
            "PermitUserEnvironment DOCKER_HOST", "LogLevel VERBOSE", "",
        ]))
        (root / "ssh_config").write_text("\n".join([
            "Host *", f"  IdentityFile {root / 'client_key'}", "  IdentitiesOnly yes",
            f"  UserKnownHostsFile {root / 'known_hosts'}", "  GlobalKnownHostsFile /dev/null",
            "  StrictHostKeyChecking yes", "  BatchMode yes", "",
        ]))
        self.client_bin = root / "bin"
        self.client_bin.mkdir()
        wrapper = self.client_bin / "ssh"
        wrapper.write_text(f"#!/bin/sh\nexec {shlex.quote(shutil.which('ssh') or '/usr/bin/ssh')} "
                           f"-F {shlex.quote(str(root / 'ssh_config'))} \"$@\"\n")
        wrapper.chmod(0o755)
        self.log = root / "sshd.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> bool:
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"  # sshd wants its absolute path (it re-executes itself)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(self.root / "sshd_config")],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def sshd_to_private_dockerd(image_tar) -> Iterator[tuple[LoopbackSshd, PrivateDockerd]]:
    if not (shutil.which("sshd") or Path("/usr/sbin/sshd").exists()) or not shutil.which("ssh-keygen"):
        unusable("docker over ssh needs openssh-server and openssh-client (bash scripts/engines-up.sh)")
    privsep = Path("/run/sshd")  # sshd's privilege separation folder (made by its service scripts)
    made_privsep = not privsep.exists()
    privsep.mkdir(mode=0o755, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="herodo-ssh-", dir="/tmp"))
    try:
        with private_dockerd_running(unusable) as daemon:
            sshd = LoopbackSshd(root, daemon.address)
            try:
                if not sshd.start():
                    unusable(f"the test's sshd did not start: {sshd.log.read_text()[-1500:]}")
                yield sshd, loaded(daemon, image_tar)
            finally:
                sshd.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if made_privsep:
            privsep.rmdir()


def test_docker_over_ssh(sshd_to_private_dockerd, play, tmp_path, unique_name) -> None:
    sshd, daemon = sshd_to_private_dockerd
    prefix = unique_name()
    remote = f"ssh://root@127.0.0.1:{sshd.port}"
    inventory = tmp_path / "fleet.txt"
    # "spoofed" reaches the same sshd under a name known_hosts does not list: its host key is not trusted
    inventory.write_text(f"remote {remote} docker\nspoofed ssh://root@localhost:{sshd.port} docker\n")
    result = run_herodo("--hosts", str(inventory), str(play), "--", prefix,
                        PATH=f"{sshd.client_bin}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 1, result.stderr
    assert f"remote  | created {prefix}-remote running" in result.stdout.splitlines()
    assert f"remote  | address {remote}" in result.stdout.splitlines()
    assert re.match(r"  remote +ok +exit 0 ", recap_line(result.stderr, "remote"))
    # the container is on the private daemon the ssh session was pointed at: the path went through sshd
    assert f"{prefix}-remote" in names_on(daemon)
    assert "Accepted publickey for root" in sshd.log.read_text()
    assert re.match(r"  spoofed +\S+ +exit [1-9]", recap_line(result.stderr, "spoofed"))
    assert re.search(r"^spoofed \| .*Host key verification failed", result.stderr, re.M), result.stderr
    assert f"{prefix}-spoofed" not in names_on(daemon)
    daemon.docker("rm", "-f", f"{prefix}-remote")


# --- podman through its own connection URL --------------------------------------------------------------


@pytest.fixture
def podman_service() -> Iterator[str]:
    if not shutil.which("podman"):
        unusable("podman is not installed (bash scripts/engines-up.sh)")
    root = Path(tempfile.mkdtemp(prefix="herodo-pod-", dir="/tmp"))
    url = f"unix://{root}/podman.sock"
    with open(root / "service.log", "wb") as log:
        proc = subprocess.Popen(["podman", "system", "service", "--time=0", url], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            probe = subprocess.run(["podman", "--url", url, "version", "--format", "{{.Server.Version}}"],
                                   capture_output=True, timeout=30, check=False)
            if probe.returncode == 0:
                break
            time.sleep(0.2)
        else:
            unusable(f"podman system service did not answer: {(root / 'service.log').read_text()[-1500:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def test_podman_through_its_connection_url(podman_service, play, unique_name) -> None:
    prefix = unique_name()
    name = f"{prefix}-pod"
    try:
        result = run_herodo("--hosts", f"pod=podman+{podman_service}", str(play), "--", prefix)
        assert result.returncode == 0, result.stderr
        assert f"pod | created {name} running" in result.stdout.splitlines()
        assert f"pod | address {podman_service}" in result.stdout.splitlines()
        assert re.match(r"  pod +ok +exit 0 ", recap_line(result.stderr, "pod"))
        listed = subprocess.run(["podman", "ps", "-a", "--format", "{{.Names}}"], capture_output=True, text=True,
                                timeout=120)
        assert name in listed.stdout.split()
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], capture_output=True, timeout=180)
