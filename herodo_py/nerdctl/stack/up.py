"""``up``: networks and volumes, then every service in its own worker thread as soon as its
dependencies meet their conditions; replicas of a changed service replaced one at a time.

First one round of reads at once: one ``inspect`` of every replica's name and every image (what
``ensure`` compares against, reused by each replica), the stack's containers by label (renamed or
surplus ones), its networks and volumes. A service's worker: waits for its dependencies (events set
by their workers), brings each replica to its desired state (:func:`converge.converge_replica`),
then reports the conditions its dependents asked for: ``started`` (its containers were started),
``healthy`` (every replica's health check passed) and ``completed`` (every replica exited 0). A
service that waits for ``healthy`` or ``completed`` creates its missing replicas (``create``, not
started) as soon as its dependencies' containers have started, and only starts them once the
conditions hold: the creating overlaps the wait. A failure is recorded, sets the service's events
so that dependents stop waiting, and is reported with every service's state.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Literal

from ..concurrency import TaskCancelled, default_jobs, tagged
from ..container.ensure import Known
from ..container.types import ContainerStatus
from ..desired import reads
from ..desired.canonical import HEALTH_DEFAULTS, duration_ns
from ..errors import NerdctlError
from ..executor import Engine, current_engine, execute_nerdctl_command, settings
from .converge import (
    Change,
    converge_replica,
    ensure_resource,
    remove_container,
    start_container,
)
from .desired import Replica, config_hash, refuse_nerdctl_aliases, replicas_of
from .graph import start_order
from .observe import Observed, inspect_records, inspect_statuses, labelled_ids, labelled_names, observed
from .report import DependencyFailed, ServiceFailed, StackUpFailed
from .spec import ServiceSpec, StackSpec
from .workers import Slots, concurrently, start_worker

__all__ = ["UpResult", "up"]

HEALTH_POLL = 0.25  # seconds between health/exit polls of one service
DUE_POLL = 0.05  # ... once its first health probe is due (docker runs it one interval after the start)
LOG_TAIL = 15


@dataclass
class UpResult:
    """What ``up`` changed: one :class:`Change` per container, network and volume."""

    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(1 for c in self.changes if c.changed)

    def by_action(self, action: str) -> list[str]:
        return [c.name for c in self.changes if c.action == action]


class _ServiceRun:
    """One service's worker state and the events its dependents wait on."""

    def __init__(self, service: ServiceSpec, wanted: set[str]) -> None:
        self.service = service
        self.wanted = wanted  # conditions dependents wait for
        self.events = {c: threading.Event() for c in ("started", "healthy", "completed")}
        self.error: ServiceFailed | None = None
        self.state = "not started"
        self.ids: list[str] = []
        self.changes: list[Change] = []
        self.started_at = 0.0  # (monotonic) when its containers were started

    def fail(self, error: ServiceFailed) -> None:
        self.error = error
        for event in self.events.values():
            event.set()


class _Up:
    def __init__(self, stack: StackSpec, jobs: int, timeout: float) -> None:
        self.stack = stack
        self.engine: Engine = current_engine()
        self.slots = Slots(jobs)
        self.timeout = timeout
        self.dry = settings().dry_run
        wanted: dict[str, set[str]] = {name: set() for name in stack.services}
        for service in stack.services.values():
            for dep, condition in service.depends_on.items():
                wanted[dep].add(condition)
        self.runs = {name: _ServiceRun(s, wanted[name]) for name, s in stack.services.items()}
        self.observed: dict[str, list[Observed]] = {}
        self.records: dict[str, dict] = {}  # container name -> inspect record (what exists by the names)
        self.images: dict[str, dict] = {}  # image reference -> inspect record (present ones)

    # -- worker -----------------------------------------------------------------------------

    def work(self, run: _ServiceRun) -> None:
        try:
            early = self._create_early(run)
            self._wait_dependencies(run)
            self._converge(run, early)
            run.events["started"].set()
            if "healthy" in run.wanted:
                run.state = "running, waiting until healthy"
                self._wait(run, "healthy")
                run.events["healthy"].set()
            if "completed" in run.wanted:
                run.state = "running, waiting until it exits"
                self._wait(run, "completed")
                run.events["completed"].set()
        except TaskCancelled:
            run.state += " (stopped)"
            run.fail(ServiceFailed(run.service.name, "stopped", "up was stopped"))
        except ServiceFailed as exc:
            run.state = "failed" if not isinstance(exc, DependencyFailed) else f"not started ({exc.reason})"
            run.fail(exc)
        except NerdctlError as exc:
            run.state = "failed"
            run.fail(ServiceFailed(run.service.name, "created", exc.message, cause=exc))

    def _wait_dependencies(self, run: _ServiceRun) -> None:
        for dep, condition in run.service.depends_on.items():
            run.state = f"waiting for {dep} ({condition})"
            other = self.runs[dep]
            while not other.events[condition].wait(0.1):
                self.slots.check()
            if other.error is not None:
                raise DependencyFailed(run.service.name, condition, f"dependency {dep!r} failed ({condition})")

    def _known(self, service: ServiceSpec, replica: Replica) -> Known | None:
        """The replica's container and image records from the first reads (``None``: not read)."""
        image = self.images.get(service.image)
        return None if image is None else (self.records.get(replica.name), image)

    def _create_early(self, run: _ServiceRun) -> dict[int, str]:
        """A service waiting for ``healthy`` or ``completed``: once its dependencies' containers
        have started, create its missing replicas (not started); replica number -> container id."""
        service = run.service
        if self.dry or not set(service.depends_on.values()) & {"healthy", "completed"}:
            return {}
        for dep in service.depends_on:
            run.state = f"waiting for {dep} (started)"
            while not self.runs[dep].events["started"].wait(0.1):
                self.slots.check()
            if self.runs[dep].error is not None:
                return {}
        existing = {o.replica for o in self.observed.get(service.name, [])}
        digest = config_hash(self.stack, service)
        made: dict[int, str] = {}
        for replica in replicas_of(self.stack, service):
            known = self._known(service, replica)
            if replica.number in existing or known is None or known[0] is not None:
                continue
            run.state = "creating"
            change, made[replica.number] = self._replica(run, replica, digest, None, known, start=False)
            run.changes.append(change)
        return made

    def _replica(self, run: _ServiceRun, replica: Replica, digest: str, current: Observed | None,
                 known: Known | None, start: bool = True) -> tuple[Change, str]:
        try:
            return converge_replica(self.stack, run.service, replica, digest, current, self.engine, self.slots,
                                    known, start)
        except NerdctlError as exc:
            raise ServiceFailed(run.service.name, "created", exc.message, container=replica.name,
                                cause=exc) from None

    def _converge(self, run: _ServiceRun, early: dict[int, str]) -> None:
        service = run.service
        run.state = "starting"
        digest = config_hash(self.stack, service)
        existing = {o.replica: o for o in self.observed.get(service.name, [])}
        rolling = service.replicas > 1 and any(o.digest != digest for o in existing.values())
        for replica in replicas_of(self.stack, service):
            current = existing.pop(replica.number, None)
            if replica.number in early:  # created while the dependencies became ready
                try:
                    start_container(early[replica.number], self.slots)
                except NerdctlError as exc:
                    raise ServiceFailed(service.name, "started", exc.message, container=replica.name,
                                        cause=exc) from None
                run.ids.append(early[replica.number])
                continue
            change, container_id = self._replica(run, replica, digest, current, self._known(service, replica))
            run.changes.append(change)
            run.ids.append(container_id)
            if rolling and change.action == "recreated":
                # one replica at a time: the new one must be ready before the next old one goes
                run.state = f"rolling: waiting for {replica.name}"
                self._wait_replica_ready(run, replica, container_id)
        for extra in existing.values():  # replicas beyond the wanted count
            remove_container(extra.id, self.engine, self.slots)
            run.changes.append(Change("container", extra.name, "removed", service.name, extra.replica,
                                      "scaled down"))
        run.started_at = time.monotonic()
        run.state = "running"

    def _wait_replica_ready(self, run: _ServiceRun, replica: Replica, container_id: str) -> None:
        condition = "healthy" if run.service.health is not None and run.service.health.cmd else "started"
        self._wait(run, condition, [container_id])

    # -- conditions -------------------------------------------------------------------------

    def _statuses(self, ids: list[str]) -> list[ContainerStatus]:
        with self.slots.command():
            found = [status for status, _ in inspect_statuses(ids)]
        if len(found) < len(ids):
            missing = ", ".join(i[:12] for i in ids if not any(s.id == i for s in found))
            raise ServiceFailed("", "running", f"container {missing} disappeared")
        return found

    def _logs(self, ref: str) -> str:
        result = execute_nerdctl_command(["logs", "--tail", str(LOG_TAIL), ref], check=False)
        return result.stdout + result.stderr

    def _failure(self, run: _ServiceRun, condition: str, status: ContainerStatus, reason: str) -> ServiceFailed:
        with self.slots.command():
            logs = self._logs(status.id)
        return ServiceFailed(run.service.name, condition, reason, container=status.name,
                             exit_code=status.exit_code if status.state in ("exited", "dead") else None,
                             logs=logs, health_output=status.health_output)

    def _wait(self, run: _ServiceRun, condition: Literal["healthy", "completed", "started"],
              ids: list[str] | None = None) -> None:
        """Poll the replicas (one ``inspect`` for all) until ``condition`` holds for each."""
        ids = list(ids if ids is not None else run.ids)
        if self.dry or not ids:
            return
        deadline = time.monotonic() + self.timeout
        podman = self.engine.kind in ("podman", "nerdctl")
        trigger = ["healthcheck", "run"] if self.engine.kind == "podman" else ["container", "healthcheck"]
        while True:
            if condition == "healthy" and podman:  # no scheduler runs the checks here: run one
                for ref in ids:
                    with self.slots.command():
                        execute_nerdctl_command([*trigger, ref], check=False)
            try:
                statuses = self._statuses(ids)
            except ServiceFailed as exc:
                raise ServiceFailed(run.service.name, condition, exc.reason) from None
            pending = []
            for status in statuses:
                exited = status.state in ("exited", "dead")
                if condition == "completed":
                    if exited and status.exit_code != 0:
                        raise self._failure(run, condition, status,
                                            f"{status.name} exited with code {status.exit_code}")
                    if not exited:
                        pending.append(status)
                    continue
                if exited and run.service.restart in (None, "no"):
                    raise self._failure(run, condition, status, f"{status.name} exited with code {status.exit_code}")
                if condition == "healthy":
                    if status.health_status == "unhealthy":
                        raise self._failure(run, condition, status, f"{status.name} is unhealthy")
                    if status.health_status != "healthy":
                        pending.append(status)
                elif not status.running:
                    pending.append(status)
            if not pending:
                return
            if time.monotonic() >= deadline:
                status = pending[0]
                raise self._failure(run, condition, status, f"{status.name} was not {condition} after "
                                    f"{self.timeout:g}s (state {status.status})")
            self.slots.sleep(self._poll_delay(run, condition, podman))

    def _poll_delay(self, run: _ServiceRun, condition: str, podman: bool) -> float:
        """``HEALTH_POLL``; on docker, from when the first health probe is due (one interval after
        the start: no sooner can the container be healthy), ``DUE_POLL``."""
        health = run.service.health
        if condition != "healthy" or podman or health is None or not health.cmd:
            return HEALTH_POLL
        interval = (duration_ns(health.interval) if health.interval else HEALTH_DEFAULTS["interval"]) / 1e9
        due = run.started_at + interval - time.monotonic()
        return min(HEALTH_POLL, max(DUE_POLL, due))

    # -- the whole ----------------------------------------------------------------------------

    def prepare(self, changes: list[Change]) -> None:
        """What exists already (one round of reads at once), images (built or pulled when
        missing), networks and volumes."""
        from .images import ensure_images

        stack = self.stack.name
        names = [r.name for s in self.stack.services.values() for r in replicas_of(self.stack, s)]
        images = [s.image for s in self.stack.services.values()]
        (self.records, self.images), ids, networks, volumes = concurrently([
            lambda: reads.containers_and_images(names, images),
            lambda: labelled_ids(stack),
            lambda: labelled_names("network", stack),
            lambda: labelled_names("volume", stack) if self.stack.volumes else [],
        ])
        known_ids = {str(r.get("Id")) for r in self.records.values()}
        records = [*self.records.values(), *inspect_records([i for i in ids if i not in known_ids])]
        for found in observed(stack, records):
            self.observed.setdefault(found.service, []).append(found)
        if any(image not in self.images for image in images) and ensure_images(self.stack):
            self.images = {}  # built or pulled now: each replica's ensure reads its image again
        changes += [ensure_resource(stack, n, set(networks)) for n in self.stack.networks.values()]
        changes += [ensure_resource(stack, v, set(volumes)) for v in self.stack.volumes.values()]

    def run_services(self) -> None:
        if self.dry:  # the plan, in order: one service after another, dependencies first (then by name)
            deps = {name: list(run.service.depends_on) for name, run in self.runs.items()}
            for level in start_order(deps):
                for name in sorted(level):
                    with tagged(name):
                        self.work(self.runs[name])
            return
        threads: list[threading.Thread] = []
        try:
            with self.slots.scope.active():  # the workers' commands run under the stack's scope
                for name, run in self.runs.items():
                    threads.append(start_worker(name, lambda run=run: self.work(run)))
            while any(t.is_alive() for t in threads):
                for thread in threads:
                    thread.join(0.1)
        except BaseException:  # Ctrl-C, a time limit: stop the workers and kill their commands
            self.slots.stop(threads)
            raise

    def states(self) -> dict[str, str]:
        return {name: run.state for name, run in self.runs.items()}


def up(stack: StackSpec, *, jobs: int | None = None, on_failure: str = "leave", timeout: float = 120.0) -> UpResult:
    """Bring ``stack`` up (see the module docstring). ``jobs``: engine commands at once (default
    :func:`~herodo_py.nerdctl.concurrency.default_jobs`; in dry-run mode 1, so the plan prints in
    order). ``on_failure``: ``leave`` what started, or take the stack ``down``. ``timeout``: seconds
    per condition."""
    from .down import down

    runner = _Up(stack, 1 if settings().dry_run else (jobs or default_jobs()), timeout)
    if runner.engine.kind == "nerdctl":
        refuse_nerdctl_aliases(stack)
    result = UpResult()
    try:
        runner.prepare(result.changes)
        runner.run_services()
    except NerdctlError:
        if on_failure == "down":
            down(stack.name)
        raise
    for run in runner.runs.values():
        result.changes += run.changes
    failures = [r.error for r in runner.runs.values() if r.error is not None]
    if failures:
        root = next((f for f in failures if not isinstance(f, DependencyFailed)), failures[0])
        if on_failure == "down":
            down(stack.name)
        raise StackUpFailed(stack.name, root, runner.states(), taken_down=on_failure == "down")
    return result
