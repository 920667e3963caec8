"""An engine command Linux would refuse (E2BIG) is refused, nothing run, naming the argument or the
size (herodo_py.nerdctl.executor.check_argv_size): one argument over 128 KiB, or the arguments with
herodo's environment, as it is at that moment, over the system's ARG_MAX."""

from __future__ import annotations

import os

import pytest

from herodo_py.nerdctl.errors import ConversionError
from herodo_py.nerdctl.executor import check_argv_size
from herodo_py.nerdctl.validate import MAX_ARGUMENT_BYTES

ARG_MAX = os.sysconf("SC_ARG_MAX")


def test_an_ordinary_command_passes():
    check_argv_size(["/usr/bin/docker", "exec", "web", "true"])


def test_one_argument_over_what_linux_holds_is_named():
    with pytest.raises(ConversionError, match=r"argument 3 \(after 'web'\) of `docker exec` is 128 KiB"):
        check_argv_size(["/usr/bin/docker", "exec", "web", "x" * (MAX_ARGUMENT_BYTES + 1)])
    check_argv_size(["/usr/bin/docker", "exec", "web", "x" * MAX_ARGUMENT_BYTES])


def test_the_environment_counts_as_it_is_now(monkeypatch):
    argv = ["/usr/bin/docker", "exec", "web", "true"]
    big = ARG_MAX // 2
    for i in range(3):  # three variables of half ARG_MAX each: the environment alone is over it
        monkeypatch.setenv(f"HERODO_ARGV_SIZE_{i}", "x" * big)
    with pytest.raises(ConversionError, match="the command line with the environment is"):
        check_argv_size(argv)
    for i in range(3):
        monkeypatch.delenv(f"HERODO_ARGV_SIZE_{i}")
    check_argv_size(argv)


def test_the_arguments_and_the_environment_add_up(monkeypatch):
    size = sum(len(k) + len(v) + 10 for k, v in os.environb.items())
    room = ARG_MAX - size - 200
    pieces = ["y" * 100_000] * (room // 100_010)
    check_argv_size(["/usr/bin/docker", "run", *pieces])
    with pytest.raises(ConversionError, match="the command line with the environment"):
        check_argv_size(["/usr/bin/docker", "run", *pieces, "y" * 100_000, "y" * 100_000])


def test_getenv_reads_what_os_environ_holds_now(monkeypatch):
    """``processes.getenv`` (read from the dict behind os.environb) answers as ``os.environ.get`` does,
    after changes made through os.environ, for a value that is not UTF-8 too."""
    from herodo_py.processes import getenv

    monkeypatch.setenv("HERODO_TEST_VAR", "first")
    assert getenv("HERODO_TEST_VAR") == os.environ.get("HERODO_TEST_VAR") == "first"
    monkeypatch.setenv("HERODO_TEST_VAR", "caf\udce9")  # a byte 0xe9 alone, as os.environ keeps it
    assert getenv("HERODO_TEST_VAR") == os.environ["HERODO_TEST_VAR"]
    assert os.environb[b"HERODO_TEST_VAR"] == b"caf\xe9"
    monkeypatch.delenv("HERODO_TEST_VAR")
    assert getenv("HERODO_TEST_VAR") is None


@pytest.fixture
def recording_engine(tmp_path, monkeypatch):
    """An executable ``docker`` that records that it ran, on this test's own executor."""
    from herodo_py.nerdctl import executor

    engine = tmp_path / "docker"
    engine.write_text(f"#!/bin/sh\ntouch {tmp_path / 'ran'}\n")
    engine.chmod(0o755)
    with executor.Executor().active() as current:
        current.configure(engine=str(engine))
        yield current, tmp_path / "ran"


def test_a_command_linux_refuses_is_named_and_never_runs(recording_engine):
    """The executor sums nothing before a command: Linux's E2BIG is turned into the same named refusal."""
    current, ran = recording_engine
    with pytest.raises(ConversionError, match=r"argument 3 \(after 'web'\) of `docker exec` is 128 KiB"):
        current.run(["exec", "web", "x" * (MAX_ARGUMENT_BYTES + 1)])
    assert not ran.exists()
    current.run(["exec", "web", "x" * MAX_ARGUMENT_BYTES])
    assert ran.exists()


def test_an_environment_linux_refuses_is_named_and_never_runs(recording_engine, monkeypatch):
    current, ran = recording_engine
    for i in range(3):
        monkeypatch.setenv(f"HERODO_ARGV_SIZE_{i}", "x" * (ARG_MAX // 2))
    with pytest.raises(ConversionError, match="the command line with the environment is"):
        current.run(["exec", "web", "true"])
    assert not ran.exists()


def test_a_dry_run_refuses_what_linux_would(recording_engine):
    current, ran = recording_engine
    current.configure(dry_run=True)
    with pytest.raises(ConversionError, match=r"argument 3 \(after 'web'\)"):
        current.run(["exec", "web", "x" * (MAX_ARGUMENT_BYTES + 1)])
    assert not ran.exists()
