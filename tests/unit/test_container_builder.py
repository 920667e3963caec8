"""Builder setters (validation, chaining) and run_args (argv of every option, order, engine gaps)."""

from __future__ import annotations

import pytest

from herodo_py.nerdctl import executor
from herodo_py.nerdctl.container.builder import ContainerBuilder, rm_args, run_args, shell_command
from herodo_py.nerdctl.container.types import ContainerConfig, ContainerNotBuilt, HealthCheck
from herodo_py.nerdctl.errors import ConversionError, UnsupportedByEngine

IMAGE = "localhost/herodo-busybox:latest"


@pytest.fixture(autouse=True)
def no_global_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor.settings(), "labels", {})


def builder() -> ContainerBuilder:
    return ContainerBuilder("web", IMAGE)


def test_minimal_config_without_name() -> None:
    assert run_args(ContainerConfig(name=None, image="busybox", ports=["8080:80"]), "nerdctl") == [
        "run", "-d", "-p", "8080:80", "busybox"]


def test_every_option_in_fixed_order() -> None:
    c = (builder()
         .with_ports(["8080:80", "127.0.0.1:53:53/udp"]).with_port("9090:90")
         .with_volumes(["/srv:/data:ro"]).with_volume("cache:/cache")
         .with_env("Z", "last?").with_envs({"A": "1", "M": 2}).with_env("Z", "again")
         .with_network("backend").with_network_aliases(["db"]).with_network_alias("pg")
         .with_cpu_limit("0.5").with_memory_limit("64m").with_memory_swap_limit("128m").with_cpu_shares(512)
         .with_restart_policy("on-failure:3")
         .with_health_check_options("wget -q -O- http://127.0.0.1/ || exit 1", "1s", "2s", 3, "5s")
         .with_entrypoint("/bin/sh").with_workdir("/srv").with_user("1000:1000")
         .with_labels({"role": "web"}).with_label("tier", "front")
         .with_command(["-c", "httpd -f"]))
    assert run_args(c, "docker") == [
        "run", "-d", "--name", "web",
        "-p", "8080:80", "-p", "127.0.0.1:53:53/udp", "-p", "9090:90",
        "-v", "/srv:/data:ro", "-v", "cache:/cache",
        "-e", "Z=again", "-e", "A=1", "-e", "M=2",
        "--network", "backend", "--network-alias", "db", "--network-alias", "pg",
        "--cpus", "0.5", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512",
        "--restart", "on-failure:3",
        "--health-cmd", "wget -q -O- http://127.0.0.1/ || exit 1", "--health-interval", "1s",
        "--health-timeout", "2s", "--health-retries", "3", "--health-start-period", "5s",
        "--entrypoint", "/bin/sh", "--workdir", "/srv", "--user", "1000:1000",
        "--label", "role=web", "--label", "tier=front",
        IMAGE, "-c", "httpd -f",
    ]


def test_env_keeps_insertion_order() -> None:
    keys = [f"K{i}" for i in range(20, 0, -1)]
    c = builder()
    for k in keys:
        c.with_env(k, "v")
    args = run_args(c, "podman")
    assert [a.split("=")[0] for a in args if a.startswith("K")] == keys


def test_foreground_has_no_detach_flag_and_command_follows_image() -> None:
    args = run_args(builder().with_detach(False).with_command("echo hi; exit 3"), "podman")
    assert args == ["run", "--name", "web", IMAGE, "sh", "-c", "echo hi; exit 3"]


def test_settings_labels_are_added_and_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor.settings(), "labels", {"herodo.test": "run-1", "role": "forced"})
    args = run_args(builder().with_label("role", "web").with_label("own", ""), "docker")
    labels = [args[i + 1] for i, a in enumerate(args) if a == "--label"]
    assert labels == ["role=forced", "own=", "herodo.test=run-1"]
    assert args[-1] == IMAGE


def test_multiline_health_check_passes_as_one_argument() -> None:
    script = "set -e\r\ntest -f /etc/passwd\r\nwget -q -O- http://127.0.0.1/ >/dev/null\r\n"
    args = run_args(builder().with_health_check(script), "docker")
    assert args[args.index("--health-cmd") + 1] == "set -e\ntest -f /etc/passwd\nwget -q -O- http://127.0.0.1/ >/dev/null"


def test_health_check_options_may_be_left_out() -> None:
    c = builder().with_health_check_options("true", None, None, 2, None)
    assert c.health_check == HealthCheck("true", retries=2)
    assert run_args(c, "docker")[4:8] == ["--health-cmd", "true", "--health-retries", "2"]
    assert builder().with_health_check_options("true", interval=3).health_check.interval == "3s"


def test_network_alias_refused_on_nerdctl() -> None:
    with pytest.raises(UnsupportedByEngine) as info:
        run_args(builder().with_network("n").with_network_alias("db"), "nerdctl")
    assert "reach each other by name" in info.value.hint
    assert "--network-alias" in info.value.hint


@pytest.mark.parametrize("kind", ["docker", "podman"])
def test_snapshotter_refused_on_docker_and_podman(kind: str) -> None:
    with pytest.raises(UnsupportedByEngine) as info:
        run_args(builder().with_snapshotter("stargz"), kind)
    assert info.value.field == "snapshotter"


def test_snapshotter_is_not_a_run_flag_on_nerdctl() -> None:
    args = run_args(builder().with_snapshotter("stargz"), "nerdctl")
    assert "stargz" not in args and "--snapshotter" not in args


def test_swap_without_memory_is_refused() -> None:
    with pytest.raises(ConversionError, match="memory swap"):
        run_args(builder().with_memory_swap_limit("128m"), "docker")
    assert "--memory-swap" in run_args(builder().with_memory_limit("64m").with_memory_swap_limit(-1), "docker")


def test_missing_image_is_refused() -> None:
    with pytest.raises(ConversionError) as info:
        run_args(ContainerConfig(name="x"), "docker")
    assert info.value.field == "image"


def test_run_args_revalidates_a_hand_made_config() -> None:
    with pytest.raises(ConversionError) as info:
        run_args(ContainerConfig(name=None, image="busybox", ports=["99999:80"]), "docker")
    assert info.value.field == "port"


@pytest.mark.parametrize("call, field", [
    (lambda c: c.with_port("80:99999"), "port"),
    (lambda c: c.with_ports("8080:80"), "ports"),
    (lambda c: c.with_ports(["8080:80", "x"]), "ports[2]"),
    (lambda c: c.with_volume("relative:path"), "volume"),
    (lambda c: c.with_env("BAD KEY", "v"), "env key"),
    (lambda c: c.with_envs(["A=1"]), "envs"),
    (lambda c: c.with_network("-net"), "network"),
    (lambda c: c.with_network_alias("a b"), "network alias"),
    (lambda c: c.with_cpu_limit("lots"), "cpu limit"),
    (lambda c: c.with_memory_limit("64x"), "memory limit"),
    (lambda c: c.with_memory_swap_limit("-2"), "memory swap limit"),
    (lambda c: c.with_cpu_shares(1), "cpu shares"),
    (lambda c: c.with_restart_policy("sometimes"), "restart policy"),
    (lambda c: c.with_health_check(""), "health check command"),
    (lambda c: c.with_health_check("a\x00b"), "health check command"),
    (lambda c: c.with_health_check_options("true", interval="30"), "health interval"),
    (lambda c: c.with_health_check_options("true", retries=0), "health retries"),
    (lambda c: c.with_health_check_options("true", start_period="soon"), "health start period"),
    (lambda c: c.with_detach("yes"), "detach"),
    (lambda c: c.with_command([]), "command"),
    (lambda c: c.with_command(["ls", 3]), "command[2]"),
    (lambda c: c.with_workdir("srv"), "workdir"),
    (lambda c: c.with_user("root user"), "user"),
    (lambda c: c.with_label("a=b", "c"), "label key"),
    (lambda c: c.with_snapshotter("../x"), "snapshotter"),
])
def test_setters_validate_at_once(call, field) -> None:
    c = builder()
    with pytest.raises(ConversionError) as info:
        call(c)
    assert info.value.field == field
    assert run_args(c, "docker") == ["run", "-d", "--name", "web", IMAGE]  # nothing was half-applied


def test_setters_chain_and_normalize() -> None:
    c = builder()
    assert c.with_cpu_limit(2).with_cpu_shares("1024").with_memory_limit(6291456) is c
    assert (c.cpu_limit, c.cpu_shares, c.memory_limit) == ("2", "1024", "6291456")
    assert c.with_user(0).user == "0"
    assert c.with_entrypoint("").entrypoint == ""
    assert run_args(c, "docker")[-5:] == ["--entrypoint", "", "--user", "0", IMAGE]


def test_shell_command() -> None:
    assert shell_command("echo $HOME") == ["sh", "-c", "echo $HOME"]
    assert shell_command(("ls", "-l")) == ["ls", "-l"]
    with pytest.raises(ConversionError):
        shell_command("")


def test_detach_is_default_and_build_is_refused_twice() -> None:
    c = builder()
    assert c.detach is True
    c.container_id = "a" * 64
    from herodo_py.nerdctl.errors import NameInUse

    with pytest.raises(NameInUse) as info:
        c.build()
    assert "'web'" in str(info.value) and "reset()" in info.value.hint


def test_operations_need_an_id() -> None:
    with pytest.raises(ContainerNotBuilt, match="'web' has not been built"):
        builder()._ref()


def test_forced_remove_kills_at_once_on_every_engine() -> None:
    assert rm_args("web", force=True, engine_kind="podman") == ["rm", "-f", "--time", "0", "web"]
    assert rm_args("web", force=True, engine_kind="docker") == ["rm", "-f", "web"]
    assert rm_args("web", force=True, engine_kind="nerdctl") == ["rm", "-f", "web"]
    assert rm_args("web", force=False, engine_kind="podman") == ["rm", "web"]
