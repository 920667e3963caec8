"""The record of a finished command, shared by the engine executor (:mod:`herodo_py.nerdctl.executor`)
and host commands (:mod:`herodo_py.host.process`): scripts see one ``CommandResult`` type for both."""

from __future__ import annotations

from dataclasses import dataclass

from .processes import shown_command


@dataclass
class CommandResult:
    """What a command did. ``success`` is judged by the exit code alone; ``code`` is -9 when a time
    limit killed it (host commands killed by signal N report 128 + N, as a shell does)."""

    stdout: str
    stderr: str
    code: int
    argv: list[str]
    duration: float = 0.0
    dry_run: bool = False

    @property
    def success(self) -> bool:
        return self.code == 0

    @property
    def command(self) -> str:
        """The command as ``--trace`` shows it (:func:`shown_command`); ``argv`` has the full path."""
        return shown_command(self.argv)


__all__ = ["CommandResult", "shown_command"]
