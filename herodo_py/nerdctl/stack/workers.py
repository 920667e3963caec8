"""Concurrency for stacks: one worker thread per service, at most ``jobs`` engine commands at once.

Each service runs in its own worker thread (most of a worker's life is waiting for a dependency or
a health check, which holds no slot); every engine command a worker runs holds one of ``jobs``
slots. Workers run in a copy of the caller's context under the stack's
:class:`~herodo_py.nerdctl.concurrency.CancelScope` and tagged with their service
(:func:`~herodo_py.nerdctl.concurrency.tagged`: ``--trace`` shows ``[web]``, as it shows a
``parallel`` task's ``[task 2: db]``). A stop (Ctrl-C or a time limit reaching the main thread)
cancels the scope: the engine commands in flight are killed, waiting workers leave at once, and no
new command starts.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..concurrency import CancelScope, TaskCancelled, tagged

__all__ = ["Slots", "TaskCancelled", "concurrently", "start_worker"]

POLL = 0.1  # how often a worker waiting for a slot looks at the stop switch (seconds)


def start_worker(service: str, target: Callable[[], None]) -> threading.Thread:
    """Run ``target`` in a daemon thread, in a copy of the caller's context, tagged ``service``."""
    def work() -> None:
        with tagged(service):
            target()
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(work,), name=f"stack:{service}", daemon=True)
    thread.start()
    return thread


def concurrently(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run independent reads at once (each in a thread, in a copy of the caller's context); their
    results in order, or the first one's error."""
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def one(index: int) -> None:
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # handed to the caller
            errors[index] = exc

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(one, i), daemon=True)
               for i in range(1, len(calls))]
    for thread in threads:
        thread.start()
    one(0)  # the first in this thread
    for thread in threads:
        thread.join()
    error = next((e for e in errors if e is not None), None)
    if error is not None:
        raise error
    return results


class Slots:
    """``jobs`` slots for engine commands and the stack's cancel scope (a child of the current one)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.scope = CancelScope()
        self._semaphore = threading.BoundedSemaphore(jobs)

    @contextmanager
    def command(self) -> Iterator[None]:
        """Hold one slot for one engine command; raise :class:`TaskCancelled` once stopped."""
        while not self._semaphore.acquire(timeout=POLL):
            self.scope.check()
        try:
            self.scope.check()
            yield
        finally:
            self._semaphore.release()

    def sleep(self, seconds: float) -> None:
        """Wait without a slot; raise :class:`TaskCancelled` when stopped meanwhile."""
        self.scope.pause(seconds)

    def check(self) -> None:
        self.scope.check()

    def stop(self, threads: list[threading.Thread], reason: str = "stack stopped", bound: float = 30.0) -> None:
        """Cancel (killing the commands in flight) and wait until every worker has left (at most ``bound`` s)."""
        self.scope.cancel(reason)
        deadline = time.monotonic() + bound
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
