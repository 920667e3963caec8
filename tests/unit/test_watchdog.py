"""The watchdog's thread and wakeup pipe are made once per process and kept (herodo_py.lua.runtime.watchdog):
``herodo test`` watches every test call, and a thread with a pipe per call would pile up."""

from __future__ import annotations

import os
import signal

from herodo_py.lua.runtime.watchdog import Watchdog


class Quiet:
    """What the watchdog reads of a runtime that is never stopped."""

    _deadline = None
    _in_binding = 0

    def _binding_time(self, now: float) -> float:
        return 0.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def test_many_watches_share_one_thread_and_one_pipe_and_let_go_of_their_runtime():
    with Watchdog(Quiet()):
        pass  # (the first watch makes the thread and the pipe)
    fds, tasks = open_fds(), threads()
    previous = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(previous)
    for _ in range(200):
        watch = Watchdog(Quiet())
        with watch:
            current = signal.set_wakeup_fd(-1)
            signal.set_wakeup_fd(current)
            assert current not in (-1, previous)  # the watcher's pipe, meanwhile
        assert watch.runtime is None
    assert (open_fds(), threads()) == (fds, tasks)
    assert signal.set_wakeup_fd(previous) == previous  # given back after each watch


def test_it_looks_seldom_until_a_stop_then_often():
    """Before a stop the thread looks once a second (each wake-up costs the run CPU), sooner when the script's
    deadline comes first; once a stop is under way (Ctrl-C, the deadline passed), ten times a second."""
    import time

    from herodo_py.lua.runtime import watchdog

    quiet = Watchdog(Quiet())
    assert quiet._look(b"") == watchdog.IDLE_TICK
    assert quiet.since is None

    soon = Quiet()
    soon._deadline = time.monotonic() + 0.3
    assert 0.3 < Watchdog(soon)._look(b"") <= 0.3 + watchdog.TICK < watchdog.IDLE_TICK

    interrupted = Watchdog(Quiet())
    assert interrupted._look(bytes([signal.SIGINT])) == watchdog.TICK
    assert interrupted.reason == "interrupted"

    late = Quiet()
    late._deadline = time.monotonic() - 1
    timed_out = Watchdog(late)
    assert timed_out._look(b"") == watchdog.TICK
    assert timed_out.reason == "script timeout"
