"""Case 9 (issue 15): a ten-service stack up and down, side by side: herodo (default jobs),
herodo with jobs = 1, docker-compose 1.29 on docker, podman-compose 1.0.3 on podman, all from the
same compose file (``cases/stack10/compose.yml``). Each tool is a whole process, start-up included:
herodo as users run it, the ``herodo`` command running a Lua playbook (``cases/stack10/up.lua``,
``down.lua``: ``nerdctl_compose_load(...):up()`` / ``:down()``). Rounds are interleaved; before each
timed ``up`` the stack is taken down (untimed) and each timed ``down`` follows its own ``up``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness import run_once, summarize
from report import Row, Section, Target

CASE = Path(__file__).resolve().parent / "cases" / "stack10"
COMPOSE = CASE / "compose.yml"
ROOT = Path(__file__).resolve().parents[1]
PROJECT = "herodobench10"


def _herodo(ctx, action: str, engine: str, jobs: int | None = None) -> tuple[list[str], dict[str, str]]:
    """The ``herodo`` command (this checkout's code: PYTHONPATH) running the case's playbook."""
    runner = [ctx.herodo] if ctx.herodo else [sys.executable, "-m", "herodo_py.cli"]
    args = [str(COMPOSE), PROJECT, *([str(jobs)] if jobs is not None else [])]
    env = {**ctx.env, "HERODO_ENGINE": engine, "PYTHONPATH": str(ROOT)}
    return [*runner, str(CASE / f"{action}.lua"), "--", *args], env


def _tool(tool: str, action: str) -> tuple[list[str], dict[str, str]]:
    args = ["up", "-d"] if action == "up" else ["down", "-t", "0"]
    return [tool, "-f", str(COMPOSE), "-p", PROJECT, *args], dict(os.environ)


def variants(ctx) -> dict[str, tuple[str, dict[str, tuple[list[str], dict[str, str]]]]]:
    """name -> (engine, {"up": (argv, env), "down": (argv, env)})."""
    found = {
        "herodo (docker)": ("docker", {a: _herodo(ctx, a, "docker") for a in ("up", "down")}),
        "herodo jobs=1 (docker)": ("docker", {"up": _herodo(ctx, "up", "docker", 1),
                                              "down": _herodo(ctx, "down", "docker")}),
        "herodo (podman)": ("podman", {a: _herodo(ctx, a, "podman") for a in ("up", "down")}),
    }
    if shutil.which("docker-compose"):
        found["docker-compose 1.29 (docker)"] = ("docker", {a: _tool("docker-compose", a) for a in ("up", "down")})
    if shutil.which("podman-compose"):
        found["podman-compose 1.0.3 (podman)"] = ("podman", {a: _tool("podman-compose", a) for a in ("up", "down")})
    return found


def _clean(ctx, engine: str) -> None:
    """Untimed: nothing of the project on ``engine`` (either tool's containers and networks)."""
    down, env = _herodo(ctx, "down", engine)
    run_once(down, env)
    for label in (f"com.docker.compose.project={PROJECT}",):
        ids = subprocess.run([engine, "ps", "-aq", "--filter", f"label={label}"], check=False, capture_output=True,
                             text=True).stdout.split()
        if ids:
            subprocess.run([engine, "rm", "-f", *ids], check=False, capture_output=True)
    listed = subprocess.run([engine, "network", "ls", "--format", "{{.Name}}"], check=False, capture_output=True,
                            text=True).stdout.split()
    nets = [n for n in listed if n.startswith(PROJECT + "_")]
    if nets:
        subprocess.run([engine, "network", "rm", *nets], check=False, capture_output=True)


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    run_once(argv, env)
    return time.perf_counter() - started


def stack10(ctx) -> Section:
    found = variants(ctx)
    samples: dict[str, dict[str, list[float]]] = {name: {"up": [], "down": []} for name in found}
    for round_number in range(ctx.runs + 1):  # round 0 is the warm-up
        for name, (engine, commands) in found.items():
            _clean(ctx, engine)
            up_time = _timed(*commands["up"])
            down_time = _timed(*commands["down"])
            _clean(ctx, engine)
            if round_number:
                samples[name]["up"].append(up_time)
                samples[name]["down"].append(down_time)
    stats = {name: {a: summarize(s[a]) for a in ("up", "down")} for name, s in samples.items()}
    rows = [Row(f"{name}: {action}", stats[name][action]) for name in found for action in ("up", "down")]

    def target(what: str, ours: str, theirs: str, action: str, limit: float) -> None:
        if ours in stats and theirs in stats:
            value = stats[ours][action].median / stats[theirs][action].median
            ctx.targets.append(Target(what, f"<= {limit:.1f}x", f"{value:.2f}x", value <= limit))

    for action in ("up", "down"):
        target(f"case 9: herodo {action} / docker-compose {action}", "herodo (docker)",
               "docker-compose 1.29 (docker)", action, 0.6)
        target(f"case 9: herodo {action} / podman-compose {action}", "herodo (podman)",
               "podman-compose 1.0.3 (podman)", action, 0.6)
    if "herodo (docker)" in stats:
        slow = stats["herodo jobs=1 (docker)"]["up"].median / stats["herodo (docker)"]["up"].median
        ctx.targets.append(Target("case 9: herodo jobs=1 up / default up", ">= 1.5x", f"{slow:.2f}x", slow >= 1.5))
    notes = [("podman-compose 1.0.3 does not wait for `condition: service_healthy` (it starts in order only); "
              "docker-compose 1.29 and herodo wait until the three databases are healthy.")]
    return Section("9. A ten-service stack up and down (issue 15)",
                   "3 databases with a 1 s health check, 7 services waiting for all three healthy; "
                   "whole processes from the same compose file (herodo: the `herodo` command running a Lua playbook); "
                   "down removes containers and networks (-t 0).",
                   rows, "", notes)
