"""Controlling a built container: restart, kill, pause/unpause, wait, inspect, port, copy_to/copy_from.

``ContainerControl`` is mixed into ``Container`` (it uses its ``_ref``, ``_run``, ``_dry`` and
``copy``); the static functions of the same names (``functions.py``) act on a container by name or id. Every argument
is checked before a command runs. In dry-run mode state changes are reported, and reads of a
placeholder container answer as if it were running.
"""

from __future__ import annotations

import functools
import os

from ..errors import CommandFailed, CommandTimeout, NoSuchContainer, WaitTimeout
from ..executor import CommandResult, execute_nerdctl_command
from ..lazy_pattern import LazyPattern
from ..parse import load_records
from ..validate import check_count, check_path, check_text, check_timeout, fail

TYPE_CHECKING = False  # typing stays off a first exec() or inspect() (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ContainerControl", "check_container_port", "check_signal", "published_addresses"]

_SIGNAL_NUMBER = LazyPattern(r"[0-9]{1,2}")
_PORT = LazyPattern(r"([0-9]{1,5})(?:/(tcp|udp|sctp))?")
_EXIT_CODE = LazyPattern(r"-?[0-9]{1,10}")


@functools.cache
def _signal_names() -> frozenset[str]:
    """SIGTERM, SIGKILL...: made on first use (a script that sends no signal does not pay for it, nor
    for importing signal, which builds its enums)."""
    import signal as _signal

    return frozenset(s.name for s in _signal.Signals if s.name.startswith("SIG") and "_" not in s.name)


def check_signal(value: Any, field: str = "signal") -> str:
    """A signal as the engines take it: a name (``SIGTERM``, ``TERM``, ``kill``) or a number 1-64."""
    expected = "a signal name like 'SIGTERM', 'TERM' or 'KILL', or a number from 1 to 64"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 64:
            return str(value)
        raise fail(field, value, expected)
    check_text(value, field, expected)
    if _SIGNAL_NUMBER.fullmatch(value) and 1 <= int(value) <= 64:
        return str(int(value))
    name = value.upper()
    if name in _signal_names() or f"SIG{name}" in _signal_names():
        return name
    raise fail(field, value, expected)


def check_container_port(value: Any, field: str = "container port") -> str:
    """``80``, ``"80"`` or ``"53/udp"`` -> the key inspect uses, ``"80/tcp"``."""
    expected = "a container port 1-65535, optionally with /tcp, /udp or /sctp, e.g. '80' or '53/udp'"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    check_text(text, field, expected)
    m = _PORT.fullmatch(text.lower())
    if not m or not 1 <= int(m[1]) <= 65535:
        raise fail(field, value, expected)
    return f"{int(m[1])}/{m[2] or 'tcp'}"


def published_addresses(record: dict[str, Any], port_key: str) -> list[str]:
    """``host:port`` addresses published for ``port_key`` (``"80/tcp"``) in an inspect record
    (``NetworkSettings.Ports``, the same on nerdctl, docker and podman); IPv6 hosts in brackets."""
    settings = record.get("NetworkSettings") if isinstance(record.get("NetworkSettings"), dict) else {}
    ports = settings.get("Ports") if isinstance(settings.get("Ports"), dict) else {}
    bindings = ports.get(port_key) or []
    addresses = []
    for binding in bindings if isinstance(bindings, list) else []:
        if not isinstance(binding, dict) or not binding.get("HostPort"):
            continue
        host = str(binding.get("HostIp") or "0.0.0.0")
        addresses.append(f"[{host}]:{binding['HostPort']}" if ":" in host else f"{host}:{binding['HostPort']}")
    return addresses


class ContainerControl:
    """restart, kill, pause/unpause, wait, inspect, port, copy_to/copy_from (mixed into ``Container``)."""

    name: str | None

    def restart(self, timeout: Any = None) -> CommandResult:
        """Stop (``timeout`` seconds before the engine kills it; engine default 10) and start it again."""
        args = ["restart"]
        if timeout is not None:
            args += ["-t", str(check_count(timeout, "restart timeout"))]
        return self._run(*args, self._ref())  # type: ignore[attr-defined]

    def kill(self, signal: Any = None) -> CommandResult:
        """Send ``signal`` (the engine's default: KILL) to the container's main process."""
        args = ["kill"]
        if signal is not None:
            args += ["-s", check_signal(signal)]
        return self._run(*args, self._ref())  # type: ignore[attr-defined]

    def pause(self) -> CommandResult:
        """Freeze every process of the container (cgroup freezer)."""
        return self._run("pause", self._ref())  # type: ignore[attr-defined]

    def unpause(self) -> CommandResult:
        """Thaw its processes."""
        return self._run("unpause", self._ref())  # type: ignore[attr-defined]

    def wait(self, timeout: Any = None) -> int:
        """Block until the container exits and return its exit code. With ``timeout`` (seconds),
        ``WaitTimeout`` after that long: only the waiting command is killed, the container runs on."""
        limit = None if timeout is None else check_timeout(timeout, "wait timeout")
        ref = self._ref()  # type: ignore[attr-defined]
        if self._dry:  # type: ignore[attr-defined]
            return 0
        try:
            result = execute_nerdctl_command(["wait", ref], timeout=limit)
        except CommandTimeout:
            raise WaitTimeout(f"container {self.name!r} was still running after {timeout}s",
                              hint="give it more time (wait(timeout)), or stop() it") from None
        lines = result.stdout.split()
        if not lines or not _EXIT_CODE.fullmatch(lines[-1]):
            raise CommandFailed(f"`{result.command}` printed no exit code: {result.stdout.strip()!r}",
                                argv=result.argv, code=result.code, stdout=result.stdout, stderr=result.stderr)
        return int(lines[-1])

    def inspect(self) -> dict[str, Any]:
        """The engine's whole inspect document of the container (its keys as the engine writes them)."""
        ref = self._ref()  # type: ignore[attr-defined]
        if self._dry:  # type: ignore[attr-defined]
            return {"Id": ref, "Name": self.name or "", "State": {"Status": "running", "Running": True}}
        records = load_records(self._run("container", "inspect", ref).stdout, "container inspect")  # type: ignore[attr-defined]
        if not records:
            raise NoSuchContainer(f"container {self.name!r} ({ref[:12]}) no longer exists")
        return records[0]

    def port(self, container_port: Any) -> list[str]:
        """The host addresses (``"127.0.0.1:8080"``) that publish ``container_port`` (``80``,
        ``"80/tcp"``, ``"53/udp"``); empty when it is not published."""
        key = check_container_port(container_port)
        return published_addresses(self.inspect(), key)

    def copy_to(self, host_path: str, container_path: str) -> CommandResult:
        """Copy the host file or folder ``host_path`` to ``container_path`` in the container."""
        source = _host_side(host_path, "host_path")
        dest = check_path(container_path, "container_path", absolute=True)
        return self.copy(source, f"{self._ref()}:{dest}")  # type: ignore[attr-defined]

    def copy_from(self, container_path: str, host_path: str) -> CommandResult:
        """Copy ``container_path`` from the container to the host path ``host_path``."""
        source = check_path(container_path, "container_path", absolute=True)
        dest = _host_side(host_path, "host_path")
        return self.copy(f"{self._ref()}:{source}", dest)  # type: ignore[attr-defined]


def _host_side(path: Any, field: str) -> str:
    """A host path as ``cp`` must see it: absolute, so that ``a:b`` or ``-x`` is never read as a
    container or a flag."""
    check_path(path, field)
    return os.path.abspath(path)
