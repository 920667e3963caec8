"""herodo_py.host.process: host commands with real processes, nothing replaced: argv and shell
strings, env, cwd, stdin, timeouts that kill the whole process group, failures, dry-run, listeners,
the sandbox policy, and the io.popen/os.execute primitives."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from herodo_py.host import policy, process
from herodo_py.host.errors import (
    BadHostInput,
    HostCommandFailed,
    HostCommandTimeout,
    HostRemoved,
    OutputTooLarge,
    ProgramNotFound,
)
from herodo_py.nerdctl.executor import Executor


def test_argv_list_runs_without_a_shell():
    result = process.run(["echo", "$HOME", "a b"])
    assert result.stdout == "$HOME a b\n" and result.code == 0 and result.success
    assert result.argv == ["echo", "$HOME", "a b"]


def test_a_string_runs_with_sh_and_captures_both_streams():
    result = process.run("echo out; echo err >&2; exit 3", check=False)
    assert (result.stdout, result.stderr, result.code, result.success) == ("out\n", "err\n", 3, False)
    assert result.argv[:2] == ["/bin/sh", "-c"]


def test_a_failure_raises_with_the_command_and_its_output():
    with pytest.raises(HostCommandFailed) as info:
        process.run("echo bad thing >&2; exit 4")
    err = info.value
    assert err.code == 4 and "bad thing" in err.message and "exited with status 4" in err.message
    assert err.command == "/bin/sh -c 'echo bad thing >&2; exit 4'" and "check=false" in err.hint


def test_a_missing_program_is_named():
    with pytest.raises(ProgramNotFound, match="herodo-no-such-program"):
        process.run(["herodo-no-such-program"])


def test_env_adds_to_the_environment_or_replaces_it(monkeypatch):
    monkeypatch.setenv("HERODO_P13_KEPT", "yes")
    added = process.run(["sh", "-c", 'echo "$HERODO_P13_KEPT $EXTRA"'], env={"EXTRA": "x"})
    assert added.stdout == "yes x\n"
    replaced = process.run(["/usr/bin/env"], env={"ONLY": "1"}, clear_env=True)
    assert replaced.stdout == "ONLY=1\n"


def test_cwd_and_stdin(tmp_path):
    assert process.run(["pwd"], cwd=str(tmp_path)).stdout.strip() == str(tmp_path)
    big = "line\n" * 200_000  # more than a pipe holds: written while the output is read
    assert process.run(["wc", "-l"], stdin=big).stdout.strip() == "200000"


@pytest.mark.parametrize("kwargs, field", [
    ({"cmd": ""}, "cmd"), ({"cmd": []}, "cmd"), ({"cmd": ["a\0b"]}, "cmd[1]"), ({"cmd": "echo \0"}, "cmd"),
    ({"cmd": "true", "timeout": 0}, "timeout"), ({"cmd": "true", "timeout": -1}, "timeout"),
    ({"cmd": "true", "env": {"A=B": "1"}}, "env"), ({"cmd": "true", "env": {"A": "x\0"}}, "env.A"),
    ({"cmd": "true", "cwd": "/herodo/no/such/folder"}, "cwd"),
])
def test_bad_input_is_refused_before_anything_runs(kwargs, field):
    seen: list[str] = []
    def listener(event, argv, result):
        return seen.append(event)
    executor = Executor()
    executor.add_listener(listener)
    with policy.HostPolicy(watcher=lambda: executor).active(), pytest.raises(BadHostInput) as info:
        process.run(kwargs.pop("cmd"), **kwargs)
    assert info.value.field == field and seen == []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_timeout_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    with pytest.raises(HostCommandTimeout) as info:
        process.run(f"sleep 60 & echo $! > {pidfile}; echo started; wait", timeout=1)
    assert info.value.timed_out and info.value.stdout == "started\n"
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_output_beyond_the_limit_kills_the_command(monkeypatch):
    monkeypatch.setattr(process, "MAX_OUTPUT", 100_000)
    with pytest.raises(OutputTooLarge, match="stdout"):
        process.run(["yes"])


def test_listeners_see_start_and_end_and_dry_run_skips():
    seen: list[tuple[str, list[str], object]] = []
    def listener(event, argv, result):
        return seen.append((event, argv, result))
    executor = Executor()  # the watcher a Lua runtime gives: its engine executor (--dry-run, --trace)
    executor.add_listener(listener)
    with policy.HostPolicy(watcher=lambda: executor).active():
        process.run(["true"])
        executor.settings.dry_run = True
        dry = process.run(["touch", "/herodo-p13-must-not-exist"])
        status = process.execute("exit 3")
        pipe = process.PipeFile("echo x", "r")
        assert (pipe.read_all(), pipe.read_line(), pipe.close()) == (b"", None, (True, "exit", 0))
    assert dry.dry_run and dry.code == 0 and status == (True, "exit", 0)
    assert not os.path.exists("/herodo-p13-must-not-exist")
    assert [e for e, _, _ in seen] == ["start", "end", "skip", "skip", "skip"]
    assert seen[1][2].code == 0


def test_the_sandbox_policy_removes_host_commands():
    with policy.HostPolicy.sandboxed("/tmp").active():
        for call in (lambda: process.run(["true"]), lambda: process.execute("true"),
                     lambda: process.PipeFile("true", "r")):
            with pytest.raises(HostRemoved):
                call()
    assert process.run(["true"]).success  # outside the script: trusted again


def test_execute_returns_lua_status_triples():
    assert process.execute("true") == (True, "exit", 0)
    assert process.execute("exit 3") == (None, "exit", 3)
    assert process.execute("kill -TERM $$") == (None, "signal", 15)


def test_pipe_file_reads_lines_numbers_and_counts():
    pipe = process.PipeFile("printf 'one\\ntwo\\nthree'", "r")
    assert pipe.read_line() == b"one" and pipe.read_line(keep=True) == b"two\n"
    assert pipe.read_line(keep=True) == b"three" and pipe.read_line() is None
    assert pipe.close() == (True, "exit", 0)
    pipe = process.PipeFile("printf '  -12e2 0x1p4 .5 abc'", "r")
    assert [pipe.read_number() for _ in range(4)] == [b"-12e2", b"0x1p4", b".5", None]
    assert pipe.read_count(0) == b"" and pipe.read_count(3) == b"abc" and pipe.read_count(0) is None
    assert pipe.close() == (True, "exit", 0)


def test_pipe_file_writes_to_the_command_and_reports_its_status(tmp_path):
    out = tmp_path / "out"
    pipe = process.PipeFile(f"cat > {out}; exit 4", "w")
    assert pipe.write(b"hello ") == (True, None, None) and pipe.write(b"world") == (True, None, None)
    assert pipe.close() == (None, "exit", 4)
    assert out.read_text() == "hello world"


def test_a_forgotten_pipe_file_kills_its_command(tmp_path):
    pidfile = tmp_path / "pid"
    pipe = process.PipeFile(f"echo $$ > {pidfile}; exec sleep 60", "r")
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    pid = int(pidfile.read_text())
    del pipe
    assert not _alive(pid)


def test_which():
    assert process.which("sh") and os.path.isabs(process.which("sh"))
    assert process.which("herodo-no-such-program") is None
