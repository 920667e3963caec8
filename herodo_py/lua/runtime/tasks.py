"""``parallel(tasks [, options])``: a script's tasks at once, each a coroutine (the Python side).

The Lua state stays single-threaded: only the thread running the script touches it. ``parallel.lua``
(the scheduler, loaded on the first call) resumes one task at a time. A task that calls a binding which
waits (an engine command, a timer: :attr:`Binding.waits <herodo_py.lua.registry.Binding.waits>`) has
its arguments checked, converted and cleared by the sandbox here, in the script's thread; then the
library call runs in a worker thread (:class:`~herodo_py.nerdctl.concurrency.Workers`, at most ``jobs``
at once, each call in a copy of the script's context with the runtime's executor active) and the task
yields until the call ended, while the other tasks go on; its result is converted back here, in the
script's thread, and the task resumes with it (or with the error, at the task's line).

Stops: Ctrl-C and the time limit reach the script's thread where it is (running a task, or waiting in
:meth:`Tasks._tasks_wait`); the scheduler then cancels the workers' scope (every running engine
command's process group killed, new ones refused), waits for the workers, closes every unfinished
task (its ``<close>`` variables run, bindings there in place) and passes the stop on. A task cannot
outrun the time limit by yielding: every task is armed with the count hook, and so is the scheduler.

Memory: one Lua state, one ``--max-memory``. Trace: each worker call runs with its task's label
(:func:`~herodo_py.nerdctl.concurrency.current_task`), which ``--trace`` and ``--dry-run`` show.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics.errors import ScriptError
from ..registry import Binding, FieldDef, Param, Registry
from ..sources import lua_source

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

    from ...nerdctl.concurrency import Outcome, Workers

MAX_JOBS = 64  # = herodo_py.nerdctl.concurrency.MAX_JOBS (a test checks; not imported: start-up stays light)


def register_types(registry: Registry) -> None:
    """The Lua types of ``parallel``: its options, a task's failure, and the error it raises."""
    registry.type("ParallelOptions", "options", "parallel(tasks, {jobs=, fail_fast=, raise=})", fields=[
        FieldDef("jobs", "integer?", f"at most this many waiting calls (engine commands) at once (1 to {MAX_JOBS}; "
                                     "default: twice the cores, 4 to 16)"),
        FieldDef("fail_fast", "boolean?", "on the first failure, cancel the other tasks (default false)"),
        FieldDef("raise", "boolean?", "false: return results, failures instead of raising (default true)")])
    registry.type("TaskFailure", "record", "A task of parallel() that failed or was cancelled.", fields=[
        FieldDef("index", "integer", "the task's place in the list"),
        FieldDef("name", "string?", "the task's name, when it has one"),
        FieldDef("message", "string", "what went wrong (the error as text), or why it was cancelled"),
        FieldDef("error", "any", "the error value the task raised (nil when cancelled)"),
        FieldDef("cancelled", "boolean", "true: cancelled by fail_fast before it ended")])
    registry.type("ParallelError", "record", "The error parallel() raises when tasks failed (tostring: the summary).",
                  fields=[FieldDef("message", "string", "N of M tasks failed: one line per failure"),
                          FieldDef("failures", "TaskFailure[]", "the failed and cancelled tasks, in task order"),
                          FieldDef("results", "table", "the first values of the tasks that succeeded (n = count)")])


SIGNATURE = Binding(
    "parallel",
    (Param("tasks", "(fun(): any|{name: string, [1]: fun(): any})[]",
           "functions, or {name = 'web', function() ... end}"),
     Param("options", "ParallelOptions?", "jobs, fail_fast, raise")),
    "table, TaskFailure[]?",
    "Run the tasks at once, each a coroutine: a binding that waits (an engine command) lets the others go on;\n"
    "at most jobs commands at once. Returns the tasks' first values in order (n = the count). When tasks fail,\n"
    "the others still end (fail_fast: are cancelled) and a ParallelError lists each failure with its task;\n"
    "with raise = false, returns results, failures instead.",
    lambda *args: None)
"""``parallel`` for ``herodo types`` and the lint's globals (implemented in Lua: ``parallel.lua``)."""


class Tasks:
    """The Python side of ``parallel()`` for the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`:
    it reads the runtime's ``executor``, ``_in_binding``, ``_stop`` and the dispatch's conversions)."""

    _workers: Workers | None = None
    _outcomes: dict[int, Outcome]
    _task_bindings: dict[int, Binding]
    _labels: list[str]

    def _task_helpers(self) -> dict[bytes, Any]:
        """What the prelude and ``parallel.lua`` call (the ``H`` table's share)."""
        return {b"task_finish": self._task_finish, b"tasks_open": self._tasks_open, b"tasks_poll": self._tasks_poll,
                b"tasks_wait": self._tasks_wait, b"tasks_cancel": self._tasks_cancel,
                b"tasks_discard": self._tasks_discard, b"tasks_close": self._tasks_close, b"max_jobs": MAX_JOBS,
                b"parallel_source": _parallel_source}

    def _tasks_open(self, jobs: int | None, labels: Any) -> None:
        if self._workers is not None:
            raise self._located(ScriptError(
                "parallel() inside a task of parallel()", category="NestedParallel", func="parallel",
                hint="give the outer parallel() all the tasks, or run the inner ones one after another"))
        from ...nerdctl.concurrency import Workers, default_jobs  # here: only a script using parallel() needs it

        self._workers = Workers(jobs or default_jobs())
        self._outcomes, self._task_bindings = {}, {}
        self._labels = [label.decode() if isinstance(label, bytes) else str(label) for _, label in
                        sorted(labels.items())]

    def _task_start(self, binding: Binding, index: int, obj: Any, args: Sequence[Any]) -> None:
        """Check and convert a waiting binding's arguments here, then run it in a worker for task ``index``."""
        def start() -> None:
            call = self._prepared(binding, obj, args)
            serving, host_policy = self._serving(), self._host_policy_for(binding)

            def work() -> Any:
                with serving, host_policy:
                    return call()
            assert self._workers is not None
            self._workers.submit(index, self._labels[index - 1], work)
            self._task_bindings[index] = binding
        self._binding_call(binding, start)

    def _task_finish(self, index: int) -> Any:
        """The result of task ``index``'s call, converted (or its error, raised at the task's line)."""
        _, ok, value = self._outcomes.pop(index)
        binding = self._task_bindings.pop(index)

        def finish() -> Any:
            if not ok:
                raise value
            return self.to_lua(self._fitting(value, binding.name))
        return self._binding_call(binding, finish)

    def _collected(self, outcomes: list[Outcome]) -> tuple[int, ...]:
        for outcome in outcomes:
            self._outcomes[outcome.key] = outcome
        return tuple(outcome.key for outcome in outcomes)

    def _tasks_poll(self) -> tuple[int, ...]:
        """The tasks whose call ended since the last look (no waiting)."""
        assert self._workers is not None
        return self._collected(self._workers.poll()) if self._workers.pending else ()

    def _tasks_wait(self) -> tuple[int, ...]:
        """Wait until a task's call ends; Ctrl-C and the time limit stop the wait (and the script)."""
        workers = self._workers
        assert workers is not None
        return self._binding_call(SIGNATURE, lambda: self._collected(workers.wait()))

    def _tasks_cancel(self, reason: bytes | str) -> None:
        """Kill the tasks' running engine commands, refuse new ones, and wait for the workers."""
        if self._workers is not None:
            self._workers.cancel(reason.decode() if isinstance(reason, bytes) else reason)
        self._outcomes.clear()
        self._task_bindings.clear()

    def _tasks_discard(self, index: int) -> None:
        """Forget the call of a task another coroutine ended (its outcome is nobody's)."""
        self._outcomes.pop(index, None)
        self._task_bindings.pop(index, None)

    def _tasks_close(self) -> None:
        """The end of a parallel() (however it ended): nothing of it keeps running."""
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.close()
        self._outcomes = {}
        self._task_bindings = {}


def _parallel_source() -> bytes:
    return lua_source(__file__, "parallel.lua")
