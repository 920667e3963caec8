"""herodo_py.processes.spawn: engine commands started with posix_spawn behave as Popen started them
(its own session, /dev/null or a pipe for stdin, no inherited descriptors, SIGPIPE at its default, the
exit code or -N for signal N, OSError when it cannot start). Real processes, run by /bin/sh."""

from __future__ import annotations

import os
import signal

import pytest

from herodo_py.processes import StartGuard, StillRunning, kill_group, spawn


def finished(argv: list[str], **options) -> tuple[int, bytes, bytes]:
    proc = spawn(argv, **options)
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return proc.wait(), out, err


def sh(script: str, *args: str) -> list[str]:
    return ["/bin/sh", "-c", script, "sh", *args]


def test_output_and_exit_code_come_back():
    assert finished(sh("echo out; echo err >&2; exit 3")) == (3, b"out\n", b"err\n")


def test_a_command_killed_by_a_signal_reports_minus_its_number():
    assert finished(sh("kill -TERM $$"))[0] == -signal.SIGTERM


def test_stdin_is_dev_null_or_a_pipe_given_input():
    assert finished(sh("cat; echo end"))[1] == b"end\n"
    proc = spawn(sh("cat"), with_input=True)
    proc.stdin.write(b"to the command")
    proc.stdin.close()
    assert proc.stdout.read() == b"to the command"
    assert proc.wait() == 0
    proc.stdout.close()
    proc.stderr.close()


def test_it_leads_a_session_of_its_own_so_its_group_can_be_killed_whole():
    code, out, _ = finished(sh('ps -o sid= -p $$ 2>/dev/null || cut -d" " -f6 /proc/$$/stat'))
    proc_sid = int(out.split()[0])
    assert proc_sid != os.getsid(0)
    proc = spawn(sh("sleep 30 & sleep 31; wait"))
    with pytest.raises(StillRunning):
        proc.wait(timeout=0.05)
    assert os.getpgid(proc.pid) == proc.pid
    kill_group(proc, reap=True)
    assert proc.returncode == -signal.SIGKILL


def test_no_descriptor_of_herodo_is_inherited_not_even_an_inheritable_one():
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)  # as a file Lua's C library opened would be
    try:
        _, out, _ = finished(sh("ls /proc/$$/fd"))
        assert sorted(int(fd) for fd in out.split()) == [0, 1, 2]
    finally:
        os.close(read_end)
        os.close(write_end)


def test_sigpipe_is_at_its_default_in_the_command():
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN  # Python ignores it: the command must not
    ignored = int(finished(sh("grep SigIgn /proc/$$/status"))[1].split()[1], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1)) and not ignored & (1 << (signal.SIGXFSZ - 1))


def test_the_environment_given_is_the_whole_environment_else_herodo_s(monkeypatch):
    monkeypatch.setenv("HERODO_SPAWN_TEST", "inherited")
    show = sh('echo "${ONLY-none} ${HERODO_SPAWN_TEST-none}"')
    assert finished(show, env={b"ONLY": b"this"})[1] == b"this none\n"
    assert finished(show)[1] == b"none inherited\n"
    monkeypatch.delenv("HERODO_SPAWN_TEST")  # (herodo's environment as it is at each start)
    assert finished(show)[1] == b"none none\n"


def test_a_missing_program_raises_and_leaves_no_descriptor_open(tmp_path):
    before = sorted(os.listdir("/proc/self/fd"))
    with pytest.raises(FileNotFoundError):
        spawn([str(tmp_path / "missing")])
    assert sorted(os.listdir("/proc/self/fd")) == before


def test_under_a_guard_the_start_is_counted_and_released():
    guard = StartGuard()
    code, _, _ = finished(sh("exit 0"), guard=guard)
    assert code == 0 and guard.starting == 0 and not guard.deferred
