"""herodo_py.nerdctl.parallel for Python users, on the nerdctl stand-in (real processes, real threads): results
in order, each call on the caller's executor, at most `jobs` at once (and really at once: a barrier only
concurrent calls pass), failures aggregated with their task, fail_fast killing a running engine command,
Ctrl-C killing every running command, and a cancel scope killing a process group from another thread."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from support import interrupt_when

from herodo_py import nerdctl as n
from herodo_py.nerdctl.concurrency import CancelScope, ParallelError, TaskCancelled, current_task, parallel_settled
from herodo_py.nerdctl.executor import Executor, current_executor

STANDIN = Path(__file__).resolve().parent / "standin" / "nerdctl"


def marked_processes(marker: str) -> list[int]:
    """Pids of the processes whose environment carries ``marker`` (this process excepted)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(pid) != os.getpid() and marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.fixture
def standin(use_engine, monkeypatch) -> str:
    """The stand-in as the current engine; a marker in the environment its processes inherit."""
    use_engine(str(STANDIN))
    marker = f"parallel-api-{uuid.uuid4().hex}"
    monkeypatch.setenv("HERODO_TEST_MARKER", marker)
    return marker


def test_results_in_order_each_on_the_callers_executor(standin):
    mine = current_executor()
    seen: list[Executor] = []

    def call(i: int):
        def run() -> tuple[int, str | None, int]:
            seen.append(current_executor())
            return i, current_task(), len(n.list(all=True))
        return run
    results = n.parallel([call(i) for i in range(6)], jobs=3)
    assert [r[0] for r in results] == list(range(6))
    assert [r[1] for r in results] == [f"task {i}" for i in range(6)]
    assert len({r[2] for r in results}) == 1
    assert all(e is mine for e in seen)


def test_at_most_jobs_at_once_and_really_at_once(standin):
    lock = threading.Lock()
    running, most = 0, 0
    barrier = threading.Barrier(2, timeout=60)  # passed only by two calls running together

    def call() -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            barrier.wait()
            return n.logs("web").stdout
        finally:
            with lock:
                running -= 1
    results = n.parallel([call] * 6, jobs=2)
    assert len(results) == 6 and most == 2


def test_failures_are_aggregated_with_their_task(standin):
    calls = [lambda: n.stop("web"), lambda: n.stop("missing-a"), lambda: 3, lambda: n.remove("missing-b")]
    with pytest.raises(ParallelError) as caught:
        n.parallel(calls, names=["web", "a", "three", "b"])
    error = caught.value
    assert [(f.index, f.name, type(f.error).__name__) for f in error.failures] == [
        (1, "a", "NoSuchContainer"), (3, "b", "NoSuchContainer")]
    assert error.results[2] == 3 and error.results[1] is None and error.cancelled == []
    assert str(error).startswith("2 of 4 tasks failed:\n  a: NoSuchContainer: ")
    settled = n.parallel_settled(calls)
    assert [f.index for f in settled.failures] == [1, 3] and settled.results[2] == 3


def test_fail_fast_kills_the_running_command_and_refuses_the_next(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP_EXEC", "120")
    started = threading.Event()
    after: list[str] = []

    def slow() -> None:
        started.set()
        try:
            n.exec("web", ["true"])
        except TaskCancelled:
            after.append("exec killed")
        n.logs("web")  # refused: the task is cancelled
        after.append("not reached")

    def failing() -> None:
        assert started.wait(60)
        deadline = time.monotonic() + 60
        while not marked_processes(standin) and time.monotonic() < deadline:
            time.sleep(0.05)
        raise ValueError("second fails")
    settled = parallel_settled([slow, failing], fail_fast=True)
    assert [(f.index, type(f.error)) for f in settled.failures] == [(1, ValueError)]
    assert settled.cancelled == [0] and after == ["exec killed"]
    assert marked_processes(standin) == []


def test_ctrl_c_kills_every_running_command_and_is_raised(standin, monkeypatch):
    monkeypatch.setenv("NERDCTL_STANDIN_SLEEP_EXEC", "120")
    watcher = interrupt_when(lambda: len(marked_processes(standin)) >= 2)
    with pytest.raises(KeyboardInterrupt):
        n.parallel([lambda: n.exec("web", ["true"]), lambda: n.exec("db", ["true"])], jobs=2)
    watcher.join()
    assert marked_processes(standin) == []


def test_a_cancel_scope_kills_a_process_group_started_in_another_thread():
    scope = CancelScope()
    proc = subprocess.Popen(["sh", "-c", "sleep 120 & wait"], start_new_session=True)
    scope.track(proc)
    threading.Thread(target=scope.cancel, args=("stop now",)).start()
    assert proc.wait(timeout=60) == -signal.SIGKILL
    with pytest.raises(TaskCancelled, match="stop now"):
        scope.check()
    late = subprocess.Popen(["sleep", "120"], start_new_session=True)
    scope.track(late)  # a command registered after the cancel is killed at once
    assert late.wait(timeout=60) == -signal.SIGKILL


@pytest.mark.parametrize(("options", "message"), [
    ({"jobs": 0}, "jobs: invalid value 0 (expected a whole number from 1 to 64)"),
    ({"jobs": True}, "jobs: invalid value True"),
    ({"names": ["a"]}, "names: expected 2 strings, one per task"),
])
def test_bad_options_are_refused_before_anything_runs(options, message):
    ran: list[int] = []
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        n.parallel([lambda: ran.append(1), lambda: ran.append(2)], **options)
    assert ran == []


def test_the_lua_side_names_the_same_job_limit():
    from herodo_py.lua.runtime.tasks import MAX_JOBS
    from herodo_py.nerdctl.concurrency import MAX_JOBS as LIBRARY_MAX_JOBS

    assert MAX_JOBS == LIBRARY_MAX_JOBS
