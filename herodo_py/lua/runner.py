"""Running scripts for ``herodo``: one file, or every ``.lua`` file of a folder, each in a fresh
runtime with an executor of its own (a script's ``nerdctl_configure`` does not reach the next
script); failures rendered as friendly errors.

``herodo test`` (script-level tests) builds on :func:`run_script` and :class:`RunOptions`.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Iterator, Sequence

from .exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from .limits import DEFAULT, DEFAULT_MAX_MEMORY
from .registry import Registry
from .runtime import Outcome, Runtime

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    import re
    from typing import TextIO


class Options:
    """Options as class attributes with their defaults; keyword arguments override them (an unknown
    one is a ``TypeError``). A plain class: dataclasses are slow to import and to define."""

    def __init__(self, **options: object) -> None:
        for key, value in options.items():
            if not hasattr(type(self), key):
                raise TypeError(f"unknown {type(self).__name__} option {key!r}")
            setattr(self, key, value)


class RunOptions(Options):
    """How scripts run and how their failures are shown (keyword arguments override the defaults)."""

    debug = False  # Python tracebacks under friendly errors
    color = False
    keep_going = False  # a folder: run the other scripts after a failure
    policy = "trusted"  # the runtime's StdlibPolicy: "trusted", "sandbox" or "strict"
    max_memory: int | None = DEFAULT_MAX_MEMORY  # bytes of Lua memory (None or 0: no limit)
    script_timeout: float | None = DEFAULT  # seconds of wall time per script (default: the policy's)
    env_allow: tuple[str, ...] = ()  # more variables a sandboxed os.getenv reads
    watchdog = False  # end the process when a stopped script hangs in C (the herodo command)

    def runtime_options(self) -> dict[str, object]:
        """Keyword arguments for :class:`~herodo_py.lua.runtime.Runtime`."""
        return {"policy": self.policy, "max_memory": self.max_memory, "script_timeout": self.script_timeout,
                "env_allow": self.env_allow, "watchdog": self.watchdog, "debug": self.debug}


def run_script(path: str, args: Sequence[str] = (), options: RunOptions | None = None, *,
               registry: Registry | None = None, stderr: TextIO | None = None) -> Outcome:
    """Run one script in a fresh runtime; print its failure (if any) to ``stderr``."""
    options = options or RunOptions()
    stderr = stderr or sys.stderr
    runtime = Runtime(registry, **options.runtime_options())  # type: ignore[arg-type]
    outcome = runtime.run_file(path, list(args))
    sys.stdout.flush()
    if outcome.failure is not None:
        from .diagnostics.friendly import render  # here: only a failed script is rendered

        stderr.write(render(outcome.failure, color=options.color, debug=options.debug))
    elif outcome.status == "interrupted":
        stderr.write(f"herodo: {path}: interrupted\n")
    stderr.flush()
    return outcome


@functools.cache
def test_file_pattern() -> re.Pattern[str]:
    """Test files (``*_test.lua``, ``test_*.lua``): ``herodo test`` runs them, ``herodo DIR`` skips them.
    Compiled on first use: running one script needs no ``re``."""
    import re  # here: see above

    return re.compile(r"^(test_.+|.+_test)\.lua$")


def iter_lua_files(folder: str) -> Iterator[str]:
    """Every ``.lua`` file under ``folder`` but test files, in sorted order (folders sorted too)."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".lua") and not test_file_pattern().match(name):
                yield os.path.join(root, name)


def run_folder(folder: str, args: Sequence[str] = (), options: RunOptions | None = None, *,
               registry: Registry | None = None, stderr: TextIO | None = None) -> int:
    """Run every script under ``folder``; stop at the first failure unless ``keep_going``.
    Prints a line per script and a summary; returns the exit code (the first failure's)."""
    options = options or RunOptions()
    stderr = stderr or sys.stderr
    files = list(iter_lua_files(folder))
    if not files:
        stderr.write(f"herodo: no .lua files under {folder}\n")
        return EXIT_USAGE
    started = time.monotonic()
    passed: list[str] = []
    failed: list[tuple[str, Outcome]] = []
    for path in files:
        outcome = run_script(path, args, options, registry=registry, stderr=stderr)
        if outcome.ok:
            passed.append(path)
            stderr.write(f"ok    {path} ({outcome.duration:.2f}s)\n")
        else:
            failed.append((path, outcome))
            stderr.write(f"FAIL  {path} (exit {outcome.exit_code})\n")
            if outcome.exit_code == EXIT_INTERRUPTED or not options.keep_going:
                break
    not_run = len(files) - len(passed) - len(failed)
    summary = f"herodo: {len(files)} scripts: {len(passed)} passed, {len(failed)} failed"
    if not_run:
        summary += f", {not_run} not run"
    stderr.write(f"{summary} in {time.monotonic() - started:.2f}s\n")
    if any(o.exit_code == EXIT_INTERRUPTED for _, o in failed):
        return EXIT_INTERRUPTED
    return failed[0][1].exit_code if failed else EXIT_OK
