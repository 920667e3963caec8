"""Injection on real docker and podman: values carrying shell syntax (`;`, `&&`, `$(..)`,
backticks, newlines, quotes, `*`), flag look-alikes (`--privileged`, `-v=/:/host`) and unicode reach
the container verbatim (read back with `cat /proc/1/environ`, `printf`, `cat`, inspect), or are
refused with ConversionError before any command starts (names, image refs, NUL, bytes that are not
UTF-8). No value runs on the host (a canary file it would create never appears) or becomes an engine
flag (the container is never privileged and never gets a `/:/host` mount).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
from pathlib import Path

import pytest

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import CommandFailed, ConversionError, UnsupportedByEngine

SLEEP = ["sleep", "300"]


@pytest.fixture
def canary():
    """An absolute host path that a value interpreted by a host shell would create."""
    path = Path(f"/tmp/herodo-canary-{secrets.token_hex(4)}")
    yield path
    created = path.exists()
    path.unlink(missing_ok=True)
    assert not created, f"a host shell ran an injected command: {path} exists"


def hostile(canary: Path) -> list[str]:
    return [
        f"a; touch {canary}", f"a && touch {canary}", f"a | touch {canary}", f"$(touch {canary})",
        f"`touch {canary}`", "line1\nline2\n", "it's \"quoted\" \\ back", "*", "/*", "~", "${HOME} $PATH %s",
        "--privileged", "-v=/:/host", "--volume=/:/host", "-e", "-", "--", "héllo wörld 日本 \u202e tab\tend",
        "{{json .}}", "",
    ]


@pytest.fixture
def started():
    """The argv of every engine command herodo starts during the test."""
    argvs: list[list[str]] = []

    def listener(event: str, argv: list[str], result: object) -> None:
        if event == "start":
            argvs.append(argv)

    executor.add_listener(listener)
    yield argvs
    executor.remove_listener(listener)


def inspect(engine, name: str) -> dict:
    return json.loads(engine.run("container", "inspect", name, check=True).stdout)[0]


def assert_not_escalated(record: dict) -> None:
    """None of the flag look-alikes became a flag."""
    host = record["HostConfig"]
    assert host.get("Privileged") is False
    assert not host.get("Binds") and not any(m.get("Source") == "/" for m in record.get("Mounts") or [])


def environ(container: Container) -> dict[str, str]:
    """The environment of the container's PID 1, exactly (NUL-separated in /proc)."""
    raw = container.exec(["cat", "/proc/1/environ"]).stdout
    return dict(item.split("=", 1) for item in raw.split("\x00") if item)


def args_echo(values: list[str]) -> list[str]:
    """A list-form command printing each argument followed by NUL."""
    return ["sh", "-c", 'for a in "$@"; do printf "%s\\000" "$a"; done', "sh", *values]


def test_env_labels_exec_arguments_reach_the_container_verbatim(engine, test_image, unique_name, canary):
    values = hostile(canary)
    env = {f"V{i}": v for i, v in enumerate(values)}
    env.update({"--privileged": "k1", "-v": "/:/host", "A;B": "k3", "$(id)": "k4", "`id`": "k5", "Ü": "k6"})
    labels = {f"l{i}": v for i, v in enumerate(values)}
    labels.update({"--privileged": "", "-v": "/:/host", f"$(touch${{IFS}}{canary})": "x", "a;b&&c|d": "y"})
    c = Container(unique_name(), test_image).with_envs(env).with_labels(labels).with_command(SLEEP)
    c.start()

    assert {k: v for k, v in environ(c).items() if k in env} == env
    record = inspect(engine, c.name)
    assert {k: v for k, v in (record["Config"]["Labels"] or {}).items() if k in labels} == labels
    assert_not_escalated(record)

    # exec, list form: each value is one argument
    assert c.exec(args_echo(values)).stdout == "".join(v + "\x00" for v in values)
    # exec, list form, a flag look-alike as the program: the engine runs it (and finds no such program)
    with pytest.raises(CommandFailed) as info:
        c.exec(["--privileged", "ls"])
    assert info.value.code in (126, 127) and '"--privileged": executable file not found' in info.value.message
    # exec, string form: the container's shell reads it, so shell quoting gives the value back
    for v in values:
        assert c.exec(f"printf %s {shlex.quote(v)}").stdout == v
    # ... and a command substitution in it runs inside the container, not on the host
    inner = f"/tmp/inner-{secrets.token_hex(4)}"
    assert c.exec(f"echo $(echo sub) `echo tick`; touch {inner}").stdout == "sub tick\n"
    assert c.exec(["test", "-e", inner]).success and not Path(inner).exists()
    # a string that starts with '-' is still the shell's command, not one of sh's options
    result = c.exec("-x; echo after")
    assert result.stdout == "after\n" and "-x: not found" in result.stderr


def test_container_command_arguments_are_verbatim(engine, test_image, unique_name, canary):
    values = hostile(canary)
    out = n.run(test_image, name=unique_name(), detach=False, command=args_echo(values))
    assert out == "".join(v + "\x00" for v in values)
    # a flag look-alike as the container's program: data after the image, not an engine flag
    c = Container(unique_name(), test_image).with_command(["--privileged", "-v=/:/host"])
    with pytest.raises(CommandFailed) as info:
        c.start()
    # the engine tried to execute it as the container's program: it was data, not a flag (as a flag the
    # container would have started with the image's own command)
    assert '"--privileged": executable file not found' in info.value.message
    # and the failed start left nothing behind (build() is atomic), so nothing privileged can remain
    listed = engine.run("ps", "-a", "--filter", f"name=^{c.name}$", "--format", "{{.Names}}").stdout.split()
    assert listed == []


def test_copy_paths_with_shell_syntax(engine, test_image, unique_name, tmp_path, canary, started):
    c = Container(unique_name(), test_image).with_command(SLEEP)
    c.start()
    names = [f"semi;colon && $(touch {canary.name}) `touch {canary.name}`.txt", "quote's \"dq\" star*.txt",
             "-dash-first.txt", "new\nline.txt", "ünï 日本 \u202e.txt", "colon:in:name.txt", "q?[1]\\.txt"]
    for i, name in enumerate(names):
        src = tmp_path / name
        src.write_text(f"content {i}\n")
        if engine.name == "podman" and any(ch in name for ch in "*?[\\"):
            started.clear()
            with pytest.raises(UnsupportedByEngine, match="on podman") as info:
                c.copy(str(src), f"{c.name}:/tmp/{name}")
            assert "glob" in info.value.hint and started == []
            continue
        c.copy(str(src), f"{c.name}:/tmp/{name}")
        assert c.exec(["cat", f"/tmp/{name}"]).stdout == f"content {i}\n"
        back = tmp_path / f"back-{name}"
        c.copy(f"{c.name}:/tmp/{name}", str(back))
        assert back.read_text() == f"content {i}\n"
    for where in (Path.cwd(), tmp_path, Path("/"), Path("/tmp")):
        assert not (where / canary.name).exists()
    # a location that starts with '-' would be a flag (docker cp's '-' is stdin): refused
    started.clear()
    for source, dest in (("-", f"{c.name}:/tmp/x"), ("--archive", f"{c.name}:/tmp/x"),
                         (f"{c.name}:/etc/hosts", "-L")):
        with pytest.raises(ConversionError):
            c.copy(source, dest)
        with pytest.raises(ConversionError):
            n.copy(source, dest)
    assert started == []


def test_health_command_is_stored_verbatim_and_runs_in_the_container(engine, test_image, unique_name, canary):
    inner = f"/tmp/hc-{secrets.token_hex(4)}"
    check = f"echo $(echo sub) `echo tick`; touch {inner}; test -e {inner} && printf '%s' \"it's\" || exit 1"
    c = (Container(unique_name(), test_image).with_command(SLEEP)
         .with_health_check_options(check, interval="1s", timeout="5s", retries=3))
    c.start()
    record = inspect(engine, c.name)
    assert record["Config"]["Healthcheck"]["Test"] == ["CMD-SHELL", check]
    status = c.wait_healthy(60)
    assert "sub tick" in status.health_output
    assert c.exec(["test", "-e", inner]).success and not Path(inner).exists()
    # a flag look-alike as the health command is the command, not a flag
    d = Container(unique_name(), test_image).with_command(SLEEP).with_health_check("--privileged")
    d.start()
    record = inspect(engine, d.name)
    assert record["Config"]["Healthcheck"]["Test"] == ["CMD-SHELL", "--privileged"]
    assert_not_escalated(record)


def test_names_and_image_refs_are_refused_before_anything_runs(engine, test_image, canary, started):
    names = [*[v for v in hostile(canary) if v], "-d", "web one", "web\n", "Ü-web", "a" * 254]
    images = [f"busybox; touch {canary}", f"$(touch {canary})", "--privileged", f"{test_image} --privileged",
              "-v=/:/host", "BusyBox", "busybox\n", "busybox:" + "t" * 200, "localhost/../etc:1", "ümage"]
    by_name = (Container.new, lambda v: n.run(test_image, name=v), lambda v: n.exec(v, "ls"), n.stop,
               lambda v: n.remove(v, True), n.logs, lambda v: Container(v, test_image).build())
    by_image = (lambda v: Container.from_image("web", v), n.run, n.image_pull, lambda v: n.image_tag(test_image, v),
                n.image_remove, lambda v: Container("web", v).build())
    for calls, values in ((by_name, names), (by_image, images)):
        for call in calls:
            for value in values:
                with pytest.raises(ConversionError):
                    call(value)
    assert started == []


@pytest.mark.parametrize("bad", ["a\x00b", "a\udcffb", "\udcc3\udca9 lone", "a\ud800"],
                         ids=["NUL", "byte-0xff", "split-utf8", "lone-surrogate"])
def test_nul_and_bytes_that_are_not_utf8_are_refused(engine, test_image, unique_name, started, bad):
    """Text that cannot reach the container as it is (an argv cannot hold NUL; the engines replace
    bytes that are not UTF-8, see the next test) is refused wherever it goes."""
    c = Container(unique_name(), test_image, container_id="f" * 64)
    calls = [
        lambda: Container(c.name, test_image).with_env("K", bad), lambda: Container(c.name, test_image).with_env(bad, "v"),
        lambda: Container(c.name, test_image).with_label("k", bad), lambda: Container(c.name, test_image).with_label(bad),
        lambda: Container(c.name, test_image).with_command(["echo", bad]), lambda: Container(c.name, test_image).with_command(bad),
        lambda: Container(c.name, test_image).with_health_check(bad), lambda: c.exec(["echo", bad]), lambda: c.exec(bad),
        lambda: c.copy(f"/tmp/{bad}", f"{c.name}:/tmp/x"), lambda: n.run(test_image, command=["echo", bad]),
        lambda: n.exec(c.name, bad),
    ]
    for call in calls:
        with pytest.raises(ConversionError) as info:
            call()
        assert "NUL" in info.value.message or "UTF-8" in info.value.message
    assert started == []


def test_engines_replace_bytes_that_are_not_utf8(engine, test_image):
    """Why such bytes are refused: passed straight to the engine, 0xff arrives as U+FFFD."""
    argv = [engine.cli, "run", "--rm", "-e", os.fsencode("X=a\udcffb"), test_image, "sh", "-c", 'printf "%s" "$X"']
    out = subprocess.run(argv, capture_output=True, timeout=120, check=False).stdout
    assert out == b"a\xef\xbf\xbdb"


def test_podman_cp_reads_its_source_as_a_glob(engine, test_image, unique_name, tmp_path):
    """Why podman copies of sources with * ? [ \\ are refused: 'q?.txt' also copies 'qa.txt'."""
    if engine.name != "podman":
        pytest.skip("podman only")
    name = unique_name()
    engine.run("run", "-d", "--name", name, test_image, "sleep", "300", check=True)
    (tmp_path / "q?.txt").write_text("q\n")
    (tmp_path / "qa.txt").write_text("a\n")
    engine.run("exec", name, "mkdir", "/d", check=True)
    engine.run("cp", str(tmp_path / "q?.txt"), f"{name}:/d/", check=True)
    assert sorted(engine.run("exec", name, "ls", "/d", check=True).stdout.split()) == ["q?.txt", "qa.txt"]
