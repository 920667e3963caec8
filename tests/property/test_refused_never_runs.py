"""Hostile values through every builder option, container operation, static function and image
function, with the nerdctl stand-in as the engine:

- a value refused with ConversionError never reaches the engine (no command started, nothing in
  the stand-in's log);
- an accepted value gives an argv that nerdctl's own flag parser (the stand-in's, in process)
  accepts, in which the value is data: it adds no flag the same call with a benign value lacks;
- run for real against the stand-in, every call ends in a value or a NerdctlError.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile import CANARY, any_value, hostile_text
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import ConversionError, NerdctlError

STANDIN = Path(__file__).resolve().parents[1] / "contract" / "standin" / "nerdctl"
IMAGE = "localhost/herodo-busybox:latest"
CID = "f" * 64
CONTEXT = "/tmp"  # an existing directory: the build context for image_build (never built: stand-in)

_loader = importlib.machinery.SourceFileLoader("nerdctl_standin", str(STANDIN))
standin_module = importlib.util.module_from_spec(importlib.util.spec_from_loader("nerdctl_standin", _loader))
_loader.exec_module(standin_module)


DIRS: list[Path] = []  # the directory build_in_dir_named works in, made and removed by _dirs


@pytest.fixture(scope="module", autouse=True)
def _dirs():
    DIRS.append(Path(tempfile.mkdtemp(prefix="herodo-prop-dirs-")))
    yield
    shutil.rmtree(DIRS.pop(), ignore_errors=True)


def build_in_dir_named(value: Any) -> Any:
    """``image_build`` of a context directory named ``value`` (made in DIRS), from DIRS."""
    if isinstance(value, str) and value not in ("", ".", "..") and "/" not in value and "\x00" not in value:
        try:
            (DIRS[-1] / value).mkdir(exist_ok=True)
        except (OSError, UnicodeEncodeError):
            pass
    with contextlib.chdir(DIRS[-1]):
        return n.image_build("app:1", value)


def new(name: str = "web") -> Container:
    return Container(name, IMAGE)


def built() -> Container:
    return Container("web", IMAGE, container_id=CID)


texts = st.one_of(hostile_text, any_value)
lists = st.one_of(st.lists(hostile_text, max_size=3), any_value)
mappings = st.one_of(st.dictionaries(hostile_text, st.one_of(hostile_text, any_value), max_size=3), any_value)
BENIGN_LIST = [f"{p}:{p}" for p in range(8001, 8007)]
BENIGN_MAP = {f"K{i}": "v" for i in range(6)}

# name -> (call with the value, a benign value, values to try).
BOTH = (False, True)  # a boolean's benign values: flags beyond what either gives are injected
Op = tuple[Callable[[Any], Any], Any, st.SearchStrategy[Any]]
OPS: dict[str, Op] = {
    # builder options (build() runs `run`)
    "with_port": (lambda v: new().with_port(v).build(), "8080:80", texts),
    "with_ports": (lambda v: new().with_ports(v).build(), BENIGN_LIST, lists),
    "with_volume": (lambda v: new().with_volume(v).build(), "/srv:/data:ro", texts),
    "with_volumes": (lambda v: new().with_volumes(v).build(), [f"/s{i}:/d{i}" for i in range(6)], lists),
    "with_env key": (lambda v: new().with_env(v, "x").build(), "KEY", texts),
    "with_env value": (lambda v: new().with_env("KEY", v).build(), "value", texts),
    "with_envs": (lambda v: new().with_envs(v).build(), BENIGN_MAP, mappings),
    "with_label key": (lambda v: new().with_label(v, "x").build(), "role", texts),
    "with_label value": (lambda v: new().with_label("role", v).build(), "web", texts),
    "with_labels": (lambda v: new().with_labels(v).build(), BENIGN_MAP, mappings),
    "with_network": (lambda v: new().with_network(v).build(), "backend", texts),
    "with_network_alias": (lambda v: new().with_network_alias(v).build(), "db", texts),
    "with_cpu_limit": (lambda v: new().with_cpu_limit(v).build(), "0.5", texts),
    "with_memory_limit": (lambda v: new().with_memory_limit(v).build(), "64m", texts),
    "with_memory_swap_limit": (lambda v: new().with_memory_limit("64m").with_memory_swap_limit(v).build(),
                               "128m", texts),
    "with_cpu_shares": (lambda v: new().with_cpu_shares(v).build(), 512, texts),
    "with_restart_policy": (lambda v: new().with_restart_policy(v).build(), "always", texts),
    "with_health_check": (lambda v: new().with_health_check(v).build(), "true", texts),
    "health interval": (lambda v: new().with_health_check_options("true", interval=v).build(), "1s", texts),
    "health retries": (lambda v: new().with_health_check_options("true", retries=v).build(), 3, texts),
    "health start period": (lambda v: new().with_health_check_options("true", start_period=v).build(), "1s",
                            texts),
    "with_command": (lambda v: new().with_command(v).build(), ["sleep", "1"], st.one_of(texts, lists)),
    "with_entrypoint": (lambda v: new().with_entrypoint(v).build(), "/bin/sh", texts),
    "with_workdir": (lambda v: new().with_workdir(v).build(), "/srv", texts),
    "with_user": (lambda v: new().with_user(v).build(), "1000:1000", texts),
    "with_detach": (lambda v: new().with_detach(v).build(), BOTH, texts),
    "container name": (lambda v: new(v).build(), "web", texts),
    "build timeout": (lambda v: new().build(timeout=v), 30, texts),
    # operations on a built container
    "Container.new": (lambda v: Container.new(v), "web", texts),
    "from_image": (lambda v: Container.from_image("web", v), IMAGE, texts),
    "exec": (lambda v: built().exec(v), ["ls", "-l"], st.one_of(texts, lists)),
    "copy source": (lambda v: built().copy(v, "web:/x"), "/etc/hosts", texts),
    "copy dest": (lambda v: built().copy("web:/etc/hosts", v), "/tmp/hosts", texts),
    "stop timeout": (lambda v: built().stop(v), 1, texts),
    "logs tail": (lambda v: built().logs(v), 5, texts),
    "commit": (lambda v: built().commit(v), "snap:1", texts),
    "remove force": (lambda v: built().remove(v), BOTH, texts),
    # static functions
    "run image": (lambda v: n.run(v), IMAGE, texts),
    "run name": (lambda v: n.run(IMAGE, name=v), "web", texts),
    "run detach": (lambda v: n.run(IMAGE, detach=v), BOTH, texts),
    "run ports": (lambda v: n.run(IMAGE, ports=v), BENIGN_LIST, lists),
    "run snapshotter": (lambda v: n.run(IMAGE, snapshotter=v), "native", texts),
    "run command": (lambda v: n.run(IMAGE, command=v), ["sleep", "1"], st.one_of(texts, lists)),
    "run_with_port": (lambda v: n.run_with_port(IMAGE, "web", v), "8080:80", texts),
    "exec container": (lambda v: n.exec(v, "ls"), "web", texts),
    "exec command": (lambda v: n.exec("web", v), "ls", st.one_of(texts, lists)),
    "copy": (lambda v: n.copy(v, "web:/x"), "/etc/hosts", texts),
    "copy to": (lambda v: n.copy("web:/etc/hosts", v), "/tmp/hosts", texts),
    "stop": (lambda v: n.stop(v), "web", texts),
    "remove": (lambda v: n.remove(v), "web", texts),
    "remove force arg": (lambda v: n.remove("web", v), BOTH, texts),
    "logs": (lambda v: n.logs(v), "web", texts),
    "logs tail arg": (lambda v: n.logs("web", v), 5, texts),
    "list all": (lambda v: n.list(v), BOTH, texts),
    # images
    "image_remove": (lambda v: n.image_remove(v), IMAGE, texts),
    "image_remove force": (lambda v: n.image_remove(IMAGE, v), BOTH, texts),
    "image_tag source": (lambda v: n.image_tag(v, "app:2"), IMAGE, texts),
    "image_tag target": (lambda v: n.image_tag(IMAGE, v), "app:2", texts),
    "image_pull": (lambda v: n.image_pull(v), IMAGE, texts),
    "image_push": (lambda v: n.image_push(v), IMAGE, texts),
    "image_push destination": (lambda v: n.image_push(IMAGE, v), "localhost:5000/app:1", texts),
    "image_commit container": (lambda v: n.image_commit(v, "snap:1"), "web", texts),
    "image_commit image": (lambda v: n.image_commit("web", v), "snap:1", texts),
    "image_build tag": (lambda v: n.image_build(v, CONTEXT), "app:1", texts),
    "image_build context": (lambda v: n.image_build("app:1", v), CONTEXT, texts),
    "image_build dockerfile": (lambda v: n.image_build("app:1", CONTEXT, dockerfile=v), "/etc/hosts", texts),
    "image_build context named": (build_in_dir_named, "ctx", st.one_of(texts, st.sampled_from(["-q", "--pull", "-"]))),
    "image_build args": (lambda v: n.image_build("app:1", CONTEXT, build_args=v), BENIGN_MAP, mappings),
}
# Operations that wait or write host files do not run for real against the stand-in.
GATE_ONLY = {"wait_running": (lambda v: built().wait_running(v), 5, texts),
             "wait_healthy": (lambda v: built().wait_healthy(v), 5, texts),
             "export": (lambda v: built().export(v), "/tmp/herodo-never-written.tar", texts)}


class Gate(Exception):
    """Raised by the listener when a command is about to start: it never starts."""


@pytest.fixture
def gate(use_engine, monkeypatch):
    """Engine: the stand-in (by path, resolved without running anything); every command is stopped
    at its start event and its argv recorded; BuildKit counts as present."""
    use_engine(str(STANDIN))
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: "/usr/bin/" + name if name == "buildctl" else None)
    started: list[list[str]] = []

    def listener(event: str, argv: list[str], result: Any) -> None:
        if event == "start":
            started.append(argv)
            raise Gate()

    executor.add_listener(listener)
    yield started
    executor.remove_listener(listener)


def argv_of(op: Callable[[Any], Any], value: Any, started: list[list[str]]) -> list[str] | ConversionError | None:
    """The first argv ``op(value)`` would run, its ConversionError, or None (another NerdctlError)."""
    started.clear()
    try:
        op(value)
    except Gate:
        return started[0]
    except ConversionError as exc:
        assert started == [], f"refused ({exc}) after starting {started}"
        return exc
    except NerdctlError:
        return None
    pytest.fail(f"ran to the end without starting a command: {started}")


def flag_counts(argv: list[str]) -> Counter:
    """How many values nerdctl's parser gives each flag (global and subcommand) in ``argv``."""
    _spec, flags, _args, gflags = standin_module.parse(argv[1:])
    return Counter({name: len(values) for name, values in {**flags, **gflags}.items()})


ALL_OPS = {**OPS, **GATE_ONLY}


@pytest.mark.parametrize("name", sorted(ALL_OPS))
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])  # x 71 operations
@given(data=st.data())
def test_refused_values_start_nothing_and_accepted_ones_stay_data(name: str, data: st.DataObject, gate) -> None:
    op, benign, values = ALL_OPS[name]
    # the benign argv, or a ConversionError where nerdctl lacks the feature (network aliases)
    baselines = [argv_of(op, b, gate) for b in (benign if benign is BOTH else [benign])]
    value = data.draw(values, label="value")
    if name == "export" and isinstance(value, str):
        assume(".." not in value and value.startswith("/tmp/"))  # it creates its temp file beside the target
    result = argv_of(op, value, gate)
    if not isinstance(result, list):
        return
    assert all(isinstance(b, list) for b in baselines), f"{value!r} accepted where {benign!r} is not: {result}"
    for word in result:
        assert isinstance(word, str) and "\x00" not in word
        word.encode("utf-8")
    try:
        hostile = flag_counts(result)
    except standin_module.NerdctlError as exc:
        pytest.fail(f"accepted {value!r}, but nerdctl's parser refuses {result}: {exc.msg}")
    if benign is BOTH:
        assert type(value) is bool, f"a boolean option accepted {value!r}: {result}"
    allowed: Counter = Counter()
    for baseline in baselines:
        allowed |= flag_counts(baseline)
    extra = hostile - allowed
    assert not extra, f"{value!r} became flags {dict(extra)} in {result}"


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])  # x 68, ~0.1 s a run
@given(value=st.one_of(hostile_text, any_value))
def test_against_the_running_standin(name: str, value: Any, standin, monkeypatch) -> None:
    """For real: a refusal leaves the stand-in's log empty; anything else is a value or a NerdctlError."""
    monkeypatch.setenv("NERDCTL_STANDIN_BUILDKIT", "1")
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: "/usr/bin/" + name if name == "buildctl" else None)
    standin.clear()
    op = OPS[name][0]
    try:
        op(value)
    except ConversionError:
        assert standin.calls() == []
    except NerdctlError:
        pass
    assert not Path(CANARY).exists()
