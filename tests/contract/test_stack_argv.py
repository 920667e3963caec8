"""Stacks on nerdctl (the stand-in): the exact argv of ``up`` in order, nerdctl's gaps (no network aliases,
no ``network connect``) handled before anything runs, and the Lua ``Stack``: dry-run plan in order,
``--trace`` tags, and the sandbox's confinement of every host path (hostile-script probes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from herodo_py.lua.runtime import Runtime
from herodo_py.nerdctl.errors import ConversionError, UnsupportedByEngine
from herodo_py.nerdctl.stack import Stack

IMAGE = "localhost/herodo-busybox:latest"
TWO = {"services": {
    "db": {"image": IMAGE, "command": "sleep 600"},
    "web": {"image": IMAGE, "command": "sleep 600", "depends_on": {"db": "started"}, "ports": ["8080:80"]}}}


IMAGE_ID = "sha256:" + "ab" * 32


@pytest.fixture(autouse=True)
def image_record(standin, monkeypatch):
    """The stand-in has no recorded ``image inspect`` output: the image's record is given here
    (``ensure`` compares a container's image by id)."""
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_IMAGE_INSPECT",
                       json.dumps([{"Id": IMAGE_ID, "RepoTags": [IMAGE], "RootFS": {"Type": "layers"}}]))


def labels(stack: str, service: str, digest: str) -> list[str]:
    return ["--label", f"io.herodo.stack={stack}", "--label", f"io.herodo.stack.service={service}",
            "--label", "io.herodo.stack.replica=1", "--label", f"io.herodo.stack.config-hash={digest}"]


def standin_ps_ids() -> list[str]:
    import subprocess

    from herodo_py.nerdctl.executor import current_engine

    return subprocess.run([current_engine().path, "ps", "-a", "-q", "--no-trunc"], capture_output=True, text=True,
                          check=True).stdout.split()


def test_up_of_two_services_with_depends_on_runs_these_commands_in_this_order(standin):
    result = Stack("missing-c15app", TWO).up()
    calls = standin.calls()
    digests = {c[c.index("--name") + 1]: next(a for a in c if a.startswith("io.herodo.stack.config-hash=")).split("=")[1]
               for c in calls if c[0] == "run"}

    def unrecorded(call: list[str]) -> list[str]:  # ensure's record labels (herodo.*) checked apart
        record = {i for i, a in enumerate(call) if a == "--label" and call[i + 1].startswith("herodo.")}
        return [a for i, a in enumerate(call) if i not in record and i - 1 not in record]

    assert all(any(a.startswith("herodo.config-hash=") for a in c) for c in calls if c[0] == "run")
    calls = [unrecorded(c) if c[0] == "run" else c for c in calls]
    # first the reads, at once (in any order): one inspect of every replica and image, the stack's
    # containers and networks by label; then the containers ps listed that the names did not find
    assert sorted(calls[:3]) == sorted([
        ["inspect", "missing-c15app-db-1", "missing-c15app-web-1", IMAGE],
        ["ps", "-a", "-q", "--no-trunc", "--filter", "label=io.herodo.stack=missing-c15app"],
        ["network", "ls", "--filter", "label=io.herodo.stack=missing-c15app", "--format", "{{.Name}}"],
    ])
    assert calls[3:] == [
        ["container", "inspect", *standin_ps_ids()],  # what ps listed (canned ids)
        ["network", "create", "--label", "io.herodo.stack=missing-c15app", "--label",
         "io.herodo.stack.network=default", "missing-c15app_default"],
        # each replica: no read of its own, no pull (the image was found)
        ["run", "-d", "--network", "missing-c15app_default", "--name", "missing-c15app-db-1",
         *labels("missing-c15app", "db", digests["missing-c15app-db-1"]), IMAGE, "sh", "-c", "sleep 600"],
        ["run", "-d", "--network", "missing-c15app_default", "--name", "missing-c15app-web-1", "-p", "8080:80",
         *labels("missing-c15app", "web", digests["missing-c15app-web-1"]), IMAGE, "sh", "-c", "sleep 600"],
    ]
    assert result.by_action("created") == ["missing-c15app_default", "missing-c15app-db-1", "missing-c15app-web-1"]


def test_a_dependent_waiting_for_healthy_is_created_early_and_started_once_healthy(standin, monkeypatch):
    """``create`` while the dependency becomes healthy, ``start`` after: on nerdctl's argv."""
    entry = json.loads((standin.fixtures / "inspect-running.json").read_text())[0]
    entry["State"]["Health"] = {"Status": "healthy", "FailingStreak": 0, "Log": []}  # (what the check made it)
    monkeypatch.setenv("NERDCTL_STANDIN_STDOUT_CONTAINER_INSPECT", json.dumps([entry]))
    spec = {"services": {
        "db": {"image": IMAGE, "command": "sleep 600", "health_check": {"cmd": "true", "interval": "1s"}},
        "web": {"image": IMAGE, "command": "sleep 600", "depends_on": {"db": "healthy"}}}}
    Stack("missing-c15early", spec).up()
    calls = standin.calls()
    verbs = [c[0] if c[0] != "container" else " ".join(c[:2]) for c in calls]
    create = verbs.index("create")
    start = verbs.index("start")
    check = verbs.index("container healthcheck")  # (nerdctl runs no checks itself: herodo runs one)
    assert verbs.index("run") < create < start and check < start
    assert calls[create][calls[create].index("--name") + 1] == "missing-c15early-web-1"
    assert "-d" not in calls[create] and verbs.count("run") == 1  # (db's)
    assert calls[start] == ["start", calls[start][1]] and len(calls[start][1]) == 64


def test_network_aliases_are_refused_on_nerdctl_before_anything_runs(standin):
    spec = {"networks": {"front": {}}, "services": {"web": {"image": IMAGE, "networks": {"front": {"aliases": ["www"]}}}}}
    with pytest.raises(UnsupportedByEngine) as caught:
        Stack("c15alias", spec).up()
    assert caught.value.field == "services.web.networks.front.aliases" and "c15alias-web-1" in caught.value.hint
    assert standin.calls() == []


def test_a_second_network_is_a_second_network_flag_of_run_on_nerdctl(standin):
    spec = {"networks": {"front": {}, "back": {}}, "services": {"web": {"image": IMAGE, "networks": ["front", "back"]}}}
    Stack("missing-c15nets", spec).up()
    run = next(c for c in standin.calls() if c[0] == "run")
    assert [run[i + 1] for i, a in enumerate(run) if a == "--network"] == ["missing-c15nets_front", "missing-c15nets_back"]
    assert not [c for c in standin.calls() if c[:2] == ["network", "connect"]]  # nerdctl has none


# --- Lua ----------------------------------------------------------------------------------------


def script(folder: Path, source: str, name: str = "main.lua") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source)
    return str(path)


def run_lua(path: str, policy: str = "trusted", *args: str):
    return Runtime(policy=policy).run_file(path, list(args))


def returned(outcome) -> list:
    assert outcome.ok, outcome.failure
    return list(outcome.returned)


def test_lua_stack_methods_on_nerdctl(standin, tmp_path):
    path = script(tmp_path / "s", f"""
local app = nerdctl_stack("missing-c15lua", {{services = {{db = {{image = "{IMAGE}", command = "sleep 600",
          health_check = {{cmd = "true", interval = "1s"}}}},
  web = {{image = "{IMAGE}", command = "sleep 600", depends_on = {{db = "started"}}}}}}}})
local up = app:up{{jobs = 2, timeout = 30}}
local kinds = {{}}
for _, change in ipairs(up.changes) do kinds[#kinds + 1] = change.kind .. ":" .. change.action end
return up.changed, table.concat(kinds, ","), #app:ps()
""")
    changed, kinds, _ = returned(run_lua(path))
    assert changed == 3 and kinds == "network:created,container:created,container:created"


def test_dry_run_reports_the_plan_in_dependency_order_with_each_service_named(standin, tmp_path):
    from herodo_py.cli.trace import observing

    spec = ", ".join(f'{name} = {{image = "{IMAGE}", command = "sleep 1"{deps}}}' for name, deps in (
        ("web", ', depends_on = {"api", "cache"}'), ("api", ', depends_on = {"db"}'), ("cache", ""), ("db", "")))
    path = script(tmp_path / "s", f'nerdctl_stack("missing-c15plan", {{services = {{{spec}}}}}):up()')
    lines: list[str] = []

    class Stream:
        def write(self, text: str) -> None:
            lines.extend(text.splitlines())

        def flush(self) -> None:
            pass

    with observing(dry_run=True, stream=Stream()):  # type: ignore[arg-type]
        returned(run_lua(path))
    plan = [line.split()[2:5] for line in lines if line.startswith("would run:")]  # (no service: no label)
    assert plan == [[plan[0][0], "network", "create"]]
    runs = [(tag, words[words.index("--name") + 1]) for tag, *words in  # "[web] would run: nerdctl run -d ..."
            (line.split() for line in lines if " run -d " in line)]
    assert runs == [("[cache]", "missing-c15plan-cache-1"), ("[db]", "missing-c15plan-db-1"), ("[api]", "missing-c15plan-api-1"),
                    ("[web]", "missing-c15plan-web-1")]
    assert not [c for c in standin.calls() if c[0] in ("run", "create", "pull") or c[:2] == ["network", "create"]]
    # network create and a run per service (the stack's one inspect found the image: no pull)
    assert lines[-1].startswith("herodo: dry run: 5 state-changing commands not run")


# --- the sandbox: every host path of a stack stays in the script's folder ----------------------------


def refused(outcome) -> str:
    assert not outcome.ok and outcome.failure is not None
    return str(outcome.failure.message if hasattr(outcome.failure, "message") else outcome.failure)


BIND = """local app = nerdctl_stack("c15box", {{services = {{web = {{image = "{image}", volumes = {{"{source}:/data"}}}}}}}})
{between}
app:up()"""


@pytest.mark.parametrize("where", ["outside", "inside", "symlink"])
def test_sandbox_refuses_every_bind_mount_of_a_stack(standin, tmp_path, where):
    # (as the sandbox refuses with_volume binds: the engine resolves the source after herodo checked it)
    box = tmp_path / "box"
    box.mkdir()
    if where == "symlink":
        (box / "data").symlink_to("/etc")
    elif where == "inside":
        (box / "data").mkdir()
    source = "/etc" if where == "outside" else box / "data"
    path = script(box, BIND.format(image=IMAGE, source=source, between=""))
    message = refused(run_lua(path, "sandbox"))
    assert "bind source" in message and "a bind mount is refused in the sandbox" in message
    assert standin.calls() == []


def test_a_confined_stack_checks_bind_sources_when_used_not_when_it_was_made(standin, tmp_path):
    """'data' is a folder inside when the stack is made, then a symlink to / when it is brought up: refused."""
    from herodo_py.nerdctl.stack.confine import Confinement

    box = tmp_path / "box"
    (box / "data").mkdir(parents=True)
    app = Stack("c15swap", {"services": {"web": {"image": IMAGE, "volumes": [f"{box / 'data'}:/data"]}}},
                confine=Confinement(str(box)))
    (box / "data").rmdir()
    (box / "data").symlink_to("/")
    with pytest.raises(ConversionError, match="leads to /"):
        app.up()
    assert standin.calls() == []
    (box / "data").unlink()
    (box / "data").mkdir()
    app.up()  # control: inside again, it runs
    assert [c for c in standin.calls() if c[0] == "run"]


def test_sandbox_confines_the_compose_file_its_env_files_and_the_environment(standin, tmp_path, monkeypatch):
    box = tmp_path / "box"
    box.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "compose.yml").write_text(f"services:\n  web:\n    image: {IMAGE}\n")
    (outside / "secret.env").write_text("TOKEN=s3cret\n")
    (box / "linked.yml").symlink_to(outside / "compose.yml")
    (box / "compose.yml").write_text(f"services:\n  web:\n    image: {IMAGE}\n    env_file: secret.env\n")
    (box / "secret.env").symlink_to(outside / "secret.env")
    (box / "env.yml").write_text(f"services:\n  web:\n    image: {IMAGE}\n"
                                 "    environment:\n      KEY: ${C15_SECRET:-unset}\n      USER_SEEN: ${USER:-none}\n")
    monkeypatch.setenv("C15_SECRET", "s3cret")
    monkeypatch.setenv("USER", "someone")
    probe = script(box, """
local results = {}
for _, file in ipairs({arg[1], "linked.yml", "compose.yml"}) do
  local ok, err = pcall(nerdctl_compose_load, file)
  results[#results + 1] = ok and "loaded" or tostring(err)
end
local app = nerdctl_compose_load("env.yml")
app:up()
return results[1], results[2], results[3]
""")
    os.chdir(box)
    outcome = Runtime(policy="sandbox").run_file(probe, [str(outside / "compose.yml")])
    first, linked, env_file = returned(outcome)
    assert "compose file" in first and "outside the folder" in first and "outside the folder" in linked
    assert "env_file" in env_file and "outside the folder" in env_file
    run = next(c for c in standin.calls() if c[0] == "run")
    assert "KEY=unset" in run and "USER_SEEN=someone" in run  # the secret was not read; USER may be
    trusted = Runtime(policy="trusted").run_file(probe, [str(outside / "compose.yml")])
    assert returned(trusted) == ["loaded", "loaded", "loaded"]  # control: the probes work where allowed


def test_sandbox_refuses_a_build_context_outside_the_folder(standin, tmp_path):
    box = tmp_path / "box"
    path = script(box, f"""
local app = nerdctl_stack("c15build", {{services = {{web = {{image = "localhost/c15-built:1",
  build = {{context = "{tmp_path}"}}}}}}}})
local ok1, e1 = pcall(app.build, app)
local ok2, e2 = pcall(app.up, app)
return tostring(e1), tostring(e2), ok1, ok2
""")
    e1, e2, ok1, ok2 = returned(run_lua(path, "sandbox"))
    assert not ok1 and not ok2 and "build.context" in e1 and "outside the folder" in e2
    assert standin.calls() == []


@pytest.mark.parametrize("call", ["app:up()", "app:down()", "app:build()", 'app:exec("web", "true")'])
def test_strict_sandbox_refuses_what_changes_state_and_lets_ps_read(standin, tmp_path, call):
    path = script(tmp_path / "box", f"""
local app = nerdctl_stack("c15strict", {{services = {{web = {{image = "{IMAGE}"}}}}}})
local n = #app:ps()
local ok, err = pcall(function() {call} end)
return n, ok, tostring(err)
""")
    _, ok, err = returned(run_lua(path, "strict"))
    assert not ok and "--sandbox=strict removed it" in err
    assert [c[0] for c in standin.calls()] == ["ps"] or all(c[0] in ("ps", "container") for c in standin.calls())


def test_one_inspect_reads_every_replica_and_image_from_nerdctls_one_array_per_argument(standin):
    """nerdctl's top-level ``inspect`` prints one JSON array per argument (an image reference as an
    image): the stack's first read takes containers by name and the image by reference from it."""
    from herodo_py.nerdctl.desired.reads import containers_and_images

    containers, images = containers_and_images(["web-1", "missing-web-2", "db-1"], [IMAGE])
    assert standin.calls() == [["inspect", "web-1", "missing-web-2", "db-1", IMAGE]]
    assert sorted(containers) == ["db-1", "web-1"]
    assert containers["web-1"]["Name"] == "web-1" and containers["web-1"]["State"]["Running"]
    assert images[IMAGE]["Id"] == IMAGE_ID  # (the record image_record() gives the stand-in)
