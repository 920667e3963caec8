"""Regular expressions compiled on first use, so that importing a module that holds many costs nothing:
compiling the engine library's patterns at import took ~4 ms of every script's first engine call (issue 17),
most of them for inputs the script never gives. ``re`` itself (with ``enum``, ~2 ms) is imported by the
first pattern used, not by importing this module: a script's first ``list()`` or ``exec()`` uses none."""

from __future__ import annotations

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    import re

# re's flag values (``re.IGNORECASE`` ...), here so that patterns can be declared without importing re;
# tests/unit/test_lazy_pattern.py checks they equal re's.
IGNORECASE = 2
MULTILINE = 8
ASCII = 256


class LazyPattern:
    """``re.compile(pattern, flags)``, done on the first ``match``/``fullmatch``/``search``/``sub``."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            import re

            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled().match(text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled().fullmatch(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled().search(text)

    def sub(self, replacement: str, text: str) -> str:
        return self.compiled().sub(replacement, text)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"
