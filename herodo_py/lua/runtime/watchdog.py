"""The watchdog: ends ``herodo`` when a stopped script is stuck in one long call into the Lua library."""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from typing import Any

from ..exit_codes import EXIT_INTERRUPTED, EXIT_TIMEOUT
from ..limits import CLEANUP_WAIT, STUCK_AFTER


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
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        self.previous_fd = -1
        self.fds: tuple[int, int] | None = None

    def __enter__(self) -> Watchdog:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        self.fds = (read_fd, write_fd)
        self.previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self.thread = threading.Thread(target=self._watch, name="herodo-watchdog", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        signal.set_wakeup_fd(self.previous_fd)
        if self.fds is not None:
            try:
                os.write(self.fds[1], b"\0")  # wake the thread now (its select would wait up to 0.1 s)
            except BlockingIOError:  # (the pipe is full: select returns at once anyway)
                pass
        if self.thread is not None:
            self.thread.join()
        if self.fds is not None:
            for fd in self.fds:
                os.close(fd)

    def _watch(self) -> None:
        assert self.fds is not None
        runtime = self.runtime
        since: float | None = None  # when the count started, and the binding time then
        in_bindings = 0.0
        reason = ""
        while not self.done.is_set():
            ready, _, _ = select.select([self.fds[0]], [], [], 0.1)
            now = time.monotonic()
            start = None
            if ready and signal.SIGINT in os.read(self.fds[0], 256) and since is None:
                start = "interrupted"
            deadline = runtime._deadline
            if since is None and deadline is not None and now > deadline:
                start = start or "script timeout"
            if start is not None:
                since, in_bindings, reason = now, runtime._binding_time(now), start
            if since is None:
                continue
            waited = runtime._binding_time(now) - in_bindings
            if self.done.is_set():
                break
            if now - since - waited > self.stuck_after and not runtime._in_binding:
                self._exit(reason, f"the script did not stop within {self.stuck_after:g}s (it is stuck in one long "
                                   "call into the Lua library, e.g. a string pattern)")
            if waited > self.cleanup_wait:
                self._exit(reason, f"the script's cleanup waited on bindings for more than {self.cleanup_wait:g}s")

    def _exit(self, reason: str, why: str) -> None:
        os.write(2, f"herodo: {reason}: {why}; exiting without cleanup\n".encode())
        os._exit(EXIT_INTERRUPTED if reason == "interrupted" else EXIT_TIMEOUT)
