"""What ``herodo test`` found, and how it is written: a readable report, TAP 13 (JUnit XML: :mod:`.junit`).

:class:`TestResult` (one test), :class:`FileResult` (one file: its tests, or the error that stopped
it) and :class:`RunResult` (the whole run) are filled by :mod:`herodo_py.testing.runner`; a reporter
receives them as they come (``start``, ``file_start``, ``test_done``, ``file_done``, ``finish``).
A file-level problem (syntax error, error at the top of the file, no tests, tests not run because the
file stopped) is an *error*: it fails the run like a failed test.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing, dataclasses, json, re stay off the path of a passing run
if TYPE_CHECKING:
    from typing import TextIO

    from ..lua.diagnostics.friendly import Failure

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


class TestResult:
    """One test: its status, time, failures (the test's, then its hooks'), what it printed (captured),
    why it was skipped, the containers ``--keep`` left, whether os.exit, a time limit or Ctrl-C stopped
    the file's runtime. (Plain classes here: dataclasses are slow to import and to define.)"""

    __test__ = False  # not a pytest class

    def __init__(self, file: str, name: str, status: str = PASSED, duration: float = 0.0) -> None:
        self.file = file
        self.name = name
        self.status = status
        self.duration = duration
        self.failures: list[Failure] = []
        self.output = ""
        self.reason: str | None = None
        self.kept: list[str] = []
        self.stopped = False

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


class FileResult:
    """One file: its tests, or the error that stopped it; ``skipped``: skip() at the top of the file;
    ``output``: what the top of the file printed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.tests: list[TestResult] = []
        self.error: Failure | None = None
        self.skipped: str | None = None
        self.output = ""
        self.duration = 0.0
        self.deselected = 0


class RunResult:
    """The whole run."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.files: list[FileResult] = []
        self.duration = 0.0
        self.interrupted = False
        self.kept: list[str] = []
        self.cleanup_errors: list[str] = []
        self.started = time.time()

    def tests(self) -> list[TestResult]:
        return [t for f in self.files for t in f.tests]

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.tests())

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error is not None]

    @property
    def deselected(self) -> int:
        return sum(f.deselected for f in self.files)

    @property
    def ok(self) -> bool:
        return not self.interrupted and not self.errors and not self.count(FAILED) and not self.cleanup_errors

    def summary(self) -> str:
        parts = [f"{self.count(PASSED)} passed", f"{self.count(FAILED)} failed", f"{self.count(SKIPPED)} skipped"]
        if self.errors:
            parts.append(_count(len(self.errors), "file error"))
        if self.deselected:
            parts.append(f"{self.deselected} deselected")
        text = f"{_count(len(self.tests()), 'test')} in {_count(len(self.files), 'file')}: " + ", ".join(parts)
        text += f" in {self.duration:.2f}s (run {self.run_id})"
        return ("interrupted: " if self.interrupted else "") + text


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_failure(failure: Failure, *, color: bool = False, debug: bool = False) -> str:
    from ..lua.diagnostics.friendly import render  # here: only a failing run renders failures

    return render(failure, color=color, debug=debug)


def first_line(failure: Failure) -> str:
    """One line saying what failed (for TAP ``message`` and JUnit ``message``)."""
    lines = [line.strip() for line in failure.message.splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if text.endswith(":") and len(lines) > 1:
        text += " " + lines[1]
    return text if failure.title == "ASSERTION FAILED" else f"{failure.title.lower()}: {text}".rstrip(": ")


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.rstrip("\n").splitlines())


class Reporter:
    """The interface; each method writes what it can as soon as it can."""

    def start(self, run: RunResult) -> None: ...

    def file_start(self, path: str) -> None: ...

    def test_done(self, result: TestResult) -> None: ...

    def file_done(self, result: FileResult) -> None: ...

    def finish(self, run: RunResult) -> None: ...


class TextReporter(Reporter):
    """One line per test as it ends; then the failures (friendly errors, output) and the summary."""

    MARKS = {PASSED: "ok  ", FAILED: "FAIL", SKIPPED: "skip"}

    def __init__(self, stream: TextIO, *, color: bool = False, debug: bool = False) -> None:
        self.stream = stream
        self.color = color
        self.debug = debug

    def _style(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def file_start(self, path: str) -> None:
        self._write(self._style("1", path))

    def test_done(self, result: TestResult) -> None:
        mark = self.MARKS[result.status]
        mark = self._style({PASSED: "32", FAILED: "1;31", SKIPPED: "33"}[result.status], mark)
        tail = f": {result.reason}" if result.status == SKIPPED else f" ({result.duration:.2f}s)"
        self._write(f"  {mark}  {result.name}{tail}")

    def file_done(self, result: FileResult) -> None:
        if result.skipped is not None:
            self._write(f"  {self._style('33', 'skip')}  (every test): {result.skipped}")
        if result.error is not None:
            self._write(f"  {self._style('1;31', 'ERROR')} {first_line(result.error)}")

    def finish(self, run: RunResult) -> None:
        failed = [t for t in run.tests() if t.status == FAILED]
        if failed or run.errors:
            self._write("\n" + self._style("1", "FAILURES"))
        for test in failed:
            self._write(f"\n{self._style('1', test.id)} ({test.duration:.2f}s)")
            for failure in test.failures:
                self.stream.write(render_failure(failure, color=self.color, debug=self.debug))
            self._output(test.output)
        for file in run.errors:
            self._write(f"\n{self._style('1', file.path)} (the file)")
            self.stream.write(render_failure(file.error, color=self.color, debug=self.debug))  # type: ignore[arg-type]
            self._output(file.output)
        if run.kept:
            self._write(f"\nkept {len(run.kept)} container(s) (--keep): {', '.join(run.kept)}")
            self._write(f"remove them with the label herodo.test.run={run.run_id}")
        for problem in run.cleanup_errors:
            self._write(self._style("1;31", f"cleanup: {problem}"))
        color = "1;32" if run.ok else "1;31"
        self._write("\n" + self._style(color, f"herodo test: {run.summary()}"))

    def _output(self, output: str) -> None:
        if output:
            self._write("output:\n" + _indent(output, "  | "))


class TapReporter(Reporter):
    """TAP version 13: one ``ok``/``not ok`` line per test (and per file error), YAML details, plan last."""

    def __init__(self, stream: TextIO, *, debug: bool = False) -> None:
        self.stream = stream
        self.debug = debug
        self.number = 0

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    @staticmethod
    def _escape(text: str) -> str:
        return " ".join(text.replace("\\", "\\\\").replace("#", "\\#").split())

    def _yaml(self, items: list[tuple[str, str]]) -> None:
        lines = ["  ---"]
        for key, value in items:
            if "\n" in value or not value:
                lines.append(f"  {key}: |")
                lines.append(_indent(value or "(empty)", "    "))
            else:
                lines.append(f"  {key}: {_yaml_scalar(value)}")
        lines.append("  ...")
        self._write("\n".join(lines))

    def start(self, run: RunResult) -> None:
        self._write("TAP version 13")
        self._write(f"# herodo test run {run.run_id}")

    def test_done(self, result: TestResult) -> None:
        self.number += 1
        line = f"{self.number} - {self._escape(result.id)}"
        if result.status == SKIPPED:
            self._write(f"ok {line} # SKIP {self._escape(result.reason or '')}")
        elif result.status == PASSED:
            self._write(f"ok {line}")
        else:
            self._write(f"not ok {line}")
            self._details(result.failures, result.duration, result.output)

    def file_done(self, result: FileResult) -> None:
        if result.skipped is not None:
            self.number += 1
            self._write(f"ok {self.number} - {self._escape(result.path)} # SKIP {self._escape(result.skipped)}")
        if result.error is not None:
            self.number += 1
            self._write(f"not ok {self.number} - {self._escape(result.path)} (the file)")
            self._details([result.error], result.duration, result.output)

    def _details(self, failures: list[Failure], duration: float, output: str) -> None:
        first = failures[0]
        items = [("message", first_line(first)), ("severity", "fail"), ("duration_ms", f"{duration * 1000:.0f}")]
        if first.where:
            items.append(("at", first.where))
        items.append(("error", "".join(render_failure(f, debug=self.debug) for f in failures)))
        if output:
            items.append(("output", output))
        self._yaml(items)

    def finish(self, run: RunResult) -> None:
        if run.interrupted:
            self._write("Bail out! interrupted (Ctrl-C)")
        for problem in run.cleanup_errors:
            self._write(f"# cleanup: {problem}")
        if run.kept:
            self._write(f"# kept (--keep): {', '.join(run.kept)}")
        self._write(f"1..{self.number}")
        self._write(f"# {run.summary()}")


def _yaml_scalar(value: str) -> str:
    """Plain when safe (``fail``, ``a_test.lua:3``), else double-quoted (a JSON string is valid YAML)."""
    import json  # here: only a failure's TAP details are written as YAML
    import re

    if re.fullmatch(r"[\w./@-][\w./:@-]*", value):
        return value
    return json.dumps(value, ensure_ascii=False)


__all__ = ["TestResult", "FileResult", "RunResult", "Reporter", "TextReporter", "TapReporter", "first_line",
           "render_failure", "PASSED", "FAILED", "SKIPPED"]
