"""Engine commands at once: cancel scopes, task labels, a worker pool, and :func:`parallel` for Python users.

``parallel([lambda: run_web(), lambda: run_db()], jobs=4)`` runs the callables in worker threads (at
most ``jobs`` at once), each in a copy of the caller's context (so on the caller's current executor),
and returns their results in order. When some fail, every other still ends (or, with
``fail_fast=True``, is cancelled: its running engine command killed, its next one refused) and one
:class:`ParallelError` carries each failure with its task; :func:`parallel_settled` returns them instead.

A :class:`CancelScope` is what makes a command started in a worker thread killable from another
thread: :meth:`Executor.run <herodo_py.nerdctl.executor.Executor.run>` registers the process group of
every command it starts under the current scope (a ContextVar), and :meth:`CancelScope.cancel` kills
them all and refuses new ones (:class:`TaskCancelled`). The Lua runtime's ``parallel()`` runs its
tasks' engine calls on a :class:`Workers` pool the same way; :func:`current_task` names the task a
command runs for (``--trace`` shows it).

Stdlib only and light: imported by the executor at start-up of the library.
"""

from __future__ import annotations

import contextvars
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, NamedTuple

from .context_setting import CANCEL_SCOPE, ContextSetting

MAX_JOBS = 64


def default_jobs() -> int:
    """Engine commands at once by default: twice the cores (a command mostly waits for its daemon),
    between 4 and 16."""
    return max(4, min(16, 2 * (os.cpu_count() or 2)))


class TaskCancelled(BaseException):
    """Raised where work runs under a cancelled :class:`CancelScope`: its engine command was killed, or a
    new one refused. A ``BaseException`` (like ``KeyboardInterrupt``): ``except Exception`` in a task does
    not keep it going."""


class CancelScope:
    """The engine commands started under it (in any thread), killable at once: ``scope.cancel()``.

    ``with scope.active():`` makes it current in this context; threads started with a copy of that
    context (``contextvars.copy_context().run``, or :class:`Workers`) are under it too. The executor
    registers every command it starts under the current scope while it runs; :meth:`cancel` kills their
    process groups and refuses later ones (:class:`TaskCancelled`). A scope made while another is current
    (or given ``parent``) is its child: cancelling the parent cancels it too, not the reverse. Work between
    commands looks at it with :meth:`check`, :meth:`wait` or :meth:`pause`. ``parallel()`` and stacks
    each run under one.
    """

    def __init__(self, parent: CancelScope | None = None) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._children: list[CancelScope] = []
        self.reason = ""
        self.parent = parent if parent is not None else CANCEL_SCOPE.get()
        if self.parent is not None:
            self.parent._adopt(self)

    def _adopt(self, child: CancelScope) -> None:
        with self._lock:
            self._children.append(child)
            cancelled = self.cancelled
        if cancelled:
            child.cancel(self.reason)

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def active(self) -> ContextSetting:
        """``with scope.active():`` puts the block's commands (and its threads') under this scope."""
        return ContextSetting(CANCEL_SCOPE, self)

    def check(self) -> None:
        """Raise :class:`TaskCancelled` once the scope is cancelled (for work between commands)."""
        if self._event.is_set():
            raise TaskCancelled(self.reason or "cancelled")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, woken by a cancel; ``True`` when cancelled."""
        return self._event.wait(seconds)

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when the scope is cancelled meanwhile (then raise)."""
        self._event.wait(seconds)
        self.check()

    def cancel(self, reason: str = "cancelled") -> int:
        """Refuse new commands and kill the process group of every running one (children's too). Returns
        how many were killed; safe to call again."""
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()
            processes, children = list(self._processes), list(self._children)
        for proc in processes:
            _kill_group(proc)
        return len(processes) + sum(child.cancel(reason) for child in children)

    def track(self, proc: subprocess.Popen[bytes]) -> None:
        """Count ``proc`` (the leader of its own process group) as running under this scope; killed at
        once when the scope is already cancelled."""
        with self._lock:
            self._processes.add(proc)
            cancelled = self._event.is_set()
        if cancelled:
            _kill_group(proc)

    def untrack(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.discard(proc)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_task: ContextVar[str | None] = ContextVar("herodo_task", default=None)


def current_scope() -> CancelScope | None:
    """The cancel scope engine commands started here run under (``None`` outside any)."""
    return CANCEL_SCOPE.get()


def current_task() -> str | None:
    """What the command run here belongs to: a ``parallel`` task (``"task 2"``, ``"task 2: web"``) or a
    stack's service (``"web"``); ``None`` outside both. ``--trace`` and ``--dry-run`` show it in brackets."""
    return _task.get()


def tagged(label: str | None) -> ContextSetting:
    """``with tagged("web"):`` the block's commands (and its threads') belong to ``label`` (:func:`current_task`)."""
    return ContextSetting(_task, label)


def pause(seconds: float) -> None:
    """``time.sleep`` that a cancelled scope cuts short (the library's waits between two polls)."""
    scope = CANCEL_SCOPE.get()
    if scope is None:
        time.sleep(seconds)
    else:
        scope.pause(seconds)


class Outcome(NamedTuple):
    """How one submitted call ended: ``ok`` and its value, or its exception."""

    key: int
    ok: bool
    value: Any


class Workers:
    """At most ``jobs`` threads running submitted calls, each in a copy of its submitter's context with
    its task's label and this pool's :class:`CancelScope` current; outcomes are collected with
    :meth:`wait` and :meth:`poll`. Threads start as calls come and are daemons (nothing a pool runs
    can keep the process alive after :meth:`close`)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.scope = CancelScope()  # (a child of the current scope, if any)
        self._work: queue.SimpleQueue[tuple[int, contextvars.Context, Callable[[], Any]] | None] = \
            queue.SimpleQueue()
        self._done: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self.pending = 0  # submitted calls whose outcome has not been collected

    def submit(self, key: int, label: str | None, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` in a worker (queued while ``jobs`` calls run); its outcome comes back with ``key``."""
        context = contextvars.copy_context()
        context.run(self._enter, label)
        self.pending += 1
        if len(self._threads) < min(self.jobs, self.pending):
            thread = threading.Thread(target=self._worker, name=f"herodo-worker-{len(self._threads) + 1}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()
        self._work.put((key, context, fn))

    def _enter(self, label: str | None) -> None:
        CANCEL_SCOPE.set(self.scope)
        _task.set(label)

    def _worker(self) -> None:
        while (item := self._work.get()) is not None:
            key, context, fn = item
            try:
                outcome = Outcome(key, True, context.run(fn))
            except BaseException as exc:  # (TaskCancelled too: the collector decides)
                outcome = Outcome(key, False, exc)
            self._done.put(outcome)

    def wait(self) -> list[Outcome]:
        """Block until at least one outcome is there (interruptible by signals in the main thread)."""
        if self.pending <= 0:
            raise RuntimeError("Workers.wait() with no call pending would wait forever")
        first = self._done.get()
        self.pending -= 1
        return [first, *self.poll()]

    def poll(self) -> list[Outcome]:
        """The outcomes there now, without waiting."""
        found: list[Outcome] = []
        while True:
            try:
                found.append(self._done.get_nowait())
            except queue.Empty:
                break
        self.pending -= len(found)
        return found

    def cancel(self, reason: str = "cancelled") -> list[Outcome]:
        """Cancel the scope (running commands killed, new ones refused) and collect every pending outcome."""
        self.scope.cancel(reason)
        return self.drain()

    def drain(self) -> list[Outcome]:
        """Collect every pending outcome (waiting for the calls to end), even through Ctrl-C."""
        found: list[Outcome] = []
        while self.pending > 0:
            try:
                found.append(self._done.get())
                self.pending -= 1
            except KeyboardInterrupt:  # a second Ctrl-C while killed commands end: keep collecting
                self.scope.cancel("interrupted")
        return found

    def close(self) -> None:
        """Cancel what still runs and stop the threads."""
        if self.pending:
            self.cancel()
        for _ in self._threads:
            self._work.put(None)
        self._threads.clear()


# --- parallel() for Python users -----------------------------------------------------------------------


class TaskFailure(NamedTuple):
    """A task that failed: its place in the list (from 0), its name, and the exception it raised."""

    index: int
    name: str
    error: BaseException


class Settled(NamedTuple):
    """Every task's end: ``results`` in order (``None`` where a task failed or was cancelled), the
    ``failures`` in task order, and the indexes of tasks cancelled by ``fail_fast``."""

    results: list[Any]
    failures: list[TaskFailure]
    cancelled: list[int]


class ParallelError(Exception):
    """Some tasks of :func:`parallel` failed: ``failures`` (each with its task), ``cancelled``,
    and the ``results`` of the tasks that succeeded (``None`` elsewhere)."""

    def __init__(self, settled: Settled) -> None:
        self.failures, self.cancelled, self.results = settled.failures, settled.cancelled, settled.results
        total = len(settled.results)
        lines = [f"{len(self.failures)} of {total} tasks failed"
                 + (f", {len(self.cancelled)} cancelled" if self.cancelled else "") + ":"]
        lines += [f"  {f.name}: {type(f.error).__name__}: {f.error}" for f in self.failures]
        super().__init__("\n".join(lines))


def _check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ValueError(f"jobs: invalid value {jobs!r} (expected a whole number from 1 to {MAX_JOBS})")
    return jobs


def _task_names(count: int, names: Sequence[str] | None) -> list[str]:
    if names is None:
        return [f"task {i}" for i in range(count)]
    if len(names) != count or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names: expected {count} strings, one per task, got {names!r}")
    return list(names)


def parallel_settled(calls: Sequence[Callable[[], Any]], *, jobs: int | None = None, fail_fast: bool = False,
                     names: Sequence[str] | None = None) -> Settled:
    """Run ``calls`` at most ``jobs`` at once and return how each ended (see the module doc). Ctrl-C
    kills the running commands, waits for the calls to end, and raises ``KeyboardInterrupt``."""
    calls = list(calls)
    for i, call in enumerate(calls):
        if not callable(call):
            raise TypeError(f"calls[{i}]: {call!r} is not callable (expected a function taking no argument)")
    jobs = _check_jobs(jobs)
    labels = _task_names(len(calls), names)
    workers = Workers(jobs)
    results: list[Any] = [None] * len(calls)
    failures: list[TaskFailure] = []
    cancelled: list[int] = []
    try:
        for i, call in enumerate(calls):
            workers.submit(i, labels[i], call)
        while workers.pending:
            for key, ok, value in workers.wait():
                if ok:
                    results[key] = value
                elif isinstance(value, TaskCancelled) and workers.scope.cancelled:
                    cancelled.append(key)
                else:
                    failures.append(TaskFailure(key, labels[key], value))
                    if fail_fast and not workers.scope.cancelled:
                        workers.scope.cancel(f"cancelled: {labels[key]} failed")
    except BaseException:
        workers.cancel("interrupted")
        raise
    finally:
        workers.close()
    failures.sort(key=lambda f: f.index)
    return Settled(results, failures, sorted(cancelled))


def parallel(calls: Sequence[Callable[[], Any]], *, jobs: int | None = None, fail_fast: bool = False,
             names: Sequence[str] | None = None) -> list[Any]:
    """The results of ``calls`` in order, run at most ``jobs`` at once; :class:`ParallelError` when
    any failed (after every task ended, or was cancelled with ``fail_fast``)."""
    settled = parallel_settled(calls, jobs=jobs, fail_fast=fail_fast, names=names)
    if settled.failures:
        raise ParallelError(settled)
    return settled.results


__all__ = ["MAX_JOBS", "default_jobs", "TaskCancelled", "CancelScope", "current_scope", "current_task", "tagged",
           "pause", "Outcome", "Workers", "TaskFailure", "Settled", "ParallelError", "parallel", "parallel_settled"]
