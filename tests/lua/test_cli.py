"""The ``herodo`` command as a process: exit codes, folders, arguments, Ctrl-C, colours, --debug.

Engine commands go to the nerdctl stand-in (tests/contract/standin/nerdctl), except the one test
that points the real docker CLI at a socket that does not exist.
"""

from __future__ import annotations

import os
import pty
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from herodo_process import HERODO, STANDIN
from herodo_process import herodo as run_herodo
from herodo_process import herodo_env as process_env


def herodo_env(**extra: str) -> dict[str, str]:
    return process_env(str(STANDIN), **extra)


def herodo(*args: str, cwd: Path | None = None, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return run_herodo(*args, cwd=cwd, timeout=timeout, **env)


def script(tmp_path: Path, text: str, name: str = "main.lua") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_version_and_usage_errors(tmp_path):
    assert herodo("--version").stdout.startswith("herodo ")
    missing = herodo(str(tmp_path / "nope.lua"))
    assert missing.returncode == 2 and "CANNOT READ SCRIPT" in missing.stderr
    assert herodo("--timeout", "soon", str(script(tmp_path, ""))).returncode == 2
    assert herodo().returncode == 2


def test_no_arguments_prints_the_top_level_help_as_a_usage_error():
    bare = herodo()
    assert bare.returncode == 2 and bare.stdout == ""
    assert bare.stderr.startswith("usage: herodo [-h] [--version] COMMAND ...")
    assert "COMMAND" in bare.stderr and all(name in bare.stderr for name in ("run", "test", "types"))
    assert "required" not in bare.stderr and "FILE.lua" not in bare.stderr.splitlines()[0]


def test_success_and_script_arguments(tmp_path):
    path = script(tmp_path, "print(#arg, arg[1], arg[2], select('#', ...))")
    result = herodo(str(path), "--", "--flag", "two words")
    assert (result.returncode, result.stdout, result.stderr) == (0, "2\t--flag\ttwo words\t2\n", "")
    assert herodo("run", str(path), "plain").stdout == "1\tplain\tnil\t1\n"


def test_os_exit_code_after_cleanup(tmp_path):
    path = script(tmp_path, 'local g <close> = setmetatable({}, {__close = function() print("cleanup") end})\n'
                            'print("before")\nos.exit(3)\nprint("after")')
    result = herodo(str(path))
    assert (result.returncode, result.stdout, result.stderr) == (3, "before\ncleanup\n", "")


def _start(path: Path, **env: str) -> subprocess.Popen:
    proc = subprocess.Popen([*HERODO, str(path)], env=herodo_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    return proc


def test_ctrl_c_stops_a_pure_lua_loop_with_130(tmp_path):
    proc = _start(script(tmp_path, 'print("ready")\nio.stdout:flush()\nwhile true do end'))
    proc.send_signal(signal.SIGINT)  # "ready" is the event: the script runs (a bound, not a speed claim, below)
    code = proc.wait(timeout=60)
    assert code == 130
    assert "interrupted" in proc.stderr.read()


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def test_ctrl_c_kills_the_engine_command_it_waits_on(tmp_path):
    marker = f"HERODO_TEST_MARKER=ctrl-c-{uuid.uuid4().hex}"
    path = script(tmp_path, 'print("ready")\nio.stdout:flush()\nnerdctl_images()\nprint("not reached")')
    proc = _start(path, NERDCTL_STANDIN_SLEEP="30", HERODO_TEST_MARKER=marker.split("=", 1)[1])
    deadline = time.monotonic() + 10
    while len(_processes_with(marker)) < 2 and time.monotonic() < deadline:  # herodo and the stand-in
        time.sleep(0.05)
    assert len(_processes_with(marker)) >= 2, "the engine command did not start"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert proc.stdout.read() == ""
    deadline = time.monotonic() + 30  # the killed stand-in is reaped by init: wait for it, do not guess a delay
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(marker) == []


def test_folder_runs_sorted_scripts_each_in_a_fresh_runtime(tmp_path):
    script(tmp_path, "shared = 'leaked'\nnerdctl_configure{timeout = 5}\nprint('a', nerdctl_engine().timeout)",
           "scripts/a.lua")
    script(tmp_path, "print('b', shared, nerdctl_engine().timeout)", "scripts/b.lua")
    script(tmp_path, "print('c')", "scripts/sub/c.lua")
    script(tmp_path, "not lua", "scripts/notes.txt")
    result = herodo(str(tmp_path / "scripts"), "--timeout", "30")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "a\t5.0\nb\tnil\t30.0\nc\n"
    assert result.stderr.splitlines()[-1].startswith("herodo: 3 scripts: 3 passed, 0 failed in ")


def test_folder_stops_at_the_first_failure_unless_keep_going(tmp_path):
    script(tmp_path, "print('a')", "s/a.lua")
    script(tmp_path, "error('b failed')", "s/b.lua")
    script(tmp_path, "os.exit(5)", "s/c.lua")
    script(tmp_path, "print('d')", "s/d.lua")
    stopped = herodo(str(tmp_path / "s"))
    assert (stopped.returncode, stopped.stdout) == (1, "a\n")
    assert "SCRIPT ERROR" in stopped.stderr
    assert stopped.stderr.splitlines()[-1].startswith("herodo: 4 scripts: 1 passed, 1 failed, 2 not run")
    going = herodo(str(tmp_path / "s"), "--keep-going")
    assert (going.returncode, going.stdout) == (1, "a\nd\n")
    assert going.stderr.splitlines()[-1].startswith("herodo: 4 scripts: 2 passed, 2 failed in ")
    assert herodo(str(tmp_path / "empty-dir-missing")).returncode == 2


def test_engine_not_found_and_timeout_exit_codes(tmp_path):
    path = script(tmp_path, "nerdctl_images()")
    assert herodo(str(path), HERODO_ENGINE="/nonexistent/nerdctl").returncode == 69
    slow = herodo("--timeout", "0.3", str(path), NERDCTL_STANDIN_SLEEP="5")
    assert slow.returncode == 124 and "COMMAND TIMED OUT" in slow.stderr


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker CLI not installed")
def test_docker_pointed_at_a_missing_socket_is_unreachable(tmp_path):
    result = herodo("--engine", "docker", "--address", "unix:///nonexistent.sock", str(script(tmp_path, "nerdctl_list()")))
    assert result.returncode == 69
    assert result.stderr.startswith("-- ENGINE UNREACHABLE")
    assert "--host unix:///nonexistent.sock ps" in result.stderr


def test_nerdctl_only_setting_on_docker_is_refused(tmp_path):
    result = herodo("--engine", "docker", "--namespace", "k8s.io", str(script(tmp_path, "nerdctl_list()")))
    assert result.returncode == 1 and "NOT SUPPORTED BY THE ENGINE" in result.stderr


def test_debug_adds_the_python_traceback(tmp_path):
    path = script(tmp_path, "nerdctl_stop('missing-web')")
    assert "Traceback" not in herodo(str(path)).stderr
    assert "Traceback (most recent call last)" in herodo("--debug", str(path)).stderr


def _stderr_on_a_terminal(args: list[str], **env: str) -> str:
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([*HERODO, *args], env=herodo_env(**env),
                              stdout=subprocess.DEVNULL, stderr=follower, timeout=60)
        assert proc.returncode == 1
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks).decode()
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


def test_colours_only_on_a_terminal_and_never_with_no_color(tmp_path):
    path = str(script(tmp_path, "error('x')"))
    assert "\x1b[" not in herodo(path).stderr
    assert "\x1b[" in _stderr_on_a_terminal([path])
    assert "\x1b[" not in _stderr_on_a_terminal([path], NO_COLOR="1")
    assert "\x1b[" not in _stderr_on_a_terminal(["--no-color", path])


def test_a_closed_output_ends_the_script_quietly_after_cleanup(tmp_path):
    """`herodo x.lua | head -1`: the reader goes away; exit 141 (as SIGPIPE), <close> runs, no error shown."""
    script = tmp_path / "many.lua"
    script.write_text('local c <close> = setmetatable({}, {__close = function() io.stderr:write("cleanup ran\\n") end})\n'
                      "for i = 1, 200000 do print(i) end\n")
    proc = subprocess.Popen([*HERODO, str(script)], env=herodo_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout.readline() == b"1\n"
    proc.stdout.close()
    code = proc.wait(timeout=60)
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert code == 141
    assert stderr == "cleanup ran\n"
