"""Engine calls per operation, herodo's Python API (which the Lua bindings call 1:1) beside
python-on-whales, counted through the shim; every container made here is removed afterwards."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine import IDLE_COMMAND, IMAGE, LABEL, CallCounter, remove_labelled
from harness import markdown_table
from report import Target

TARGETS = {"build / run -d": 1, "status / inspect": 1}


_ID = re.compile(r"[0-9a-f]{12,64}")


def _words(call: str) -> str:
    """The subcommand words of a logged call: ``exec 8d38...`` -> ``exec``."""
    words = [w for w in call.split()[:3] if not _ID.fullmatch(w) and not w.startswith("hb-bench")]
    return " ".join(words[:2])


def _count(counter: CallCounter, fn: Callable[[], Any]) -> tuple[int, list[str]]:
    counter.reset()
    fn()
    calls = counter.calls()
    return len(calls), [_words(c) for c in calls]


def _herodo_ops(counter: CallCounter) -> dict[str, tuple[int, list[str]]]:
    from herodo_py.nerdctl import executor
    from herodo_py.nerdctl.container.functions import list as herodo_list
    from herodo_py.nerdctl.container.operations import Container
    from herodo_py.nerdctl.engine_settings import EngineSettings

    held: dict[str, Any] = {}
    with executor.Executor(EngineSettings(engine=counter.shim)).active():
        ops = {
            "look up by name (from_image / new)": lambda: held.update(
                c=Container.from_image("hb-bench-ops-herodo", IMAGE).with_label(LABEL, "1").with_command(IDLE_COMMAND)),
            "build / run -d": lambda: held["c"].build(),
            "status / inspect": lambda: held["c"].status(),
            "exec": lambda: held["c"].exec("echo hi"),
            "logs": lambda: held["c"].logs(),
            "list running, name and state of each": lambda: [(s.name, s.state) for s in herodo_list()],
            "stop": lambda: held["c"].stop(),
            "remove": lambda: held["c"].remove(),
        }
        return {name: _count(counter, fn) for name, fn in ops.items()}


def _pow_ops(counter: CallCounter) -> dict[str, tuple[int, list[str]]]:
    from python_on_whales import DockerClient

    docker = DockerClient(client_call=[counter.shim])
    held: dict[str, Any] = {}
    ops = {
        "build / run -d": lambda: held.update(c=docker.run(IMAGE, ["sh", "-c", IDLE_COMMAND], detach=True,
                                                            name="hb-bench-ops-pow", labels={LABEL: "1"})),
        "status / inspect": lambda: held["c"].state.status,
        "exec": lambda: held["c"].execute(["sh", "-c", "echo hi"]),
        "logs": lambda: held["c"].logs(),
        "list running, name and state of each": lambda: [(c.name, c.state.status) for c in docker.container.list()],
        "stop": lambda: held["c"].stop(),
        "remove": lambda: held["c"].remove(),
    }
    return {name: _count(counter, fn) for name, fn in ops.items()}


def operation_calls(engine: str, counter: CallCounter, targets: list[Target]) -> str:
    """A markdown table of engine calls per operation; adds the build/status targets."""
    missing = ""
    try:
        herodo = _herodo_ops(counter)
        try:
            pow_ = _pow_ops(counter)
        except ImportError as exc:  # a benchmark-only dependency (benchmarks/requirements.txt)
            pow_, missing = {}, f" python-on-whales is not installed here ({exc}): its columns are empty."
    finally:
        remove_labelled(engine)
    rows = []
    for name, (calls, argv) in herodo.items():
        pow_calls = pow_.get(name)
        pow_cells = ["—", "—"] if pow_calls is None else [str(pow_calls[0]), _argv_cell(pow_calls[1])]
        rows.append([name, str(calls), _argv_cell(argv), *pow_cells, str(TARGETS.get(name, ""))])
    for name, wanted in TARGETS.items():
        got = herodo[name][0]
        targets.append(Target(f"engine calls: {name.split(' /')[0]}", f"{wanted}", str(got), got <= wanted))
    note = ("One live container, operation by operation; the list row while it runs (with whatever else runs "
            "on the engine at that moment). python-on-whales has no name lookup: `Container(name)` is lazy." + missing)
    return note + "\n\n" + markdown_table(["operation", "herodo calls", "herodo runs", "python-on-whales calls",
                                           "python-on-whales runs", "target"], rows)


def _argv_cell(argv: list[str]) -> str:
    return ", ".join(f"`{a}`" for a in argv) or "—"
