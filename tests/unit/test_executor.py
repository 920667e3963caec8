"""The executor, run against small real executables standing in for an engine (the real subprocess runs them)."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

import pytest

from herodo_py.nerdctl import executor
from herodo_py.nerdctl.engine_settings import EngineSettings
from herodo_py.nerdctl.errors import (
    CommandFailed,
    CommandTimeout,
    ConversionError,
    EngineNotFound,
    NameInUse,
    NoSuchContainer,
    UnsupportedByEngine,
)

FAKE = """#!/bin/sh
# A tiny engine: records its argv, then behaves as FAKE_MODE says.
printf '%s\\n' "$@" > "$FAKE_DIR/argv"
case "$FAKE_MODE" in
  ok) echo "out"; echo 'time="2026" level=warning msg="just a warning"' >&2; exit 0 ;;
  version) echo "Docker version 99.0, build x"; exit 0 ;;
  fail) echo 'time="2026-11-28T10:00:00Z" level=fatal msg="name \\"web\\" is already used by ID \\"abc\\""' >&2; exit 1 ;;
  docker-missing) printf 'Error response from daemon: No such container: web\\n' >&2; exit 1 ;;
  hang) sleep 300 & echo $! > "$FAKE_DIR/child"; wait ;;
  flood) echo "partial" >&2; while :; do printf '%065536d' 0; done ;;
  cat) cat; echo "read all" >&2 ;;
  tmpdir) echo "$TMPDIR"; [ -d "$TMPDIR" ] && touch "$TMPDIR/left-behind"; exit 0 ;;
  detach) echo "started"; setsid sleep 60 & echo $! > "$FAKE_DIR/child"; exit 3 ;;
  quiet-then-exit) echo "done"; exec >&- 2>&-; sleep 0.3; exit 4 ;;
  quiet-then-hang) exec >&- 2>&-; echo $$ > "$FAKE_DIR/child"; sleep 300 ;;
esac
"""


@pytest.fixture
def fake_engine(tmp_path, monkeypatch):
    """Returns a factory: fake_engine(name) -> path of an executable engine called ``name``."""
    def make(name: str = "nerdctl", mode: str = "ok") -> Path:
        path = tmp_path / "bin" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(FAKE)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("FAKE_DIR", str(tmp_path))
        monkeypatch.setenv("FAKE_MODE", mode)
        return path

    for var in ("HERODO_ENGINE", "CONTAINERD_NAMESPACE", "CONTAINERD_ADDRESS", "CONTAINERD_SNAPSHOTTER"):
        monkeypatch.delenv(var, raising=False)
    with executor.Executor().active():  # this test's own settings and engine cache
        yield make


def recorded_argv(tmp_path: Path) -> list[str]:
    return (tmp_path / "argv").read_text().splitlines()


def test_success_is_judged_by_exit_code_not_stderr(fake_engine, tmp_path):
    engine = fake_engine("nerdctl", "ok")
    executor.configure(engine=str(engine))
    result = executor.execute_nerdctl_command(["ps", "-a"])
    assert result.success and result.code == 0
    assert result.stdout == "out\n" and "warning" in result.stderr
    assert result.argv == [str(engine), "ps", "-a"] and result.duration > 0
    assert recorded_argv(tmp_path) == ["ps", "-a"]


@pytest.mark.parametrize(("name", "args", "private"), [
    ("podman", ["ps"], True), ("nerdctl", ["ps"], True), ("podman", ["pull", "x"], True),
    ("docker", ["ps"], False), ("docker", ["exec", "c", "true"], False), ("docker", ["pull", "x"], True),
    ("docker", ["image", "load"], True),
])
def test_a_command_gets_a_private_tmpdir_where_a_killed_one_could_leave_files(fake_engine, tmp_path, monkeypatch,
                                                                             name, args, private):
    """podman and nerdctl (storage work in process) and docker's long commands get a TMPDIR of their own,
    removed afterwards with what they left there; docker's short commands inherit herodo's environment."""
    own = tmp_path / "herodo-tmp"
    own.mkdir()
    monkeypatch.setenv("TMPDIR", str(own))
    executor.configure(engine=str(fake_engine(name, mode="tmpdir")))
    seen = executor.execute_nerdctl_command(args).stdout.strip()
    if private:
        assert os.path.dirname(seen) == str(own) and os.path.basename(seen).startswith("herodo-engine-")
        assert not os.path.exists(seen)  # removed, with the file the command left there
    else:
        assert seen == str(own)
    assert sorted(os.listdir(own)) == ([] if private else ["left-behind"])


def test_nerdctl_global_flags_come_first_in_long_form(fake_engine, tmp_path, monkeypatch):
    executor.configure(engine=str(fake_engine("nerdctl")), namespace="k8s.io")
    monkeypatch.setenv("CONTAINERD_ADDRESS", "/run/k3s/containerd.sock")
    executor.execute_nerdctl_command(["run", "-d", "img"], snapshotter="stargz")
    assert recorded_argv(tmp_path) == ["--namespace", "k8s.io", "--address", "/run/k3s/containerd.sock",
                                       "--snapshotter", "stargz", "run", "-d", "img"]


def test_docker_gets_no_containerd_flags_and_refuses_explicit_ones(fake_engine, tmp_path, monkeypatch):
    executor.configure(engine=str(fake_engine("docker")))
    monkeypatch.setenv("CONTAINERD_NAMESPACE", "k8s.io")  # nerdctl's variable: ignored by docker
    executor.execute_nerdctl_command(["ps"])
    assert recorded_argv(tmp_path) == ["ps"]
    executor.configure(address="unix:///var/run/other.sock")
    executor.execute_nerdctl_command(["ps"])
    assert recorded_argv(tmp_path) == ["--host", "unix:///var/run/other.sock", "ps"]
    with pytest.raises(UnsupportedByEngine, match="snapshotter"):
        executor.execute_nerdctl_command(["run", "x"], snapshotter="overlayfs")
    executor.configure(namespace="prod")
    with pytest.raises(UnsupportedByEngine, match="namespace"):
        executor.execute_nerdctl_command(["ps"])


def test_engine_kind_comes_from_version_when_the_name_does_not_say(fake_engine):
    engine = fake_engine("my-engine", "version")
    executor.configure(engine=str(engine))
    assert executor.current_engine().kind == "docker"


def test_missing_engine_names_what_was_looked_for(fake_engine, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(EngineNotFound) as info:
        executor.current_engine()
    assert "nerdctl, docker and podman" in str(info.value) and "HERODO_ENGINE" in info.value.hint
    monkeypatch.setenv("HERODO_ENGINE", "/nonexistent/nerdctl")
    with pytest.raises(EngineNotFound, match="/nonexistent/nerdctl"):
        executor.current_engine()


def test_engine_found_on_path_in_preference_order(fake_engine, monkeypatch):
    """nerdctl, then docker, then podman: each is taken only when the ones before it are missing."""
    podman = fake_engine("podman")
    monkeypatch.setenv("PATH", str(podman.parent))
    assert executor.current_engine().kind == "podman"
    fake_engine("docker")
    executor.configure(engine=None)  # re-resolve from PATH
    assert executor.current_engine().kind == "docker"
    fake_engine("nerdctl")
    executor.configure(engine=None)  # re-resolve from PATH
    assert executor.current_engine().kind == "nerdctl"


def test_failure_is_classified_with_the_logrus_message(fake_engine):
    executor.configure(engine=str(fake_engine("nerdctl", "fail")))
    with pytest.raises(NameInUse) as info:
        executor.execute_nerdctl_command(["run", "--name", "web", "img"])
    err = info.value
    assert err.code == 1 and err.kind == "CommandFailed"
    assert err.engine_message == 'name "web" is already used by ID "abc"'
    assert err.command.endswith("nerdctl run --name web img")
    assert 'exited with status 1: name "web" is already used' in str(err)


def test_check_false_returns_the_failed_result(fake_engine):
    executor.configure(engine=str(fake_engine("docker", "docker-missing")))
    result = executor.execute_nerdctl_command(["rm", "web"], check=False)
    assert not result.success and result.code == 1 and "No such container" in result.stderr
    with pytest.raises(NoSuchContainer):
        executor.execute_nerdctl_command(["rm", "web"])


def test_timeout_kills_the_whole_process_group(fake_engine, tmp_path):
    executor.configure(engine=str(fake_engine("nerdctl", "hang")))
    started = time.monotonic()
    with pytest.raises(CommandTimeout) as info:
        executor.execute_nerdctl_command(["pull", "big"], timeout=0.5)
    assert time.monotonic() - started < 5
    assert info.value.timeout == 0.5 and isinstance(info.value, CommandFailed)
    child = int((tmp_path / "child").read_text())
    for _ in range(50):  # the grandchild is killed with the group; give the kernel a moment
        if not is_alive(child):
            break
        time.sleep(0.02)
    else:
        pytest.fail(f"child process {child} survived the timeout")


def is_alive(pid: int) -> bool:
    """True for a live process; a zombie (killed, not yet reaped by init) counts as dead."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"


def test_default_timeouts_are_longer_for_image_transfers():
    assert "pull" in executor.LONG_SUBCOMMANDS and "build" in executor.LONG_SUBCOMMANDS and "ps" not in executor.LONG_SUBCOMMANDS
    assert executor.subcommand_of(["image", "pull", "x"]) == "pull"
    assert executor.subcommand_of(["container", "ls", "-a"]) == "ps"


def test_dry_run_skips_state_changes_but_reads(fake_engine, tmp_path):
    executor.configure(engine=str(fake_engine("nerdctl", "ok")), dry_run=True)
    events: list[tuple[str, list[str]]] = []
    listener = lambda event, argv, result: events.append((event, argv[1:]))  # noqa: E731
    executor.add_listener(listener)
    try:
        skipped = executor.execute_nerdctl_command(["rm", "-f", "web"])
        assert skipped.dry_run and skipped.success and not (tmp_path / "argv").exists()
        read = executor.execute_nerdctl_command(["ps"])
        assert not read.dry_run and read.stdout == "out\n"
    finally:
        executor.remove_listener(listener)
    assert events == [("skip", ["rm", "-f", "web"]), ("start", ["ps"]), ("end", ["ps"])]


def test_configure_refuses_unknown_settings_and_bad_timeouts():
    with pytest.raises(TypeError, match="colour"):
        executor.configure(colour=True)
    from herodo_py.nerdctl.errors import ConversionError
    with pytest.raises(ConversionError, match="timeout"):
        executor.configure(timeout=-3)


def test_a_command_linux_would_not_start_is_refused_before_it_runs(fake_engine, tmp_path):
    executor.configure(engine=str(fake_engine("nerdctl")))
    big = "K=" + "x" * (128 * 1024)
    with pytest.raises(ConversionError, match=r"argument 3 \(after '-e'\) of `nerdctl run` is 128 KiB") as info:
        executor.execute_nerdctl_command(["run", "-e", big, "img"])
    assert "in a file" in info.value.hint
    with pytest.raises(ConversionError, match="the command line with the environment is"):
        executor.execute_nerdctl_command(["run", *["-e", big[:100_000]] * 30, "img"])
    assert not (tmp_path / "argv").exists()  # nothing started
    executor.execute_nerdctl_command(["run", "-e", big[:120_000], "img"])
    assert recorded_argv(tmp_path)[2] == big[:120_000]


def test_an_active_executor_is_current_in_its_block_and_in_threads_started_with_its_context(fake_engine):
    import contextvars
    import threading

    outer = executor.current_executor()
    mine = executor.Executor(EngineSettings(namespace="k8s.io"))
    seen: list[object] = []
    with mine.active():
        assert executor.current_executor() is mine and executor.settings().namespace == "k8s.io"
        context = contextvars.copy_context()
        worker = threading.Thread(target=context.run, args=(lambda: seen.append(executor.current_executor()),))
        worker.start()
        worker.join(10)
        bare = threading.Thread(target=lambda: seen.append(executor.current_executor()))
        bare.start()
        bare.join(10)
    assert executor.current_executor() is outer
    assert seen == [mine, executor.default_executor()]  # a thread without the context gets the process default


def test_a_child_copies_its_parents_settings_and_its_parent_hears_its_commands(fake_engine):
    parent = executor.Executor(EngineSettings(engine=str(fake_engine("nerdctl")), namespace="k8s.io"))
    heard: list[tuple[str, list[str]]] = []
    parent.add_listener(lambda event, argv, result: heard.append((event, argv)))
    child = parent.child()
    child.configure(namespace="other", timeout=5)
    child.run(["ps"])
    assert parent.settings.namespace == "k8s.io" and parent.settings.timeout == 120.0
    assert [event for event, _ in heard] == ["start", "end"]
    assert heard[0][1][1:] == ["--namespace", "other", "ps"]


def test_configure_changes_nothing_when_one_setting_is_refused(fake_engine):
    mine = executor.Executor()
    with pytest.raises(ConversionError):
        mine.configure(namespace="k8s.io", timeout=-1)
    assert mine.settings.namespace is None


def test_output_past_the_active_limit_kills_the_command_and_says_what_to_do(fake_engine):
    executor.configure(engine=str(fake_engine("nerdctl", "flood")))
    with executor.OutputLimit(1024 * 1024), pytest.raises(executor.OutputTooLarge) as info:
        executor.execute_nerdctl_command(["exec", "web", "cat", "big"])
    assert "more than 1 MiB of output" in info.value.message and "to a file" in info.value.hint
    assert info.value.command.endswith("exec web cat big")


def test_under_an_output_limit_commands_answer_and_time_out_as_without(fake_engine, tmp_path):
    with executor.OutputLimit(1024 * 1024):
        executor.configure(engine=str(fake_engine("nerdctl", "ok")))
        result = executor.execute_nerdctl_command(["ps"])
        assert (result.stdout, result.code) == ("out\n", 0) and "just a warning" in result.stderr
        executor.configure(engine=str(fake_engine("nerdctl", "hang")))
        with pytest.raises(CommandTimeout):
            executor.execute_nerdctl_command(["pull", "big"], timeout=0.5)


def test_under_an_output_limit_a_big_input_and_its_echo_flow_both_ways(fake_engine):
    """More input than a pipe holds, echoed back while it is written: neither side blocks the other."""
    data = bytes(range(256)) * 4096  # 1 MiB
    executor.configure(engine=str(fake_engine("nerdctl", "cat")))
    with executor.OutputLimit(4 * 1024 * 1024):
        result = executor.execute_nerdctl_command(["load"], input=data, timeout=30)
    assert len(result.stdout) == len(data.decode("utf-8", errors="replace"))
    assert result.stderr == "read all\n" and result.success


def test_under_an_output_limit_a_helper_holding_the_pipes_does_not_hold_an_exited_command(
        fake_engine, tmp_path, monkeypatch):
    """The command exits; a helper it started outside its group keeps the output pipe open: herodo
    answers with the command's own exit code, and no timeout."""
    monkeypatch.setattr(executor, "EXITED_GRACE", 0.5)
    executor.configure(engine=str(fake_engine("nerdctl", "detach")))
    try:
        with executor.OutputLimit(1024 * 1024):
            result = executor.execute_nerdctl_command(["ps"], check=False, timeout=30)  # (the helper sleeps 60)
        assert (result.code, result.stdout) == (3, "started\n")
    finally:
        child = tmp_path / "child"
        if child.exists():
            os.kill(int(child.read_text()), signal.SIGKILL)  # not herodo's: outside its process group


def test_a_command_that_closes_its_output_before_it_exits_is_awaited_to_its_exit(fake_engine, monkeypatch):
    """The pipes close first, the exit comes later: herodo waits for the exit event (by the time it reaps
    the command, the command has ended: no sleep-and-retry) and answers with its exit code."""
    from herodo_py import processes

    reaped_after_exit: list[bool] = []  # at each look for its exit: had it ended?
    poll = processes.Spawned.poll

    def checking_poll(self):
        ended = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        reaped_after_exit.append(self.returncode is not None or ended is not None)
        return poll(self)
    monkeypatch.setattr(processes.Spawned, "poll", checking_poll)
    executor.configure(engine=str(fake_engine("nerdctl", "quiet-then-exit")))
    result = executor.execute_nerdctl_command(["ps"], check=False, timeout=30)
    assert (result.code, result.stdout) == (4, "done\n") and reaped_after_exit == [True]


def test_a_command_that_closes_its_output_and_runs_on_still_times_out(fake_engine, tmp_path):
    executor.configure(engine=str(fake_engine("nerdctl", "quiet-then-hang")))
    with pytest.raises(CommandTimeout):
        executor.execute_nerdctl_command(["ps"], timeout=0.5)
    pid = int((tmp_path / "child").read_text())
    for _ in range(50):
        if not is_alive(pid):
            break
        time.sleep(0.02)
    else:
        pytest.fail(f"the command {pid} survived its timeout")


def test_a_result_shows_its_command_as_its_argv_is_now(fake_engine, tmp_path, monkeypatch):
    """``command`` is remembered for the argv and PATH it was made from, never shown stale."""
    engine = fake_engine("docker")
    result = executor.CommandResult("", "", 0, [str(engine), "ps"])
    assert result.command == f"{engine} ps"  # not on PATH: shown by its path
    result.argv.append("--all")
    assert result.command == f"{engine} ps --all"
    monkeypatch.setenv("PATH", f"{engine.parent}{os.pathsep}{os.environ['PATH']}")
    assert result.command == "docker ps --all"  # found on PATH: shown by its name
    result.argv = [str(engine), "a b"]
    assert result.command == "docker 'a b'"
