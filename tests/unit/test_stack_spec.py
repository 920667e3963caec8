"""Stack specs and compose files: validation before anything runs, interpolation, order, run argv."""

from __future__ import annotations

import textwrap

import pytest

from herodo_py.nerdctl.stack import Stack, StackSpecError, load_compose
from herodo_py.nerdctl.stack.compose import SERVICE_KEYS, ComposeError
from herodo_py.nerdctl.stack.compose_yaml import InterpolationError, interpolate
from herodo_py.nerdctl.stack.desired import (
    LABEL_HASH,
    config_hash,
    replica_run_args,
    replicas_of,
)
from herodo_py.nerdctl.stack.graph import dependency_cycle, start_order

IMAGE = "localhost/herodo-busybox:latest"


def _paths(error: StackSpecError) -> list[str]:
    return [path for path, _, _ in error.problems]


def test_every_problem_is_named_by_its_path_at_once():
    with pytest.raises(StackSpecError) as caught:
        Stack("shop", {"services": {
            "web": {"image": IMAGE, "ports": ["80", "8080:80", "x"], "replicas": 2, "colour": "red",
                    "depends_on": {"db": "healthy", "nope": "started"}, "limits": {"memory": "lots"}},
            "db": {"image": "Bad Image"},
        }})
    assert _paths(caught.value) == [
        "services.web.colour", "services.web.ports[2]", "services.web.ports[3]", "services.web.limits.memory",
        "services.db.image", "services.web.depends_on.db", "services.web.depends_on.nope"]
    assert "nothing was run" in str(caught.value)


def test_cycles_and_undeclared_resources_are_refused():
    with pytest.raises(StackSpecError) as caught:
        Stack("s", {"services": {"a": {"image": IMAGE, "depends_on": ["b"]},
                                 "b": {"image": IMAGE, "depends_on": ["a"]}}})
    assert "dependency cycle: a -> b -> a" in str(caught.value)
    with pytest.raises(StackSpecError) as caught:
        Stack("s", {"services": {"a": {"image": IMAGE, "volumes": ["data:/data"], "networks": ["front"]}}})
    assert _paths(caught.value) == ["services.a.volumes[1].source", "services.a.networks.front"]


@pytest.mark.parametrize("name", ["Shop", "-x", "a b", "", "x" * 64])
def test_stack_names_are_checked(name):
    with pytest.raises(Exception, match="stack name"):
        Stack(name, {"services": {"a": {"image": IMAGE}}})


def test_order_levels_and_cycles():
    deps = {"web": ["db", "cache"], "db": [], "cache": [], "worker": ["web"]}
    assert start_order(deps) == [["db", "cache"], ["web"], ["worker"]]
    assert dependency_cycle(deps) is None
    assert dependency_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("text, expected", [
    ("${A}", "1"), ("$A$B", "1"), ("${UNSET}", ""), ("${UNSET:-d}", "d"), ("${EMPTY:-d}", "d"),
    ("${EMPTY-d}", ""), ("${A:+yes}", "yes"), ("$$A", "$A"), ("a$${A}b", "a${A}b"), ("${UNSET:-${A}}", "1"),
])
def test_interpolation(text, expected):
    env = {"A": "1", "EMPTY": ""}
    assert interpolate(text, env.get) == expected


@pytest.mark.parametrize("text", ["${UNSET:?needed}", "${EMPTY:?needed}", "${UNSET?needed}", "${1x}", "a $ b"])
def test_interpolation_errors(text):
    with pytest.raises(InterpolationError):
        interpolate(text, {"EMPTY": ""}.get)


def _compose(tmp_path, text: str, **kwargs):
    path = tmp_path / "compose.yml"
    path.write_text(textwrap.dedent(text))
    return load_compose(str(path), environ=kwargs.pop("environ", {}), **kwargs)


UNSUPPORTED_SERVICE_KEYS = ["privileged", "cap_add", "security_opt", "devices", "network_mode", "pid", "ipc",
                            "tmpfs", "sysctls", "ulimits", "secrets", "configs", "extra_hosts", "dns",
                            "hostname", "logging", "links", "external_links", "volumes_from", "scale",
                            "platform", "pull_policy", "read_only", "shm_size", "stdin_open", "tty"]


@pytest.mark.parametrize("key", UNSUPPORTED_SERVICE_KEYS)
def test_every_unsupported_service_key_is_refused_by_name_and_line(tmp_path, key):
    assert key not in SERVICE_KEYS
    with pytest.raises(ComposeError) as caught:
        _compose(tmp_path, f"""\
            services:
              web:
                image: {IMAGE}
                {key}: x
            """)
    assert caught.value.problems == [(f"services.web.{key}", caught.value.problems[0][1], "compose.yml:4")]
    assert f"service key '{key}' is not supported" in str(caught.value)


@pytest.mark.parametrize("text, path, line", [
    ("secrets: {}\n", "secrets", 4),
    ("configs: {}\n", "configs", 4),
    ("include: []\n", "include", 4),
    ("networks:\n  n:\n    ipam: {}\n", "networks.n.ipam", 6),
    ("volumes:\n  v:\n    driver_opts: {}\n", "volumes.v.driver_opts", 6),
])
def test_unsupported_top_level_keys_are_refused_by_name_and_line(tmp_path, text, path, line):
    with pytest.raises(ComposeError) as caught:
        _compose(tmp_path, f"services:\n  web:\n    image: {IMAGE}\n" + text)
    assert [(p, w) for p, _, w in caught.value.problems] == [(path, f"compose.yml:{line}")]


@pytest.mark.parametrize("snippet, path", [
    ("    healthcheck:\n      test: [CMD]\n      start_interval: 1s\n", "services.web.healthcheck.start_interval"),
    ("    deploy:\n      placement: {}\n", "services.web.deploy.placement"),
    ("    deploy:\n      resources:\n        reservations: {}\n", "services.web.deploy.resources.reservations"),
    ("    build:\n      context: .\n      target: x\n", "services.web.build.target"),
    ("    volumes:\n      - type: tmpfs\n        target: /t\n", "services.web.volumes[1].type"),
    ("    volumes:\n      - type: bind\n        source: .\n        target: /t\n        bind: {}\n",
     "services.web.volumes[1].bind"),
    ("    depends_on:\n      db:\n        condition: service_ready\n", "services.web.depends_on.db.condition"),
    ("    networks:\n      default:\n        ipv4_address: 1.2.3.4\n", "services.web.networks.default.ipv4_address"),
    ("    ports:\n      - target: 80\n        app_protocol: http\n", "services.web.ports[1].app_protocol"),
])
def test_unsupported_nested_keys_are_refused_by_name(tmp_path, snippet, path):
    with pytest.raises(ComposeError) as caught:
        _compose(tmp_path, f"services:\n  web:\n    image: {IMAGE}\n{snippet}")
    assert path in _paths(caught.value)
    assert all(where and where.startswith("compose.yml:") for _, _, where in caught.value.problems)


def test_a_bad_value_is_named_with_the_line_of_its_compose_key(tmp_path):
    with pytest.raises(ComposeError) as caught:
        _compose(tmp_path, f"""\
            services:
              web:
                image: {IMAGE}
                ports:
                  - "80"
                  - "99999:80"
            """)
    assert caught.value.problems[0][0] == "services.web.ports[2]"
    assert caught.value.problems[0][2] == "compose.yml:6"


def test_compose_subset_maps_onto_the_stack(tmp_path):
    (tmp_path / ".env").write_text("TAG=latest\nFROM_DOTENV=dot\n")
    (tmp_path / "web.env").write_text("# comment\nA=from-file\nB=from-file\n")
    stack = _compose(tmp_path, """\
        name: shop
        x-base: &base
          image: localhost/herodo-busybox:${TAG}
        services:
          db:
            <<: *base
            command: sleep "10 00"
            healthcheck:
              test: ["CMD", "wget", "-q", "http://x/a b"]
              interval: 1m30s
            restart: "no"
          web:
            <<: *base
            entrypoint: /bin/sh -c
            command: echo $$HOME
            env_file: web.env
            environment:
              - B=override
              - FROM_HOST
              - FROM_DOTENV
              - MISSING
            ports: ["8080:80", {target: 81, published: "8081", host_ip: 127.0.0.1, protocol: udp}, "9000-9001:90-91"]
            expose: [3000]
            volumes: ["./site:/site:ro", "cache:/cache", "/anon", {type: bind, source: ../up, target: /up}]
            networks: {front: {aliases: [www]}, back: null}
            depends_on: {db: {condition: service_healthy}}
            mem_limit: 64m
            cpus: 0.5
            deploy: {replicas: 1, resources: {limits: {memory: 32m}}}
            init: true
            stop_signal: SIGINT
            labels: ["role=web"]
            user: "1000"
            working_dir: /srv
          tool:
            <<: *base
            profiles: [debug]
        networks: {front: {}, back: {}}
        volumes: {cache: {}}
        """, environ={"FROM_HOST": "host"})
    assert stack.name == "shop" and list(stack.spec.services) == ["db", "web"]  # 'tool': profile off
    db, web = stack.spec.services["db"], stack.spec.services["web"]
    assert db.image == IMAGE and db.command == ["sleep", "10 00"] and db.restart == "no"
    assert db.health.cmd == "wget -q 'http://x/a b'" and db.health.interval == "1m30s"
    assert web.entrypoint == ["/bin/sh", "-c"] and web.command == ["echo", "$HOME"]
    assert web.env == {"A": "from-file", "B": "override", "FROM_HOST": "host", "FROM_DOTENV": "dot"}
    assert web.ports == ["8080:80", "127.0.0.1:8081:81/udp", "9000-9001:90-91"] and web.expose == ["3000"]
    assert [(m.kind, m.source, m.target, m.read_only) for m in web.mounts] == [
        ("bind", str(tmp_path / "site"), "/site", True), ("volume", "cache", "/cache", False),
        ("anonymous", None, "/anon", False), ("bind", str(tmp_path.parent / "up"), "/up", False)]
    assert web.networks == {"front": ["www"], "back": []} and web.depends_on == {"db": "healthy"}
    assert (web.limits.memory, web.limits.cpus) == ("32m", "0.5")  # deploy's limit wins, as in compose
    assert web.init and web.stop_signal == "SIGINT" and web.labels == {"role": "web"}
    assert (web.user, web.workdir) == ("1000", "/srv")
    assert list(_compose(tmp_path, (tmp_path / "compose.yml").read_text(), environ={"FROM_HOST": "h"},
                         profiles=["debug"]).spec.services) == ["db", "web", "tool"]


def test_required_variables_and_yaml_errors_are_reported(tmp_path):
    with pytest.raises(ComposeError, match="variable TAG is required: set TAG"):
        _compose(tmp_path, "services:\n  a:\n    image: x:${TAG:?set TAG}\n")
    with pytest.raises(ComposeError, match="line 4: expected the node content"):
        _compose(tmp_path, "services:\n  a:\n  image: [\n")


def test_run_argv_carries_labels_and_the_config_hash():
    stack = Stack("shop", {"networks": {"front": {}, "back": {}}, "services": {"web": {
        "image": IMAGE, "entrypoint": ["/bin/sh", "-c"], "command": ["echo hi"], "replicas": 2,
        "networks": {"front": {"aliases": ["www"]}, "back": {}}, "health_check": False, "init": True}}})
    web = stack.spec.services["web"]
    digest = config_hash(stack.spec, web)
    replica = replicas_of(stack.spec, web)[1]
    argv = replica_run_args(stack.spec, web, replica, "docker", digest)
    assert argv[:4] == ["run", "-d", "--init", "--no-healthcheck"]
    assert argv[-3:] == [IMAGE, "-c", "echo hi"]
    assert argv[argv.index("--name"):argv.index("--name") + 2] == ["--name", "shop-web-2"]
    assert "--network" in argv and "shop_front" in argv and argv.count("--network-alias") == 2
    assert f"{LABEL_HASH}={digest}" in argv and "io.herodo.stack.replica=2" in argv
    nerdctl = replica_run_args(stack.spec, web, replica, "nerdctl", digest)
    assert "--network-alias" not in nerdctl  # nerdctl has none: containers reach each other by name
    changed = Stack("shop", {"networks": {"front": {}, "back": {}}, "services": {"web": {
        "image": IMAGE, "entrypoint": ["/bin/sh", "-c"], "command": ["echo hi"],
        "replicas": 3, "networks": {"front": {"aliases": ["www"]}, "back": {}}, "health_check": False,
        "init": True}}})
    assert config_hash(changed.spec, changed.spec.services["web"]) == digest  # replicas: not a change
