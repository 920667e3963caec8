"""The nerdctl stand-in itself behaves like nerdctl where the contract tests rely on it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import pytest

FATAL = re.compile(r'^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" level=fatal msg="(?P<msg>(?:[^"\\]|\\.)*)"$')

RUN_LINE = [
    "--namespace", "default", "--address", "/run/containerd/containerd.sock", "--snapshotter", "overlayfs",
    "run", "-d", "--name", "web", "-p", "8080:80", "--publish=8443:443", "-e", "A=1", "--env=B=2",
    "-v", "/srv:/data:ro", "--network", "appnet", "--restart", "on-failure:3",
    "--cpus", "0.5", "--memory", "512m", "--memory-swap", "1g", "--cpu-shares", "512",
    "--health-cmd", "wget -q -O- http://localhost/ || exit 1", "--health-interval=30s",
    "--health-timeout", "5s", "--health-retries", "3", "--health-start-period", "1m30s",
    "-l", "app=web", "-w", "/srv", "-u", "1000:1000", "--entrypoint", "/bin/sh",
    "localhost/herodo-busybox:latest", "-c", "httpd -f -p 80 --not-a-nerdctl-flag",
]


def nerdctl(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    exe = shutil.which("nerdctl")
    assert exe, "the stand-in is not on PATH"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def fatal_msg(result: subprocess.CompletedProcess) -> str:
    """The msg of nerdctl's single logrus fatal line, unquoted."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    m = FATAL.match(lines[0])
    assert m, lines[0]
    return json.loads('"' + m.group("msg") + '"')


def test_on_path_and_logs_calls(standin):
    assert shutil.which("nerdctl") == str(standin.path)
    nerdctl("ps", "-a")
    nerdctl("--namespace", "k8s.io", "images", "-q")
    assert standin.calls() == [["ps", "-a"], ["--namespace", "k8s.io", "images", "-q"]]


def test_rejects_network_alias(standin):
    result = nerdctl("run", "-d", "--name", "db", "--network", "appnet", "--network-alias", "database",
                     "localhost/herodo-busybox:latest")
    assert fatal_msg(result) == "unknown flag: --network-alias"
    assert result.stdout == ""
    assert fatal_msg(nerdctl("run", "-d", "--network-alias=database", "img")) == "unknown flag: --network-alias"


def test_rejects_commit_without_target(standin):
    msg = fatal_msg(nerdctl("commit", "web"))
    assert msg.startswith('"nerdctl commit" requires exactly 2 argument(s).')
    assert "Usage:  nerdctl commit [flags] CONTAINER REPOSITORY[:TAG]" in msg
    ok = nerdctl("commit", "web", "localhost/web:snap")
    assert ok.returncode == 0 and re.fullmatch(r"sha256:[0-9a-f]{64}\n", ok.stdout)


def test_rejects_push_with_two_references(standin):
    msg = fatal_msg(nerdctl("push", "localhost/web:1", "127.0.0.1:5000/web:1"))
    assert msg.startswith('"nerdctl push" requires exactly 1 argument(s).')
    assert nerdctl("push", "127.0.0.1:5000/web:1").returncode == 0


@pytest.mark.parametrize(
    "argv, msg",
    [
        # -n / -a / -H are root-only aliases: after the subcommand they are unknown ...
        (["run", "-n", "k8s.io", "-d", "img"], "unknown shorthand flag: 'n' in -n"),
        (["rm", "-H", "unix:///run/containerd/containerd.sock", "web"], "unknown shorthand flag: 'H' in -H"),
        (["exec", "--n", "k8s.io", "web", "true"], "unknown flag: --n"),
        # ... or the subcommand's own flag: `ps -n` is --last (an int).
        (["ps", "-n", "k8s.io"], 'invalid argument "k8s.io" for "-n, --last" flag: '
                                 'strconv.ParseInt: parsing "k8s.io": invalid syntax'),
        # not a nerdctl flag at all, before or after the subcommand
        (["--context", "x", "ps"], "unknown flag: --context"),
        (["ps", "--cgroup-driver", "cgroupfs"], "unknown flag: --cgroup-driver"),
    ],
)
def test_rejects_global_flag_after_subcommand(standin, argv, msg):
    assert fatal_msg(nerdctl(*argv)) == msg


def test_long_global_flags_are_persistent(standin):
    # Like real nerdctl (cobra persistent flags), the long forms also work after the subcommand.
    assert nerdctl("ps", "--namespace", "k8s.io", "-q").returncode == 0
    assert nerdctl("-n", "k8s.io", "ps", "-q").returncode == 0
    # but not after the image of `run`: there they belong to the container's command
    result = nerdctl("run", "-d", "img", "--namespace", "x")
    assert result.returncode == 0


def test_accepts_representative_run_line(standin):
    result = nerdctl(*RUN_LINE)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"[0-9a-f]{64}\n", result.stdout)
    assert result.stderr == ""
    assert standin.calls() == [RUN_LINE]
    # the id is stable per name, and inspect answers for that name with that id
    inspected = json.loads(nerdctl("inspect", "web").stdout)
    assert inspected[0]["Id"] == result.stdout.strip()
    assert inspected[0]["Name"] == "web"
    assert inspected[0]["State"]["Status"] == "running"


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["run", "-d", "--health-interval", "30", "img"],
         'invalid argument "30" for "--health-interval" flag: time: missing unit in duration "30"'),
        (["run", "-d", "--health-retries=three", "img"],
         'invalid argument "three" for "--health-retries" flag: strconv.ParseInt: parsing "three": invalid syntax'),
        (["run", "-d", "--cpus", "half", "img"],
         'invalid argument "half" for "--cpus" flag: strconv.ParseFloat: parsing "half": invalid syntax'),
        (["run", "-d", "--rm", "img"], "flags -d and --rm cannot be specified together"),
        (["run", "-d", "--name"], "flag needs an argument: --name"),
        (["exec", "-e"], "flag needs an argument: 'e' in -e"),
        (["exec", "web"], "requires at least 2 arg(s), only received 1"),
        (["stop", "--time", "soon", "web"],
         'invalid argument "soon" for "-t, --time" flag: strconv.ParseInt: parsing "soon": invalid syntax'),
        (["build", "-t", "x", "."], "`buildctl` needs to be installed and `buildkitd` needs to be running, "
                                    "see https://github.com/moby/buildkit"),
    ],
)
def test_typed_values_and_usage_errors(standin, argv, msg):
    assert fatal_msg(nerdctl(*argv)) == msg


def test_missing_container_errors(standin):
    assert fatal_msg(nerdctl("container", "inspect", "missing-web")) == "1 errors:\nno such container: missing-web"
    assert fatal_msg(nerdctl("inspect", "missing-web")) == "1 errors: [no such object missing-web]"
    assert fatal_msg(nerdctl("stop", "missing-web")) == "1 errors:\nno such container: missing-web"
    forced = nerdctl("rm", "-f", "missing-web")  # nerdctl logs the error and exits 0 with -f
    assert forced.returncode == 0 and "level=error" in forced.stderr


def test_list_answers_are_the_fixtures(standin):
    ps = nerdctl("ps", "-a", "--format", "{{json .}}")
    assert ps.stdout == (standin.fixtures / "ps-json.jsonl").read_text()
    images = nerdctl("images", "--format", "{{json .}}")
    assert json.loads(images.stdout.splitlines()[0])["Repository"] == "nginx"
    stats = nerdctl("stats", "--no-stream", "--format", "{{json .}}")
    assert json.loads(stats.stdout)["CPUPerc"] == "0.00%"
    version = nerdctl("version", "--format", "json")
    assert json.loads(version.stdout)["Server"]["Components"][0]["Name"] == "containerd"
    fields = nerdctl("ps", "--format", '{"ID":{{json .ID}},"Names":{{json .Names}}}')
    assert json.loads(fields.stdout) == {"ID": "250762bf59eb", "Names": "test-nginx_1-1"}


def test_forced_failure_and_answer(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_FAIL_RUN", 'port "8080" is already allocated')
    assert fatal_msg(nerdctl("run", "-d", "img")) == 'port "8080" is already allocated'
    assert nerdctl("ps").returncode == 0  # only `run` fails
    monkeypatch.setenv("NERDCTL_STANDIN_EXEC_EXIT", "127")
    assert fatal_msg(nerdctl("exec", "web", "sh", "-c", "exit 127")) == "exec failed with exit code 127"
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT", "custom\n")
    assert nerdctl("logs", "web").stdout == "custom\n"


def test_sleep_for_timeout_tests(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP", "5")
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        nerdctl("version", timeout=0.5)
    assert time.monotonic() - start < 4


def test_top_level_inspect_answers_each_argument_apart_as_nerdctl(standin, monkeypatch):
    """cmd/nerdctl/inspect/inspect.go: each argument is looked up alone (an image first, then a
    container) and printed as its own array; --type narrows the lookup."""
    image = {"Id": "sha256:" + "ab" * 32, "RepoTags": ["localhost/app:1"], "RootFS": {"Type": "layers"}}
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGE_INSPECT", json.dumps([image]))
    result = nerdctl("inspect", "web", "localhost/app:1", "missing-db")
    decoder, text, arrays = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        value, end = decoder.raw_decode(text)
        arrays.append(value)
        text = text[end:].strip()
    assert [[e.get("Name") for e in a] for a in arrays] == [["web"], [None]]
    assert arrays[1] == [image]
    assert fatal_msg(result) == "1 errors: [no such object missing-db]"
    as_container = nerdctl("inspect", "--type", "container", "localhost/app:1")
    assert fatal_msg(as_container) == "1 errors: [no such object localhost/app:1]"
    as_image = nerdctl("inspect", "--type", "image", "web")
    assert fatal_msg(as_image) == "1 errors: [no such object web]"
    assert fatal_msg(nerdctl("inspect", "--type", "volume", "web")) == '"volume" is not a valid value for --type'
    # container inspect: one call for all its arguments, one array
    assert [e["Name"] for e in json.loads(nerdctl("container", "inspect", "web", "db").stdout)] == ["web", "db"]
