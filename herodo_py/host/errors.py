"""Errors of host operations, with the fields the Lua host shows (the same names as engine errors).

``kind`` is one of the original's five kinds; ``category`` the finer class a script tests
(``err.category == "WaitTimeout"``). ``timed_out`` errors end ``herodo`` with exit code 124.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..processes import shown_command


class HostError(Exception):
    """Base of host errors: ``message``, ``hint`` and, for a command, ``argv``, ``code``, ``stdout``, ``stderr``."""

    kind: ClassVar[str] = "Other"
    category: ClassVar[str] = "HostError"
    timed_out: ClassVar[bool] = False

    def __init__(self, message: str, *, hint: str | None = None, argv: Sequence[str] = (), code: int | None = None,
                 stdout: str | None = None, stderr: str | None = None, field: str | None = None,
                 value: Any = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.argv = list(argv)
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.field = field
        self.value = value
        self.expected = expected

    @property
    def command(self) -> str | None:
        return shown_command(self.argv) if self.argv else None

    def __str__(self) -> str:
        return self.message


class BadHostInput(HostError):
    """A value a host function cannot take (field, value, expected form); nothing ran."""

    kind = "ConversionError"
    category = "BadInput"


class HostCommandFailed(HostError):
    """A host command ran and exited non-zero (or was killed by a signal)."""

    kind = "CommandFailed"
    category = "HostCommandFailed"


class HostCommandTimeout(HostCommandFailed):
    """A host command ran out of time: its whole process group was killed."""

    category = "CommandTimeout"
    timed_out = True


class ProgramNotFound(HostError):
    """The program of a host command does not exist or cannot be executed."""

    kind = "CommandExecutionFailed"
    category = "ProgramNotFound"


class OutputTooLarge(HostCommandFailed):
    """A host command wrote more than the captured output may hold: it was killed."""

    category = "OutputTooLarge"


class WaitTimeout(HostError):
    """A wait (port, HTTP) did not reach its goal in time."""

    category = "WaitTimeout"
    timed_out = True


class HostRefused(HostError):
    """The policy of the running script does not allow this (a sandbox)."""

    category = "SandboxRefused"


class HostRemoved(HostError):
    """The policy of the running script removed this operation entirely (a sandbox)."""

    category = "RemovedBySandbox"


class FileError(HostError):
    """A file operation failed (missing file, permission, not a folder...)."""

    category = "FileError"


__all__ = [
    "BadHostInput",
    "FileError",
    "HostCommandFailed",
    "HostCommandTimeout",
    "HostError",
    "HostRefused",
    "HostRemoved",
    "OutputTooLarge",
    "ProgramNotFound",
    "WaitTimeout",
]
