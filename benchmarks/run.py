"""Run the benchmarks of issue 7 against a real engine and write the table to stdout and RESULTS.md.

    python benchmarks/run.py                 # every case, docker, 7 timed runs each
    python benchmarks/run.py --quick         # 5 runs, smaller loops, no slow python-on-whales variant
    python benchmarks/run.py --cases 1,4 --runs 10 --engine docker --no-write

Every container it makes carries the label ``herodo-bench`` and is removed at the end, also on a
failure, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases
import report
from engine import CallCounter, engine_version, preflight, remove_labelled
from harness import MIN_RUNS, BenchmarkFailed
from opcalls import operation_calls

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7, help="timed runs per variant (at least 5; default 7)")
    p.add_argument("--engine", default="docker", help="engine CLI (default docker)")
    p.add_argument("--quick", action="store_true", help="5 runs, smaller loops, skip the slowest variant")
    p.add_argument("--cases", default=",".join(cases.ALL), help="comma-separated case numbers (default all)")
    p.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    p.add_argument("--wait-load", type=float, metavar="LOAD",
                   help="first wait (up to 15 minutes) until the 1-minute load average is below LOAD")
    args = p.parse_args(argv)
    if args.quick:
        args.runs = MIN_RUNS
    if args.runs < MIN_RUNS:
        p.error(f"--runs must be at least {MIN_RUNS}")
    unknown = set(args.cases.split(",")) - set(cases.ALL)
    if unknown:
        p.error(f"unknown case(s) {sorted(unknown)}; choose from {sorted(cases.ALL)}")
    return args


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def startup_imports(herodo: str | None, env: dict[str, str], limit: int = 12) -> list[str]:
    """The slowest top-level imports of ``herodo empty.lua`` (``python -X importtime``, bytecode cached)."""
    if herodo is None:
        return []
    argv = [sys.executable, "-X", "importtime", herodo, str(cases.CASES / "empty.lua")]
    for _ in range(2):  # the first run fills the bytecode cache
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, raw = line.split(":", 1)[1].split("|")
        if cumulative.strip().isdigit() and not raw.startswith("  "):  # top level: no nesting indent
            rows.append((int(cumulative), raw.strip()))
    top = sorted(rows, reverse=True)[:limit]
    return ["## Start-up imports of `herodo empty.lua` (python -X importtime, one run)", "",
            "Top-level modules by cumulative import time (`site` runs the environment's .pth files):", "",
            *[f"- {name}: {us / 1000:.1f} ms" for us, name in top], ""]


def wait_for_load(limit: float, patience: float = 900) -> None:
    """Sleep until the 1-minute load average drops below ``limit`` (or ``patience`` seconds pass)."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        print(f"load {os.getloadavg()[0]:.2f} >= {limit}: waiting", file=sys.stderr)
        time.sleep(20)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.wait_load:
        wait_for_load(args.wait_load)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    env = {**os.environ, "HERODO_ENGINE": args.engine}
    problem = preflight(args.engine)
    if problem:
        print(f"the engine cannot run the benchmark image; nothing measured:\n  {problem}", file=sys.stderr)
        return 69
    herodo, why = cases.herodo_runner(env)
    if herodo is None:
        print(f"note: the herodo runner is not available, its rows are skipped: {why}", file=sys.stderr)
    load_before = os.getloadavg()
    sections: list[report.Section] = []
    extra_failures: list[str] = []
    with CallCounter(args.engine) as counter, tempfile.TemporaryDirectory(prefix="herodo-bench-pyc-") as pyc:
        ctx = cases.Context(args.engine, args.runs, args.quick, herodo, counter, pycache=pyc)
        try:
            for number in args.cases.split(","):
                started = time.monotonic()
                try:
                    made = cases.ALL[number](ctx)
                except BenchmarkFailed as exc:  # one case's failure does not lose the others
                    print(f"case {number} failed: {exc}", file=sys.stderr)
                    made = report.Section(f"Case {number}: failed", f"Not measured: `{str(exc).splitlines()[0]}`")
                    extra_failures.append(f"- case {number}: {exc}")
                made = made if isinstance(made, list) else [made]
                sections += made
                for section in made:  # at once, so that a later failure loses nothing
                    print(report.section_markdown(section), file=sys.stderr)
                print(f"case {number} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
            library_cases = set(args.cases.split(",")) & set("12345")
            calls_table = (operation_calls(args.engine, counter, ctx.targets) if library_cases
                           else "Not measured (none of cases 1-5 was run).")
        finally:
            left = remove_labelled(args.engine)
            if left:
                print(f"removed {left} leftover benchmark container(s)", file=sys.stderr)
        machine = report.machine_lines(engine_version(args.engine), args.runs, load_before, os.getloadavg(), ROOT)
        extra = startup_imports(herodo, ctx.env)
    if extra_failures:
        extra += ["## Failed cases", "", *extra_failures, ""]
    if herodo is None:
        extra += ["## Missing", "", f"- {cases.MISSING}: the herodo rows (Lua scripts) are not measured.",
                  f"- probe: {why}", ""]
    text = report.render(machine, ctx.targets, sections, calls_table, extra)
    print(text)
    if not args.no_write:
        report.write_results(RESULTS, text)
        print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
