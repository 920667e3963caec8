"""The builder half of ``Container``: chainable ``with_*`` setters, ``reset()``, ``build()``, and the
pure ``run_args(config, engine_kind)`` that turns a configuration into ``run``'s argv.

Every setter validates its input at once (a ``ConversionError`` naming field, value and expected
form) and returns ``self``. What the chosen engine lacks is refused by ``run_args`` before anything
runs. ``operations.Container`` subclasses :class:`ContainerBuilder`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from ..errors import CommandFailed, NameInUse, NoSuchContainer, UnsupportedByEngine
from ..executor import DRY_PREFIX, CommandResult, current_engine, execute_nerdctl_command, settings
from ..parse import load_records
from ..validate import (
    check_count,
    check_cpu_shares,
    check_cpus,
    check_duration,
    check_env_key,
    check_env_value,
    check_image,
    check_label_key,
    check_mapping,
    check_name,
    check_path,
    check_port,
    check_restart_policy,
    check_size,
    check_string_list,
    check_text,
    check_timeout,
    check_user,
    check_volume,
    fail,
    label_flags,
)
from .actions import reference, rm_args, shell_command
from .health import prepare_health_check_command
from .types import ContainerConfig, HealthCheck

TYPE_CHECKING = False  # typing stays off a first exec() or inspect() (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any, Self

    from ..executor import EngineKind

__all__ = ["ContainerBuilder", "ContainerConfig", "rm_args", "run_args", "shell_command"]

NETWORK_ALIAS_HINT = (
    "nerdctl has no --network-alias; containers on one network reach each other by name "
    "(use the container name, or pick the name you wanted as alias)"
)


# --- argv ---------------------------------------------------------------------------------


def _health_args(check: HealthCheck) -> list[str]:
    args = ["--health-cmd", prepare_health_check_command(check.cmd)]
    for flag, value in (("--health-interval", check.interval), ("--health-timeout", check.timeout)):
        if value is not None:
            args += [flag, check_duration(value, flag[2:])]
    if check.retries is not None:
        args += ["--health-retries", str(check_count(check.retries, "health-retries", minimum=1))]
    if check.start_period is not None:
        args += ["--health-start-period", check_duration(check.start_period, "health-start-period")]
    return args


def _refuse_engine_gaps(config: ContainerConfig, engine_kind: EngineKind) -> None:
    if config.network_aliases and engine_kind == "nerdctl":
        raise UnsupportedByEngine(
            field="network alias", value=config.network_aliases[0],
            expected="no network aliases on nerdctl", hint=NETWORK_ALIAS_HINT,
        )
    if config.snapshotter and engine_kind != "nerdctl":
        raise UnsupportedByEngine(
            field="snapshotter", value=config.snapshotter,
            expected=f"no snapshotter on {engine_kind} (a nerdctl/containerd feature)",
            hint="drop with_snapshotter(...), or run with nerdctl",
        )
    if config.memory_swap_limit and not config.memory_limit:
        raise fail("memory swap limit", config.memory_swap_limit, "a memory limit set as well",
                   hint="with_memory_swap_limit needs with_memory_limit (swap is memory + swap)")


def run_args(config: ContainerConfig, engine_kind: EngineKind) -> list[str]:
    """The argv after the CLI name for ``run``: ``run``, flags in a fixed order, the image, then the
    container command. Labels are the config's plus ``settings().labels`` (those win on a clash).
    Everything is (re)validated; engine gaps raise ``UnsupportedByEngine``. The snapshotter is not
    in here: it is nerdctl's global flag (``execute_nerdctl_command(..., snapshotter=...)``)."""
    if config.image is None:
        raise fail("image", None, "an image reference", hint="create the container with from_image(name, image)")
    _refuse_engine_gaps(config, engine_kind)
    args = ["run"]
    if config.detach:
        args.append("-d")
    args += config.run_flags
    if config.name is not None:
        args += ["--name", check_name(config.name)]
    for port in config.ports:  # (loops, not comprehensions: no code object to touch for an empty field)
        args += ("-p", check_port(port))
    for volume in config.volumes:
        args += ("-v", check_volume(volume))
    for key, value in config.env_vars.items():
        args += ("-e", f"{check_env_key(key)}={check_env_value(value)}")
    if config.network is not None:
        args += ["--network", check_name(config.network, "network")]
    for alias in config.network_aliases:
        args += ("--network-alias", check_name(alias, "network alias"))
    for flag, value, check in (
        ("--cpus", config.cpu_limit, check_cpus),
        ("--memory", config.memory_limit, check_size),
        ("--memory-swap", config.memory_swap_limit, None),
        ("--cpu-shares", config.cpu_shares, check_cpu_shares),
        ("--restart", config.restart_policy, check_restart_policy),
    ):
        if value is not None:
            args += [flag, check(value) if check else check_size(value, "memory swap", allow_unlimited=True)]
    if config.health_check is not None:
        args += _health_args(config.health_check)
    if config.entrypoint is not None:
        args += ["--entrypoint", check_text(config.entrypoint, "entrypoint", allow_empty=True)]
    if config.workdir is not None:
        args += ["--workdir", check_path(config.workdir, "workdir", absolute=True)]
    if config.user is not None:
        args += ["--user", check_user(config.user)]
    labels = {**config.labels, **settings().labels}
    if labels:
        args += label_flags(labels)
    image = check_image(config.image)
    if engine_kind == "podman":  # (only podman's run needs registry flags: the image functions load for it)
        from herodo_py.nerdctl.image import run_registry_flags  # (absolute: see container/functions.py run)

        args += run_registry_flags(image, engine_kind)
    args.append(config.image)
    args += check_string_list(config.command, "command")
    return args


# --- the builder --------------------------------------------------------------------------


def _as_list(values: Any, field_name: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise fail(field_name, values, "a list")
    return list(values)


class ContainerBuilder(ContainerConfig):
    """Chainable configuration of a container, and ``build()``. ``result``: the last build's command
    result (neither compared nor shown: the configuration's fields are)."""

    result: CommandResult | None

    def __init__(self, *args: Any, result: CommandResult | None = None, **fields: Any) -> None:
        super().__init__(*args, **fields)
        self.result = result

    # -- helpers ---------------------------------------------------------------------------

    def _ref(self) -> str:
        """The full id to operate on; a clear error when the container was never built."""
        return reference(self.name, self.container_id)

    # -- ports, volumes, env, network ------------------------------------------------------

    def with_port(self, port: str) -> Self:
        self.ports.append(check_port(port))
        return self

    def with_ports(self, ports: Sequence[str]) -> Self:
        self.ports += [check_port(p, f"ports[{i + 1}]") for i, p in enumerate(_as_list(ports, "ports"))]
        return self

    def with_volume(self, volume: str) -> Self:
        self.volumes.append(check_volume(volume))
        return self

    def with_volumes(self, volumes: Sequence[str]) -> Self:
        self.volumes += [check_volume(v, f"volumes[{i + 1}]") for i, v in enumerate(_as_list(volumes, "volumes"))]
        return self

    def with_env(self, key: str, value: Any) -> Self:
        self.env_vars[check_env_key(key)] = check_env_value(value)
        return self

    def with_envs(self, env: Mapping[str, Any]) -> Self:
        checked = {check_env_key(k): check_env_value(v) for k, v in check_mapping(env, "envs").items()}
        self.env_vars.update(checked)
        return self

    def with_network(self, network: str) -> Self:
        self.network = check_name(network, "network")
        return self

    def with_network_alias(self, alias: str) -> Self:
        """Refused at build time on nerdctl (it has no ``--network-alias``)."""
        self.network_aliases.append(check_name(alias, "network alias"))
        return self

    def with_network_aliases(self, aliases: Sequence[str]) -> Self:
        items = _as_list(aliases, "network aliases")
        self.network_aliases += [check_name(a, f"network aliases[{i + 1}]") for i, a in enumerate(items)]
        return self

    # -- limits and policies ---------------------------------------------------------------

    def with_cpu_limit(self, cpus: Any) -> Self:
        self.cpu_limit = check_cpus(cpus)
        return self

    def with_memory_limit(self, memory: Any) -> Self:
        self.memory_limit = check_size(memory, "memory limit")
        return self

    def with_memory_swap_limit(self, memory_swap: Any) -> Self:
        """Memory plus swap (``-1``: unlimited swap); needs a memory limit too."""
        self.memory_swap_limit = check_size(memory_swap, "memory swap limit", allow_unlimited=True)
        return self

    def with_cpu_shares(self, shares: Any) -> Self:
        self.cpu_shares = check_cpu_shares(shares)
        return self

    def with_restart_policy(self, policy: str) -> Self:
        self.restart_policy = check_restart_policy(policy)
        return self

    def with_health_check(self, cmd: str) -> Self:
        """A health command run by the engine with ``/bin/sh -c`` in the container (multi-line is fine)."""
        self.health_check = HealthCheck(prepare_health_check_command(cmd, self.name))
        return self

    def with_health_check_options(self, cmd: str, interval: Any = None, timeout: Any = None,
                                  retries: Any = None, start_period: Any = None) -> Self:
        """A health check with options; each may be ``None`` (the engine's default)."""
        self.health_check = HealthCheck(
            cmd=prepare_health_check_command(cmd, self.name),
            interval=None if interval is None else check_duration(interval, "health interval"),
            timeout=None if timeout is None else check_duration(timeout, "health timeout"),
            retries=None if retries is None else check_count(retries, "health retries", minimum=1),
            start_period=None if start_period is None else check_duration(start_period, "health start period"),
        )
        return self

    def with_snapshotter(self, snapshotter: str) -> Self:
        """nerdctl only (its global ``--snapshotter``); refused at build time on docker and podman."""
        self.snapshotter = check_name(snapshotter, "snapshotter")
        return self

    def with_detach(self, detach: bool) -> Self:
        """``True`` (default): ``run -d``. ``False``: ``build()`` waits for the container to exit."""
        if not isinstance(detach, bool):
            raise fail("detach", detach, "true or false")
        self.detach = detach
        return self

    # -- what the original could not set ---------------------------------------------------

    def with_command(self, command: str | Sequence[str]) -> Self:
        """The container's command: a list is the argv; a string runs as ``sh -c STRING``."""
        self.command = shell_command(command)
        return self

    def with_entrypoint(self, entrypoint: str) -> Self:
        """Replace the image's entrypoint (one executable; ``""`` clears it)."""
        self.entrypoint = check_text(entrypoint, "entrypoint", allow_empty=True)
        return self

    def with_workdir(self, workdir: str) -> Self:
        self.workdir = check_path(workdir, "workdir", absolute=True)
        return self

    def with_user(self, user: Any) -> Self:
        self.user = check_user(user)
        return self

    def with_label(self, key: str, value: Any = "") -> Self:
        self.labels[check_label_key(key)] = check_env_value(value, "label value")
        return self

    def with_labels(self, labels: Mapping[str, Any]) -> Self:
        checked = {check_label_key(k): check_env_value(v, "label value")
                   for k, v in check_mapping(labels, "labels").items()}
        self.labels.update(checked)
        return self

    # -- reset and build -------------------------------------------------------------------

    def reset(self) -> Self:
        """Force-remove any container of this name, forget the id, and clear the configuration
        (except name and image)."""
        name = check_name(self.name)
        try:
            execute_nerdctl_command(rm_args(name, force=True, engine_kind=current_engine().kind))
        except NoSuchContainer:
            pass
        fresh = ContainerConfig(name=name, image=self.image)
        for key, value in vars(fresh).items():
            setattr(self, key, value)
        self.result = None
        return self

    def build(self, timeout: float | None = None) -> Self:
        """Create and start the container with one ``run``; store its full id.

        Detached (default): returns at once. Foreground (``with_detach(False)``): returns when the
        container exits, with ``result`` holding its output; a non-zero exit raises ``CommandFailed``.
        A container of this name that already exists is refused: call ``reset()`` first.
        """
        name = check_name(self.name)
        timeout = None if timeout is None else check_timeout(timeout, "build timeout")
        if self.container_id:
            raise NameInUse(f"container {name!r} already exists (id {self.container_id[:12]}); "
                            "it was not created again")
        engine = current_engine()
        args = run_args(self, engine.kind)
        began = time.time()
        try:
            result = execute_nerdctl_command(args, timeout=timeout, snapshotter=self.snapshotter, engine=engine)
        except NameInUse as exc:
            raise NameInUse(
                f"a container named {name!r} already exists; it was not created again",
                argv=exc.argv, code=exc.code, stdout=exc.stdout, stderr=exc.stderr,
            ) from None
        except CommandFailed as exc:
            # all or nothing: what the engine created before failing goes (a foreground container
            # that ran and exited non-zero stays, with its id and output)
            from .leftover import remove_leftover  # here: only a failed build cleans up

            labels = {**self.labels, **settings().labels}
            remove_leftover(name, image=str(self.image), labels=labels, since=began,
                            remove_argv=rm_args(name, force=True, engine_kind=engine.kind),
                            only_unstarted=not self.detach)
            if self.detach:
                raise
            self.result = CommandResult(exc.stdout, exc.stderr, exc.code if exc.code is not None else -1, exc.argv)
            self._adopt_id(name)
            raise
        self.result = result
        if result.dry_run:
            self.container_id = f"{DRY_PREFIX}{name}"
        elif self.detach:
            lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
            if not lines:
                raise CommandFailed(f"`{result.command}` printed no container id", argv=result.argv,
                                    code=result.code, stdout=result.stdout, stderr=result.stderr)
            self.container_id = lines[-1]
        else:
            self._adopt_id(name)
        return self

    def _adopt_id(self, name: str) -> None:
        """Take the full id of the container named ``name`` (after a foreground run), if it exists."""
        try:
            result = execute_nerdctl_command(["container", "inspect", name])
        except NoSuchContainer:
            return
        records = load_records(result.stdout, "container inspect")
        if records and records[0].get("Id"):
            self.container_id = str(records[0]["Id"])
