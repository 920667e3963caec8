"""Concurrency for stacks: worker threads, at most ``jobs`` engine commands at once, and stopping.

Each service runs in its own worker thread (most of a worker's life is waiting for a dependency or
a health check, which holds no slot); every engine command a worker runs holds one of ``jobs``
slots. A stop (Ctrl-C or a time limit reaching the main thread, or a failure) sets ``cancelled``:
waiting workers leave at once, and :meth:`Slots.kill_inflight` kills the engine commands still
running (their process groups), found among this process's children by their argv, which a
command listener records per worker thread. Workers run in a copy of the caller's context, so
context variables (the current executor, the service being worked on) follow them.
"""

from __future__ import annotations

import contextvars
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..cmd import CommandResult, add_listener, remove_listener

__all__ = ["Cancelled", "Slots", "current_service", "default_jobs", "start_worker"]

_service: contextvars.ContextVar[str | None] = contextvars.ContextVar("herodo_stack_service", default=None)
POLL = 0.1  # how often a blocked worker looks at the stop switch (seconds)


class Cancelled(BaseException):
    """The stack's work was stopped (Ctrl-C, a time limit, or another service's failure with
    nothing left to do). A BaseException so that no ``except Exception`` swallows it."""


def current_service() -> str | None:
    """The stack service whose worker runs the current engine command (``--trace`` shows it)."""
    return _service.get()


def default_jobs() -> int:
    """Engine commands at once: twice the CPUs this process may use, at most 8 (each command is a
    CLI process that mostly waits on the engine)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(8, 2 * cpus))


def start_worker(service: str, target: Callable[[], None]) -> threading.Thread:
    """Run ``target`` in a daemon thread, in a copy of the caller's context, as ``service``'s worker."""
    context = contextvars.copy_context()
    context.run(_service.set, service)
    thread = threading.Thread(target=context.run, args=(target,), name=f"stack:{service}", daemon=True)
    thread.start()
    return thread


class Slots:
    """``jobs`` slots for engine commands, the stop switch, and the record of commands in flight."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.cancelled = threading.Event()
        self._semaphore = threading.BoundedSemaphore(jobs)
        self._lock = threading.Lock()
        self._inflight: dict[int, list[str]] = {}
        self._workers: set[int] = set()

    # -- slots -----------------------------------------------------------------------------

    @contextmanager
    def command(self) -> Iterator[None]:
        """Hold one slot for one engine command; raise :class:`Cancelled` once stopped."""
        while not self._semaphore.acquire(timeout=POLL):
            if self.cancelled.is_set():
                raise Cancelled()
        try:
            if self.cancelled.is_set():
                raise Cancelled()
            yield
        finally:
            self._semaphore.release()

    def sleep(self, seconds: float) -> None:
        """Wait without a slot; raise :class:`Cancelled` when stopped meanwhile."""
        if self.cancelled.wait(seconds):
            raise Cancelled()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled()

    # -- tracking and stopping -------------------------------------------------------------

    def register_worker(self) -> None:
        with self._lock:
            self._workers.add(threading.get_ident())

    def _listen(self, event: str, argv: list[str], result: CommandResult | None) -> None:
        ident = threading.get_ident()
        if ident not in self._workers:
            return
        with self._lock:
            if event == "start":
                self._inflight[ident] = list(argv)
            else:
                self._inflight.pop(ident, None)

    @contextmanager
    def tracking(self) -> Iterator[None]:
        add_listener(self._listen)
        try:
            yield
        finally:
            remove_listener(self._listen)

    def kill_inflight(self) -> int:
        """Kill the process group of every engine command a worker is running; how many."""
        with self._lock:
            wanted = [argv for argv in self._inflight.values()]
        if not wanted:
            return 0
        killed = 0
        for pid, argv in _children():
            if argv in wanted:
                try:
                    os.killpg(pid, signal.SIGKILL)  # engine commands lead their own process group
                    killed += 1
                except (ProcessLookupError, PermissionError):
                    pass
        return killed

    def stop(self, threads: list[threading.Thread], bound: float = 30.0) -> None:
        """Cancel, and kill in-flight commands until every worker has left (at most ``bound`` s)."""
        self.cancelled.set()
        deadline = time.monotonic() + bound
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            self.kill_inflight()
            for thread in threads:
                thread.join(POLL / max(1, len(threads)))


def _children() -> list[tuple[int, list[str]]]:
    """(pid, argv) of this process's direct children."""
    me = os.getpid()
    pids: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{me}/task"):
            with open(f"/proc/{me}/task/{task}/children") as f:
                pids.update(int(p) for p in f.read().split())
    except OSError:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                            pids.add(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        found.append((pid, [part.decode("utf-8", "surrogateescape") for part in raw.split(b"\0")[:-1]]))
    return found
