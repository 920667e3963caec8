"""CancelScope: every engine command started under a scope is killed by ``scope.cancel()``, and none
starts after it; commands outside the scope are left alone. Real processes (a small stand-in engine)."""

from __future__ import annotations

import contextvars
import stat
import threading
import time
from pathlib import Path

import pytest

from herodo_py.nerdctl import executor
from herodo_py.nerdctl.concurrency import CancelScope, TaskCancelled
from herodo_py.nerdctl.engine_settings import EngineSettings

HANG = """#!/bin/sh
# Records each call by its last argument, starts a grandchild in its process group, then hangs.
sleep 300 &
echo $! > "$FAKE_DIR/child.$(eval echo \\${$#})"
wait
"""
BOUND = 20.0  # seconds an awaited event may take on a busy machine


@pytest.fixture
def hang_engine(tmp_path, monkeypatch):
    path = tmp_path / "bin" / "nerdctl"
    path.parent.mkdir()
    path.write_text(HANG)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FAKE_DIR", str(tmp_path))
    with executor.Executor(EngineSettings(engine=str(path))).active() as mine:
        yield mine


def is_alive(pid: int) -> bool:
    try:
        line = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return line.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {BOUND:g}s")
        time.sleep(0.02)


def started(tmp_path: Path, name: str) -> int:
    path = tmp_path / f"child.{name}"
    wait_for(lambda: path.exists() and path.read_text().strip(), f"command {name} starting")
    return int(path.read_text())


def run_in_thread(name: str, outcomes: dict[str, object]) -> threading.Thread:
    """Run ``pull NAME`` in a thread that inherits this context (executor and scope)."""
    def work() -> None:
        try:
            outcomes[name] = executor.execute_nerdctl_command(["pull", name], timeout=300)
        except BaseException as exc:  # the test looks at what it was
            outcomes[name] = exc
    thread = threading.Thread(target=contextvars.copy_context().run, args=(work,), daemon=True)
    thread.start()
    return thread


def test_cancel_kills_every_command_in_flight_under_the_scope_and_leaves_a_sibling_scopes(hang_engine, tmp_path):
    outcomes: dict[str, object] = {}
    sibling, scope = CancelScope(), CancelScope()
    with sibling.active():
        other = run_in_thread("other", outcomes)
    with scope.active():
        threads = [run_in_thread(name, outcomes) for name in ("a", "b")]
    children = {name: started(tmp_path, name) for name in ("a", "b", "other")}
    assert scope.cancel() == 2
    for thread in threads:
        thread.join(BOUND)
    assert isinstance(outcomes["a"], TaskCancelled) and isinstance(outcomes["b"], TaskCancelled)
    assert not isinstance(outcomes["a"], Exception)  # no `except Exception` swallows a cancel
    wait_for(lambda: not is_alive(children["a"]) and not is_alive(children["b"]), "the grandchildren dying")
    assert other.is_alive() and is_alive(children["other"])  # under another scope: untouched
    assert sibling.cancel() == 1
    other.join(BOUND)
    assert isinstance(outcomes["other"], TaskCancelled)


def test_no_command_starts_under_a_cancelled_scope(hang_engine, tmp_path):
    heard: list[str] = []
    hang_engine.add_listener(lambda event, argv, result: heard.append(event))
    scope = CancelScope()
    scope.cancel()
    with scope.active(), pytest.raises(TaskCancelled):
        executor.execute_nerdctl_command(["pull", "late"])
    assert not (tmp_path / "child.late").exists() and heard == []
    with pytest.raises(TaskCancelled):
        scope.check()
    assert scope.wait(0) is True


def test_cancelling_an_outer_scope_cancels_the_scopes_made_inside_it_not_the_reverse(hang_engine, tmp_path):
    outcomes: dict[str, object] = {}
    outer = CancelScope()
    with outer.active():
        inner = CancelScope()
        with inner.active():
            deep = run_in_thread("deep", outcomes)
        shallow = run_in_thread("shallow", outcomes)
    started(tmp_path, "deep")
    started(tmp_path, "shallow")
    assert inner.parent is outer and not outer.cancelled
    assert inner.cancel() == 1
    deep.join(BOUND)
    assert isinstance(outcomes["deep"], TaskCancelled) and shallow.is_alive() and not outer.cancelled
    assert outer.cancel() == 1
    shallow.join(BOUND)
    assert isinstance(outcomes["shallow"], TaskCancelled)
    with outer.active():
        late = CancelScope()  # a scope made inside a cancelled one starts cancelled
    assert late.cancelled


def test_a_command_that_finishes_is_forgotten_by_its_scope(hang_engine, tmp_path):
    quick = tmp_path / "bin" / "nerdctl"
    quick.write_text("#!/bin/sh\necho done\n")
    scope = CancelScope()
    with scope.active():
        assert executor.execute_nerdctl_command(["ps"]).stdout == "done\n"
    assert scope.cancel() == 0
