"""``Container.ensure()`` and ``Container.ensure_absent()``: make a container exist and run with
exactly its configuration, changing only what differs, and say what was done and why.

- absent: create it (pulling a missing image);
- present, same configuration and image, running: nothing (one engine command, an ``inspect`` of
  the container and the image together);
- present but not running: start it;
- present and different: by ``policy``, ``recreate`` it (default), ``fail`` with the diff, or
  ``leave`` it (starting it when stopped).

``must_run=False`` (stacks: their own waits judge started / healthy / completed) does not check that
a created or started container still runs, and leaves as it is one that ran and exited 0 without a
restart policy (a one-shot job that did its work). Stacks also hand in what they read already
(``known``: the container and image records of one ``inspect`` for the whole stack) and may ask for
a missing container to be created without starting it (``start=False``: a dependent made while its
dependencies become healthy, started by the stack once they are).

Recreating keeps the old container until the new one runs: it is stopped and renamed, the new one
created, then the old one removed; if creating fails the old one gets its name back (and is started
again when it was running), so a failed recreate leaves the host as it was.

What "different" means is ``nerdctl/desired/compare.py``; the outcome goes to the current recap
(``nerdctl/desired/outcome.py``). These functions take the container as :class:`Ensurable` (what
``Container`` offers) so that ``operations.py`` can call them without an import cycle.
"""

from __future__ import annotations

import copy
import time
from typing import Any, Protocol

from ..desired import reads
from ..desired.canonical import canonical_config, record_labels
from ..desired.compare import POLICIES, ConfigurationDrift, config_changes, image_change
from ..desired.outcome import Outcome, checking, record
from ..errors import CommandFailed, ContainerNotRunning, NerdctlError
from ..executor import DRY_PREFIX, CommandResult, current_engine, execute_nerdctl_command, settings
from ..image import image_pull
from ..validate import check_count, check_image, check_name, fail
from .builder import rm_args, run_args
from .leftover import remove_leftover
from .types import ContainerConfig, ContainerStatus


class Ensurable(Protocol):
    """The parts of a ``Container`` that ensure uses (its configuration, build, start, status)."""

    name: str | None
    image: str | None
    detach: bool
    labels: dict[str, str]
    snapshotter: str | None
    container_id: str | None
    result: CommandResult | None
    outcome: Outcome | None

    @property
    def _dry(self) -> bool: ...
    def build(self, timeout: float | None = None) -> Any: ...
    def start(self) -> CommandResult: ...
    def status(self) -> ContainerStatus: ...
    def _not_running(self, status: ContainerStatus, doing: str) -> ContainerNotRunning: ...


def _validate(container: Ensurable, policy: Any, stop_timeout: Any) -> None:
    if policy not in POLICIES:
        raise fail("policy", policy, "'recreate', 'fail' or 'leave'")
    check_name(container.name)
    if container.image is None:
        raise fail("image", None, "an image to build from",
                   hint=f"use nerdctl_container_from_image({container.name!r}, IMAGE)")
    check_image(container.image)
    if not container.detach:
        raise fail("detach", False, "a detached container (ensure keeps a container running)",
                   hint="drop with_detach(false), or use build() for a one-off run")
    if stop_timeout is not None:
        check_count(stop_timeout, "stop timeout")
    run_args(cast_config(container), current_engine().kind)  # every value and engine gap, before any command


def _pull(container: Ensurable) -> dict[str, Any] | None:
    assert container.image is not None
    image_pull(container.image, snapshotter=container.snapshotter)
    return None if checking() else reads.image(container.image)


def _create(container: Ensurable, desired: dict[str, Any], image: dict[str, Any] | None,
            must_run: bool = True, start: bool = True) -> None:
    """Run it with the record labels; check that it runs (``must_run``). ``start=False``:
    ``create`` instead of ``run -d`` (the same flags), for the caller to start."""
    made = copy.copy(container)
    made.labels = {**container.labels, **record_labels(desired, reads.image_id(image))}
    made.container_id = None
    if not start:
        _create_stopped(made)
        container.container_id, container.result = made.container_id, made.result
        return
    made.build()
    container.container_id, container.result = made.container_id, made.result
    if must_run and not container._dry:
        status = container.status()
        if not status.running:
            raise container._not_running(status, "after ensure created it")


def _create_stopped(made: Ensurable) -> None:
    """``create`` with ``run -d``'s flags; on a failure nothing it made stays (as ``build()``)."""
    name = check_name(made.name)
    engine = current_engine()
    args = run_args(cast_config(made), engine.kind)
    assert args[:2] == ["run", "-d"]  # (ensure keeps containers detached: _validate)
    began = time.time()
    try:
        result = execute_nerdctl_command(["create", *args[2:]], snapshotter=made.snapshotter, engine=engine)
    except CommandFailed:
        remove_leftover(name, image=str(made.image), labels={**made.labels, **settings().labels}, since=began,
                        remove_argv=rm_args(name, force=True, engine_kind=engine.kind), only_unstarted=True)
        raise
    made.result = result
    made.container_id = f"{DRY_PREFIX}{name}" if result.dry_run else result.stdout.split()[-1]


def _recreate(container: Ensurable, old: dict[str, Any], desired: dict[str, Any],
              image: dict[str, Any] | None, stop_timeout: int | None, must_run: bool = True) -> None:
    """Replace ``old`` with a new container; on failure put ``old`` back as it was."""
    old_id = str(old.get("Id"))
    name = check_name(container.name)
    was_running = ContainerStatus.from_inspect(old).running
    stop = ["stop", *(["-t", str(stop_timeout)] if stop_timeout is not None else []), old_id]
    if was_running:
        execute_nerdctl_command(stop)
    aside = f"{name}-herodo-old-{old_id[:12]}"
    execute_nerdctl_command(["rename", old_id, aside])
    try:
        _create(container, desired, image, must_run)
    except BaseException:
        _remove_failed(name, old_id)
        execute_nerdctl_command(["rename", old_id, name])
        if was_running:
            execute_nerdctl_command(["start", old_id], check=False)
        raise
    execute_nerdctl_command(rm_args(old_id, force=True, engine_kind=current_engine().kind))


def _remove_failed(name: str, old_id: str) -> None:
    """Remove what a failed create left under ``name`` (not the old container)."""
    found = reads.container(name)
    if found and found.get("Id") != old_id:
        execute_nerdctl_command(rm_args(str(found["Id"]), force=True, engine_kind=current_engine().kind))


Known = tuple[dict[str, Any] | None, dict[str, Any] | None]  # a container record and its image record


def ensure(container: Ensurable, policy: str = "recreate", stop_timeout: Any = None, *,
           must_run: bool = True, known: Known | None = None, start: bool = True) -> Outcome:
    """Make ``container`` exist and run with exactly its configuration; return what was done.
    ``known``: its container record (``None``: it does not exist) and its image's record
    (``None``: missing), just read by the caller. ``start=False``: a container that has to be
    created is created but not started (the outcome says ``created``; the caller starts it)."""
    _validate(container, policy, stop_timeout)
    name = check_name(container.name)
    assert container.image is not None
    try:
        outcome = _ensure(container, name, policy, stop_timeout, must_run, known, start)
    except NerdctlError as exc:
        container.outcome = record(Outcome("container", name, "failed", diff=getattr(exc, "diff", []),
                                           reason=str(exc).splitlines()[0], error=type(exc).__name__))
        raise
    container.outcome = record(outcome)
    return container.outcome


def _ensure(container: Ensurable, name: str, policy: str, stop_timeout: int | None, must_run: bool,
            known: Known | None = None, start: bool = True) -> Outcome:
    assert container.image is not None
    desired = canonical_config(cast_config(container))
    found, image = known if known is not None else reads.container_and_image(name, container.image)
    if found is None:
        if image is None:
            image = _pull(container)
        _create(container, desired, image, must_run, start)
        return Outcome("container", name, "created", reason="it did not exist")
    container.container_id = str(found.get("Id"))
    if image is None:
        image = _pull(container)
    changes, adopted = config_changes(desired, found, image)
    moved = image_change(found, image, container.image)
    if moved:
        changes.insert(0, moved)
    status = ContainerStatus.from_inspect(found)
    if changes:
        why = "; ".join(c.render() for c in changes)
        if policy == "fail":
            raise ConfigurationDrift(f"container {name!r} differs from its configuration: {why}", changes)
        if policy == "leave":
            if not status.running:
                _start(container, must_run)
                return Outcome("container", name, "started", changes, f"was {status.state}; drift left: {why}")
            return Outcome("container", name, "left", changes, f"drift left as it is: {why}")
        _recreate(container, found, desired, image, stop_timeout, must_run)
        return Outcome("container", name, "recreated", changes, why)
    if not must_run and _done(container, status):
        return Outcome("container", name, "unchanged", reason="it ran and exited 0 (a one-shot job)")
    if not status.running:
        _start(container, must_run)
        return Outcome("container", name, "started", reason=f"it was {status.state}")
    return Outcome("container", name, "unchanged",
                   reason="made outside herodo; its settings match (adopted)" if adopted else "")


def _done(container: Ensurable, status: ContainerStatus) -> bool:
    """It exited 0 and nothing restarts it: a one-shot job that did its work."""
    return (status.state == "exited" and status.exit_code == 0
            and cast_config(container).restart_policy in (None, "no"))


def _start(container: Ensurable, must_run: bool) -> None:
    """Start it; with ``must_run``, check that it runs (``Container.start``)."""
    if must_run:
        container.start()
    else:
        execute_nerdctl_command(["start", str(container.container_id)])


def ensure_absent(container: Ensurable) -> Outcome:
    """Make sure no container of this name exists: remove it (forced) if there is one."""
    name = check_name(container.name)
    try:
        found = reads.container(name)
        if found is None:
            outcome = Outcome("container", name, "absent")
        else:
            execute_nerdctl_command(rm_args(str(found["Id"]), force=True, engine_kind=current_engine().kind))
            state = ContainerStatus.from_inspect(found).state
            outcome = Outcome("container", name, "removed", reason=f"it was {state}")
            container.container_id = None
    except NerdctlError as exc:
        container.outcome = record(Outcome("container", name, "failed", reason=str(exc).splitlines()[0],
                                           error=type(exc).__name__))
        raise
    container.outcome = record(outcome)
    return outcome


def cast_config(container: Ensurable) -> ContainerConfig:
    """The container as its configuration (a ``Container`` is a ``ContainerConfig``)."""
    assert isinstance(container, ContainerConfig)
    return container
