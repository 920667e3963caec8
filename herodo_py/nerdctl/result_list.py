"""A list of parsed records that still carries the command that produced it.

``images()`` and ``list()`` return one: iterate it for typed records, or read ``stdout``,
``stderr``, ``success`` and ``code`` as scripts written for the original did.
"""

from __future__ import annotations

from collections.abc import Iterable

from .executor import CommandResult

TYPE_CHECKING = False  # typing stays off herodo's first engine call (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")
    _Records = list[T]
else:
    _Records = list  # ``ResultList[X]`` still works at run time (list's own __class_getitem__)


class ResultList(_Records):
    """A ``list`` of records plus ``result``, the raw :class:`CommandResult`."""

    def __init__(self, items: Iterable[T], result: CommandResult) -> None:
        super().__init__(items)
        self.result = result

    stdout = property(lambda self: self.result.stdout, doc="The command's standard output.")
    stderr = property(lambda self: self.result.stderr, doc="The command's standard error.")
    success = property(lambda self: self.result.success, doc="Whether the command exited with 0.")
    code = property(lambda self: self.result.code, doc="The command's exit code.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"
