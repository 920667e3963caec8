"""A list of parsed records that still carries the command that produced it.

``images()`` and ``list()`` return one: iterate it for typed records, or read ``stdout``,
``stderr``, ``success`` and ``code`` as scripts written for the original did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .executor import CommandResult

T = TypeVar("T")


class ResultList(list[T]):
    """A ``list`` of records plus ``result``, the raw :class:`CommandResult`."""

    def __init__(self, items: Iterable[T], result: CommandResult) -> None:
        super().__init__(items)
        self.result = result

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def success(self) -> bool:
        return self.result.success

    @property
    def code(self) -> int:
        return self.result.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"
