"""``herodo test``: discover ``*_test.lua`` and ``test_*.lua`` files, run their tests, report.

Each file runs in a fresh :class:`~herodo_py.lua.runtime.Runtime` with the test globals of
:mod:`herodo_py.testing.testapi`: its top level defines tests, then each selected test runs (through
``Runtime.call``) between the file's ``before_each`` and ``after_each`` hooks, inside a
:class:`~herodo_py.testing.janitor.Janitor` scope that labels and afterwards removes its containers.
Output a test prints is captured and shown with its failure (``capture=False``: printed live).

Nothing is swallowed: a failing hook fails the test, a syntax error or an error at the top of a file,
a file without tests and tests a stopped file never ran are errors of the file, and any of them
makes the exit code 1. Ctrl-C stops the run after removing the containers (exit 130).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..lua.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from ..lua.runner import Options, RunOptions, test_file_pattern
from ..lua.runtime import Runtime
from .janitor import Janitor
from .reporting import FAILED, SKIPPED, FileResult, Reporter, RunResult, TapReporter, TestResult, TextReporter
from .testapi import install as install_test_api

TYPE_CHECKING = False  # typing, re, dataclasses stay off the path of a passing run (test_startup_imports.py)
if TYPE_CHECKING:
    import re
    from typing import Any

LATE_SWEEP = 1.0  # seconds before the second sweep of an interrupted run
STOPPED = ("interrupted", "exit", "timeout")  # outcomes after which the file's runtime runs nothing more


class TestOptions(Options):
    """What ``herodo test`` selects and how it reports (the script options are a :class:`RunOptions`)."""

    __test__ = False  # not a pytest class

    filter: str | None = None  # regular expression searched in "FILE::NAME"
    fail_fast = False
    keep = False  # leave the containers of the tests, print their names
    capture = True  # capture what tests print (shown with failures)
    tap = False
    junit: str | None = None  # path of a JUnit XML file to write


@functools.cache
def _assert_pattern() -> re.Pattern[str]:
    """An assert helper's failure message (compiled on the first failure)."""
    import re  # here: see TYPE_CHECKING above

    return re.compile(r"^(assert_\w+) failed")


def discover(paths: Sequence[str]) -> list[str]:
    """Test files under ``paths`` (files given by name are taken as they are), sorted, no duplicates."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [os.path.join(root, f) for f in sorted(files) if test_file_pattern().match(f)]
        else:
            found.append(path)
    return sorted(dict.fromkeys(os.path.normpath(p) for p in found))


def new_run_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + "-" + os.urandom(3).hex()  # (what secrets.token_hex does)


class _Capture:
    """A text stream (with ``.buffer``) keeping what is written, stdout and stderr together in order."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.buffer = self

    def write(self, data: str | bytes) -> int:
        self.chunks.append(data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace")


@contextmanager
def _captured(enabled: bool) -> Iterator[_Capture]:
    capture = _Capture()
    if not enabled:
        yield capture
        return
    saved = sys.stdout, sys.stderr
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout = sys.stderr = capture  # type: ignore[assignment]
    try:
        yield capture
    finally:
        sys.stdout, sys.stderr = saved


def _assertion(failure: Any) -> Any:
    """Title an assert helper's failure ASSERTION FAILED and underline the helper's call."""
    match = _assert_pattern().match(failure.message)
    if match and failure.title in ("SCRIPT ERROR", "RUNTIME ERROR"):
        failure.title = "ASSERTION FAILED"
        for snippet in failure.snippets:
            snippet.token = match[1]
    return failure


def _simple_failure(title: str, message: str, hint: str | None = None, path: str | None = None) -> Any:
    from ..lua.diagnostics.friendly import Failure  # here: only a failing run renders failures

    return Failure(title, message, hint, file=path)


class TestRunner:
    """Runs test files with one :class:`Janitor` and reports to one :class:`Reporter`."""

    __test__ = False  # not a pytest class

    def __init__(self, options: TestOptions, run_options: RunOptions | None = None, *,
                 reporter: Reporter, run_id: str | None = None) -> None:
        self.options = options
        self.run_options = run_options or RunOptions()
        self.reporter = reporter
        self.run = RunResult(run_id or new_run_id())
        self.janitor = Janitor(self.run.run_id, keep=options.keep)
        self.selector: re.Pattern[str] | None = None
        if options.filter:
            import re  # (--filter only)

            self.selector = re.compile(options.filter)
        self.stop_all = False  # fail-fast, or Ctrl-C

    # -- the run -----------------------------------------------------------------------------

    def run_files(self, files: Sequence[str]) -> RunResult:
        started = time.monotonic()
        self.reporter.start(self.run)
        try:
            with self.janitor.listening():
                for path in files:
                    if self.stop_all:
                        break
                    self.run.files.append(self.run_file(path))
        except KeyboardInterrupt:
            self.run.interrupted = True
        finally:
            try:
                self.janitor.sweep()
                if self.run.interrupted and self.janitor.targets:
                    time.sleep(LATE_SWEEP)  # a daemon may finish a `run` whose client Ctrl-C killed
                    self.janitor.sweep()
            except KeyboardInterrupt:
                self.run.interrupted = True
            self.run.kept = list(self.janitor.kept)
            self.run.cleanup_errors = list(self.janitor.errors)
            self.run.duration = time.monotonic() - started
        self.reporter.finish(self.run)
        return self.run

    def run_file(self, path: str) -> FileResult:
        """Run one file's tests in a fresh runtime, with an executor of its own (a child of the run's)."""
        result = FileResult(path)
        self.reporter.file_start(path)
        started = time.monotonic()
        try:
            runtime = Runtime(**self.run_options.runtime_options(), make_executor=self.janitor.test_executor)
            api = install_test_api(runtime.lua)
            self._run_file_in(runtime, api, path, result)
        except KeyboardInterrupt:
            self.run.interrupted = self.stop_all = True
            raise
        finally:
            result.duration = time.monotonic() - started
            self.reporter.file_done(result)
        return result

    def _run_file_in(self, runtime: Any, api: Any, path: str, result: FileResult) -> None:
        """Containers made at the top of the file serve its tests: they are removed when the file ends."""
        with self.janitor.scope(f"{path}::(top of the file)", runtime):
            self._top_and_tests(runtime, api, path, result)

    def _top_and_tests(self, runtime: Any, api: Any, path: str, result: FileResult) -> None:
        with _captured(self.options.capture) as out:
            top = runtime.run_file(path)
        result.output = out.text()
        state = api[b"state"]
        if top.status != "ok":
            if state[b"skip"] is not None and top.status == "failed":
                result.skipped = _text(state[b"skip"])
                return
            result.error = self._file_failure(top, path, "the top of the file")
            if top.status == "interrupted":
                self.run.interrupted = self.stop_all = True
            return
        tests = [(_text(t[b"name"]), t[b"fn"]) for _, t in sorted(api[b"tests"].items())]
        if not tests:
            result.error = _simple_failure(
                "NO TESTS", f"{path} defines no test", path=path,
                hint='define tests with test("name", function() ... end), or rename the file '
                     "(herodo test runs *_test.lua and test_*.lua)")
            return
        selected = [(n, f) for n, f in tests if self.selector is None or self.selector.search(f"{path}::{n}")]
        result.deselected = len(tests) - len(selected)
        state[b"running"] = True
        for index, (name, fn) in enumerate(selected):
            test = self._run_test(runtime, api, path, name, fn)
            result.tests.append(test)
            self.reporter.test_done(test)
            if test.status == FAILED and self.options.fail_fast:
                self.stop_all = True
            if self.stop_all or test.stopped:
                rest = len(selected) - index - 1
                if rest and not self.stop_all:
                    result.error = _simple_failure(
                        "TESTS NOT RUN", f"{rest} test(s) of {path} did not run: the file stopped in {name!r}",
                        hint="os.exit() and time limits end the whole file", path=path)
                break

    def _run_test(self, runtime: Any, api: Any, path: str, name: str, fn: Any) -> TestResult:
        test = TestResult(path, name)
        state = api[b"state"]
        started = time.monotonic()
        kept = len(self.janitor.kept)
        with self.janitor.scope(f"{path}::{name}", runtime), _captured(self.options.capture) as out:
            state[b"skip"] = None
            outcomes = []
            for hook in _values(api[b"before"]):
                outcomes.append(runtime.call(hook))
                if not outcomes[-1].ok:
                    break
            else:
                outcomes.append(runtime.call(fn))
            if not any(o.status in STOPPED for o in outcomes):
                for hook in _values(api[b"after"]):
                    outcomes.append(runtime.call(hook))
                    if outcomes[-1].status in STOPPED:
                        break
            test.duration = time.monotonic() - started  # cleanup not included
        test.output = out.text()
        test.kept = self.janitor.kept[kept:]
        test.stopped = any(o.status in STOPPED for o in outcomes)
        self._judge(test, outcomes, state)
        return test

    def _judge(self, test: TestResult, outcomes: list[Any], state: Any) -> None:
        skip = state[b"skip"]
        failed = [o for o in outcomes if not o.ok or o.status in STOPPED]
        if any(o.status == "interrupted" for o in outcomes):
            self.run.interrupted = self.stop_all = True
        if skip is not None and all(o.status == "failed" for o in failed) and len(failed) == 1:
            test.status, test.reason = SKIPPED, _text(skip)
            return
        failures = []
        for o in failed:
            if o.failure is not None:
                failures.append(_assertion(o.failure))
            elif o.status == "exit":
                failures.append(_simple_failure("OS.EXIT IN A TEST", f"the test called os.exit({o.exit_code})",
                                                hint="end a test by returning; os.exit ends the whole file"))
            elif o.status == "interrupted":
                failures.append(_simple_failure("INTERRUPTED", "the test was interrupted (Ctrl-C)"))
        if failures:
            test.status, test.failures = FAILED, failures

    @staticmethod
    def _file_failure(outcome: Any, path: str, where: str) -> Any:
        if outcome.failure is not None:
            return outcome.failure
        if outcome.status == "exit":
            return _simple_failure("OS.EXIT IN A TEST FILE", f"{where} called os.exit({outcome.exit_code})",
                                   path=path, hint="a test file defines tests; it does not exit")
        return _simple_failure("INTERRUPTED", f"interrupted in {where}", path=path)

    def exit_code(self) -> int:
        if self.run.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.run.ok else EXIT_FAILED


def _values(table: Any) -> list[Any]:
    return [v for _, v in sorted(table.items())]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def run_tests(paths: Sequence[str], options: TestOptions, run_options: RunOptions | None = None, *,
              stdout: Any = None, stderr: Any = None) -> int:
    """``herodo test``: discover, run, report (text or TAP on ``stdout``, JUnit to a file); the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    run_options = run_options or RunOptions()
    if options.filter:
        import re  # (--filter only)

        try:
            re.compile(options.filter)
        except re.error as exc:
            stderr.write(f"herodo test: --filter {options.filter!r} is not a valid regular expression: {exc}\n")
            return EXIT_USAGE
    paths = list(paths) or ["."]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        stderr.write(f"herodo test: no such file or folder: {', '.join(missing)}\n")
        return EXIT_USAGE
    files = discover(paths)
    if not files:
        stderr.write(f"herodo test: no test files (*_test.lua, test_*.lua) under {', '.join(paths)}\n")
        return EXIT_USAGE
    reporter: Reporter = (TapReporter(stdout, debug=run_options.debug) if options.tap
                          else TextReporter(stdout, color=bool(run_options.color), debug=run_options.debug))
    runner = TestRunner(options, run_options, reporter=reporter)
    run = runner.run_files(files)
    if options.junit:
        from .junit import write_junit  # (--junit only)

        write_junit(run, options.junit)
    if not run.tests() and not run.errors and not run.interrupted and run.deselected:
        stderr.write(f"herodo test: no test matched --filter {options.filter!r}\n")
        return EXIT_FAILED
    return runner.exit_code()


__all__ = ["TestOptions", "TestRunner", "discover", "run_tests", "new_run_id", "test_file_pattern"]
