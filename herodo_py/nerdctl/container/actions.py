"""What can be done to a container that exists, knowing only its name and id: stop, remove, exec, copy,
logs, commit, and (from :class:`~.control.ContainerControl`) restart, kill, pause, wait, inspect, port.

:class:`ContainerActions` is mixed into ``Container`` (``operations.py``); the static functions here
(``exec(name, cmd)``, ``inspect(name)`` ...; ``functions.py`` re-exports them) run the same methods on
an :class:`AttachedContainer`, so each operation has one implementation. Light to import (issue 17): a
script's first ``exec()`` or ``inspect()`` loads this, not the builder, the dataclasses or ensure.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import (
    CommandFailed,
    EngineUnreachable,
    NoSuchContainer,
    UnsupportedByEngine,
    classify_failure,
    engine_message,
)
from ..executor import DRY_PREFIX, CommandResult, current_engine, execute_nerdctl_command
from ..lazy_pattern import LazyPattern
from ..validate import (
    check_container_ref,
    check_copy_location,
    check_count,
    check_image,
    check_string_list,
    check_text,
    fail,
)
from .control import ContainerControl

TYPE_CHECKING = False  # typing stays off a first exec() or inspect() (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

    from ..executor import EngineKind

__all__ = [
    "AttachedContainer", "ContainerActions", "reference", "rm_args", "shell_command",
    "attached", "image_commit", "exec", "copy", "stop", "remove", "logs", "restart", "kill", "pause", "unpause",
    "wait", "inspect", "port",
]

_NERDCTL_EXEC_CODE = LazyPattern(r"exec failed with exit code (\d+)")
_GLOB = LazyPattern(r"[*?\[\\]")  # podman cp globs its source path with these


def shell_command(command: str | Sequence[str], field_name: str = "command") -> list[str]:
    """A command as argv: a list is the argv itself; a string runs through ``sh -c`` (after ``--``
    when it starts with '-', which sh would otherwise read as its own option)."""
    if isinstance(command, str):
        check_text(command, field_name)
        return ["sh", "-c", *(["--"] if command.startswith("-") else []), command]
    argv = check_string_list(command, field_name)
    if not argv or not argv[0]:
        raise fail(field_name, command, "a non-empty list like {'ls', '-l'} or a shell string")
    return argv


def rm_args(ref: str, *, force: bool, engine_kind: EngineKind) -> list[str]:
    """``rm`` argv; a forced remove kills at once on every engine (podman would wait 10s for SIGTERM)."""
    if not force:
        return ["rm", ref]
    return ["rm", "-f", *(["--time", "0"] if engine_kind == "podman" else []), ref]


def reference(name: str | None, container_id: str | None) -> str:
    """The full id to operate on; a clear error when the container was never built."""
    if not container_id:
        from .types import ContainerNotBuilt  # here: an attached container always has its id

        raise ContainerNotBuilt(f"container {name!r} has not been built yet (it has no id)")
    return container_id


class ContainerActions(ContainerControl):
    """The operations of a container by its ``name`` and ``container_id`` (mixed into ``Container``)."""

    __slots__ = ()
    name: str | None
    container_id: str | None

    @property
    def _dry(self) -> bool:
        return bool(self.container_id and self.container_id.startswith(DRY_PREFIX))

    def _ref(self) -> str:
        return reference(self.name, self.container_id)

    def _run(self, *args: str, check: bool = True) -> CommandResult:
        return execute_nerdctl_command(list(args), check=check)

    def stop(self, timeout: Any = None) -> CommandResult:
        """Stop it; ``timeout`` seconds before the engine kills it (engine default: 10)."""
        args = ["stop"]
        if timeout is not None:
            args += ["-t", str(check_count(timeout, "stop timeout"))]
        return self._run(*args, self._ref())

    def remove(self, force: bool = False) -> CommandResult:
        """Remove it (``force``: even when running) and forget its id."""
        if not isinstance(force, bool):
            raise fail("force", force, "true or false")
        result = self._run(*rm_args(self._ref(), force=force, engine_kind=current_engine().kind))
        self.container_id = None
        return result

    def exec(self, command: str | Sequence[str]) -> CommandResult:
        """Run a command in the container: a string through ``sh -c``, a list as argv. A non-zero
        exit raises ``CommandFailed`` with the command's real exit code and output."""
        argv = ["exec", self._ref(), *shell_command(command)]
        result = self._run(*argv, check=False)
        if result.success:
            return result
        error = classify_failure(result.argv, result.code, result.stdout, result.stderr)
        if isinstance(error, (NoSuchContainer, EngineUnreachable)):
            raise error
        stderr = result.stderr
        code = result.code
        if current_engine().kind == "nerdctl" and (m := _NERDCTL_EXEC_CODE.search(stderr)):
            code = int(m[1])
            stderr = "\n".join(line for line in stderr.splitlines() if not _NERDCTL_EXEC_CODE.search(line))
        shown = command if isinstance(command, str) else " ".join(command)
        message = f"command {shown!r} in container {self.name!r} exited with status {code}"
        if words := engine_message(stderr, result.stdout):
            message += f": {words}"
        raise CommandFailed(message, argv=result.argv, code=code, stdout=result.stdout, stderr=result.stderr)

    def copy(self, source: str, dest: str) -> CommandResult:
        """Copy between host and container: each side ``/local/path`` or ``container:/path``."""
        self._ref()
        check_copy_location(source, "source")
        check_copy_location(dest, "dest")
        if _GLOB.search(source) and current_engine().kind == "podman":
            raise UnsupportedByEngine(
                field="source", value=source, expected="a source path without * ? [ or \\ on podman",
                hint="podman cp reads the source as a glob pattern: it would copy other files too, or find "
                     "none; rename the file, or copy the directory that holds it",
            )
        return self._run("cp", source, dest)

    def logs(self, tail: Any = None) -> CommandResult:
        """The container's output (``stdout`` and ``stderr``); ``tail``: only the last N lines."""
        args = ["logs"]
        if tail is not None:
            args += ["--tail", str(check_count(tail, "tail"))]
        if self._dry:
            return CommandResult("", "", 0, args, dry_run=True)
        return self._run(*args, self._ref())

    def commit(self, image_name: str) -> CommandResult:
        """Save the container's filesystem as the image ``image_name``."""
        return self._run("commit", self._ref(), check_image(image_name, "image name"))


class AttachedContainer(ContainerActions):
    """An existing container by name or id, looked up by nothing: what the static functions act on."""

    __slots__ = ("name", "container_id")

    def __init__(self, ref: str) -> None:
        self.name: str | None = ref
        self.container_id: str | None = ref

    def __repr__(self) -> str:
        return f"AttachedContainer({self.name!r})"


# --- the static functions: one operation on a container by name or id ------------------------


def attached(container: str) -> AttachedContainer:
    """An existing container (name or id), without looking it up: the static functions run the
    ``Container`` operations (:class:`~.actions.ContainerActions`), so each has one implementation."""
    return AttachedContainer(check_container_ref(container))


def image_commit(container: str, image_name: str) -> CommandResult:
    """Save a container's filesystem as the image ``image_name`` (``Container.commit`` does the work)."""
    check_image(image_name, "image_name")
    return attached(container).commit(image_name)


def exec(container: str, command: str | Sequence[str]) -> CommandResult:
    """Run a command in a running container: a string through ``sh -c``, a list as the argv.
    A non-zero exit raises ``CommandFailed`` with the command's real exit code (on every engine)."""
    return attached(container).exec(command)


def _container_side(location: str) -> str | None:
    head, sep, _ = location.partition(":")
    return head if sep and head and "/" not in head else None


def copy(source: str, dest: str) -> CommandResult:
    """Copy between the host and a container: one side is ``container:/path``, the other a local path."""
    check_copy_location(source, "source")
    check_copy_location(dest, "dest")
    sides = [side for side in (_container_side(source), _container_side(dest)) if side]
    if len(sides) != 1:
        raise fail("copy locations", f"{source} -> {dest}",
                   "one side 'container:/path' and the other a local path",
                   hint="copy('web:/etc/hosts', '/tmp/hosts') or copy('/tmp/app.conf', 'web:/etc/app.conf')")
    return attached(sides[0]).copy(source, dest)


def stop(container: str, timeout: int | None = None) -> CommandResult:
    """Stop a container; ``timeout``: seconds before the engine kills it (engine default 10)."""
    return attached(container).stop(timeout)


def remove(container: str, force: bool = False) -> CommandResult:
    """Remove a container; ``force`` also removes a running one (at once)."""
    return attached(container).remove(force)


def logs(container: str, tail: int | str | None = None) -> CommandResult:
    """A container's output so far (its stdout in ``stdout``, its stderr in ``stderr``);
    ``tail``: only the last N lines."""
    return attached(container).logs(tail)


def restart(container: str, timeout: Any = None) -> CommandResult:
    """Restart a container (``timeout``: seconds before the engine kills it)."""
    return attached(container).restart(timeout)


def kill(container: str, signal: Any = None) -> CommandResult:
    """Send ``signal`` (default KILL) to a container."""
    return attached(container).kill(signal)


def pause(container: str) -> CommandResult:
    """Freeze every process of a container."""
    return attached(container).pause()


def unpause(container: str) -> CommandResult:
    """Thaw a paused container."""
    return attached(container).unpause()


def wait(container: str, timeout: Any = None) -> int:
    """Wait for a container to exit; its exit code (``WaitTimeout`` after ``timeout`` seconds)."""
    return attached(container).wait(timeout)


def inspect(container: str) -> dict[str, Any]:
    """A container's whole inspect document."""
    return attached(container).inspect()


def port(container: str, container_port: Any) -> list[str]:
    """The host addresses that publish ``container_port`` of a container."""
    return attached(container).port(container_port)
