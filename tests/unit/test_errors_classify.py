"""Every failure block of every engine's fixture errors.txt gets the right class and engine words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from herodo_py.nerdctl import errors as e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def blocks(engine: str) -> list[tuple[str, int | None, str]]:
    """(case, exit code, output) per command in errors.txt; a block with two ``$ `` commands gives two."""
    found: list[tuple[str, int | None, str]] = []
    text = (FIXTURES / engine / "errors.txt").read_text()
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        case = head.split("|")[0].strip()
        commands: list[list[str]] = [[]]
        for line in body.splitlines():
            if line.startswith("$ "):
                commands.append([])
            elif line.strip() and line != "[]":  # "[]" is inspect's stdout
                commands[-1].append(line)
        for n, lines in enumerate(c for c in commands if c):
            code = None
            if re.fullmatch(r"rc=\d+|\d+", lines[-1]):
                code = int(lines.pop().removeprefix("rc="))
            found.append((f"{case} #{n + 1}", code, "\n".join(lines) + "\n"))
    return found


# (class, words the engine message starts with) per case; "#2" is the second command of a block.
EXPECTED: dict[str, dict[str, tuple[type[e.NerdctlError], str]]] = {
    "nerdctl": {
        "no such container (rm -f) #1": (e.NoSuchContainer, "no such container: ad920be98a1a"),
        "name already used (stale name store) + rm of unknown name #1": (e.NameInUse, 'name "foo" is already used by ID ""'),
        "name already used (stale name store) + rm of unknown name #2": (e.NoSuchContainer, "no such container: foo"),
        "name already used #1": (e.NameInUse, 'name "adguardhome" is already used by ID "a1e09c7b'),
        "name already used (message part only, as quoted by the reporter) #1":
            (e.NameInUse, 'name "redis" is already used by ID "add9d7fc'),
        "duplicate names (bug) -> ambiguous reference #1":
            (e.CommandFailed, "multiple IDs found with provided prefix: restarttest"),
        "container vanished between list and use #1":
            (e.NoSuchContainer, 'container "e8142a2b404412639ed331c27bd6be0b1b9b5f9ec23e2edfba6a1ebf85130ee1" '
                                'in namespace "nerdctl-test": not found'),
        "rm of a running container without -f #1": (e.CommandFailed, "You cannot remove a running container f4ac"),
        "image not found / no access (run pulls implicitly); progress lines precede the error #1":
            (e.NoSuchImage, 'failed to resolve reference "docker.io/library/pull:latest": pull access denied'),
        # a registry's 403: the reference cannot be resolved (there is no finer class for registry access)
        "registry refuses (403) #1": (e.NoSuchImage, 'failed to resolve reference "m.daocloud.io/'),
        "pull ok but unpack fails #1": (e.CommandFailed, "failed to unpack image on snapshotter overlayfs"),
        "containerd socket not reachable (with Docker-containerd hint) #1":
            (e.EngineUnreachable, 'cannot access containerd socket "/run/k3s/containerd/containerd.sock"'),
        "containerd socket not reachable (no hint) #1":
            (e.EngineUnreachable, 'cannot access containerd socket "/run/containerd/containerd.sock"'),
        "non-root user, no rootless containerd (what an unprivileged caller gets instead of \"permission denied\") #1":
            (e.EngineUnreachable, "rootless containerd not running?"),
        "permission denied inside the OCI/CNI setup path (escaping of the nested quotes not verified) #1":
            (e.PermissionDenied, "failed to create shim task: OCI runtime create failed"),
        "operation not permitted (nerdctl in an unprivileged pod) #1": (e.PermissionDenied, "operation not permitted"),
        "AppArmor tooling missing on host #1": (e.CommandFailed, 'get apparmor_parser version: exec: "apparmor_parser"'),
        "build without BuildKit #1": (e.BuildKitMissing, "`buildctl` needs to be installed and `buildkitd`"),
        "inspect --format on a missing key; note the WARN printed even for a running container #1":
            (e.CommandFailed, '[template parsing error: template: :1:26: executing "" at <.State.Error>'),
        "exec: command exits non-zero -> nerdctl exits 1 and prints the real code (docker would exit 127) #1":
            (e.CommandFailed, "exec failed with exit code 127"),
        "unsupported docker flag (here `network ls --no-trunc`) #1": (e.CommandFailed, "unknown flag: --no-trunc"),
        "unsupported flag, TTY form #1": (e.CommandFailed, "unknown flag: --filter"),
    },
    "docker": {
        # a bare `inspect` does not know whether a container or an image was meant
        "inspect missing #1": (e.CommandFailed, "No such object: no-such-ctr-xyz"),
        "container inspect missing #1": (e.NoSuchContainer, "No such container: no-such-ctr-xyz"),
        "rm missing #1": (e.NoSuchContainer, "No such container: no-such-ctr-xyz"),
        "stop missing #1": (e.NoSuchContainer, "No such container: no-such-ctr-xyz"),
        "exec missing #1": (e.NoSuchContainer, "No such container: no-such-ctr-xyz"),
        "logs missing #1": (e.NoSuchContainer, "No such container: no-such-ctr-xyz"),
        "name in use #1": (e.NameInUse, 'Conflict. The container name "/research-probe-docker-9235" is already in use'),
        "rmi missing #1": (e.NoSuchImage, "No such image: no-such-image-xyz:1"),
        "run missing image (pull never) #1": (e.NoSuchImage, "No such image: no-such-image-xyz:1"),
        "rm running #1": (e.CommandFailed, "You cannot remove a running container 8a216fa4"),
    },
    "podman": {
        "inspect missing #1": (e.CommandFailed, 'inspecting object: no such object: "no-such-ctr-xyz"'),
        "container inspect missing #1": (e.NoSuchContainer, "inspecting object: no such container no-such-ctr-xyz"),
        "rm missing #1": (e.NoSuchContainer, 'no container with name or ID "no-such-ctr-xyz" found: no such container'),
        "stop missing #1": (e.NoSuchContainer, 'no container with name or ID "no-such-ctr-xyz" found'),
        "exec missing #1": (e.NoSuchContainer, 'no container with name or ID "no-such-ctr-xyz" found'),
        "logs missing #1": (e.NoSuchContainer, 'no container with name or ID "no-such-ctr-xyz" found'),
        "name in use #1": (e.NameInUse, 'creating container storage: the container name "research-probe-podman-9637"'),
        "rmi missing #1": (e.NoSuchImage, "no-such-image-xyz:1: image not known"),
        "run missing image (pull never) #1": (e.NoSuchImage, "no-such-image-xyz:1: image not known"),
    },
}

# Blocks that are not failures: their stderr holds only warnings / podman's systemd chatter.
SUCCESSES = {
    ("nerdctl", "warning on stderr during a successful `nerdctl version` (buildctl absent) #1"),
    ("podman", "rm running #1"),  # podman removes a running container without -f (exit 0)
}

CASES = [(engine, *block) for engine in ("nerdctl", "docker", "podman") for block in blocks(engine)]


def test_every_block_has_an_expectation():
    seen = {(engine, case) for engine, case, _, _ in CASES}
    expected = {(engine, case) for engine, table in EXPECTED.items() for case in table} | SUCCESSES
    assert seen == expected


@pytest.mark.parametrize("engine, case, code, output", [c for c in CASES if (c[0], c[1]) not in SUCCESSES],
                         ids=lambda v: re.sub(r"[^A-Za-z0-9]+", "-", str(v))[:60])  # plain ids: mutmut passes them back
def test_classification(engine, case, code, output):
    cls, words = EXPECTED[engine][case]
    argv = [engine, "x"]
    err = e.classify_failure(argv, 1 if code is None else code, "", output)
    assert type(err) is cls, err.message
    assert err.engine_message.startswith(words)
    assert err.message.startswith(f"`{engine} x` exited with status") and words in err.message
    assert err.category == cls.__name__ and err.kind == "CommandFailed"
    if cls is not e.CommandFailed:
        assert err.hint  # every finer class says what to do


@pytest.mark.parametrize("engine, case", sorted(SUCCESSES))
def test_warnings_alone_are_no_engine_message(engine, case):
    (output,) = [o for eng, c, _, o in CASES if (eng, c) == (engine, case)]
    stderr = "\n".join(line for line in output.splitlines() if "level=" in line or "WARN[" in line)
    assert stderr and e.engine_message(stderr) == ""


def test_podman_rlimit_run_failure():
    text = (FIXTURES / "podman" / "run-failure-rlimit.txt").read_text()
    stderr = "\n".join(line for line in text.splitlines() if not line.startswith("rc="))
    err = e.classify_failure(["podman", "run"], 126, "", stderr)
    assert isinstance(err, e.PermissionDenied)
    # the systemd timer line (level=error) is chatter; the Error: line is the cause
    assert err.engine_message.startswith("runc: runc create failed") and "systemd" not in err.engine_message


def test_two_fatal_lines_are_both_kept():
    output = {c: o for eng, c, _, o in CASES if eng == "nerdctl"}[
        "name already used (message part only, as quoted by the reporter) #1"]
    assert e.engine_message(output).splitlines()[1] == "OCI runtime start failed: cannot start a container that has stopped: unknown"


# Seen on this machine (docker 28.2.2 / dockerd 20.10, podman 4.3.1), not in the fixtures.
LIVE = [
    ("docker push of a missing local image", "The push refers to repository [localhost/x]",
     "An image does not exist locally with the tag: localhost/x\n", e.NoSuchImage),
    ("docker pull of an unknown tag", "", "Error response from daemon: manifest for 127.0.0.1:5000/x:1 not found: "
     "manifest unknown: manifest unknown\n", e.NoSuchImage),
    ("podman pull of an unknown tag", "Trying to pull 127.0.0.1:5000/x:1...\n",
     "Error: initializing source docker://127.0.0.1:5000/x:1: reading manifest 1 in 127.0.0.1:5000/x: "
     "manifest unknown: manifest unknown\n", e.NoSuchImage),
    ("podman cp with a missing container", "", 'Error: container "herodo-t-889a9158" does not exist\n',
     e.NoSuchContainer),
    ("podman run with a busy port", "", "Error: unable to start container \"7658d9e3\": cannot listen on the TCP "
     "port: listen tcp4 :18099: bind: address already in use\n", e.PortInUse),
]


@pytest.mark.parametrize("case, stdout, stderr, cls", LIVE, ids=[c[0] for c in LIVE])
def test_live_messages(case, stdout, stderr, cls):
    err = e.classify_failure(["engine", "x"], 1, stdout, stderr)
    assert type(err) is cls and err.engine_message in stderr
