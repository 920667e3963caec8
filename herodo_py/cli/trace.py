"""``herodo --trace`` and ``herodo --dry-run``: engine commands shown on stderr as they happen.

``--trace`` writes each command when it starts, as one line a shell accepts (``+ docker ps -a``), and
when it ends, its exit code and duration (``  exit 0 in 0.04s``); a command run for a stack's service
or a ``parallel`` task carries its label (``[web] + docker run ...``:
:func:`~herodo_py.nerdctl.concurrency.current_task`). ``--dry-run`` sets the executor's
``dry_run`` setting: state-changing commands are written as ``would run: docker run ...`` and not
run, read-only ones run; the last line counts what was skipped.

Standard output is flushed before every line, so the lines fall between the script's own output
where the commands happened. A command a ``parallel`` task runs (in a worker thread) has its task's
label in front: ``[task 2] + docker ps -a``; lines are written whole, one at a time.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from ..processes import shown_command

if TYPE_CHECKING:
    from ..nerdctl.executor import CommandResult


def _named(arg: str) -> str:
    """A dry-run placeholder id (``dry-run:web``) as the name it stands for."""
    from ..nerdctl.executor import DRY_PREFIX  # (loaded: a dry run has run commands)

    return arg[len(DRY_PREFIX):] if arg.startswith(DRY_PREFIX) else arg


class CommandObserver:
    """An executor listener: writes trace and dry-run lines to ``stream`` and counts commands."""

    def __init__(self, stream: TextIO, *, trace: bool = False, dry_run: bool = False) -> None:
        self.stream = stream
        self.trace = trace
        self.dry_run = dry_run
        self.ran = 0
        self.skipped = 0
        self._lock = threading.Lock()  # parallel tasks' commands end in worker threads

    def _write(self, line: str) -> None:
        with self._lock:
            sys.stdout.flush()
            self.stream.write(line + "\n")
            self.stream.flush()

    def __call__(self, event: str, argv: list[str], result: CommandResult | None) -> None:
        # (loaded: a command ran; absolute: a relative import in a function runs importlib code every call)
        from herodo_py.nerdctl.concurrency import current_scope, current_task

        task = current_task()
        label = f"[{task}] " if task else ""
        if event == "skip":
            with self._lock:
                self.skipped += 1
            self._write(f"{label}would run: {shown_command([_named(a) for a in argv])}")
        elif event == "start":
            with self._lock:
                self.ran += 1
            if self.trace:
                self._write(f"{label}+ {shown_command(argv)}")
        elif event == "end" and self.trace and result is not None:
            scope = current_scope()
            if scope is not None and scope.cancelled:
                self._write(f"{label}  killed after {result.duration:.2f}s ({scope.reason})")
            elif result.code == -9:
                self._write(f"{label}  killed after {result.duration:.2f}s (time limit)")
            else:
                self._write(f"{label}  exit {result.code} in {result.duration:.2f}s")

    def summary(self) -> str:
        """The dry run's last line."""
        plural = "" if self.skipped == 1 else "s"
        return (f"herodo: dry run: {self.skipped} state-changing command{plural} not run "
                f"({self.ran} read-only ran)")


@contextmanager
def observing(*, trace: bool = False, dry_run: bool = False,
              stream: TextIO | None = None) -> Iterator[CommandObserver | None]:
    """Trace and/or dry-run the current executor's engine commands (and its children's: every script's)
    for the duration of the block (nothing when both are off).

    The dry-run summary line is written when the block ends, however it ends."""
    if not (trace or dry_run):
        yield None
        return
    from ..nerdctl.executor import current_executor  # here: without --trace the library loads on first use

    observer = CommandObserver(stream or sys.stderr, trace=trace, dry_run=dry_run)
    executor = current_executor()
    previous = executor.settings.dry_run
    executor.settings.dry_run = dry_run or previous
    executor.add_listener(observer)
    try:
        yield observer
    finally:
        executor.remove_listener(observer)
        executor.settings.dry_run = previous
        if dry_run:
            observer._write(observer.summary())


__all__ = ["CommandObserver", "observing", "shown_command"]
