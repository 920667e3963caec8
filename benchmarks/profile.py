"""Where herodo's time goes: the profiles behind the findings in RESULTS.md.

    python benchmarks/profile.py imports [SCRIPT]   # median `-X importtime` of `herodo SCRIPT` (9 runs)
    python benchmarks/profile.py cprofile SCRIPT    # cProfile of one `herodo SCRIPT` run, top functions
    python benchmarks/profile.py parse              # the 1,000-entry parser by stage

Children run with the bytecode cache on (as an installed herodo has it), in a temporary directory.
"""

from __future__ import annotations

import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dump
from cases import CASES, herodo_command


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
        total = statistics.median(cumulative[name]) / 1000
        print(f"  {mark}{name:45s} self {own / 1000:6.2f} ms   cumulative {total:6.2f} ms")
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


def parse() -> None:
    """The parser by stage on the 1,000-entry dump (the what-if fixes found here are now in parse.py)."""
    from herodo_py.nerdctl import container_functions as cf
    from herodo_py.nerdctl import parse as p

    text = dump.make_dump(1000)
    records = p.load_records(text, "ps")
    stages = {
        "parse_containers (all)": lambda: cf.parse_containers(text),
        "  load_records": lambda: p.load_records(text, "ps"),
        "  _summary x 1000": lambda: [cf._summary(r) for r in records],
        "    parse_labels x 1000": lambda: [p.parse_labels(r["Labels"]) for r in records],
    }
    for name, fn in stages.items():
        print(f"{name:40s} {_best(fn):6.2f} ms (best of 30)")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["imports"]
    {"imports": imports, "cprofile": cprofile, "parse": parse}[command](*rest)
