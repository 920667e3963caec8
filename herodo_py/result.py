"""The record of a finished command, shared by the engine executor (:mod:`herodo_py.nerdctl.executor`)
and host commands (:mod:`herodo_py.host.process`): scripts see one ``CommandResult`` type for both."""

from __future__ import annotations

from .processes import ENVIRON, shown_command


class CommandResult:
    """What a command did. ``success`` is judged by the exit code alone; ``code`` is -9 when a time
    limit killed it (host commands killed by signal N report 128 + N, as a shell does).

    A plain class with the behaviour of a dataclass (keyword or positional fields, ``==`` field by
    field, a field-by-field repr): every engine call makes one, and the ``dataclasses`` module costs
    a first engine call about 6 ms of imports (issue 17)."""

    __slots__ = ("stdout", "stderr", "code", "argv", "duration", "dry_run", "_shown")

    def __init__(self, stdout: str, stderr: str, code: int, argv: list[str], duration: float = 0.0,
                 dry_run: bool = False) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.code = code
        self.argv = argv
        self.duration = duration
        self.dry_run = dry_run
        self._shown: tuple[list[str], bytes | None, str] | None = None  # (argv, PATH, command): shown twice

    def _fields(self) -> tuple[object, ...]:
        return (self.stdout, self.stderr, self.code, self.argv, self.duration, self.dry_run)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined,no-any-return]

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value (as a dataclass)

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(stdout={self.stdout!r}, stderr={self.stderr!r}, code={self.code!r}, "
                f"argv={self.argv!r}, duration={self.duration!r}, dry_run={self.dry_run!r})")

    @property
    def success(self) -> bool:
        return self.code == 0

    @property
    def command(self) -> str:
        """The command as ``--trace`` shows it (:func:`shown_command`); ``argv`` has the full path.
        Remembered for the argv and PATH it was made from (handing a result to Lua reads it twice)."""
        shown, path = self._shown, ENVIRON.get(b"PATH")
        if shown is None or shown[0] != self.argv or shown[1] != path:
            shown = self._shown = (list(self.argv), path, shown_command(self.argv))
        return shown[2]


__all__ = ["CommandResult", "shown_command"]
