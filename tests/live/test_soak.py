"""Load: one herodo script creates, checks and removes 100 containers in sequence while its memory (RSS,
sampled from /proc/<pid>/status) is measured; then 20 herodo processes at a time each create, check
and remove their own containers. At the end every container is gone and no name collided.

Opt-in locally (about 2.5 minutes for both engines here: docker 38 s + 19 s, podman 60 s + 25 s):
it runs with HERODO_SOAK=1 or `-m soak`, and always in CI (CI=true), on docker and podman since both
together stay under 3 minutes. Nothing is published: the containers only sleep (no network use).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEQUENTIAL = 100  # containers made one after the other by one script
PARALLEL = 20  # herodo processes at once
EACH = 5  # containers per parallel process
RSS_GROWTH_LIMIT = 3 * 1024  # KiB the long-running herodo may grow between the early and the late samples
TIME_LIMIT = 900  # seconds for each part at most

SCRIPT = """
local prefix, count, image = arg[1], tonumber(arg[2]), arg[3]
for i = 1, count do
  local name = string.format("%s-%03d", prefix, i)
  local c = nerdctl_container_from_image(name, image):with_command("sleep 300"):build()
  local status = c:status()
  assert(status.running, name .. " is not running: " .. tostring(status.state))
  local echoed = c:exec({"echo", name}).stdout
  assert(echoed == name .. "\\n", "exec in " .. name .. " printed " .. echoed)
  c:remove(true)
  print("done " .. i)
  io.stdout:flush()
end
"""

pytestmark = pytest.mark.soak


@pytest.fixture
def soak_enabled(request):
    selected = "soak" in (request.config.getoption("-m") or "")
    if not (selected or os.environ.get("HERODO_SOAK") == "1" or os.environ.get("CI") == "true"):
        pytest.skip("soak test: opt-in, it takes minutes (HERODO_SOAK=1 or -m soak; CI runs it)")


def herodo_command(script: Path, prefix: str, count: int, image: str) -> list[str]:
    return [sys.executable, "-m", "herodo_py.cli", "--max-memory", "64m", str(script), "--", prefix, str(count), image]


def herodo_env(engine: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERODO_", "CONTAINERD_"))}
    env["HERODO_ENGINE"] = engine
    env["PYTHONPATH"] = str(ROOT)  # this checkout, whatever is installed
    return env


def containers_named(engine, prefix: str) -> list[str]:
    listed = engine.run("ps", "-a", "--format", "{{.Names}}", check=True).stdout.split()
    return [n for n in listed if n.startswith(prefix)]


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def report(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n[soak] {text}", flush=True)


def test_one_script_makes_checks_and_removes_100_containers_with_flat_memory(engine, test_image, unique_name,
                                                                             soak_enabled, tmp_path, capsys):
    prefix = unique_name()
    script = tmp_path / "soak.lua"
    script.write_text(SCRIPT)
    started = time.monotonic()
    proc = subprocess.Popen(herodo_command(script, prefix, SEQUENTIAL, test_image), env=herodo_env(engine.name),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    samples: list[tuple[int, int]] = []  # (containers done, RSS KiB)
    done = 0
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = rss_kib(proc.pid)
            if rss is not None:
                samples.append((done, rss))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("done "):
                done = int(line.split()[1])
            assert time.monotonic() - started < TIME_LIMIT, f"soak took longer than {TIME_LIMIT} s"
        err = proc.stderr.read()  # type: ignore[union-attr]
        code = proc.wait(timeout=60)
    finally:
        stop.set()
        sampler.join()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        left = containers_named(engine, prefix)
        if left:
            engine.run("rm", "-f", *left, timeout=300)
    seconds = time.monotonic() - started
    assert code == 0, err
    assert done == SEQUENTIAL
    assert left == []  # every container removed, by the script itself
    early = [rss for n, rss in samples if 10 <= n < 30]
    late = [rss for n, rss in samples if n >= SEQUENTIAL - 20]
    assert early and late, samples
    growth = statistics.median(late) - statistics.median(early)
    started_rss = max(rss for n, rss in samples if n == 0)
    report(capsys, f"{engine.name}: {SEQUENTIAL} containers in sequence in {seconds:.1f} s "
                   f"({seconds / SEQUENTIAL:.2f} s each); herodo RSS: before the first {started_rss / 1024:.1f} MiB, "
                   f"containers 10-30 median {statistics.median(early) / 1024:.1f} MiB, last 20 median "
                   f"{statistics.median(late) / 1024:.1f} MiB, peak {max(r for _, r in samples) / 1024:.1f} MiB, "
                   f"growth {growth / 1024:+.2f} MiB ({len(samples)} samples)")
    assert growth < RSS_GROWTH_LIMIT, f"RSS grew by {growth} KiB"


def test_20_herodo_processes_at_a_time_each_with_their_own_containers(engine, test_image, unique_name, soak_enabled,
                                                                       tmp_path, capsys):
    prefixes = [unique_name() for _ in range(PARALLEL)]
    script = tmp_path / "soak.lua"
    script.write_text(SCRIPT)
    started = time.monotonic()
    procs = [subprocess.Popen(herodo_command(script, prefix, EACH, test_image), env=herodo_env(engine.name),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
             for prefix in prefixes]
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=TIME_LIMIT)
            results.append((proc.returncode, out, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        listed = engine.run("ps", "-a", "--format", "{{.Names}}", check=True).stdout.split()
        left = [n for n in listed if any(n.startswith(p) for p in prefixes)]
        if left:
            engine.run("rm", "-f", *left, timeout=300)
    seconds = time.monotonic() - started
    failed = [(code, err[-2000:]) for code, _, err in results if code != 0]
    assert failed == []  # a collision would be a NameInUse failure here
    assert all(out.split() == [w for i in range(1, EACH + 1) for w in ("done", str(i))] for _, out, _ in results)
    assert left == []
    report(capsys, f"{engine.name}: {PARALLEL} herodo processes x {EACH} containers ({PARALLEL * EACH} in all) "
                   f"in {seconds:.1f} s")
