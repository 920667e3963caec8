"""The watchdog: ends ``herodo`` when a stopped script is stuck in one long call into the Lua library."""

from __future__ import annotations

import _signal  # the C module: ``signal`` builds its enums at import (some 4 ms of every start-up)
import _thread  # (not threading: it costs every start-up ~0.5 ms, and one plain thread is all this needs)
import os
import time

from ..exit_codes import EXIT_INTERRUPTED, EXIT_TIMEOUT
from ..limits import CLEANUP_WAIT, STUCK_AFTER

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


TICK = 0.1  # seconds between the watching thread's looks once a stop is under way
IDLE_TICK = 1.0
"""Seconds between its looks before (the script's deadline shortens one): on this VM a thread waking after a
wait costs ~0.2 ms of CPU, and ten looks a second cost a run ~2 ms a second (issue 17); a Ctrl-C that finds
the script stuck in C is seen up to this much later."""


def _drain(fd: int) -> bytes:
    """What signals wrote to the wakeup pipe since the last look (their numbers, one byte each)."""
    try:
        return os.read(fd, 256)
    except BlockingIOError:
        return b""


class _Watcher:
    """The process's one watching thread and its wakeup pipe, made by the first watchdog and kept: a
    ``herodo test`` run watches every test call, and a thread and a pipe each time would pile up (the
    thread sleeps between looks rather than waiting in select, so it cannot be woken to end at once)."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)
        self.lock = _thread.allocate_lock()  # held while the thread looks, and while watches change
        self.watches: list[Watchdog] = []  # the innermost last
        _thread.start_new_thread(self._run, ())

    def _run(self) -> None:
        pause = TICK
        while True:
            time.sleep(pause)  # (a sleep, not select: a script that is never stopped pays no select import)
            with self.lock:
                signals = _drain(self.read_fd)
                pause = self.watches[-1]._look(signals) if self.watches else IDLE_TICK


_watcher: _Watcher | None = None


class Watchdog:
    """Ends the process when a stopped script does not answer (``herodo`` only, main thread only).

    Ctrl-C (seen through ``signal.set_wakeup_fd``, which works while the main thread is stuck in C)
    or the script's deadline starts the count; when the script has then spent ``stuck_after`` seconds
    outside bindings (in a binding Python is in control, and cleanup may wait for the engine as long as
    it needs, up to ``cleanup_wait`` seconds in all) and is not inside one, herodo writes why and exits
    (130 or 124) without cleanup: nothing else can stop a thread stuck in one C call.
    """

    def __init__(self, runtime: Any, stuck_after: float = STUCK_AFTER, cleanup_wait: float = CLEANUP_WAIT) -> None:
        """``runtime``: the Runtime watched (its ``_deadline``, ``_in_binding`` and ``_binding_time`` are read)."""
        self.runtime: Any = runtime
        self.stuck_after = stuck_after
        self.cleanup_wait = cleanup_wait
        self.previous_fd = -1
        self.since: float | None = None  # when the count started (a stop was asked for) ...
        self.in_bindings = 0.0  # ... the runtime's time in bindings then ...
        self.reason = ""  # ... and why

    def __enter__(self) -> Watchdog:
        global _watcher
        if _watcher is None:
            _watcher = _Watcher()
        with _watcher.lock:
            _drain(_watcher.read_fd)  # (signals from before this watch are not its business)
            self.previous_fd = _signal.set_wakeup_fd(_watcher.write_fd, warn_on_full_buffer=False)
            _watcher.watches.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop watching, and let go of the runtime (a runtime nothing else holds is then freed, and its Lua
        state closed, when herodo exits)."""
        assert _watcher is not None
        with _watcher.lock:
            _signal.set_wakeup_fd(self.previous_fd)
            _watcher.watches.remove(self)
            self.runtime = None

    def _look(self, signals: bytes) -> float:
        """One look (the watching thread's): start the count on a stop; end herodo when the script is stuck.
        Seconds until the next look."""
        runtime = self.runtime
        now = time.monotonic()
        if self.since is None:
            start = "interrupted" if _signal.SIGINT in signals else None
            deadline = runtime._deadline
            if deadline is not None and now > deadline:
                start = start or "script timeout"
            if start is None:
                return IDLE_TICK if deadline is None else min(IDLE_TICK, deadline - now + TICK)
            self.since, self.in_bindings, self.reason = now, runtime._binding_time(now), start
        waited = runtime._binding_time(now) - self.in_bindings
        if now - self.since - waited > self.stuck_after and not runtime._in_binding:
            self._exit(self.reason, f"the script did not stop within {self.stuck_after:g}s (it is stuck in one long "
                                    "call into the Lua library, e.g. a string pattern)")
        if waited > self.cleanup_wait:
            self._exit(self.reason, f"the script's cleanup waited on bindings for more than {self.cleanup_wait:g}s")
        return TICK

    def _exit(self, reason: str, why: str) -> None:
        os.write(2, f"herodo: {reason}: {why}; exiting without cleanup\n".encode())
        os._exit(EXIT_INTERRUPTED if reason == "interrupted" else EXIT_TIMEOUT)
