"""``herodo --check``, ``--diff``, ``--recap`` and ``--recap-json FILE``: what the ensures of a run did
(or, in a check run, would do), reported as they happen and counted at the end, on stderr.

- ``--check``: the executor's dry run (reads run, state-changing commands are written as ``would run:
  ...`` and not run; :mod:`herodo_py.cli.trace`), and a line per ensure saying what it would do and
  why (``check: container web: would be recreated (env.MODE: "prod" -> "staging")``), and per other
  state-changing call (``check: Container:exec would run (not an ensure: it runs every time)``);
- ``--diff``: each ensure's differences, one field a line, as it runs;
- the recap (:class:`herodo_py.nerdctl.desired.recap.Recap`) at the end of every run that used an
  ensure, always with ``--recap`` or ``--check``; ``--recap-json FILE`` writes it for machines
  (atomically: a reader sees the old file or the whole new one). Exit codes do not change.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import TextIO

    from ..nerdctl.desired.outcome import Outcome
    from ..nerdctl.desired.recap import Recap


class RecapWriter:
    """Writes the check and diff lines of one run to ``stream`` as outcomes arrive."""

    def __init__(self, stream: TextIO, *, check: bool, diff: bool) -> None:
        self.stream, self.check, self.diff = stream, check, diff

    def _write(self, lines: list[str]) -> None:
        sys.stdout.flush()  # the lines fall between the script's own output where they happened
        self.stream.write("".join(line + "\n" for line in lines))
        self.stream.flush()

    def outcome(self, outcome: Outcome) -> None:
        prefix = "check: " if self.check else ""
        if self.diff and outcome.diff:
            self._write([prefix + outcome.summary(reason=False), *(f"  {line}" for line in outcome.diff_lines)])
        elif self.check:
            self._write([prefix + outcome.summary()])

    def call(self, name: str) -> None:
        if self.check:
            self._write([f"check: {name} would run (not an ensure: it runs every time)"])


def check_recap_json(path: str | None) -> str | None:
    """The ``--recap-json`` path, refused (ValueError) before any script runs when its folder cannot take it."""
    if path is None:
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise ValueError(
            f"{path!r}: expected a file path in an existing, writable folder ({folder})")
    return path


def write_atomically(path: str, text: str) -> None:
    """``text`` into ``path`` through a temporary file in the same folder, renamed over it."""
    import tempfile  # here: only a run that writes --recap-json needs it

    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".herodo-recap-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@contextmanager
def recapping(*, check: bool = False, diff: bool = False, always: bool = False, json_path: str | None = None,
              stream: TextIO | None = None) -> Iterator[None]:
    """A recap current for the block (every ensure of every script run in it adds to it), made when the
    first ensure or state-changing call asks for it; its lines and, at the end however the block ends, the
    recap and its JSON file."""
    import _thread  # (built in: not threading, which costs start-up)

    from ..recap_slot import CURRENT

    stream = stream or sys.stderr
    writer = RecapWriter(stream, check=check, diff=diff)
    made: list[Recap] = []
    lock = _thread.allocate_lock()

    def recap() -> Recap:
        if not made:
            with lock:  # (stack workers and parallel() tasks may ask at once)
                if not made:
                    from ..nerdctl.desired.recap import Recap  # here: a run without an ensure never loads it

                    fresh = Recap()
                    if check or diff:  # (the writer's lines; nothing to hear otherwise, on every call)
                        fresh.listeners.append(writer.outcome)
                    if check:
                        fresh.call_listeners.append(writer.call)
                    made.append(fresh)
        return made[0]

    token = CURRENT.set(recap)
    try:
        yield
    finally:
        CURRENT.reset(token)
        if made or always or check or json_path is not None:
            done = recap()
            if done.outcomes or always or check:
                sys.stdout.flush()
                stream.write(done.render(check=check) + "\n")
                stream.flush()
            if json_path is not None:
                try:
                    write_atomically(json_path, done.as_json(check=check) + "\n")
                except OSError as exc:
                    stream.write(f"herodo: --recap-json {json_path}: cannot write it: {exc.strerror or exc}\n")


__all__ = ["RecapWriter", "check_recap_json", "recapping", "write_atomically"]
