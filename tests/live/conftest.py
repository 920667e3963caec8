"""Fixtures for live tests against the real engines (docker and podman) on this machine.

Bring the engines up first: `bash scripts/engines-up.sh` (CI does it in .ci/run).

    def test_x(engine, test_image, unique_name, monkeypatch):
        monkeypatch.setenv("HERODO_ENGINE", engine.name)
        name = unique_name()                      # "herodo-t-1a2b3c4d", removed after the test
        ...herodo_py code runs a container called `name` from `test_image`...
        assert engine.run("inspect", name).returncode == 0

- `engine`: parametrized over "docker" and "podman"; `.name`, `.cli` (path of the binary),
  `.run(*args, check=False, timeout=120, input=None)` -> subprocess.CompletedProcess (text),
  `.track_image(ref)` to have an image removed after the test.
- `test_image`: "localhost/herodo-busybox:latest", checked present in that engine.
- `unique_name`: factory of names `herodo-t-<8 hex>`; after the test, containers with these names
  and images whose reference contains them are force-removed (on both engines), even on failure.
- `registry`: "127.0.0.1:5000" once http://127.0.0.1:5000/v2/ answers 200 (push with podman needs
  --tls-verify=false).
An engine, image or registry that is not usable fails the test when CI=true, else skips it.
At session end every container named herodo-t-* is removed from both engines (only this session's
own ones while another live-test session runs on the machine).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import unusable

ENGINES = ["docker", "podman"]
TEST_IMAGE = "localhost/herodo-busybox:latest"
REGISTRY = "127.0.0.1:5000"
NAME_PREFIX = "herodo-t-"
HINT = "run `bash scripts/engines-up.sh` first"
SESSIONS_DIR = Path("/tmp/herodo-live-sessions")


def _run(argv: list[str], timeout: float = 120, input: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(argv, 124, e.stdout or "", (e.stderr or "") + f"\ntimed out after {timeout} s")


@dataclass
class Engine:
    name: str  # "docker" or "podman"
    cli: str  # absolute path of the CLI
    images: list[str] = field(default_factory=list)

    def run(self, *args: str, check: bool = False, timeout: float = 120,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Run the raw CLI (argv list, no shell) and return the completed process (text mode)."""
        result = _run([self.cli, *args], timeout=timeout, input=input)
        if check and result.returncode != 0:
            pytest.fail(f"`{self.name} {' '.join(args)}` exited {result.returncode}:\n{result.stderr}", pytrace=False)
        return result

    def track_image(self, ref: str) -> str:
        """Remove image `ref` from this engine after the test."""
        self.images.append(ref)
        return ref


# --- probing, once per session -------------------------------------------------------------------

_probe_cache: dict[str, tuple[str | None, str | None]] = {}


def probe(name: str) -> tuple[str | None, str | None]:
    """(cli path, None) when the engine answers, else (path or None, reason)."""
    if name not in _probe_cache:
        cli = shutil.which(name)
        if cli is None:
            _probe_cache[name] = (None, f"{name}: not installed ({HINT})")
        else:
            # docker: the daemon must answer; podman: the CLI must work (it has no daemon)
            args = ["version", "--format", "{{.Server.Version}}"] if name == "docker" else ["info", "--format", "{{.Host.Arch}}"]
            result = _run([cli, *args], timeout=60)
            reason = None if result.returncode == 0 else f"{name}: `{name} {args[0]}` failed ({HINT}): {result.stderr.strip()[-500:]}"
            _probe_cache[name] = (cli, reason)
    return _probe_cache[name]


def usable_engines() -> list[Engine]:
    return [Engine(n, cli) for n in ENGINES for cli, reason in [probe(n)] if reason is None]


def force_remove(eng: Engine, containers: list[str], image_markers: list[str] = (), images: list[str] = ()) -> None:
    """Best effort: remove the named containers, images whose reference contains a marker, and `images`."""
    if containers:
        # podman would wait 10 s for a container that ignores SIGTERM (a shell as PID 1)
        eng.run("rm", "-f", *(["-t", "0"] if eng.name == "podman" else []), *containers, timeout=180)
    refs = list(images)
    if image_markers:
        listed = eng.run("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
        refs += [r for r in listed if any(m in r for m in image_markers)]
    if refs:
        eng.run("rmi", "-f", *dict.fromkeys(refs), timeout=180)


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(params=ENGINES)
def engine(request, use_engine):
    """The engine under test; herodo_py talks to it (default settings) for the test's duration."""
    cli, reason = probe(request.param)
    if reason:
        unusable(reason)
    eng = Engine(request.param, cli)
    use_engine(eng.name)
    yield eng
    if eng.images:
        force_remove(eng, [], images=eng.images)


_image_ok: dict[str, bool] = {}


@pytest.fixture
def test_image(engine) -> str:
    if engine.name not in _image_ok:
        _image_ok[engine.name] = engine.run("image", "inspect", TEST_IMAGE).returncode == 0
    if not _image_ok[engine.name]:
        unusable(f"{engine.name}: test image {TEST_IMAGE} is missing ({HINT})")
    return TEST_IMAGE


_session_names: list[str] = []


@pytest.fixture
def unique_name():
    names: list[str] = []

    def make() -> str:
        name = NAME_PREFIX + secrets.token_hex(4)
        names.append(name)
        _session_names.append(name)
        return name

    yield make
    if names:
        for eng in usable_engines():
            force_remove(eng, names, image_markers=names)


@pytest.fixture(scope="session")
def registry() -> str:
    url = f"http://{REGISTRY}/v2/"
    try:
        status = urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError as e:
        status = f"no answer ({e})"
    if status != 200:
        unusable(f"registry {url}: {status} ({HINT})")
    return REGISTRY


@pytest.fixture(scope="session", autouse=True)
def _sweep_test_containers():
    """At session end, remove herodo-t-* containers left on either engine."""
    SESSIONS_DIR.mkdir(parents=True, exist_ok=True)
    me = SESSIONS_DIR / str(os.getpid())
    me.touch()
    yield
    me.unlink(missing_ok=True)
    others = [p for p in SESSIONS_DIR.iterdir() if p.name.isdigit() and Path(f"/proc/{p.name}").exists()]
    for eng in usable_engines():
        if others:  # another live-test session runs on this machine: leave its containers alone
            names = list(_session_names)
        else:
            listed = eng.run("ps", "-a", "--format", "{{.Names}}").stdout.split()
            names = [n for n in listed if n.startswith(NAME_PREFIX)]
        force_remove(eng, names)
