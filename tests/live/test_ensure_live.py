"""ensure() on real engines (docker and podman): idempotence, one change at a time, adoption,
repair, policies, a failed recreate that puts the old container back, check runs, and the
network/volume/image ensures."""

from __future__ import annotations

import json

import pytest

from herodo_py.nerdctl import (
    ConfigurationDrift,
    Container,
    NerdctlError,
    add_listener,
    configure,
    image_ensure,
    image_ensure_absent,
    network_ensure,
    network_ensure_absent,
    remove_listener,
    volume_ensure,
    volume_ensure_absent,
)

# exits at once on SIGTERM (a shell as PID 1 would ignore it and make every stop wait 10 s)
SERVE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]


def web(name: str, image: str) -> Container:
    return (Container.from_image(name, image).with_command(SERVE).with_env("MODE", "prod")
            .with_port("127.0.0.1::80").with_label("role", "web").with_memory_limit("64m")
            .with_restart_policy("unless-stopped"))


def state(engine, name: str) -> tuple[str, str, bool]:
    """(id, StartedAt, running) of the container ``name``, from the engine's own CLI."""
    record = json.loads(engine.run("inspect", name, check=True).stdout)[0]
    return record["Id"], record["State"]["StartedAt"], record["State"]["Running"]


class Calls:
    """The engine commands herodo runs inside the block (their argv after the CLI)."""

    def __enter__(self):
        self.argv: list[list[str]] = []
        self._listener = lambda event, argv, result: event == "start" and self.argv.append(argv[1:])
        add_listener(self._listener)
        return self

    def __exit__(self, *exc):
        remove_listener(self._listener)


def test_a_second_ensure_changes_nothing_with_one_inspect(engine, test_image, unique_name):
    name = unique_name()
    first = web(name, test_image).ensure()
    assert (first.outcome.action, first.outcome.changed) == ("created", True)
    before = state(engine, name)
    again = web(name, test_image)
    with Calls() as calls:
        again.ensure()
    assert (again.outcome.action, again.outcome.changed, again.outcome.diff) == ("unchanged", False, [])
    assert [argv[0] for argv in calls.argv] == ["inspect"]
    assert state(engine, name) == before
    assert again.container_id == before[0]


CHANGES = [
    ("env", lambda c: c.with_env("MODE", "staging"), ['env.MODE: "prod" -> "staging"']),
    ("ports", lambda c: c.with_port("127.0.0.1::81"), ["ports: + 127.0.0.1::81/tcp"]),
    ("volumes", lambda c: c.with_volume("/tmp:/hosttmp:ro"), ["volumes: + /tmp:/hosttmp:ro"]),
    ("command", lambda c: c.with_command(["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 2; done"]), None),
    ("memory", lambda c: c.with_memory_limit("128m"), ["memory: 64m -> 128m"]),
    ("restart", lambda c: c.with_restart_policy("always"), ["restart: unless-stopped -> always"]),
    ("healthcheck", lambda c: c.with_health_check("true"), ['healthcheck: (unset) -> "true"']),
    ("labels", lambda c: c.with_label("tier", "front"), ['labels.tier: (unset) -> "front"']),
]


@pytest.mark.parametrize("field,change,diff", CHANGES, ids=[c[0] for c in CHANGES])
def test_one_change_recreates_that_container_and_names_that_field(engine, test_image, unique_name, field, change, diff):
    name, other = unique_name(), unique_name()
    web(name, test_image).ensure()
    web(other, test_image).ensure()
    old_id, bystander = state(engine, name)[0], state(engine, other)
    changed = change(web(name, test_image)).ensure()
    assert changed.outcome.action == "recreated"
    assert [c.field.split(".")[0] for c in changed.outcome.diff] == [field]
    if diff is not None:
        assert changed.outcome.diff_lines == diff
    new_id, _, running = state(engine, name)
    assert new_id != old_id and running and changed.container_id == new_id
    assert state(engine, other) == bystander  # only that container
    assert engine.run("inspect", f"{name}-herodo-old-{old_id[:12]}").returncode != 0  # the old one is gone
    assert change(web(name, test_image)).ensure().outcome.action == "unchanged"


def test_a_network_change_recreates_it(engine, test_image, unique_name):
    name, net = unique_name(), unique_name()
    web(name, test_image).ensure()
    network_ensure(net)
    changed = web(name, test_image).with_network(net).ensure()
    assert changed.outcome.diff_lines == [f"network: (unset) -> {net}"]
    changed.ensure_absent()
    network_ensure_absent(net)


def test_the_image_behind_a_tag_is_compared_by_id(engine, test_image, unique_name):
    name = unique_name()
    ref = engine.track_image(f"localhost/{name}:v1")
    engine.run("tag", test_image, ref, check=True)
    c = web(name, ref).ensure()
    first_image = engine.run("image", "inspect", "--format", "{{.Id}}", ref, check=True).stdout.strip()
    # a new image under the same tag: commit a changed container and move the tag to it
    c.exec("echo v2 > /version")
    engine.run("commit", name, ref, check=True)
    moved = web(name, ref).ensure()
    second_image = engine.run("image", "inspect", "--format", "{{.Id}}", ref, check=True).stdout.strip()
    assert first_image != second_image
    assert moved.outcome.action == "recreated"
    assert moved.outcome.diff_lines == [f"image: {first_image.removeprefix('sha256:')[:12]} -> "
                                        f"{second_image.removeprefix('sha256:')[:12]}"]


def test_the_same_configuration_in_another_order_is_unchanged(engine, test_image, unique_name):
    name = unique_name()
    (Container.from_image(name, test_image).with_command(SERVE).with_env("A", "1").with_env("B", "2")
     .with_port("127.0.0.1::80").with_port("127.0.0.1::81").with_label("x", "1").with_label("y", "2")).ensure()
    again = (Container.from_image(name, test_image).with_labels({"y": "2", "x": "1"})
             .with_ports(["127.0.0.1::81/tcp", "127.0.0.1::80"]).with_envs({"B": "2", "A": "1"}).with_command(SERVE))
    assert again.ensure().outcome.action == "unchanged"


def test_stopped_or_removed_behind_herodos_back_is_repaired(engine, test_image, unique_name):
    name = unique_name()
    first_id = web(name, test_image).ensure().container_id
    engine.run("stop", name, check=True)
    repaired = web(name, test_image).ensure()
    assert (repaired.outcome.action, repaired.outcome.reason) == ("started", "it was exited")
    assert state(engine, name)[0] == first_id and state(engine, name)[2]
    engine.run("rm", "-f", name, check=True)
    assert web(name, test_image).ensure().outcome.action == "created"
    assert state(engine, name)[2]


def test_a_container_made_with_the_engine_cli_is_adopted(engine, test_image, unique_name):
    name, net = unique_name(), unique_name()
    engine.run("network", "create", net, check=True)
    try:
        engine.run("run", "-d", "--name", name, "-p", "127.0.0.1:18580:80", "-p", "127.0.0.1::81/udp",
                   "-v", "/tmp:/hosttmp:ro", "-e", "MODE=prod", "--network", net, "--cpus", "0.5",
                   "--memory", "64m", "--cpu-shares", "512", "--restart", "on-failure:3", "--health-cmd", "true",
                   "--health-interval", "2s", "--workdir", "/tmp", "--user", "1000:1000", "--label", "role=web",
                   test_image, "sleep", "1000", check=True)
        before = state(engine, name)
        c = (Container.from_image(name, test_image).with_ports(["127.0.0.1::81/udp", "127.0.0.1:18580:80"])
             .with_volume("/tmp:/hosttmp:ro").with_env("MODE", "prod").with_network(net).with_cpu_limit(0.5)
             .with_memory_limit("65536k").with_cpu_shares(512).with_restart_policy("on-failure:3")
             .with_health_check_options("true", interval="2s").with_workdir("/tmp").with_user("1000:1000")
             .with_label("role", "web").with_command(["sleep", "1000"]))
        assert c.ensure(policy="fail").outcome.action == "unchanged"
        assert "adopted" in c.outcome.reason
        assert state(engine, name) == before
        with pytest.raises(ConfigurationDrift) as caught:
            Container.from_image(name, test_image).with_command(["sleep", "1000"]).ensure(policy="fail")
        assert 'env.MODE: "prod" -> (unset)' in [c.render() for c in caught.value.diff]
        assert state(engine, name) == before
    finally:
        engine.run("rm", "-f", name)
        engine.run("network", "rm", net)


def test_policy_leave_keeps_a_drifted_container_and_says_so(engine, test_image, unique_name):
    name = unique_name()
    web(name, test_image).ensure()
    before = state(engine, name)
    left = web(name, test_image).with_env("MODE", "staging").ensure(policy="leave")
    assert (left.outcome.action, left.outcome.changed) == ("left", False)
    assert left.outcome.diff_lines == ['env.MODE: "prod" -> "staging"']
    assert state(engine, name) == before


def test_a_failed_recreate_puts_the_old_container_back(engine, test_image, unique_name):
    name, holder = unique_name(), unique_name()
    engine.run("run", "-d", "--name", holder, "-p", "127.0.0.1:18591:80", test_image, "sleep", "1000", check=True)
    web(name, test_image).ensure()
    old_id = state(engine, name)[0]
    with pytest.raises(NerdctlError):
        web(name, test_image).with_port("127.0.0.1:18591:80").ensure()  # the port is taken
    old = state(engine, name)
    assert old[0] == old_id and old[2]  # same container, its name back, running again
    listed = engine.run("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert not [n for n in listed if n.startswith(f"{name}-herodo-old")]


def test_a_check_run_changes_nothing_and_predicts_the_real_run(engine, test_image, unique_name):
    name, fresh = unique_name(), unique_name()
    web(name, test_image).ensure()
    before = state(engine, name)
    configure(dry_run=True)
    try:
        predicted = [web(name, test_image).with_env("MODE", "staging").ensure().outcome,
                     web(fresh, test_image).ensure().outcome]
    finally:
        configure(dry_run=False)
    assert state(engine, name) == before
    assert engine.run("inspect", fresh).returncode != 0
    assert all(o.check for o in predicted)
    real = [web(name, test_image).with_env("MODE", "staging").ensure().outcome, web(fresh, test_image).ensure().outcome]
    assert [(o.action, o.diff_lines) for o in predicted] == [(o.action, o.diff_lines) for o in real]
    assert [o.action for o in real] == ["recreated", "created"]


def test_ensure_absent_removes_then_reports_absent(engine, test_image, unique_name):
    name = unique_name()
    web(name, test_image).ensure()
    assert web(name, test_image).ensure_absent().outcome.action == "removed"
    assert engine.run("inspect", name).returncode != 0
    assert web(name, test_image).ensure_absent().outcome.action == "absent"


def test_bad_input_is_refused_before_any_command(engine, test_image, unique_name):
    one, two = web(unique_name(), test_image), web(unique_name(), test_image).with_detach(False)
    with Calls() as calls:
        with pytest.raises(Exception, match="policy"):
            one.ensure(policy="sometimes")
        with pytest.raises(Exception, match="detach"):
            two.ensure()
    assert calls.argv == []


def test_networks_volumes_and_images_report_changed_then_unchanged(engine, test_image, unique_name):
    net, vol = unique_name(), unique_name()
    try:
        assert [network_ensure(net).action, network_ensure(net).action] == ["created", "unchanged"]
        assert [volume_ensure(vol).action, volume_ensure(vol).action] == ["created", "unchanged"]
        drift = volume_ensure(vol, labels={"tier": "db"})
        assert (drift.action, drift.diff_lines) == ("left", ['labels.tier: (unset) -> "db"'])
        assert engine.run("volume", "inspect", vol).returncode == 0  # a volume is never recreated unasked
        assert [volume_ensure_absent(vol).action, volume_ensure_absent(vol).action] == ["removed", "absent"]
        assert [network_ensure_absent(net).action, network_ensure_absent(net).action] == ["removed", "absent"]
        assert image_ensure(test_image).action == "unchanged"
        assert image_ensure(test_image, pull="never").action == "unchanged"
        with pytest.raises(Exception, match="never"):
            image_ensure(f"localhost/{net}:missing", pull="never")
        ref = engine.track_image(f"localhost/{net}:extra")
        engine.run("tag", test_image, ref, check=True)
        assert [image_ensure_absent(ref).action, image_ensure_absent(ref).action] == ["removed", "absent"]
    finally:
        engine.run("volume", "rm", vol)
        engine.run("network", "rm", net)


def test_an_image_missing_locally_is_pulled_from_the_registry(engine, test_image, unique_name, registry):
    name = unique_name()
    ref = engine.track_image(f"{registry}/{name}:v1")
    engine.run("tag", test_image, ref, check=True)
    push = ["push", *(["--tls-verify=false"] if engine.name == "podman" else []), ref]
    engine.run(*push, check=True, timeout=300)
    engine.run("rmi", ref, check=True)
    assert image_ensure(ref).action == "pulled"
    assert image_ensure(ref).action == "unchanged"
    assert image_ensure(ref, pull="always").action == "unchanged"
