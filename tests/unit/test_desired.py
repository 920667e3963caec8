"""The canonical form of a container's configuration, its diff, and the comparison with containers
made outside herodo (real inspect documents from tests/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.container.types import ContainerConfig
from herodo_py.nerdctl.desired.canonical import canonical_config, config_hash, record_labels, recorded_config
from herodo_py.nerdctl.desired.diff import FieldChange, diff_configs
from herodo_py.nerdctl.desired.observed import observed_changes
from herodo_py.nerdctl.desired.outcome import Outcome
from herodo_py.nerdctl.desired.recap import Recap
from herodo_py.nerdctl.labels import CONFIG_LABEL, HASH_LABEL

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IMAGE = "localhost/busybox:latest"


def container(**calls) -> Container:
    c = Container(name="web", image=IMAGE)
    for method, args in calls.items():
        getattr(c, method)(*args)
    return c


def canonical(c: ContainerConfig) -> dict:
    return canonical_config(c)


# --- equivalent spellings ------------------------------------------------------------------

EQUIVALENT = [
    ("with_port", ("80:80",), ("80:80/tcp",)),
    ("with_port", ("127.0.0.1:8080:80",), ("127.0.0.1:8080:80/tcp",)),
    ("with_memory_limit", ("1g",), ("1024m",)),
    ("with_memory_limit", ("512m",), ("512MiB",)),
    ("with_memory_limit", ("65536k",), ("64m",)),
    ("with_cpu_limit", ("0.50",), (0.5,)),
    ("with_cpu_limit", ("2.0",), (2,)),
    ("with_cpu_shares", (1024,), None),  # the default weight
    ("with_restart_policy", ("no",), None),
    ("with_restart_policy", ("on-failure:0",), ("on-failure",)),
    ("with_network", ("bridge",), None),  # every engine's default network
    ("with_volume", ("/srv:/data:rw",), ("/srv:/data",)),
    ("with_volume", ("/srv:/data:ro,z",), ("/srv:/data:z,ro",)),
    ("with_volume", ("/srv:/data/",), ("/srv:/data",)),
    ("with_workdir", ("/app/",), ("/app",)),
    ("with_health_check_options", ("true", "1m"), ("true", "60s")),
    ("with_health_check_options", ("true", "30s", "30s", 3, "0s"), ("true",)),  # the engines' defaults
]


@pytest.mark.parametrize("method,one,other", EQUIVALENT)
def test_spellings_of_one_setting_have_one_canonical_form(method, one, other):
    a = container(**{method: one})
    b = container(**({method: other} if other is not None else {}))
    assert canonical(a) == canonical(b)
    assert config_hash(canonical(a)) == config_hash(canonical(b))


def test_a_port_range_is_the_same_as_its_ports_one_by_one():
    ranged = container(with_port=("8000-8001:80-81",))
    single = container(with_ports=(["8001:81", "8000:80"],))
    assert canonical(ranged)["ports"] == canonical(single)["ports"] == ["8000:80/tcp", "8001:81/tcp"]


DIFFERENT = [
    ("with_port", ("80:80",), ("0.0.0.0:80:80",)),  # docker also publishes "80:80" on IPv6
    ("with_port", ("80:80",), ("80:80/udp",)),
    ("with_port", ("80",), ("80:80",)),  # any host port is not port 80
    ("with_memory_limit", ("1g",), ("1000m",)),
    ("with_restart_policy", ("on-failure:3",), ("on-failure",)),
    ("with_volume", ("/srv:/data:ro",), ("/srv:/data",)),
    ("with_command", (["sleep", "1"],), ("sleep 1",)),  # argv vs sh -c
    ("with_entrypoint", ("",), None),  # cleared vs the image's
    ("with_user", ("0",), ("root",)),
]


@pytest.mark.parametrize("method,one,other", DIFFERENT)
def test_settings_that_make_another_container_differ(method, one, other):
    a = container(**{method: one})
    b = container(**({method: other} if other is not None else {}))
    assert canonical(a) != canonical(b)
    assert diff_configs(canonical(a), canonical(b))


def test_the_order_of_the_calls_does_not_matter():
    a = (Container(name="web", image=IMAGE).with_env("A", "1").with_env("B", "2").with_port("80:80")
         .with_port("443:443").with_label("x", "1").with_label("y", "2").with_volume("/a:/a").with_volume("/b:/b")
         .with_network_alias("one").with_network_alias("two"))
    b = (Container(name="web", image=IMAGE).with_network_aliases(["two", "one"]).with_volumes(["/b:/b", "/a:/a"])
         .with_labels({"y": "2", "x": "1"}).with_ports(["443:443", "80:80"]).with_envs({"B": "2", "A": "1"}))
    assert config_hash(canonical(a)) == config_hash(canonical(b))


def test_run_labels_and_record_labels_are_not_part_of_the_configuration(use_engine):
    from herodo_py.nerdctl.executor import settings

    settings().labels["herodo.run"] = "run-1"
    c = container(with_label=("role", "web"))
    c.labels.update({HASH_LABEL: "x"})
    assert canonical(c)["labels"] == {"role": "web"}


# --- diff --------------------------------------------------------------------------------


def test_the_diff_names_each_field_and_renders_it_readably():
    before = canonical(container(with_env=("MODE", "prod"), with_port=("80:80",), with_memory_limit=("64m",)))
    after = canonical(container(with_env=("MODE", "staging"), with_port=("127.0.0.1:8080:80",),
                                with_memory_limit=("128m",)))
    assert [c.render() for c in diff_configs(before, after)] == [
        'env.MODE: "prod" -> "staging"',
        "ports: - 80:80/tcp",
        "ports: + 127.0.0.1:8080:80/tcp",
        "memory: 64m -> 128m",
    ]


def test_a_health_check_diff_names_the_option_that_changed():
    before = canonical(container(with_health_check_options=("true", "2s")))
    after = canonical(container(with_health_check_options=("true", "5s")))
    assert [c.render() for c in diff_configs(before, after)] == ["healthcheck.interval: 2s -> 5s"]
    assert FieldChange("image", "ac7a4921fd73", "5d0f1a2b3c4e").render() == "image: ac7a4921fd73 -> 5d0f1a2b3c4e"


def test_a_recorded_configuration_round_trips_and_fields_it_lacks_take_their_defaults():
    desired = canonical(container(with_env=("A", "1")))
    labels = record_labels(desired, "sha256:abc")
    assert labels[HASH_LABEL] == config_hash(desired)
    assert recorded_config(labels) == desired
    older = json.loads(labels[CONFIG_LABEL])
    del older["snapshotter"], older["cpu_shares"]  # written by a herodo that had no such fields
    assert diff_configs(recorded_config({CONFIG_LABEL: json.dumps(older)}), desired) == []
    assert recorded_config({CONFIG_LABEL: "{not json"}) is None


def test_a_huge_configuration_is_recorded_by_its_hash_only():
    desired = canonical(container(with_env=("BIG", "x" * 40_000)))
    labels = record_labels(desired, None)
    assert CONFIG_LABEL not in labels and labels[HASH_LABEL] == config_hash(desired)


# --- containers made outside herodo ----------------------------------------------------------


def load(path: str) -> dict:
    data = json.loads((FIXTURES / path).read_text())
    return data[0] if isinstance(data, list) else data


def test_the_docker_probe_is_adopted_with_the_settings_it_was_made_with():
    """tests/fixtures/docker/SOURCES.md: the flags the probe container was run with."""
    record = load("docker/inspect-running-healthy.json")
    c = (container(with_health_check_options=("true", "1s", "1s", 2, "1s"), with_restart_policy=("on-failure:3",),
                   with_cpu_limit=("0.5",), with_memory_limit=("64m",), with_memory_swap_limit=("128m",),
                   with_cpu_shares=(512,), with_env=("FOO", "bar"), with_label=("probe", "1"),
                   with_command=(["sleep", "120"],)))
    image = {"Config": {"Env": [e for e in record["Config"]["Env"] if e.startswith("PATH=")], "Cmd": ["sh"]}}
    assert observed_changes(canonical(c), record, image) == []
    # one setting off: exactly that field
    c.with_env("FOO", "baz")
    assert [x.render() for x in observed_changes(canonical(c), record, image)] == ['env.FOO: "bar" -> "baz"']


def test_the_podman_container_is_adopted_and_engine_added_env_is_not_drift():
    """tests/fixtures/podman/SOURCES.md, 'Added later': podman adds TERM, container, HOME, HOSTNAME."""
    record = load("podman/inspect-running-healthy.json")
    c = container(with_port=("18082:80",), with_health_check=("wget -q -O- http://127.0.0.1/passwd || exit 1",),
                  with_cpu_limit=("0.5",), with_memory_limit=("64m",), with_env=("FOO", "bar"),
                  with_command=(["httpd", "-f", "-p", "80", "-h", "/etc"],))
    image = {"Config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]}}
    assert observed_changes(canonical(c), record, image) == []
    plain = container(with_command=(["httpd", "-f", "-p", "80", "-h", "/etc"],))
    fields = [x.field for x in observed_changes(canonical(plain), record, image)]
    assert fields == ["env.FOO", "ports", "cpus", "memory", "healthcheck"]


def test_an_image_default_is_not_drift_but_a_changed_one_is():
    record = load("docker/inspect-running-healthy.json")
    c = container(with_command=(["sleep", "120"],))
    image = {"Config": {"Env": ["PATH=/bin"], "Cmd": ["sleep", "120"], "Labels": {"probe": "1"}}}
    assert "labels.probe" not in [x.field for x in observed_changes(canonical(c), record, image)]
    image["Config"]["Labels"] = {"probe": "2"}
    assert "labels.probe" in [x.field for x in observed_changes(canonical(c), record, image)]


# --- outcomes and the recap --------------------------------------------------------------------


def test_the_recap_counts_by_kind_and_says_what_a_check_would_change():
    recap = Recap()
    for kind, action in [("container", "unchanged"), ("container", "recreated"), ("network", "created"),
                         ("image", "failed")]:
        recap.add(Outcome(kind, "x", action))
    assert recap.counts() == {"container": {"ok": 1, "changed": 1, "failed": 0},
                              "network": {"ok": 0, "changed": 1, "failed": 0},
                              "image": {"ok": 0, "changed": 0, "failed": 1}}
    assert recap.render(check=True).splitlines()[-1] == "  2 to change, 1 ok, 1 failed"
    data = json.loads(recap.as_json())
    assert data["totals"] == {"ok": 1, "changed": 2, "failed": 1}
    outcome = Outcome("container", "web", "recreated", [FieldChange("env.A", "1", "2")], "env.A", check=True)
    assert outcome.summary() == "container web: would be recreated (env.A)"


def test_the_recap_counts_other_state_changing_calls_apart_and_tells_its_listeners():
    recap = Recap()
    seen: list[str] = []
    recap.listeners.append(lambda o: seen.append(o.summary()))
    recap.call_listeners.append(seen.append)
    recap.add(Outcome("container", "web", "unchanged"))
    recap.note_call("Container:exec")
    recap.note_call("Container:exec")
    recap.note_call("nerdctl_image_tag")
    assert seen == ["container web: unchanged", "Container:exec", "Container:exec", "nerdctl_image_tag"]
    assert recap.render(check=True).splitlines()[-2:] == [
        "  other      3 state-changing calls would run, not ensures (Container:exec x2, nerdctl_image_tag x1)",
        "  0 to change, 1 ok, 0 failed"]
    assert json.loads(recap.as_json(check=True))["calls"] == {"Container:exec": 2, "nerdctl_image_tag": 1}


STANDIN = Path(__file__).resolve().parents[1] / "contract" / "standin" / "nerdctl"


def test_a_lua_run_notes_state_changing_calls_that_are_not_ensures(use_engine, monkeypatch):
    """Through the runtime: a state-changing binding that records no outcome is a call; reads are not."""
    from herodo_py.lua.runtime import Runtime
    from herodo_py.nerdctl.desired.recap import use_recap

    monkeypatch.setenv("NERDCTL_STANDIN_FIXTURES", str(FIXTURES / "nerdctl"))
    use_engine(str(STANDIN))
    with use_recap(Recap()) as recap:
        outcome = Runtime().run_source('nerdctl_network_create("herodo-t-n")\nnerdctl_list(true)\n'
                                       'print(nerdctl_container_new("web"):outcome())', "calls.lua")
    assert outcome.ok, outcome.failure
    assert recap.calls == {"nerdctl_network_create": 1} and recap.outcomes == []
