"""herodo's start-up path stays light (issue 17): the modules a run imports, against allow-lists.

Each scenario runs ``herodo_py.cli.main`` in a fresh ``python -S`` (no ``site``: this environment's
``.pth`` files import ``re``, ``pathlib`` and more, which would hide what herodo imports) and lists
``sys.modules`` at the end. What the floor imports (the interpreter's ``site``, and ``lupa.lua54``
with one ``LuaRuntime()``) is free; every other module must be on the scenario's allow-list. The
engine is the nerdctl stand-in, so the first-call scenario runs a real engine command path
without a live engine. Deterministic: no timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import lupa
import pytest

ROOT = Path(__file__).resolve().parents[2]
STANDIN = ROOT / "tests" / "contract" / "standin" / "nerdctl"
FIXTURES = ROOT / "tests" / "fixtures" / "nerdctl"
LUPA_HOME = str(Path(lupa.__file__).resolve().parents[1])

# What `site` imports in a plain venv (python -I -c pass): free, herodo would get them anyway.
SITE = {"site", "_sitebuiltins", "os", "os.path", "posixpath", "genericpath", "stat", "_stat", "_collections_abc"}

LIST_MODULES = "import sys\nwith open(sys.argv[1], 'w') as f:\n    f.write('\\n'.join(sorted(sys.modules)))\n"

FLOOR = "import sys, lupa.lua54\nlupa.lua54.LuaRuntime()\n" + LIST_MODULES

HERODO = """import sys
out = sys.argv.pop(1)
try:
    from herodo_py.cli import main
    code = main(sys.argv[1:])
finally:
    with open(out, 'w') as f:
        f.write('\\n'.join(sorted(sys.modules)))
sys.exit(code)
"""

RE = {"re", "re._casefix", "re._compiler", "re._constants", "re._parser", "_sre", "copyreg"}
# Beyond the floor, on every herodo run: the run's recap (contextvars). Not signal (its enums) nor threading:
# the host uses _signal and _thread; not math (a first call compares with infinity instead).
STARTUP_STDLIB = {"__future__", "contextvars", "_contextvars"}
# A first engine command that reads JSON adds CPython's C scanner (herodo_py.nerdctl.json_reader): not the
# json package, whose decoder and encoder compile patterns at import and need re and enum. It starts the
# command with os.posix_spawn and reads it with select.poll (herodo_py.processes.spawn): no subprocess (with
# locale, selectors, warnings, threading) and no signal (its enums). parallel()'s queue loads only with parallel().
ENGINE_STDLIB = {"select", "_json"}
# Checking a new container's name, image and options uses patterns: a first run() adds re (re needs enum).
RUN_STDLIB = {"enum", *RE}
# Never on a first nerdctl_list() or a first call on one container: the dataclasses machinery (dataclasses
# imports inspect, ast, dis, tokenize...) and typing. Their records are plain classes or declare their Lua
# fields in the bindings (else the registry would read them with dataclasses and typing.get_type_hints).
DATACLASSES = {
    "dataclasses", "inspect", "ast", "_ast", "dis", "opcode", "_opcode", "token", "tokenize", "linecache", "copy",
    "weakref", "importlib", "importlib._bootstrap", "importlib._bootstrap_external", "importlib.machinery",
    "typing", "typing.io", "typing.re", "_typing",
}
# Never on a first engine call: what herodo avoids by design (temporary files, archives, URLs, shell
# quoting by shlex, the cancel machinery) and the library's heavy parts a call on an existing container
# does not need (the builder and its dataclasses, ensure and desired state, labels, images).
HEAVY = {"subprocess", "threading", "signal", "locale", "selectors", "tempfile", "shutil", "zipfile", "urllib", "urllib.parse", "shlex", "queue", "bz2", "lzma", "zlib",
         "hashlib", "random", "datetime", "ipaddress"}
# Never on a first call on existing containers (list, exec, inspect...): they check names without patterns
# and read JSON with the C scanner.
PATTERNS_AND_JSON = {"json", "enum", *RE}
HEAVY_FOR_ONE_CONTAINER = {
    *DATACLASSES, "herodo_py.nerdctl.container.builder", "herodo_py.nerdctl.container.types",
    "herodo_py.nerdctl.container.operations", "herodo_py.nerdctl.container.ensure", "herodo_py.nerdctl.concurrency",
    "herodo_py.nerdctl.labels", "herodo_py.nerdctl.image", "herodo_py.nerdctl.desired.outcome",
    "herodo_py.nerdctl.container.functions",
}
# herodo test also loads the test runner: its runner, reporter, janitor and test API, nothing else (re,
# friendly errors, JUnit and the engine library come with a failure, --filter, --junit or an engine call).
TEST_RUNNER = {"herodo_py.testing", "herodo_py.testing.runner", "herodo_py.testing.reporting",
               "herodo_py.testing.janitor", "herodo_py.testing.testapi"}


def herodo_modules(tmp_path: Path, *argv: str) -> set[str]:
    """Modules loaded by one herodo run (with the stand-in engine), beyond the floor's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NERDCTL_STANDIN_", "PYTHON"))}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), LUPA_HOME]), HERODO_ENGINE=str(STANDIN),
               NERDCTL_STANDIN_FIXTURES=str(FIXTURES), NERDCTL_STANDIN_LOG=str(tmp_path / "calls.jsonl"))
    floor_out, herodo_out = tmp_path / "floor.txt", tmp_path / "herodo.txt"
    subprocess.run([sys.executable, "-S", "-c", FLOOR, str(floor_out)], env=env, check=True, cwd=tmp_path)
    proc = subprocess.run([sys.executable, "-S", "-c", HERODO, str(herodo_out), *argv], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return set(herodo_out.read_text().split()) - set(floor_out.read_text().split()) - SITE


def unexpected(modules: set[str], stdlib: set[str], herodo_py: tuple[str, ...]) -> list[str]:
    """The modules neither on the stdlib allow-list nor under an allowed herodo_py prefix."""
    return sorted(m for m in modules if m not in stdlib and not m.startswith(herodo_py)
                  and not m.startswith("_cython_"))


def script(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# herodo_py packages an empty script may load: the command and the Lua host, not the engine library.
HOST = ("herodo_py.cli", "herodo_py.lua")
# ... and the run's recap (herodo_py.cli.recap makes one current before any script runs), light on purpose.
HOST_MODULES = {"herodo_py", "herodo_py.recap_slot"}


def test_an_empty_script_loads_no_engine_library_and_nothing_heavy(tmp_path):
    loaded = herodo_modules(tmp_path, script(tmp_path, "empty.lua", ""))
    extra = unexpected(loaded - HOST_MODULES, STARTUP_STDLIB, HOST)
    assert extra == [], f"an empty script imports {extra}: import them where they are needed"
    bindings = sorted(m for m in loaded if m.startswith("herodo_py.lua.bindings"))
    assert bindings == [], "the bindings modules load on a script's first call of one"
    assert "herodo_py.lua.json_codec" not in loaded, "JSON's Python side loads with a first decode or encode error"


def test_version_loads_nothing_heavy(tmp_path):
    loaded = herodo_modules(tmp_path, "--version")
    packages = {"herodo_py", "herodo_py.lua"}
    extra = unexpected(loaded - packages, {"__future__"}, ("herodo_py.cli", "herodo_py.lua.exit_codes",
                                                          "herodo_py.lua.limits"))
    assert extra == [], f"herodo --version imports {extra}"


def test_a_first_engine_call_loads_only_what_running_a_command_needs(tmp_path):
    loaded = herodo_modules(tmp_path, script(tmp_path, "one.lua", "assert(#nerdctl_list(true) > 0)"))
    assert "herodo_py.nerdctl.executor" in loaded  # the call did run through the engine library
    extra = unexpected(loaded - HOST_MODULES, STARTUP_STDLIB | ENGINE_STDLIB, ("herodo_py.",))
    assert extra == [], f"a first nerdctl_list() imports {extra}"
    assert sorted(loaded & (HEAVY | DATACLASSES | PATTERNS_AND_JSON)) == [], "a first nerdctl_list() imports heavy modules"
    assert "herodo_py.nerdctl.container.builder" not in loaded, "list() needs no container builder"
    bindings = {m.rpartition(".")[2] for m in loaded if m.startswith("herodo_py.lua.bindings.")}
    assert bindings == {"rows", "container", "desired", "engine"}, "list() loads its noun and what it needs only"
    assert not any(m.startswith("herodo_py.host") for m in loaded), "the host policy is for host bindings"
    assert "herodo_py.nerdctl.validate" not in loaded, "list() checks one boolean: no input checks module"


@pytest.mark.parametrize("call", ['nerdctl_exec("web", "true")', 'assert(nerdctl_inspect("web").Id)',
                                  'nerdctl_stop("web")', 'assert(nerdctl_logs("web").success)'])
def test_a_first_call_on_one_container_loads_no_builder_and_no_dataclasses(tmp_path, call):
    loaded = herodo_modules(tmp_path, script(tmp_path, "one.lua", call))
    assert "herodo_py.nerdctl.container.actions" in loaded  # the call did run through the engine library
    extra = unexpected(loaded - HOST_MODULES, STARTUP_STDLIB | ENGINE_STDLIB, ("herodo_py.",))
    assert extra == [], f"a first {call} imports {extra}"
    assert sorted(loaded & (HEAVY | HEAVY_FOR_ONE_CONTAINER | PATTERNS_AND_JSON)) == [], \
        f"a first {call} imports heavy modules"
    if "inspect" not in call:  # (only inspect reads JSON)
        assert "_json" not in loaded, f"a first {call} reads no JSON and needs no JSON scanner"


def test_a_first_run_loads_the_builder_but_no_dataclasses_and_no_image_functions(tmp_path):
    loaded = herodo_modules(tmp_path, script(tmp_path, "one.lua",
                                             'nerdctl_run("localhost/herodo-busybox:latest", "web2", true)'))
    assert "herodo_py.nerdctl.container.builder" in loaded  # the call did build its argv with the builder
    extra = unexpected(loaded - HOST_MODULES, STARTUP_STDLIB | ENGINE_STDLIB | RUN_STDLIB, ("herodo_py.",))
    assert extra == [], f"a first nerdctl_run() imports {extra}"
    assert sorted(loaded & (HEAVY | DATACLASSES)) == [], "a first nerdctl_run() imports heavy modules"
    assert "herodo_py.nerdctl.image" not in loaded and "herodo_py.nerdctl.labels" not in loaded


def test_herodo_test_with_one_test_loads_only_the_test_runner_more(tmp_path):
    test_file = script(tmp_path, "one_test.lua", 'test("adds", function() assert(1 + 1 == 2) end)\n')
    loaded = herodo_modules(tmp_path, "test", test_file)
    assert "herodo_py.testing.runner" in loaded  # the tests did run through the test runner
    extra = unexpected(loaded - HOST_MODULES - TEST_RUNNER, STARTUP_STDLIB, HOST)
    assert extra == [], f"herodo test with one test imports {extra}: import them where they are needed"


def test_herodo_test_with_an_engine_call_loads_the_library_then(tmp_path):
    test_file = script(tmp_path, "list_test.lua", 'test("lists", function() assert(#nerdctl_list(true) > 0) end)\n')
    loaded = herodo_modules(tmp_path, "test", test_file)
    assert "herodo_py.nerdctl.executor" in loaded  # the janitor's executor, made for the test's first call
    extra = unexpected(loaded - HOST_MODULES, STARTUP_STDLIB | ENGINE_STDLIB, ("herodo_py.",))
    assert extra == [], f"herodo test with an engine call imports {extra}"


@pytest.mark.parametrize("heavy", ["dataclasses", "subprocess", "json"])
def test_the_guard_sees_a_heavy_import(tmp_path, heavy):
    """The allow-list check itself: a module imported on the path is reported."""
    assert unexpected({heavy, "herodo_py.lua.runtime"}, STARTUP_STDLIB, HOST) == [heavy]


def test_a_first_container_object_loads_no_patterns_json_or_dataclasses(tmp_path):
    """A script's usual start: a Container for an existing name, then its status (the builder and the
    record types load; re, enum, json, dataclasses and typing do not)."""
    loaded = herodo_modules(tmp_path, script(tmp_path, "one.lua",
                                             'local c = nerdctl_container_new("test-nginx_1-1")\nassert(c:status())\n'))
    assert "herodo_py.nerdctl.container.operations" in loaded  # the call did make a Container
    assert sorted(loaded & (HEAVY | DATACLASSES | PATTERNS_AND_JSON)) == [], "a first Container imports heavy modules"
