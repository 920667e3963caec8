"""The error model: one base, the original's five kinds, and classified subclasses.

Every error carries a plain ``message`` and, where one helps, a ``hint``. Errors from a
command that ran carry its ``argv``, exit ``code``, ``stdout`` and ``stderr``; ``engine_message``
is the engine's own words, taken from logrus ``msg="..."`` lines or ``Error: ...`` lines.
"""

from __future__ import annotations

from ..processes import shown_command
from .lazy_pattern import IGNORECASE, MULTILINE, LazyPattern

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, ClassVar

__all__ = [
    "NerdctlError",
    "CommandExecutionFailed",
    "EngineNotFound",
    "CommandFailed",
    "CommandTimeout",
    "NoSuchContainer",
    "NoSuchImage",
    "NameInUse",
    "PortInUse",
    "EngineUnreachable",
    "PermissionDenied",
    "BuildKitMissing",
    "JsonParseError",
    "ConversionError",
    "UnsupportedByEngine",
    "OtherError",
    "Other",
    "ContainerNotRunning",
    "ContainerUnhealthy",
    "WaitTimeout",
    "classify_failure",
    "engine_message",
]


class NerdctlError(Exception):
    """Base of every herodo_py error. ``kind`` is one of the original's five kinds."""

    kind: ClassVar[str] = "Other"
    default_hint: ClassVar[str | None] = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    @property
    def category(self) -> str:
        """The finer class name, e.g. ``NoSuchContainer`` (``kind`` stays the original's)."""
        return type(self).__name__

    def __str__(self) -> str:
        return self.message


# --- the CLI could not be started ---------------------------------------------------------


class CommandExecutionFailed(NerdctlError):
    """The engine CLI could not be started at all."""

    kind = "CommandExecutionFailed"

    def __init__(self, message: str, *, argv: Sequence[str] = (), hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.argv = list(argv)

    @property
    def command(self) -> str:
        return shown_command(self.argv)


class EngineNotFound(CommandExecutionFailed):
    """No engine CLI was found (or the pinned one does not exist)."""

    default_hint = (
        "install nerdctl, docker or podman, or choose one with HERODO_ENGINE=NAME_OR_PATH "
        "(herodo --engine NAME_OR_PATH)"
    )


# --- the CLI ran and failed ---------------------------------------------------------------


class CommandFailed(NerdctlError):
    """The engine CLI ran and exited non-zero (or was killed)."""

    kind = "CommandFailed"

    def __init__(
        self,
        message: str,
        *,
        argv: Sequence[str] = (),
        code: int | None = None,
        stdout: str = "",
        stderr: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.argv = list(argv)
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def command(self) -> str:
        """The argv as one copy-pasteable shell line."""
        return shown_command(self.argv)

    @property
    def engine_message(self) -> str:
        return engine_message(self.stderr, self.stdout)


class CommandTimeout(CommandFailed):
    """The command did not finish in time; its whole process group was killed."""

    default_hint = "raise the limit with timeout=... (herodo --timeout SECONDS) or check why the engine hangs"

    def __init__(self, message: str, *, timeout: float, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.timeout = timeout


class NoSuchContainer(CommandFailed):
    default_hint = "check the name with nerdctl_list(true); the container may have been removed"


class NoSuchImage(CommandFailed):
    default_hint = "check the reference with nerdctl_images(), or pull it first with nerdctl_image_pull(ref)"


class NameInUse(CommandFailed):
    default_hint = "a container with this name exists: call reset() first, remove it, or pick another name"


class PortInUse(CommandFailed):
    default_hint = "another container or process publishes this host port; pick another host port or stop it"


class EngineUnreachable(CommandFailed):
    default_hint = (
        "the engine daemon is not running or not reachable: start it (dockerd, containerd), "
        "or point at it with --address / CONTAINERD_ADDRESS"
    )


class PermissionDenied(CommandFailed):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        if self.hint is None:
            self.hint = self._hint_for_user()

    @staticmethod
    def _hint_for_user() -> str:
        import os

        if os.geteuid() != 0:
            return "run as root (sudo herodo ...) or as a user allowed to use the engine"
        return ("refused even as root: a security layer (rlimits, seccomp, AppArmor/SELinux, a read-only "
                "path) or the runtime's sandbox stopped it; the engine's message above names the operation")


class BuildKitMissing(CommandFailed):
    default_hint = (
        "nerdctl build needs BuildKit: install buildctl and buildkitd (the nerdctl-full release "
        "ships both) and start `buildkitd`"
    )


# --- parsing and input --------------------------------------------------------------------


class JsonParseError(NerdctlError):
    """Engine output that should have been JSON was not (``text`` holds the offending output)."""

    kind = "JsonParseError"
    MAX_SHOWN = 200

    def __init__(self, what: str, text: str, detail: str = "", *, hint: str | None = None) -> None:
        shown = text if len(text) <= self.MAX_SHOWN else text[: self.MAX_SHOWN] + f"... ({len(text)} chars)"
        message = f"could not parse {what} as JSON"
        if detail:
            message += f" ({detail})"
        message += f": {shown!r}"
        super().__init__(message, hint=hint)
        self.text = text


class ConversionError(NerdctlError):
    """Bad input (field, value, expected form) or an engine value we cannot convert."""

    kind = "ConversionError"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        value: Any = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        if message is None:
            message = f"invalid {field}: {shown_value(value)}"
            if expected:
                message += f" (expected {expected})"
        super().__init__(message, hint=hint)
        self.field = field
        self.value = value
        self.expected = expected


def shown_value(value: Any, limit: int = 120) -> str:
    """``repr(value)`` for a message, shortened when long (a huge script value stays readable)."""
    try:
        text = repr(value[:limit + 1] if isinstance(value, str) else value)
    except ValueError:  # an int with more digits than Python prints
        return f"<a {value.bit_length()}-bit number>"
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(value) if isinstance(value, str) else len(text)} chars)"


class UnsupportedByEngine(ConversionError):
    """The chosen engine has no such feature; refused before anything runs."""


# --- everything else ----------------------------------------------------------------------


class OtherError(NerdctlError):
    kind = "Other"


Other = OtherError  # the original's name for the kind


class ContainerNotRunning(OtherError):
    """A container that should be running is not: carries its state, exit code and last logs."""

    def __init__(
        self,
        message: str,
        *,
        state: str = "",
        exit_code: int | None = None,
        logs: str = "",
        hint: str | None = None,
    ) -> None:
        if logs.strip():
            message += "\nlast log lines:\n" + logs.rstrip()
        super().__init__(message, hint=hint)
        self.state = state
        self.exit_code = exit_code
        self.logs = logs


class ContainerUnhealthy(OtherError):
    """The container's health check reports unhealthy; ``output`` is the check's last output."""

    def __init__(self, message: str, *, output: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.output = output


class WaitTimeout(OtherError):
    """A wait (running, healthy) did not reach its goal in time."""

    default_hint = "give it more time (wait_healthy(timeout)) or look at logs() and status()"


# --- classification -----------------------------------------------------------------------

_LOGRUS = LazyPattern(r'level=(?P<level>\w+)\s+msg="(?P<msg>(?:[^"\\]|\\.)*)"')
_TTY_LOGRUS = LazyPattern(r"^(?P<level>FATA|ERRO|WARN|INFO|DEBU)\[\d+\]\s*(?P<msg>.*)$")
_ERROR_PREFIX = LazyPattern(r"^(?:\w+: )?Error(?: response from daemon)?:\s*(?P<msg>.*)$")
_N_ERRORS = LazyPattern(r"^\d+ errors?:\s*")


def _unescape_logrus(text: str) -> str:
    """Undo logrus' Go-style quoting of ``msg`` (``\\"``, ``\\n``, ``\\\\``)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def engine_message(stderr: str, stdout: str = "") -> str:
    """The engine's own error words, without log prefixes, usage noise or podman's systemd chatter."""
    errors: list[str] = []
    fatals: list[str] = []
    logrus_errors: list[str] = []
    others: list[str] = []
    lines = stderr.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip() or line.startswith(("Run '", "See '")):
            continue
        if m := _LOGRUS.search(line):
            msg = _N_ERRORS.sub("", _unescape_logrus(m["msg"])).strip()
            level = m["level"]
            if level in ("fatal", "panic"):
                fatals.append(msg)
            elif level == "error" and "systemd" not in msg:
                logrus_errors.append(msg)
            continue
        if m := _TTY_LOGRUS.match(line):
            if m["level"] in ("FATA", "ERRO"):
                msg = m["msg"].strip()
                if _N_ERRORS.match(msg):  # "1 errors:" then the message on the next lines
                    rest = _N_ERRORS.sub("", msg)
                    follow: list[str] = [rest] if rest else []
                    while i < len(lines) and not _TTY_LOGRUS.match(lines[i]) and lines[i].strip():
                        follow.append(lines[i].strip())
                        i += 1
                    msg = "\n".join(follow)
                (fatals if m["level"] == "FATA" else logrus_errors).append(msg)
            continue
        if m := _ERROR_PREFIX.match(line.strip()):
            errors.append(m["msg"])
            continue
        if "level=" in line and "time=" in line:
            continue  # a logrus line at info/warn level
        others.append(line.strip())
    for group in (errors, fatals, logrus_errors):
        if group:
            return "\n".join(group)
    if others:
        return "\n".join(others[-3:])
    return stdout.strip().splitlines()[-1] if stdout.strip() else ""


_RULES: list[tuple[LazyPattern, type[CommandFailed]]] = [
    (LazyPattern(r"cannot access containerd socket|cannot connect to the docker daemon|"
                r"is the docker daemon running|rootless containerd not running|unable to connect to podman|"
                r"dial unix \S+: connect: connection refused", IGNORECASE), EngineUnreachable),
    (LazyPattern(r"no such container|no container with (?:name or )?id|container \"[^\"]*\" does not exist|"
                r"container \"[^\"]*\" in namespace \"[^\"]*\": not found", IGNORECASE), NoSuchContainer),
    (LazyPattern(r"no such image|image not known|pull access denied|does not exist locally|"
                r"repository does not exist|name unknown|manifest unknown|"
                r"failed to resolve reference", IGNORECASE), NoSuchImage),
    (LazyPattern(r"is already used by id|container name \"[^\"]*\" is already in use|"
                r"name is already in use", IGNORECASE), NameInUse),
    (LazyPattern(r"port is already allocated|address already in use", IGNORECASE), PortInUse),
    (LazyPattern(r"`buildctl` needs to be installed|buildkitd", IGNORECASE), BuildKitMissing),
    (LazyPattern(r"permission denied|operation not permitted|access denied", IGNORECASE), PermissionDenied),
]


# An image missing here that run/create could not pull either: the final error names the registry
# (connection refused, no such host), the line before it the image (docker, podman); podman short names.
_MISSING_LOCALLY = LazyPattern(r"^Unable to find image '[^']*' locally$|^Trying to pull \S+\.\.\.$|"
                              r"short-name \"[^\"]*\" did not resolve to an alias", MULTILINE)
_PULLED = LazyPattern(r"^Status: Downloaded newer image|^Writing manifest to image destination", MULTILINE)


def _signal_name(number: int) -> str:
    import signal

    try:
        return f"{number} ({signal.Signals(number).name})"
    except ValueError:
        return str(number)


def classify_failure(argv: Sequence[str], code: int | None, stdout: str, stderr: str) -> CommandFailed:
    """Build the most specific ``CommandFailed`` for a failed command."""
    words = engine_message(stderr, stdout)
    cls: type[CommandFailed] = CommandFailed
    for pattern, candidate in _RULES:
        if pattern.search(words) or (not words and pattern.search(stderr)):
            cls = candidate
            break
    if cls is CommandFailed and _MISSING_LOCALLY.search(stderr) and not _PULLED.search(stderr):
        cls = NoSuchImage
    how = (f"was killed by signal {_signal_name(-code)}" if code is not None and code < 0
           else f"exited with status {code}")
    message = f"`{shown_command(argv)}` {how}"
    if words:
        message += f": {words}"
    return cls(message, argv=argv, code=code, stdout=stdout, stderr=stderr)
