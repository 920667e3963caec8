"""The cases of issue 7 (1-5) and issue 16 (7: --hosts, 8: parallel()). Each returns :class:`report.Section`
objects and adds its targets.

Whole programs (herodo scripts, shell scripts, python-on-whales scripts) are timed as processes,
start-up included; in-process rows (parser, ``list(all=True)``, direct Python calls) say so.
Engine calls are counted separately (untimed) through :class:`engine.CallCounter`'s shim.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dump
from engine import IMAGE, CallCounter, containers_present, remove_labelled
from harness import BenchmarkFailed, Stats, measure, measure_many, ratio, run_once, summarize, time_call
from report import Row, Section, Target

CASES = Path(__file__).resolve().parent / "cases"
LIST_RUNNING = 3  # running containers present during case 2
LIST_ALL = 200  # created containers present during case 4
DUMP_ENTRIES = 1000


@dataclass
class Context:
    engine: str
    runs: int
    quick: bool
    herodo: str | None  # path of a working herodo runner, or None
    counter: CallCounter
    targets: list[Target] = field(default_factory=list)
    startup: Stats | None = None  # herodo's empty-script start-up, for the allowances

    pycache: str = ""  # PYTHONPYCACHEPREFIX for the children (run.py makes a temporary one)

    @property
    def env(self) -> dict[str, str]:
        """The children's environment: the engine, and Python's bytecode cache switched on (into
        ``pycache``, not the work tree) as an installed herodo has it, whatever PYTHONDONTWRITEBYTECODE says."""
        env = {**os.environ, "ENGINE": self.engine, "HERODO_ENGINE": self.engine}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if self.pycache:
            env["PYTHONPYCACHEPREFIX"] = self.pycache
        return env

    def herodo_argv(self, script: str, *args: str) -> list[str] | None:
        return None if self.herodo is None else [self.herodo, str(CASES / script), *args]

    def count(self, argv: Sequence[str], before: Callable[[], object] | None = None) -> int:
        """Engine calls one run of ``argv`` makes (through the shim; untimed)."""
        if before is not None:
            before()
        self.counter.reset()
        run_once(argv, self.counter.path_env(self.env))
        return len(self.counter.calls())


MISSING = "herodo runner not available yet"


def _process_rows(ctx: Context, variants: dict[str, list[str] | None], baseline: str,
                  before: Callable[[], object] | None = None, counted: bool = True) -> list[Row]:
    """Time the present variants interleaved, count their engine calls, and make rows."""
    present = {name: argv for name, argv in variants.items() if argv is not None}
    stats = measure_many(present, ctx.runs, env=ctx.env, before=before)
    rows = []
    for name, argv in variants.items():
        if argv is None:
            rows.append(Row(name, None, note=MISSING))
            continue
        calls = ctx.count(argv, before) if counted else None
        rows.append(Row(name, stats[name], calls, ratio(stats[name], stats[baseline]) if baseline in stats else None))
    return rows


def _row(rows: list[Row], prefix: str) -> Row | None:
    return next((r for r in rows if r.variant.startswith(prefix) and r.stats is not None), None)


def _ms(stats: Stats | None) -> str:
    return "—" if stats is None else f"{stats.median * 1000:.1f} ms"


def _overhead_targets(ctx: Context, rows: list[Row], case: str, max_ratio: float) -> None:
    """The issue's two targets for a playbook case, and 'faster than python-on-whales'."""
    bare, herodo, pow_ = _row(rows, "bare"), _row(rows, "herodo"), _row(rows, "python-on-whales")
    if herodo is None or bare is None:
        ctx.targets.append(Target(f"{case}: herodo / bare shell", f"<= {max_ratio:.2f}x", MISSING, None))
        return
    assert herodo.ratio is not None and herodo.stats and bare.stats
    ctx.targets.append(Target(f"{case}: herodo / bare shell", f"<= {max_ratio:.2f}x", f"{herodo.ratio:.2f}x",
                              herodo.ratio <= max_ratio))
    extra = herodo.stats.median - bare.stats.median
    if ctx.startup is not None and herodo.calls is not None:
        allowance = ctx.startup.median + 0.001 * herodo.calls
        ctx.targets.append(Target(f"{case}: herodo's extra time over bare shell",
                                  f"<= start-up + 1 ms x {herodo.calls} calls = {allowance * 1000:.0f} ms",
                                  f"{extra * 1000:.0f} ms", extra <= allowance))
    if pow_ is not None and pow_.stats:
        ctx.targets.append(Target(f"{case}: herodo faster than python-on-whales",
                                  f"< {_ms(pow_.stats)}", _ms(herodo.stats),
                                  herodo.stats.median < pow_.stats.median))


# --- case 1 -------------------------------------------------------------------------------


def _shim_argv(ctx: Context) -> list[str] | None:
    """``herodo`` through pyenv's shim (what a shell with pyenv on PATH runs), when there is one.
    (Inside a pyenv-run Python, PATH already leads to the real script, so look for the shim itself.)"""
    shim = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "shims" / "herodo"
    if ctx.herodo is None or not shim.is_file():
        return None
    return [str(shim), str(CASES / "empty.lua")]


def startup(ctx: Context) -> Section:
    py = sys.executable
    lua = shutil.which("lua5.4")
    variants: dict[str, list[str] | None] = {
        "lua5.4 -e ''": [lua, "-e", ""] if lua else None,
        "python -c pass": [py, "-c", "pass"],
        "python + lupa (import lupa.lua54)": [py, "-c", "import lupa.lua54"],
        "herodo empty.lua": ctx.herodo_argv("empty.lua"),
        "herodo empty.lua, through pyenv's shim": _shim_argv(ctx),
        "python -c 'import python_on_whales'": [py, "-c", "import python_on_whales"],
    }
    if ctx.herodo is not None and variants["herodo empty.lua, through pyenv's shim"] is None:
        del variants["herodo empty.lua, through pyenv's shim"]
    rows = _process_rows(ctx, variants, "python -c pass")
    herodo = _row(rows, "herodo empty.lua")
    ctx.startup = herodo.stats if herodo else None
    ctx.targets.append(Target("start-up: herodo on an empty script", "<= 60 ms", _ms(ctx.startup),
                              None if herodo is None else ctx.startup.median <= 0.060))
    floor = _row(rows, "python + lupa")
    if herodo is not None and floor is not None:  # the same target without the machine's load in it
        own = herodo.stats.median - floor.stats.median
        ctx.targets.append(Target("start-up: herodo's own, over python + lupa", "<= 15 ms (60 - 45)",
                                  f"{own * 1000:.1f} ms", own <= 0.015))
    return Section("1. Start-up", "An empty script; each program started as a process.", rows, "python -c pass")


# --- case 2 -------------------------------------------------------------------------------


def list10(ctx: Context) -> Section:
    def variants(n: int) -> dict[str, list[str] | None]:
        return {
            f"bare CLI (sh list.sh {n})": ["sh", str(CASES / "list.sh"), str(n)],
            f"herodo list.lua {n}": ctx.herodo_argv("list.lua", str(n)),
            f"python-on-whales (list_pow.py {n})": [sys.executable, str(CASES / "list_pow.py"), str(n)],
        }

    with containers_present(ctx.engine, LIST_RUNNING, "hb-bench-list", running=True):
        rows = _process_rows(ctx, variants(10), "bare CLI (sh list.sh 10)")
        ones = _process_rows(ctx, variants(1), "bare CLI (sh list.sh 1)")
    _overhead_targets(ctx, rows, "case 2 (10 list calls)", 1.20)
    notes = ["python-on-whales lists ids, then inspects each container to read its name and state.",
             "The 1-call rows split herodo's cost into a fixed part (start-up and loading the library on the "
             "first call) and a part per call; their ratios are against the bare 1-call script."]
    bare10, herodo10, bare1, herodo1 = (_row(r, p) for r, p in ((rows, "bare"), (rows, "herodo"),
                                                                (ones, "bare"), (ones, "herodo")))
    if herodo10 and herodo1 and bare10 and bare1:
        fixed = herodo1.stats.median - bare1.stats.median
        per_call = (herodo10.stats.median - herodo1.stats.median) / 9
        bare_call = (bare10.stats.median - bare1.stats.median) / 9
        notes.append(f"herodo's fixed cost over the bare CLI: {fixed * 1000:.0f} ms (start-up alone: "
                     f"{_ms(ctx.startup)}); per further list call: herodo {per_call * 1000:.1f} ms, "
                     f"bare CLI {bare_call * 1000:.1f} ms.")
    return Section("2. A playbook of 10 list calls",
                   f"{LIST_RUNNING} running containers present; each program lists 10 times (and once, below) and "
                   "prints every container's name and state (the shell prints the JSON lines).",
                   rows + ones, "bare CLI, same calls", notes)


# --- case 3 -------------------------------------------------------------------------------


def lifecycle10(ctx: Context) -> Section:
    variants = {
        "bare CLI (sh lifecycle10.sh)": ["sh", str(CASES / "lifecycle10.sh"), "hb-bench-sh", IMAGE],
        "herodo lifecycle10.lua": ctx.herodo_argv("lifecycle10.lua", "hb-bench-lua", IMAGE),
        "python-on-whales (lifecycle10_pow.py)": [sys.executable, str(CASES / "lifecycle10_pow.py"),
                                                  "hb-bench-pow", IMAGE],
    }
    try:
        rows = _process_rows(ctx, variants, "bare CLI (sh lifecycle10.sh)", before=lambda: remove_labelled(ctx.engine))
    finally:
        remove_labelled(ctx.engine)
    _overhead_targets(ctx, rows, "case 3 (lifecycle x 10)", 1.05)
    return Section("3. Container lifecycle x 10",
                   "run -d, inspect, exec `sh -c 'echo hi'`, logs, stop, rm; ten containers one after the other "
                   "(the container's command exits on SIGTERM, so stop is quick).",
                   rows, "bare CLI")


# --- case 4 -------------------------------------------------------------------------------


def parse_alone(ctx: Context) -> Section:
    from herodo_py.nerdctl.container.functions import parse_containers

    text = dump.make_dump(DUMP_ENTRIES)
    lines = text.splitlines()
    runs = max(ctx.runs, 20)
    json_only = time_call(lambda: [json.loads(line) for line in lines], runs)
    herodo = time_call(lambda: parse_containers(text), runs)
    assert len(parse_containers(text)) == DUMP_ENTRIES
    ctx.targets.append(Target(f"case 4: parse {DUMP_ENTRIES} containers", "<= 10 ms", _ms(herodo),
                              herodo.median <= 0.010))
    return Section(f"4a. Parser alone, {DUMP_ENTRIES} `ps` entries",
                   f"In-process, {runs} runs: docker's `ps --format '{{{{json .}}}}'` shape, made from "
                   "shared/fixtures/docker/ps-json.jsonl with distinct ids, names, states, ports and labels.",
                   [Row("json.loads of each line (floor)", json_only, 0, 1.0),
                    Row("herodo parse_containers", herodo, 0, ratio(herodo, json_only))],
                   "json.loads alone")


def _counted_inprocess(counter: CallCounter, fn: Callable[[], object]) -> int:
    counter.reset()
    fn()
    return len(counter.calls())


def list_all(ctx: Context) -> Section:
    from python_on_whales import DockerClient
    from python_on_whales.exceptions import NoSuchContainer

    from herodo_py.nerdctl import executor
    from herodo_py.nerdctl.container.functions import list as herodo_list
    from herodo_py.nerdctl.engine_settings import EngineSettings

    bare_argv = [ctx.engine, "ps", "-a", "--no-trunc", "--format", "{{json .}}"]
    pow_ = DockerClient(client_call=[ctx.engine])
    pow_counted = DockerClient(client_call=[ctx.counter.shim])

    def pow_names(client: DockerClient) -> list[tuple[str, str]]:
        """The idiomatic read: python-on-whales lists ids and inspects each container on first use
        (its ``inspect([ids])`` is one call per id too). Containers that other programs remove in the
        meantime are skipped, as a real script would have to."""
        seen = []
        for c in client.container.list(all=True):
            try:
                seen.append((c.name, c.state.status))
            except NoSuchContainer:
                pass
        return seen

    rows: list[Row] = []
    with containers_present(ctx.engine, LIST_ALL, "hb-bench-all"):
        present = len(run_once(bare_argv).splitlines())
        bare = measure(bare_argv, ctx.runs)
        rows.append(Row("bare CLI (ps -a --format json, one process)", bare, 1, 1.0))
        with executor.Executor(EngineSettings(engine=ctx.engine)).active():
            listed = time_call(lambda: herodo_list(all=True), ctx.runs)
        with executor.Executor(EngineSettings(engine=ctx.counter.shim)).active():
            calls = _counted_inprocess(ctx.counter, lambda: herodo_list(all=True))
        rows.append(Row("herodo list(all=True), in-process", listed, calls, ratio(listed, bare)))
        argv = ctx.herodo_argv("list_all.lua")
        if argv is None:
            rows.append(Row("herodo list_all.lua (process)", None, note=MISSING))
        else:
            script = measure(argv, ctx.runs, env=ctx.env)
            rows.append(Row("herodo list_all.lua (process)", script, ctx.count(argv), ratio(script, bare),
                            "start-up included"))
        each = time_call(lambda: pow_names(pow_), ctx.runs)
        rows.append(Row("python-on-whales list, name and state of each, in-process", each,
                        _counted_inprocess(ctx.counter, lambda: pow_names(pow_counted)), ratio(each, bare)))
    herodo_row = _row(rows, "herodo list(all=True)")
    pow_row = _row(rows, "python-on-whales")
    if herodo_row and pow_row:
        ctx.targets.append(Target("case 4: herodo list(all=True) faster than python-on-whales",
                                  f"< {_ms(pow_row.stats)}", _ms(herodo_row.stats),
                                  herodo_row.stats.median < pow_row.stats.median))
    return Section(f"4b. list(all=True) with {LIST_ALL} containers",
                   f"{LIST_ALL} created (not started) containers made for the case ({present} containers in all "
                   "on the engine); every variant reads each container's name and state.",
                   rows, "bare CLI")


# --- case 5 -------------------------------------------------------------------------------

_RATE = re.compile(r"rate=(\d+)")


def _rates(argv: list[str], ctx: Context) -> Stats:
    values = []
    for i in range(ctx.runs + 1):
        match = _RATE.search(run_once(argv, ctx.env))
        if not match:
            raise RuntimeError(f"{argv} printed no rate")
        if i:
            values.append(float(match[1]))
    return summarize(values)


def binding_rate(ctx: Context) -> Section:
    from herodo_py.nerdctl.container.operations import Container

    n = 20_000 if ctx.quick else 100_000
    rows: list[Row] = []
    argv = ctx.herodo_argv("binding_rate.lua", str(n))
    herodo = None if argv is None else _rates(argv, ctx)
    rows.append(Row("herodo: c:with_env('K', 'V') from Lua", herodo, note="" if argv else MISSING, unit="calls/s"))
    c = Container("hb-bench-rate", image=IMAGE)

    def python_loop() -> None:
        for _ in range(n):
            c.with_env("K", "V")

    per_loop = time_call(python_loop, ctx.runs)
    python = Stats(n / per_loop.median, n / per_loop.max, n / per_loop.min, per_loop.n)
    rows.append(Row("Python: c.with_env('K', 'V') called directly", python, unit="calls/s"))
    lua = shutil.which("lua5.4")
    if lua:
        rows.append(Row("plain lua5.4: a pure-Lua with_env (no binding)",
                        _rates([lua, str(CASES / "binding_rate_pure.lua"), str(n * 10)], ctx), unit="calls/s"))
    notes = [f"{n:,} calls per run inside one script; the rate is timed inside the script (os.clock)."]
    if herodo:
        notes.append(f"binding cost per call: {1e6 / herodo.median:.1f} µs from Lua vs "
                     f"{1e6 / python.median:.1f} µs from Python.")
    return Section("5. Lua -> Python binding call rate", "A cheap builder method called in a loop.", rows, "", notes)


# --- case 7 -------------------------------------------------------------------------------

HOSTS = 3


def hosts_fanout(ctx: Context) -> Section:
    """One playbook on three private docker daemons: ``--forks 3`` against one host after another."""
    title = f"7. One playbook on {HOSTS} daemons: herodo --hosts, --forks {HOSTS} vs one after another"
    if ctx.engine != "docker" or ctx.herodo is None:
        return Section(title, "needs docker and the herodo runner", [Row("herodo --hosts", None, note=MISSING)])
    # the private-daemon helper of the live tests: a dockerd with its own socket, roots and bridge
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "live"))
    import tempfile
    from contextlib import ExitStack

    from private_daemons import private_dockerd_running

    def unusable(reason: str) -> None:
        raise BenchmarkFailed(reason)

    with tempfile.TemporaryDirectory(prefix="hb-bench-hosts-") as tmp, ExitStack() as stack:
        tar = Path(tmp) / "image.tar"
        run_once([sys.executable, str(Path(__file__).resolve().parents[1] / "scripts" / "build_test_image.py"),
                  str(tar)])
        daemons = [stack.enter_context(private_dockerd_running(unusable)) for _ in range(HOSTS)]
        for daemon in daemons:
            run_once(["docker", "--host", daemon.address, "load", "-q", "-i", str(tar)])
        hosts = ",".join(f"d{i}=docker+{d.address}" for i, d in enumerate(daemons, start=1))
        play = str(CASES / "hosts_play.lua")
        # $0: the playbook, $1: herodo, $2: the image, then the addresses
        one_by_one = ["sh", "-c", 'p=$0 h=$1 i=$2; shift 2; for a; do "$h" --engine docker --address "$a" "$p" -- "$i" '
                      '|| exit; done', play, ctx.herodo, IMAGE, *[d.address for d in daemons]]
        variants: dict[str, list[str] | None] = {
            f"{HOSTS} herodo runs, one after another (sh loop)": one_by_one,
            "herodo --hosts --forks 1": [ctx.herodo, "--hosts", hosts, "--forks", "1", play, "--", IMAGE],
            f"herodo --hosts --forks {HOSTS}": [ctx.herodo, "--hosts", hosts, "--forks", str(HOSTS), play, "--", IMAGE],
        }
        rows = _process_rows(ctx, variants, "herodo --hosts --forks 1", counted=False)
    forks1, forks3 = _row(rows, "herodo --hosts --forks 1"), _row(rows, f"herodo --hosts --forks {HOSTS}")
    if forks1 and forks3:
        speedup = forks1.stats.median / forks3.stats.median
        ctx.targets.append(Target(f"case 7: --forks {HOSTS} faster than one host after another", "> 1.0x",
                                  f"{speedup:.2f}x", speedup > 1.0))
    return Section(title, f"{HOSTS} private dockerd daemons (own sockets, roots, bridges) on this machine; the "
                   "playbook runs, execs in, stops and removes 3 containers per host.", rows,
                   "--forks 1", [f"{os.cpu_count()} cores: the daemons, their containerd and the herodo processes "
                                 "share them."])


# --- case 8 -------------------------------------------------------------------------------


def lifecycles_parallel(ctx: Context) -> Section:
    """Ten independent container lifecycles: one after the other vs ten ``parallel()`` tasks, one script."""
    script = "lifecycles_parallel.lua"
    variants = {
        "herodo, one after the other": ctx.herodo_argv(script, "sequential", "hb-bench-seq", IMAGE),
        "herodo, parallel() (default jobs)": ctx.herodo_argv(script, "parallel", "hb-bench-par", IMAGE),
    }
    try:
        rows = _process_rows(ctx, variants, "herodo, one after the other", before=lambda: remove_labelled(ctx.engine))
    finally:
        remove_labelled(ctx.engine)
    sequential, parallel = _row(rows, "herodo, one after"), _row(rows, "herodo, parallel")
    if sequential and parallel:
        speedup = sequential.stats.median / parallel.stats.median
        ctx.targets.append(Target("case 8: parallel() faster than one after the other", ">= 1.5x",
                                  f"{speedup:.2f}x", speedup >= 1.5))
    return Section("8. Ten container lifecycles: one after the other vs parallel()",
                   "run -d, inspect, exec `sh -c 'echo hi'`, logs, stop, rm for each of ten containers; the same "
                   "script runs them in a loop or as ten parallel() tasks.", rows,
                   "one after the other", [f"{os.cpu_count()} cores, shared with the engine's daemon."])


ALL: dict[str, Callable[[Context], Section | list[Section]]] = {
    "1": startup,
    "2": list10,
    "3": lifecycle10,
    "4": lambda ctx: [parse_alone(ctx), list_all(ctx)],
    "5": binding_rate,
    "7": hosts_fanout,
    "8": lifecycles_parallel,
}


def herodo_command() -> str | None:
    """The ``herodo`` console script of this interpreter (not a version manager's shim), else PATH's."""
    beside = Path(sys.executable).with_name("herodo")
    return str(beside) if beside.is_file() else shutil.which("herodo")


def herodo_runner(env: dict[str, str], attempts: int = 3) -> tuple[str | None, str]:
    """The ``herodo`` command when it runs Lua scripts (not a placeholder), and why not otherwise.
    Tried a few times: a runner being edited in a shared tree may fail for a moment."""
    path = herodo_command()
    if not path:
        return None, "no herodo command found"
    reason = ""
    for attempt in range(attempts):
        try:
            out = subprocess.run([path, str(CASES / "probe.lua")], capture_output=True, text=True, timeout=60,
                                 env=env)
        except (OSError, subprocess.SubprocessError) as exc:
            reason = f"{path} could not run: {exc}"
        else:
            if out.returncode == 0 and "herodo-probe-ok" in out.stdout:
                return path, ""
            said = (out.stderr or out.stdout).strip()[-500:]
            reason = f"{path} {CASES / 'probe.lua'} exited {out.returncode}: {said}"
        time.sleep(5 * (attempt + 1))
    return None, reason
