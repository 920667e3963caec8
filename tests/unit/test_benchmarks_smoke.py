"""The benchmark harness imports and its statistics are right on fixed numbers (no timing here)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


harness = _load("harness")


def test_summarize_median_min_max() -> None:
    stats = harness.summarize([0.030, 0.010, 0.050, 0.020, 0.040])
    assert (stats.median, stats.min, stats.max, stats.n) == (0.030, 0.010, 0.050, 5)
    assert harness.summarize([4.0, 1.0, 3.0, 2.0]).median == 2.5


def test_summarize_refuses_no_samples() -> None:
    with pytest.raises(ValueError):
        harness.summarize([])


def test_ratio_rate_and_formatting() -> None:
    base = harness.summarize([0.100] * 5)
    assert harness.ratio(harness.summarize([0.120] * 5), base) == pytest.approx(1.2)
    assert harness.rate(50_000, 0.5) == 100_000
    assert harness.fmt_ms(0.1234) == "123"
    assert harness.fmt_ms(0.01234) == "12.3"
    assert harness.fmt_ms(0.001234) == "1.23"
    assert harness.fmt_stats(harness.summarize([0.010, 0.012, 0.011])) == ("11.0", "10.0-12.0")


def test_markdown_table_shape() -> None:
    table = harness.markdown_table(["variant", "ms"], [["a", "1.0"], ["b", "2.0"]]).splitlines()
    assert table == ["| variant | ms |", "| --- | ---: |", "| a | 1.0 |", "| b | 2.0 |"]


def test_dump_has_the_requested_entries_in_docker_shape() -> None:
    dump = _load("dump")
    row = {"ID": "x", "Names": "n", "State": "running", "Status": "Up", "Ports": "", "Labels": ""}
    lines = dump.make_dump(8, row).splitlines()
    assert len(lines) == 8 and len(set(lines)) == 8
    assert '"State":"exited"' in lines[1] and '"Names":"bench-7"' in lines[7]


def test_report_keeps_hand_written_notes(tmp_path: Path) -> None:
    report = _load("report")
    path = tmp_path / "RESULTS.md"
    report.write_results(path, "# first\n")
    path.write_text(path.read_text() + "kept note\n")
    report.write_results(path, "# second\n")
    text = path.read_text()
    assert text.startswith("# second\n") and "kept note" in text and "# first" not in text


@pytest.mark.parametrize("op", ["list", "inspect", "exec", "run"])
def test_per_call_scripts_make_the_same_engine_calls(tmp_path, op) -> None:
    """Issue 17's per-call case compares calls.lua with calls.sh: both must run the same engine argv
    (inspect: herodo looks the name up once first, then inspects by id). Run against the stand-in."""
    import json
    import os
    import subprocess

    root = BENCH.parent
    standin = root / "tests" / "contract" / "standin" / "nerdctl"

    def calls(argv: list[str]) -> list[list[str]]:
        log = tmp_path / f"{argv[0].rsplit('/', 1)[-1]}.jsonl"
        env = {**os.environ, "ENGINE": str(standin), "HERODO_ENGINE": str(standin), "NERDCTL_STANDIN_LOG": str(log),
               "NERDCTL_STANDIN_FIXTURES": str(root / "tests" / "fixtures" / "nerdctl")}
        subprocess.run(argv, env=env, check=True, capture_output=True, cwd=tmp_path)
        return [json.loads(line)[1:] for line in log.read_text().splitlines()]

    args = [op, "3", "test-nginx_1-1", "localhost/herodo-busybox:latest"]
    bare = calls(["sh", str(BENCH / "cases" / "calls.sh"), *args])
    herodo = calls([sys.executable, "-m", "herodo_py.cli", str(BENCH / "cases" / "calls.lua"), "--", *args])
    assert len(bare) == 3
    if op == "inspect":
        assert herodo[0][0] == "ps" and [c[:2] for c in herodo[1:]] == [c[:2] for c in bare]
    else:
        assert herodo == bare


def test_the_cpu_probe_counts_every_thread_of_the_process(tmp_path) -> None:
    """own_cpu_probe.py reports the whole process's CPU: a helper thread's work too (perf --no-inherit does not)."""
    script = tmp_path / "busy_thread.py"
    script.write_text(
        "import sys, threading, time\n"
        "def burn():\n"
        "    end = time.thread_time() + 0.2\n"
        "    while time.thread_time() < end:\n"
        "        pass\n"
        "t = threading.Thread(target=burn)\n"
        "t.start(); t.join()\n"
        "assert sys.argv[1:] == ['a', 'b']\n"
    )
    out = tmp_path / "cpu"
    subprocess.run([sys.executable, str(BENCH / "own_cpu_probe.py"), str(script), "a", "b"], check=True,
                   env={**os.environ, "HERODO_BENCH_CPU_FILE": str(out)})
    assert float(out.read_text()) >= 0.2
