"""JSON text read with CPython's own C scanner (``_json``, what ``json.loads`` runs) without importing
the ``json`` package: its decoder and encoder compile six regular expressions at import and bring ``re``
and ``enum`` (~3 ms of a script's first engine call, which reads JSON). Anything the scanner does not
read whole goes to ``json.loads``, so a failure is json's own ``JSONDecodeError`` with its position;
without ``_json`` (another Python) it is ``json.loads`` throughout."""

from __future__ import annotations

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_WHITESPACE = " \t\n\r"  # what JSON (and json.loads) skips around a document


class _Options:
    """What the C scanner reads from ``json.JSONDecoder()``: its defaults (no hooks, strict strings)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


_scan: Callable[[str, int], tuple[Any, int]] | None = None


def _scanner() -> Callable[[str, int], tuple[Any, int]] | None:
    global _scan
    if _scan is None:
        try:
            from _json import make_scanner
        except ImportError:
            return None
        _scan = make_scanner(_Options())
    return _scan


def loads(text: str) -> Any:
    """``json.loads(text)`` for a ``str``: the same value, or the same error."""
    scan = _scanner()
    if scan is not None:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = scan(text, start)
        except (StopIteration, ValueError):  # no value there, or a bad one: json.loads says where and why
            pass
        else:
            if end == len(text.rstrip(_WHITESPACE)):
                return value
    import json

    return json.loads(text)
