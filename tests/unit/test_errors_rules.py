"""Every classification rule, per engine, from the engine's real text (tests/fixtures/*/errors-rules.txt and
errors.txt): which class each text gets, that each alternative of each rule is met by real text, that the rules
ignore case, and that their order decides where a text matches two rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from herodo_py.nerdctl import errors as e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def ident(text: str) -> str:
    """A test id of letters, digits and '-' only (node ids must survive a shell and mutmut's runner)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


def rule_blocks(engine: str, name: str = "errors-rules.txt") -> dict[str, tuple[int | None, str]]:
    """{case: (exit code, stderr)} from one fixture file in errors.txt's block format."""
    found: dict[str, tuple[int | None, str]] = {}
    text = (FIXTURES / engine / name).read_text()
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        lines = [line for line in body.splitlines() if line.strip() and line != "[]"]
        code = int(lines.pop().removeprefix("rc=")) if lines and re.fullmatch(r"rc=\d+", lines[-1]) else None
        found[head.split("|")[0].strip()] = (code, "\n".join(lines) + "\n")
    return found


# (engine, case) -> (class, words the engine message starts with)
EXPECTED: dict[tuple[str, str], tuple[type[e.CommandFailed], str]] = {
    ("docker", "daemon unreachable (no socket)"):
        (e.EngineUnreachable, "Cannot connect to the Docker daemon at unix:///tmp/nonexistent.sock."),
    ("docker", "daemon unreachable (socket file, nobody listening)"):
        (e.EngineUnreachable, "Cannot connect to the Docker daemon at unix:///tmp/t18-dead.sock."),
    ("docker", "socket not permitted (unprivileged user)"):
        (e.PermissionDenied, "WARNING: Error loading config file"),
    ("docker", "port already allocated"):
        (e.PortInUse, "driver failed programming external connectivity on endpoint t18-port-b"),
    ("docker", "repository unknown to the registry (404 NAME_UNKNOWN)"):
        (e.NoSuchImage, "repository 127.0.0.1:5918/t18/no-such-repo not found: name unknown"),
    # no finer class: a registry that wants a login is neither a missing image nor a local permission
    ("docker", "registry refuses without login (401 UNAUTHORIZED)"):
        (e.CommandFailed, "unauthorized: requested access to the resource is denied"),
    ("docker", "pull access denied (Docker Hub, missing repository)"):
        (e.NoSuchImage, "pull access denied for utils, repository does not exist"),
    # "connection refused" alone is a program's failure inside the container, not an unreachable engine
    ("docker", "a program in the container is refused (not the engine)"):
        (e.CommandFailed, "wget: can't connect to remote host (127.0.0.1): Connection refused"),
    ("docker", "pull access denied, run form"): (e.NoSuchImage, "pull access denied for test, repository does not"),
    ("podman", "service unreachable (no socket)"):
        (e.EngineUnreachable, 'unable to connect to Podman socket: Get "http://d/v4.3.1/libpod/_ping"'),
    ("podman", "service unreachable (socket file, nobody listening)"):
        (e.EngineUnreachable, "unable to connect to Podman socket:"),
    ("podman", "port already in use"): (e.PortInUse, "cannot listen on the TCP port: listen tcp4 127.0.0.1:18919"),
    ("podman", "repository unknown to the registry (404 NAME_UNKNOWN)"):
        (e.NoSuchImage, "initializing source docker://127.0.0.1:5918/t18/no-such-repo:latest"),
    ("podman", "tag unknown to the registry"):
        (e.NoSuchImage, "initializing source docker://127.0.0.1:5000/t18-no-such-repo:latest"),
    ("nerdctl", "containerd socket refuses connections"):
        (e.EngineUnreachable, 'failed to dial "/run/containerd/containerd.sock": connection error'),
    ("nerdctl", "host port already allocated"):
        (e.PortInUse, "failed to load networking flags: bind for :8080 failed: port is already allocated"),
}

CASES = {(engine, case): block for engine in ("docker", "podman", "nerdctl")
         for case, block in rule_blocks(engine).items()}


def all_real_texts() -> list[tuple[str, str]]:
    """(label, engine message) of every real failure text kept in the fixtures."""
    texts = []
    for engine in ("docker", "podman", "nerdctl"):
        for name in ("errors.txt", "errors-rules.txt"):
            for case, (_, stderr) in rule_blocks(engine, name).items():
                texts.append((f"{engine}/{name}/{case}", e.engine_message(stderr)))
    return texts


def test_every_case_has_an_expectation():
    assert set(CASES) == set(EXPECTED)


@pytest.mark.parametrize("engine, case", sorted(EXPECTED), ids=[ident(f"{e_}-{c}") for e_, c in sorted(EXPECTED)])
def test_rule_from_real_text(engine, case):
    cls, words = EXPECTED[(engine, case)]
    code, stderr = CASES[(engine, case)]
    err = e.classify_failure([engine, "x"], 1 if code is None else code, "", stderr)
    assert type(err) is cls, err.message
    assert err.engine_message.startswith(words), err.engine_message
    assert err.code == (1 if code is None else code) and err.stderr == stderr


# Each alternative of each rule, and one real text (label prefix) in which it is the match.
ALTERNATIVES: list[tuple[type[e.CommandFailed], str, str]] = [
    (e.EngineUnreachable, "cannot access containerd socket", "nerdctl/errors.txt/containerd socket not reachable"),
    (e.EngineUnreachable, "cannot connect to the docker daemon", "docker/errors-rules.txt/daemon unreachable"),
    (e.EngineUnreachable, "is the docker daemon running", "docker/errors-rules.txt/daemon unreachable"),
    (e.EngineUnreachable, "rootless containerd not running", "nerdctl/errors.txt/non-root user"),
    (e.EngineUnreachable, "unable to connect to podman", "podman/errors-rules.txt/service unreachable"),
    (e.EngineUnreachable, "connection refused", "nerdctl/errors-rules.txt/containerd socket refuses"),
    (e.NoSuchContainer, "no such container", "docker/errors.txt/rm missing"),
    (e.NoSuchContainer, "no container with name or id", "podman/errors.txt/rm missing"),
    (e.NoSuchContainer, "in namespace", "nerdctl/errors.txt/container vanished"),
    (e.NoSuchImage, "no such image", "docker/errors.txt/rmi missing"),
    (e.NoSuchImage, "image not known", "podman/errors.txt/rmi missing"),
    (e.NoSuchImage, "pull access denied", "docker/errors-rules.txt/pull access denied"),
    (e.NoSuchImage, "repository does not exist", "docker/errors-rules.txt/pull access denied"),
    (e.NoSuchImage, "name unknown", "docker/errors-rules.txt/repository unknown"),
    (e.NoSuchImage, "manifest unknown", "podman/errors-rules.txt/tag unknown"),
    (e.NoSuchImage, "failed to resolve reference", "nerdctl/errors.txt/registry refuses"),
    (e.NameInUse, "is already used by id", "nerdctl/errors.txt/name already used"),
    (e.NameInUse, "is already in use", "docker/errors.txt/name in use"),
    (e.PortInUse, "port is already allocated", "docker/errors-rules.txt/port already allocated"),
    (e.PortInUse, "address already in use", "podman/errors-rules.txt/port already in use"),
    (e.BuildKitMissing, "`buildctl` needs to be installed", "nerdctl/errors.txt/build without BuildKit"),
    (e.PermissionDenied, "permission denied", "docker/errors-rules.txt/socket not permitted"),
    (e.PermissionDenied, "operation not permitted", "nerdctl/errors.txt/operation not permitted"),
]


@pytest.mark.parametrize("cls, words, label", ALTERNATIVES, ids=[ident(f"{a[0].__name__}-{a[1]}") for a in ALTERNATIVES])
def test_each_alternative_meets_real_text(cls, words, label):
    matching = [(lab, text) for lab, text in all_real_texts() if lab.startswith(label)]
    assert matching, label
    for lab, text in matching:
        assert words in text.lower(), lab
        assert type(e.classify_failure(["x"], 1, "", text)) is cls, lab


@pytest.mark.parametrize("label, text", [t for t in all_real_texts() if t[1]],
                         ids=[f"{n}-{ident(t[0])}" for n, t in enumerate(t for t in all_real_texts() if t[1])])
def test_rules_ignore_case(label, text):
    """Every real text is classified the same in upper and lower case (the engines change case across versions)."""
    cls = type(e.classify_failure(["x"], 1, "", text))
    assert type(e.classify_failure(["x"], 1, "", text.upper())) is cls
    assert type(e.classify_failure(["x"], 1, "", text.lower())) is cls


def matching_rules(text: str) -> list[type[e.CommandFailed]]:
    return [cls for pattern, cls in e._RULES if pattern.search(text)]


def test_rule_order_decides_between_two_matches():
    """Real texts that meet two rules get the earlier rule's class; each such pair of rules is listed."""
    pairs = {tuple(matching_rules(text)[:2]) for _, text in all_real_texts() if len(matching_rules(text)) > 1}
    # "pull access denied" holds "access denied"; "... not found: name unknown: requested access to the resource
    # is denied" too: a missing image, not a local permission problem
    assert (e.NoSuchImage, e.PermissionDenied) in pairs
    for label, text in all_real_texts():
        found = matching_rules(text)
        if found:
            assert type(e.classify_failure(["x"], 1, "", text)) is found[0], label


def test_missing_image_wins_over_access_denied():
    _, stderr = CASES[("docker", "pull access denied (Docker Hub, missing repository)")]
    assert matching_rules(e.engine_message(stderr))[:2] == [e.NoSuchImage, e.PermissionDenied]
    assert type(e.classify_failure(["docker", "pull"], 1, "", stderr)) is e.NoSuchImage


def test_rule_searches_stderr_when_no_engine_words():
    """With no engine message (blank stderr lines only the rules can read), the raw stderr is searched."""
    stderr = 'time="2024-01-01T00:00:00Z" level=info msg="port is already allocated"\n'
    assert e.engine_message(stderr) == ""
    assert type(e.classify_failure(["x"], 1, "", stderr)) is e.PortInUse
    assert type(e.classify_failure(["x"], 1, "", "")) is e.CommandFailed


# One clause of real text per alternative, holding that alternative and no other of its rule: each alternative is
# needed on its own (engine versions word the same failure with one clause or the other).
CLAUSES: list[tuple[type[e.CommandFailed], str]] = [
    (e.EngineUnreachable, "Cannot connect to the Docker daemon at unix:///tmp/nonexistent.sock."),
    (e.EngineUnreachable, "Is the docker daemon running?"),
    (e.EngineUnreachable, 'cannot access containerd socket "/run/containerd/containerd.sock": no such file or directory'),
    (e.EngineUnreachable, "rootless containerd not running?"),
    (e.EngineUnreachable, "unable to connect to Podman socket"),
    (e.EngineUnreachable, "dial unix /run/containerd/containerd.sock: connect: connection refused"),
    (e.NoSuchContainer, "No such container: no-such-ctr-xyz"),
    (e.NoSuchContainer, 'no container with name or ID "no-such-ctr-xyz" found'),
    (e.NoSuchContainer, 'container "herodo-t-889a9158" does not exist'),
    (e.NoSuchContainer, 'container "e8142a2b404412639ed331c27bd6be0b1b9b5f9ec23e2edfba6a1ebf85130ee1" in namespace '
                        '"nerdctl-test": not found'),
    (e.NoSuchImage, "No such image: no-such-image-xyz:1"),
    (e.NoSuchImage, "no-such-image-xyz:1: image not known"),
    (e.NoSuchImage, "pull access denied for utils"),
    (e.NoSuchImage, "repository does not exist or may require 'docker login'"),
    (e.NoSuchImage, "An image does not exist locally with the tag: localhost/x"),
    (e.NoSuchImage, "repository 127.0.0.1:5918/t18/no-such-repo not found: name unknown"),
    (e.NoSuchImage, "manifest unknown"),
    (e.NoSuchImage, 'failed to resolve reference "m.daocloud.io/cr.weaviate.io/semitechnologies/weaviate:1.25.4"'),
    (e.NameInUse, 'name "foo" is already used by ID ""'),
    (e.NameInUse, 'The container name "/research-probe-docker-9235" is already in use'),
    (e.PortInUse, "Bind for 127.0.0.1:18918 failed: port is already allocated"),
    (e.PortInUse, "listen tcp4 127.0.0.1:18919: bind: address already in use"),
    (e.BuildKitMissing, "`buildctl` needs to be installed"),
    (e.BuildKitMissing, "`buildkitd` needs to be running"),
    (e.PermissionDenied, "open /etc/cni/tuning/allowlist.conf: permission denied"),
    (e.PermissionDenied, "operation not permitted"),
]


@pytest.mark.parametrize("cls, clause", CLAUSES, ids=[f"{n}-{ident(c[1])}" for n, c in enumerate(CLAUSES)])
def test_each_alternative_alone(cls, clause):
    from test_errors_classify import LIVE  # texts seen live, kept there

    texts = [stderr for _, stderr in CASES.values()] + [t for _, t in all_real_texts()] + [c[2] for c in LIVE]
    assert any(clause in text.replace('\\"', '"') for text in texts), "not a clause of a real text"
    assert type(e.classify_failure(["x"], 1, "", clause)) is cls


# --- the engine-message readers' own tables ---------------------------------------------------------


@pytest.mark.parametrize("stderr, words", [
    ('time="2024-01-01T00:00:00Z" level=panic msg="boom"\n', "boom"),
    ('time="2024-01-01T00:00:00Z" level=fatal msg="1 error: boom"\n', "boom"),
    ('time="2024-01-01T00:00:00Z" level=fatal msg="2 errors: boom"\n', "boom"),
    ("FATA[0000] 1 error:\nboom\n", "boom"),
    ("ERRO[0000] 3 errors:\nboom\nbang\n", "boom\nbang"),
    ('time="2024-01-01T00:00:00Z" level=error msg="failed to start systemd unit"\nplain words\n', "plain words"),
    ('time="2024-01-01T00:00:00Z" level=error msg="a \\"quoted\\" word\\nand more"\n', 'a "quoted" word\nand more'),
    ('time="2024-01-01T00:00:00Z" level=error msg="col\\tcol \\\\ back"\n', "col\tcol \\ back"),
], ids=lambda v: ident(v))
def test_logrus_levels_and_error_counts(stderr, words):
    assert e.engine_message(stderr) == words


def test_json_errors_show_200_characters_whole():
    assert e.JsonParseError("ps", "x" * 200).message.endswith("'" + "x" * 200 + "'")
    shortened = e.JsonParseError("ps", "x" * 201).message
    assert shortened.endswith("x" * 200 + "... (201 chars)'") and "x" * 201 not in shortened


def test_json_error_message_detail_and_hint():
    plain = e.JsonParseError("ps output", "{")
    assert (plain.message, plain.text, plain.hint, plain.kind) == ("could not parse ps output as JSON: '{'", "{", None,
                                                                 "JsonParseError")
    detailed = e.JsonParseError("ps output", "{", "Expecting value", hint="update the engine")
    assert (detailed.message, detailed.hint) == ("could not parse ps output as JSON (Expecting value): '{'",
                                                 "update the engine")


# --- the error classes' own fields and messages -----------------------------------------------------


def test_container_not_running_carries_state_code_and_logs():
    err = e.ContainerNotRunning("web exited", state="exited", exit_code=3, logs="line 1\nline 2\n", hint="look")
    assert (err.message, err.state, err.exit_code, err.logs, err.hint) == (
        "web exited\nlast log lines:\nline 1\nline 2", "exited", 3, "line 1\nline 2\n", "look")
    bare = e.ContainerNotRunning("web exited")
    assert (bare.message, bare.logs) == ("web exited", "")
    assert e.ContainerUnhealthy("web is unhealthy").output == ""
    quiet = e.ContainerNotRunning("web exited", logs=" \n")
    assert (quiet.message, quiet.state, quiet.exit_code, quiet.hint) == ("web exited", "", None, None)
    assert quiet.kind == "Other" and quiet.category == "ContainerNotRunning"


def test_container_unhealthy_and_execution_failed_fields():
    sick = e.ContainerUnhealthy("web is unhealthy", output="db down\n", hint="check the db")
    assert (sick.message, sick.output, sick.hint, sick.kind) == ("web is unhealthy", "db down\n", "check the db", "Other")
    failed = e.CommandExecutionFailed("cannot start", argv=("docker", "ps", "a b"), hint="install it")
    assert (failed.argv, failed.command, failed.hint, failed.kind) == (
        ["docker", "ps", "a b"], "docker ps 'a b'", "install it", "CommandExecutionFailed")
    assert e.EngineNotFound("none").hint.startswith("install nerdctl, docker or podman")


def test_permission_denied_hint_depends_on_the_user(monkeypatch):
    import os

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert e.PermissionDenied("x").hint == "run as root (sudo herodo ...) or as a user allowed to use the engine"
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert e.PermissionDenied("x").hint == (
        "refused even as root: a security layer (rlimits, seccomp, AppArmor/SELinux, a read-only path) or the "
        "runtime's sandbox stopped it; the engine's message above names the operation")
    assert e.PermissionDenied("x", hint="mine").hint == "mine"


def test_killed_by_signal_is_named():
    assert e.classify_failure(["x"], -9, "", "").message == "`x` was killed by signal 9 (SIGKILL)"
    assert e.classify_failure(["x"], -200, "", "").message == "`x` was killed by signal 200"
    assert e.classify_failure(["x"], None, "", "").message == "`x` exited with status None"
    assert e.classify_failure(["x"], -1, "", "").message == "`x` was killed by signal 1 (SIGHUP)"
    assert e.classify_failure(["x"], 0, "", "").message == "`x` exited with status 0"


def test_words_on_stdout_alone_are_classified():
    """Some failures print only on stdout: its last line is the engine's words."""
    err = e.classify_failure(["docker", "rm", "web"], 1, "removing\nError: No such container: web\n", "")
    assert type(err) is e.NoSuchContainer
    assert err.message == "`docker rm web` exited with status 1: Error: No such container: web"


# Usage noise after a usage error: docker 28.2.2 on this machine (`docker run --bogus x`, `docker run INVALID::x`);
# docker 20.10's form ("See '...'.") as public issues quote it.
@pytest.mark.parametrize("stderr, words", [
    ("unknown flag: --bogus\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
     "Run 'docker run --help' for more information\n",
     "unknown flag: --bogus\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"),
    ("docker: invalid reference format: repository name (library/INVALID) must be lowercase\n\n"
     "Run 'docker run --help' for more information\n",
     "docker: invalid reference format: repository name (library/INVALID) must be lowercase"),
    ("docker: invalid reference format.\nSee 'docker run --help'.\n", "docker: invalid reference format."),
    ("ERRO[0000] plain failure\n", "plain failure"),
], ids=lambda v: ident(v))
def test_usage_lines_and_blank_lines_are_no_engine_words(stderr, words):
    assert e.engine_message(stderr) == words


def test_a_podman_pull_that_worked_does_not_make_a_later_failure_a_missing_image():
    """podman 4 on this machine: `podman run` of an image only in the registry, with a command that does not exist."""
    stderr = ("Trying to pull 127.0.0.1:5000/m18n/pullcheck:1...\nGetting image source signatures\n"
              "Copying blob sha256:10e288d90a5331824947a2c7179d2b33bbfa196a21c53cd3002c94ed1c8b6d25\n"
              "Copying config sha256:ac7a4921fd738aa2f22b7100d30d9873e6ef18c9cef00a2b08fda6df3684f2fd\n"
              "Writing manifest to image destination\nStoring signatures\n"
              'Error: runc: runc create failed: unable to start container process: exec: "nope": executable file not '
              "found in $PATH: OCI runtime attempted to invoke a command that was not found\n")
    assert type(e.classify_failure(["podman", "run", "127.0.0.1:5000/m18n/pullcheck:1", "nope"], 127, "", stderr)) \
        is e.CommandFailed


def test_an_indented_line_is_a_continuation_kept_whole():
    assert e.engine_message("the build failed:\n    ERRO[0000] inner step\n") == "the build failed:\nERRO[0000] inner step"


def test_an_unquoted_logrus_warning_is_skipped_whatever_follows():
    """logrus quotes ``msg`` only when it must: ``msg=deprecated`` is a warning line all the same."""
    stderr = 'time="2026-11-30T10:00:00Z" level=warning msg=deprecated\nthe real failure\n'
    assert e.engine_message(stderr) == "the real failure"
    assert e.engine_message('level=warning msg=alone\n') == "level=warning msg=alone"  # no time=: not logrus
    assert e.engine_message('time="2026-11-30T10:00:00Z" msg=x\n') == 'time="2026-11-30T10:00:00Z" msg=x'


def test_plain_lines_give_their_last_three_and_stdout_its_last_line():
    assert e.engine_message("one\ntwo\nthree\nfour\n") == "two\nthree\nfour"
    assert e.engine_message("", "first\nsecond\nlast\n") == "last"
    assert e.engine_message("  \n", "only\n") == "only"


def test_every_error_line_is_kept_in_order():
    assert e.engine_message("Error: first\nsome context\nError: second\n") == "first\nsecond"


def test_an_escaped_quote_ending_a_logrus_message_is_unescaped():
    stderr = 'time="2026-11-30T10:00:00Z" level=error msg="bad name \\"web\\""\n'
    assert e.engine_message(stderr) == 'bad name "web"'


def test_errors_keep_their_message_as_args_and_their_fields():
    assert e.NerdctlError("boom").args == ("boom",)
    assert e.CommandExecutionFailed("no engine").args == ("no engine",)
    failed = e.CommandFailed("failed", argv=["docker", "ps"], code=1)
    assert (failed.stdout, failed.stderr, failed.args) == ("", "", ("failed",))
    timeout = e.CommandTimeout("too slow", timeout=2.5, argv=["docker", "pull", "x"], code=None)
    assert (timeout.args, timeout.timeout, timeout.argv, timeout.command) == (
        ("too slow",), 2.5, ["docker", "pull", "x"], "docker pull x")


def test_a_classified_failure_keeps_its_argv_and_both_outputs():
    argv = ["docker", "rm", "web"]
    err = e.classify_failure(argv, 1, "partial output\n", "Error: No such container: web\n")
    assert (err.argv, err.stdout, err.stderr) == (argv, "partial output\n", "Error: No such container: web\n")


@pytest.mark.parametrize("value, shown", [
    ("x" * 118, repr("x" * 118)),  # a repr of exactly 120 characters is shown whole
    ("x" * 119, "'" + "x" * 119 + "... (119 chars)"),  # one more is cut at 120
    ("x" * 500, "'" + "x" * 119 + "... (500 chars)"),  # the length counts the value, not its repr
    ("x" * 119 + "'", '"' + "x" * 119 + "... (120 chars)"),  # the repr of the first 121 characters...
    ("x" * 121 + "'", "'" + "x" * 119 + "... (122 chars)"),  # ...and of no more
], ids=["120-whole", "121-cut", "500-counted", "quote-at-120", "quote-at-122"])
def test_shown_values_are_cut_at_120_characters(value, shown):
    assert e.shown_value(value) == shown
