"""The operations half of ``Container``: lifecycle, exec, copy, logs, status, resources, commit, export
and waits. Every operation uses the container's full id; one never built raises ``ContainerNotBuilt``.

Commands that only change state return the engine's :class:`CommandResult`; ``status()`` and
``resources()`` return parsed records. In dry-run mode a built container has the placeholder id
``dry-run:NAME``: state changes are reported, reads answer as if it were running.
"""

from __future__ import annotations

import os
import time

from ..errors import (
    CommandFailed,
    CommandTimeout,
    ContainerNotRunning,
    ContainerUnhealthy,
    EngineUnreachable,
    NoSuchContainer,
    OtherError,
    WaitTimeout,
)
from ..executor import CommandResult, current_engine, execute_nerdctl_command
from ..parse import load_records
from ..validate import check_image, check_name, check_path, check_timeout, fail
from .actions import ContainerActions
from .builder import ContainerBuilder
from .types import ContainerStatus, ResourceUsage

TYPE_CHECKING = False  # typing stays off a first exec() or inspect() (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any, Self

    from ..desired.outcome import Outcome  # noqa: F401  (the type comment of Container.outcome)

__all__ = ["Container", "find_container_id", "STATS_FORMAT", "PODMAN_STATS_FORMAT"]

HEALTH_CHECK_MIN_SECONDS = 1.0  # a triggered health check gets at least this long, even at the deadline
LOG_LINES_ON_FAILURE = 20
STATS_FIELDS = ("ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs")
STATS_FORMAT = "{" + ",".join(f'"{f}":{{{{json .{f}}}}}' for f in STATS_FIELDS) + "}"
PODMAN_STATS_FORMAT = STATS_FORMAT[:-1] + ',"MemLimit":{{json .MemLimit}}}'  # the exact limit, not "67.11MB"
PS_ID_FORMAT = '{"ID":{{json .ID}},"Names":{{json .Names}}}'


def find_container_id(name: str) -> str | None:
    """The full id of the container named exactly ``name`` (one ``ps -a`` call), or ``None``."""
    result = execute_nerdctl_command(["ps", "-a", "--no-trunc", "--filter", f"name={name}", "--format", PS_ID_FORMAT])
    for record in load_records(result.stdout, "ps"):
        names = record.get("Names")
        names = names if isinstance(names, list) else str(names or "").split(",")
        if name in (str(n).strip().lstrip("/") for n in names) and record.get("ID"):
            return str(record["ID"])
    return None


def _unwritable(where: str, exc: OSError) -> OtherError:
    return OtherError(f"cannot write the export to {where}: {exc.strerror or exc}",
                      hint="choose a writable directory with room for the tarball")


class Container(ContainerActions, ContainerBuilder):
    """A container: configure with ``with_*``, create with ``build()``/``start()``/``ensure()``, then operate."""

    # What the last ensure()/ensure_absent() did (nerdctl/desired/outcome.py). A type comment, not an
    # annotation: the registry resolves the class's annotations at run time, and desired/ is not loaded
    # until a script ensures something.
    outcome = None  # type: Outcome | None

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def new(cls, name: str) -> Self:
        """A container handle for ``name``; takes the id of an existing container of that name."""
        container = cls(check_name(name))
        container.container_id = find_container_id(name)
        return container

    @classmethod
    def from_image(cls, name: str, image: str) -> Self:
        """Like :meth:`new`, with the image to build from."""
        check_image(image)
        container = cls.new(name)
        container.image = image
        return container

    # -- helpers ---------------------------------------------------------------------------

    def _failure_logs(self) -> str:
        result = self._run("logs", "--tail", str(LOG_LINES_ON_FAILURE), self._ref(), check=False)
        lines = (result.stdout + result.stderr).splitlines()
        return "\n".join(lines[-LOG_LINES_ON_FAILURE:])

    def _not_running(self, status: ContainerStatus, doing: str) -> ContainerNotRunning:
        code = f", exit code {status.exit_code}" if status.state == "exited" else ""
        return ContainerNotRunning(
            f"container {self.name!r} is not running {doing}: state {status.state}{code}",
            state=status.state, exit_code=status.exit_code, logs=self._failure_logs(),
            hint="its command exited; read the log lines, check the image's entrypoint and with_command(...)",
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> CommandResult:
        """Not built yet: pull the image if it is missing locally, then ``build()``. Built: ``start``
        it. Either way verify that it runs (already running is fine); if not, raise
        ``ContainerNotRunning`` with its state, exit code and last log lines."""
        if not self.container_id:
            image = check_image(self.image) if self.image is not None else None
            if image is None:
                raise fail("image", None, "an image to build from",
                           hint=f"use nerdctl_container_from_image({self.name!r}, IMAGE)")
            if not self._run("inspect", "--type", "image", image, check=False).success:
                from ..image import image_pull  # here: exec() and inspect() do not load the image functions

                image_pull(image, snapshotter=self.snapshotter)
            result: CommandResult = self.build().result  # type: ignore[assignment]  # build() always sets it
            if not self.detach:
                return result  # a foreground run has already ended
        else:
            try:
                result = self._run("start", self._ref())
            except (NoSuchContainer, EngineUnreachable):
                raise
            except CommandFailed as exc:
                if not self.status().running:
                    raise
                result = CommandResult(exc.stdout, exc.stderr, 0, exc.argv)
        if result.dry_run:
            return result
        status = self.status()
        if not status.running:
            raise self._not_running(status, "after start")
        return result

    def ensure(self, policy: str = "recreate", stop_timeout: Any = None, *, must_run: bool = True) -> Self:
        """Make it exist and run with exactly this configuration, changing only what differs; what was
        done is in ``outcome`` (``action``, ``changed``, ``diff``). ``policy`` on drift: ``recreate``,
        ``fail`` (raise ``ConfigurationDrift`` with the diff) or ``leave``. ``must_run=False``: a caller
        that waits for its own conditions (stacks). See ``container/ensure.py``."""
        from . import ensure as ensuring  # here: ensure and desired/ load only for a script that ensures

        ensuring.ensure(self, policy, stop_timeout, must_run=must_run)
        return self

    def ensure_absent(self) -> Self:
        """Make sure no container of this name exists (removed, forced, when there is one)."""
        from . import ensure as ensuring  # (as in ensure())

        ensuring.ensure_absent(self)
        return self

    # -- reading state ---------------------------------------------------------------------

    def status(self) -> ContainerStatus:
        """State, times, exit code, pid, restarts and health, from one ``inspect``."""
        ref = self._ref()
        if self._dry:
            health = "healthy" if self.health_check else ""
            return ContainerStatus(state="running", status="running (dry run)", running=True,
                                   health_status=health, id=ref, name=self.name or "", image=self.image or "")
        records = load_records(self._run("container", "inspect", ref).stdout, "container inspect")
        if not records:
            raise NoSuchContainer(f"container {self.name!r} ({ref[:12]}) no longer exists")
        return ContainerStatus.from_inspect(records[0])

    def health_status(self) -> str:
        """``healthy``, ``unhealthy``, ``starting``, or ``""`` when it has no health check."""
        return self.status().health_status

    def resources(self) -> ResourceUsage:
        """One ``stats --no-stream`` sample (cpu, memory, network, block I/O, pids)."""
        ref = self._ref()
        if self._dry:
            return ResourceUsage(id=ref, name=self.name or "")
        stats_format = PODMAN_STATS_FORMAT if current_engine().kind == "podman" else STATS_FORMAT
        result = self._run("stats", "--no-stream", "--format", stats_format, ref)
        records = load_records(result.stdout, "stats")
        if not records:
            raise OtherError(f"the engine printed no stats for container {self.name!r}",
                             hint="is it running? resources() needs a running container")
        usage = ResourceUsage.from_stats(records[0])
        if usage.id and ref.startswith(usage.id):  # docker's stats show the short id: keep the full one
            usage.id = ref
        return usage

    # -- images and archives ---------------------------------------------------------------

    def export(self, path: str) -> CommandResult:
        """Write the container's filesystem as a tarball to ``path``: to a temporary file beside it,
        renamed when complete, so a failure leaves no partial tarball."""
        ref = self._ref()
        target = os.path.abspath(check_path(path, "export path"))
        directory = os.path.dirname(target)
        if not os.path.isdir(directory):
            raise fail("export path", path, "a file path in an existing directory",
                       hint=f"create {directory} first")
        if os.path.isdir(target):
            raise fail("export path", path, "a file path, not a directory",
                       hint=f"name the tarball, e.g. {os.path.join(target, 'rootfs.tar')}")
        import tempfile  # here: only export() writes a file

        try:
            fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".partial")
        except OSError as exc:
            raise _unwritable(directory, exc) from None
        os.close(fd)
        try:
            result = self._run("export", "-o", temp, ref)
            if not result.dry_run:
                try:
                    os.chmod(temp, 0o644)
                    os.replace(temp, target)
                except OSError as exc:
                    raise _unwritable(target, exc) from None
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        return result

    # -- waiting ---------------------------------------------------------------------------

    def _exited_for_good(self, status: ContainerStatus) -> bool:
        restarts = self.restart_policy not in (None, "no")
        return status.state in ("exited", "dead") and not restarts

    def wait_running(self, timeout: Any = 30) -> ContainerStatus:
        """Wait until the container runs; a container that exited (and will not restart) fails at once."""
        deadline = time.monotonic() + check_timeout(timeout)
        while True:
            status = self.status()
            if status.running:
                return status
            if self._exited_for_good(status):
                raise self._not_running(status, "(it exited)")
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"container {self.name!r} was not running after {timeout}s (state {status.state})")
            _pause(0.2)

    def _trigger_health_check(self, within: float) -> None:
        """Run one health check where no scheduler does (podman and nerdctl without systemd), for at
        most ``within`` seconds: a slow check is killed then, so a wait keeps its deadline."""
        kind = current_engine().kind
        args = {"podman": ["healthcheck", "run"], "nerdctl": ["container", "healthcheck"]}.get(kind)
        if args is None:
            return
        try:  # podman exits 1 when unhealthy, nerdctl 0: the status is read afterwards
            execute_nerdctl_command([*args, self._ref()], check=False, timeout=max(within, HEALTH_CHECK_MIN_SECONDS))
        except CommandTimeout:
            pass

    def wait_healthy(self, timeout: Any = 60) -> ContainerStatus:
        """Wait until the health check reports healthy. Unhealthy fails at once with
        ``ContainerUnhealthy`` carrying the check's output; ``WaitTimeout`` when time runs out."""
        deadline = time.monotonic() + check_timeout(timeout)
        while True:
            if not self._dry:
                self._trigger_health_check(deadline - time.monotonic())
            status = self.status()
            if status.health_status == "healthy":
                return status
            if status.health_status == "unhealthy":
                raise ContainerUnhealthy(
                    f"container {self.name!r} is unhealthy" + (f": {status.health_output.strip()}"
                                                                if status.health_output.strip() else ""),
                    output=status.health_output,
                    hint="run the health command yourself with exec(...) to see why it fails",
                )
            if not status.running and status.state != "created":
                raise self._not_running(status, "while waiting for it to be healthy")
            if not status.health_status and status.running:
                raise OtherError(f"container {self.name!r} has no health check",
                                 hint="add one with with_health_check(cmd) before build()")
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"container {self.name!r} was not healthy after {timeout}s "
                                  f"(health {status.health_status or 'not reported yet'})")
            _pause(0.5)


def _pause(seconds: float) -> None:
    """:func:`~herodo_py.nerdctl.concurrency.pause`: a cancelled ``parallel()`` task stops waiting at
    once (imported here: a script that never waits does not load the concurrency module)."""
    from ..concurrency import pause

    pause(seconds)
