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
        self.runtime = runtime
        self.stuck_after = stuck_after
        self.cleanup_wait = cleanup_wait
        self.done = False
        self.finished = _thread.allocate_lock()  # held while the watching thread runs
        self.previous_fd = -1
        self.fds: tuple[int, int] | None = None

    def __enter__(self) -> Watchdog:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        self.fds = (read_fd, write_fd)
        self.previous_fd = _signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self.finished.acquire()
        try:
            _thread.start_new_thread(self._run, ())
        except BaseException:
            self.finished.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.done = True
        _signal.set_wakeup_fd(self.previous_fd)
        if self.fds is not None:
            try:
                os.write(self.fds[1], b"\0")  # wake the thread now (its select would wait up to 0.1 s)
            except BlockingIOError:  # (the pipe is full: select returns at once anyway)
                pass
        with self.finished:  # the thread has ended
            pass
        if self.fds is not None:
            for fd in self.fds:
                os.close(fd)

    def _run(self) -> None:
        try:
            self._watch()
        finally:
            self.finished.release()

    def _watch(self) -> None:
        import select  # here: in the watchdog's thread, off the start-up path

        assert self.fds is not None
        runtime = self.runtime
        since: float | None = None  # when the count started, and the binding time then
        in_bindings = 0.0
        reason = ""
        while not self.done:
            ready, _, _ = select.select([self.fds[0]], [], [], 0.1)
            now = time.monotonic()
            start = None
            if ready and _signal.SIGINT in os.read(self.fds[0], 256) and since is None:
                start = "interrupted"
            deadline = runtime._deadline
            if since is None and deadline is not None and now > deadline:
                start = start or "script timeout"
            if start is not None:
                since, in_bindings, reason = now, runtime._binding_time(now), start
            if since is None:
                continue
            waited = runtime._binding_time(now) - in_bindings
            if self.done:
                break
            if now - since - waited > self.stuck_after and not runtime._in_binding:
                self._exit(reason, f"the script did not stop within {self.stuck_after:g}s (it is stuck in one long "
                                   "call into the Lua library, e.g. a string pattern)")
            if waited > self.cleanup_wait:
                self._exit(reason, f"the script's cleanup waited on bindings for more than {self.cleanup_wait:g}s")

    def _exit(self, reason: str, why: str) -> None:
        os.write(2, f"herodo: {reason}: {why}; exiting without cleanup\n".encode())
        os._exit(EXIT_INTERRUPTED if reason == "interrupted" else EXIT_TIMEOUT)
