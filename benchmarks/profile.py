"""Where herodo's time goes: the profiles behind the findings in RESULTS.md.

    python benchmarks/profile.py imports [SCRIPT]   # median `-X importtime` of `herodo SCRIPT` (9 runs)
    python benchmarks/profile.py cprofile SCRIPT    # cProfile of one `herodo SCRIPT` run, top functions
    python benchmarks/profile.py parse              # the 1,000-entry parser by stage, and what-if variants

Children run with the bytecode cache on (as an installed herodo has it), in a temporary directory.
"""

from __future__ import annotations

import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dump  # noqa: E402
from cases import CASES, herodo_command  # noqa: E402


def _env(pyc: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPYCACHEPREFIX": pyc, "HERODO_ENGINE": os.environ.get("HERODO_ENGINE", "docker")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def imports(script: str = "list.lua", runs: int = 9) -> None:
    """Median self and cumulative import time per module over ``runs`` runs (after one warm-up)."""
    herodo = herodo_command()
    selfs: dict[str, list[int]] = {}
    cumulative: dict[str, list[int]] = {}
    totals = []
    with tempfile.TemporaryDirectory() as pyc:
        argv = [sys.executable, "-X", "importtime", herodo, str(CASES / script)]
        for i in range(runs + 1):
            err = subprocess.run(argv, capture_output=True, text=True, env=_env(pyc)).stderr
            if not i:
                continue
            after_site = err.split("| site\n", 1)[-1]
            total = 0
            for line in after_site.splitlines():
                if not line.startswith("import time:"):
                    continue
                own, cum, name = line.split(":", 1)[1].split("|")
                selfs.setdefault(name.strip(), []).append(int(own))
                cumulative.setdefault(name.strip(), []).append(int(cum))
                total += int(own)
            totals.append(total)
    print(f"imports after `site` of herodo {script}: median {statistics.median(totals) / 1000:.1f} ms "
          f"(min {min(totals) / 1000:.1f}) over {runs} runs")
    rows = sorted(((statistics.median(v), k) for k, v in selfs.items()), reverse=True)[:25]
    for own, name in rows:
        mark = "ours " if name.startswith("herodo_py") else "     "
        print(f"  {mark}{name:45s} self {own / 1000:6.2f} ms   cumulative {statistics.median(cumulative[name]) / 1000:6.2f} ms")
    ours = sum(statistics.median(v) for k, v in selfs.items() if k.startswith("herodo_py"))
    print(f"  herodo_py modules' own (self) time: {ours / 1000:.1f} ms")


def cprofile(script: str, top: int = 30) -> None:
    """One cProfile'd run of ``herodo SCRIPT``, sorted by cumulative time."""
    with tempfile.TemporaryDirectory() as pyc:
        out = os.path.join(pyc, "run.prof")
        argv = [sys.executable, "-m", "cProfile", "-o", out, herodo_command(), str(CASES / script)]
        for _ in range(2):
            subprocess.run(argv, capture_output=True, env=_env(pyc), check=True)
        pstats.Stats(out).sort_stats("cumulative").print_stats(top)


def _best(fn, repeat: int = 30) -> float:
    return min(timeit.repeat(fn, number=1, repeat=repeat)) * 1000


_LABEL_KEY = re.compile(r"[\w./-]+=")


def labels_precompiled(value: object) -> dict[str, str]:
    """What-if for parse.parse_labels: the same loop, with the key pattern compiled once at import
    (``_LABEL_KEY.match(piece)``) instead of ``re.match(pattern_string, piece)`` per piece, whose
    cache look-up costs more than the match; the redundant ``"=" in piece`` test goes too."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if not isinstance(value, str) or not value:
        return {}
    labels: dict[str, str] = {}
    key = None
    for piece in value.split(","):
        if _LABEL_KEY.match(piece):
            key, _, val = piece.partition("=")
            labels[key] = val
        elif key is not None:
            labels[key] += "," + piece
    return labels


def records_one_call(text: str) -> list[dict]:
    """What-if for parse.load_records on JSON lines: one ``json.loads`` of the lines joined as an array."""
    lines = [line for line in text.splitlines() if line.strip() and line.strip() != "null"]
    return json.loads("[" + ",".join(lines) + "]")


def parse() -> None:
    """The parser by stage, and with the two what-if changes, on the 1,000-entry dump."""
    from herodo_py.nerdctl import container_functions as cf
    from herodo_py.nerdctl import parse as p

    text = dump.make_dump(1000)
    records = p.load_records(text, "ps")
    assert all(labels_precompiled(r["Labels"]) == p.parse_labels(r["Labels"]) for r in records)
    assert records_one_call(text) == records
    stages = {
        "parse_containers (all)": lambda: cf.parse_containers(text),
        "  load_records (json per line)": lambda: p.load_records(text, "ps"),
        "  _summary x 1000": lambda: [cf._summary(r) for r in records],
        "    parse_labels x 1000": lambda: [p.parse_labels(r["Labels"]) for r in records],
        "what-if: labels_precompiled x 1000": lambda: [labels_precompiled(r["Labels"]) for r in records],
        "what-if: records_one_call": lambda: records_one_call(text),
    }
    for name, fn in stages.items():
        print(f"{name:40s} {_best(fn):6.2f} ms (best of 30)")
    original = p.parse_labels
    try:
        cf.parse_labels = labels_precompiled  # the what-if, inside this process only
        with_labels = _best(lambda: cf.parse_containers(text))
        cf.load_records = lambda t, what: records_one_call(t)
        with_both = _best(lambda: cf.parse_containers(text))
    finally:
        cf.parse_labels = original
        cf.load_records = p.load_records
    print(f"{'what-if: parse_containers, labels fixed':40s} {with_labels:6.2f} ms")
    print(f"{'what-if: parse_containers, both fixed':40s} {with_both:6.2f} ms")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["imports"]
    {"imports": imports, "cprofile": cprofile, "parse": parse}[command](*rest)
