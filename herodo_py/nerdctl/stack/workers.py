"""Concurrency for stacks: worker threads, at most ``jobs`` engine commands at once, and stopping.

Each service runs in its own worker thread (most of a worker's life is waiting for a dependency or
a health check, which holds no slot); every engine command a worker runs holds one of ``jobs``
slots. Workers run in a copy of the caller's context under the stack's
:class:`~herodo_py.nerdctl.executor.CancelScope` and with their service as the command tag
(``--trace`` shows ``[web]``). A stop (Ctrl-C or a time limit reaching the main thread) cancels
the scope: the engine commands in flight are killed, waiting workers leave at once, and no new
command starts.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..executor import Cancelled, CancelScope, command_tag, tagged

__all__ = ["Cancelled", "Slots", "current_service", "default_jobs", "start_worker"]

POLL = 0.1  # how often a worker waiting for a slot looks at the stop switch (seconds)


def current_service() -> str | None:
    """The stack service whose worker runs the current engine command (``--trace`` shows it)."""
    return command_tag()


def default_jobs() -> int:
    """Engine commands at once: twice the CPUs this process may use, at most 8 (each command is a
    CLI process that mostly waits on the engine)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(8, 2 * cpus))


def start_worker(service: str, target: Callable[[], None]) -> threading.Thread:
    """Run ``target`` in a daemon thread, in a copy of the caller's context, tagged ``service``."""
    def work() -> None:
        with tagged(service):
            target()
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(work,), name=f"stack:{service}", daemon=True)
    thread.start()
    return thread


class Slots:
    """``jobs`` slots for engine commands and the stack's cancel scope."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.scope = CancelScope()
        self._semaphore = threading.BoundedSemaphore(jobs)

    @contextmanager
    def command(self) -> Iterator[None]:
        """Hold one slot for one engine command; raise :class:`Cancelled` once stopped."""
        while not self._semaphore.acquire(timeout=POLL):
            self.scope.check()
        try:
            self.scope.check()
            yield
        finally:
            self._semaphore.release()

    def sleep(self, seconds: float) -> None:
        """Wait without a slot; raise :class:`Cancelled` when stopped meanwhile."""
        if self.scope.wait(seconds):
            raise Cancelled()

    def check(self) -> None:
        self.scope.check()

    def stop(self, threads: list[threading.Thread], bound: float = 30.0) -> None:
        """Cancel (killing the commands in flight) and wait until every worker has left (at most ``bound`` s)."""
        self.scope.cancel()
        deadline = time.monotonic() + bound
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
