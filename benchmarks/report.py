"""Sections, rows and targets of a benchmark run, and RESULTS.md / stdout rendering."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from harness import Stats, fmt_ms, markdown_table

NOTES_MARKER = "<!-- notes below this line are kept when run.py rewrites this file -->"


@dataclass
class Row:
    """One measured variant. ``stats`` in seconds (``unit="ms"``) or calls per second (``"calls/s"``);
    ``None`` when it could not be measured (``note`` says why)."""

    variant: str
    stats: Stats | None
    calls: int | None = None
    ratio: float | None = None  # against the section's baseline
    note: str = ""
    unit: str = "ms"


@dataclass
class Target:
    """A target from the issue and whether this run met it (``None``: not measured)."""

    what: str
    target: str
    measured: str
    met: bool | None


@dataclass
class Section:
    title: str
    setup: str
    rows: list[Row] = field(default_factory=list)
    baseline: str = ""  # the variant ratios are against
    notes: list[str] = field(default_factory=list)


def _fmt_value(value: float, unit: str) -> str:
    return fmt_ms(value) if unit == "ms" else f"{value:,.0f}"


def row_cells(row: Row) -> list[str]:
    if row.stats is None:
        return [row.variant, "—", "—", "—" if row.calls is None else str(row.calls), "—", row.note or "not measured"]
    s = row.stats
    spread = f"{_fmt_value(s.min, row.unit)}–{_fmt_value(s.max, row.unit)}"
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    calls = "" if row.calls is None else str(row.calls)
    return [row.variant, _fmt_value(s.median, row.unit), spread, calls, ratio, row.note]


def section_markdown(section: Section) -> str:
    unit = section.rows[0].unit if section.rows else "ms"
    head = ["variant", f"median ({unit})", f"min–max ({unit})", "engine calls",
            f"ratio vs {section.baseline}" if section.baseline else "ratio", "note"]
    parts = [f"### {section.title}", "", section.setup, "", markdown_table(head, [row_cells(r) for r in section.rows])]
    parts += [""] + [f"- {n}" for n in section.notes] if section.notes else []
    return "\n".join(parts)


def targets_markdown(targets: list[Target]) -> str:
    mark = {True: "met", False: "**missed**", None: "not measured"}
    return markdown_table(["target (issue 7)", "wanted", "measured", ""],
                          [[t.what, t.target, t.measured, mark[t.met]] for t in targets])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit(root: Path) -> str:
    """``abc1234 subject`` of HEAD, and the herodo_py files changed in the work tree (what was measured)."""
    out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    head = out.stdout.strip()[:80] or "unknown"
    status = subprocess.run(["git", "-C", str(root), "status", "--short", "--", "herodo_py"],
                            capture_output=True, text=True).stdout.split("\n")
    changed = [line[3:] for line in status if line.strip()]
    return head + (f"; plus uncommitted changes in {', '.join(changed)}" if changed else "")


def _version(module: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines(engine_version: str, runs: int, load_before: tuple[float, ...],
                  load_after: tuple[float, ...], root: Path) -> list[str]:
    load = lambda values: " / ".join(f"{x:.2f}" for x in values)  # noqa: E731
    return [
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- cpu: {_cpu_model()}, {os.cpu_count()} cores; kernel {platform.system()} {platform.release()}",
        f"- engine: {engine_version}; python {platform.python_version()}, lupa {_version('lupa')}, "
        f"python-on-whales {_version('python-on-whales')}",
        f"- herodo_py at: {_git_commit(root)}",
        f"- runs: {runs} timed per variant after 1 warm-up, variants interleaved round-robin; medians, min–max",
        f"- load average (1/5/15 min): {load(load_before)} before, {load(load_after)} after "
        f"(the machine is shared; a load near the core count inflates every number alike)",
    ]


def render(machine: list[str], targets: list[Target], sections: list[Section], calls_table: str,
           extra: list[str]) -> str:
    parts = ["# Benchmark results", "", "Written by `python benchmarks/run.py`; do not edit above the notes marker.",
             "", "## Machine", "", *machine, "", "## Targets", "", targets_markdown(targets), "",
             "## Cases", ""]
    for section in sections:
        parts += [section_markdown(section), ""]
    parts += ["## Engine calls per operation", "", calls_table, ""]
    parts += extra
    return "\n".join(parts).rstrip() + "\n"


def write_results(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, keeping the hand-written notes after the marker (or starting them)."""
    notes = f"\n{NOTES_MARKER}\n\n## Notes\n"
    if path.exists():
        old = path.read_text()
        if NOTES_MARKER in old:
            notes = "\n" + NOTES_MARKER + old.split(NOTES_MARKER, 1)[1]
    path.write_text(text + notes)
