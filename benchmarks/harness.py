"""Timing and statistics for the benchmarks: no engine knowledge in here.

``measure(argv)`` runs a command (an argv list, never a shell string) once as a warm-up and then
``runs`` times, timing each run with ``time.perf_counter``; ``summarize`` turns the samples into a
:class:`Stats` (median, min, max); ``ratio`` and the ``fmt_*`` helpers build the table.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

MIN_RUNS = 5


@dataclass(frozen=True)
class Stats:
    """Seconds: the median and the spread of ``n`` timed runs (warm-up excluded)."""

    median: float
    min: float
    max: float
    n: int


class BenchmarkFailed(RuntimeError):
    """A measured command exited non-zero: the timings of a failing command mean nothing."""


def summarize(samples: Sequence[float]) -> Stats:
    """Median, min and max of the samples (at least one)."""
    if not samples:
        raise ValueError("no samples to summarize")
    return Stats(statistics.median(samples), min(samples), max(samples), len(samples))


def ratio(stats: Stats, baseline: Stats) -> float:
    """How many times slower than the baseline (medians); 1.00 is the same speed."""
    if baseline.median <= 0:
        raise ValueError("baseline median must be positive")
    return stats.median / baseline.median


def rate(calls: int, seconds: float) -> float:
    """Calls per second."""
    if seconds <= 0:
        raise ValueError("elapsed time must be positive")
    return calls / seconds


def time_call(fn: Callable[[], object], runs: int = MIN_RUNS, warmup: int = 1) -> Stats:
    """Time an in-process call: ``warmup`` untimed calls, then ``runs`` timed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return summarize(samples)


def run_once(argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 600) -> str:
    """Run a command, return its stdout; a non-zero exit raises :class:`BenchmarkFailed`."""
    proc = subprocess.run(list(argv), capture_output=True, text=True, env=dict(env) if env else None,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise BenchmarkFailed(f"{' '.join(argv)} exited with {proc.returncode}:\n{proc.stderr.strip()[-2000:]}")
    return proc.stdout


def measure(argv: Sequence[str], runs: int = MIN_RUNS, warmup: int = 1,
            env: Mapping[str, str] | None = None, before: Callable[[], object] | None = None) -> Stats:
    """Time one command: ``warmup`` untimed runs, then ``runs`` timed ones."""
    return measure_many({"only": argv}, runs, warmup, env, before)["only"]


def measure_many(variants: Mapping[str, Sequence[str]], runs: int = MIN_RUNS, warmup: int = 1,
                 env: Mapping[str, str] | None = None,
                 before: Callable[[], object] | None = None) -> dict[str, Stats]:
    """Time several commands interleaved (round-robin, so load drift on a shared machine hits all
    alike): ``warmup`` untimed rounds, then ``runs`` timed rounds; ``before`` runs untimed ahead
    of every command."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for round_no in range(warmup + max(runs, 1)):
        for name, argv in variants.items():
            if before is not None:
                before()
            started = time.perf_counter()
            run_once(argv, env)
            elapsed = time.perf_counter() - started
            if round_no >= warmup:
                samples[name].append(elapsed)
    return {name: summarize(values) for name, values in samples.items()}


def fmt_ms(seconds: float) -> str:
    """``0.01234`` -> ``'12.3'`` (milliseconds, 3 significant-ish digits)."""
    ms = seconds * 1000
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def fmt_stats(stats: Stats) -> tuple[str, str]:
    """(median, 'min-max') in milliseconds."""
    return fmt_ms(stats.median), f"{fmt_ms(stats.min)}-{fmt_ms(stats.max)}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub markdown table; the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
