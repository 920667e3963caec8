"""Sizes and durations: the one definition herodo uses for the sizes a user writes (``--memory``,
``--max-memory``), the sizes the engines print (``stats``, ``images``) and the durations of both.

Two conventions meet here:

- a size a user writes follows docker's ``RAMInBytes`` (go-units): ``<number>[ ][k|m|g|t|p][i][b]``, case
  ignored, every unit a power of 1024 (``512m``, ``1.5g``, ``512 MB`` and ``512MiB`` are all MiB);
- a size an engine prints follows go-units' ``HumanSize``/``BytesSize``: ``kB``/``MB``/``GB`` are powers of
  1000 (podman's ``67.11MB``), ``KiB``/``MiB``/``GiB`` powers of 1024 (docker's ``64MiB``).

Grammars are ASCII only: ``'٨'`` or ``'８'`` are no digits to an engine written in Go.
"""

from __future__ import annotations

from .lazy_pattern import ASCII, IGNORECASE, LazyPattern

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["KIB", "MIB", "MIN_MEMORY", "MAX_SECONDS", "MEMORY_UNITS", "parse_memory", "parse_size",
           "parse_seconds", "GO_DURATION"]

KIB = 1024
MIB = 1024 * KIB
MIN_MEMORY = 6 * MIB  # docker refuses a smaller memory limit ("Minimum memory limit allowed is 6MB")
MAX_SECONDS = 2_000_000.0  # 23 days: the OS waits at most 2**31-1 ms at a time

MEMORY_UNITS = "b, k, m, g, t, p (powers of 1024; 'mb', 'mib', a space before the unit and upper case accepted)"
_MEMORY = LazyPattern(r"(?P<num>[0-9]+(?:\.[0-9]+)?) ?(?P<unit>[kmgtp]?)(?:i?b)?", IGNORECASE | ASCII)
_BINARY_POWER = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}

_PRINTED = LazyPattern(r"\s*(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[a-zA-Z]*)\s*", ASCII)
_PRINTED_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
    "t": 1000**4, "tb": 1000**4, "p": 1000**5, "pb": 1000**5, "e": 1000**6, "eb": 1000**6,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "pib": 1024**5, "eib": 1024**6,
}

# Go's time.ParseDuration without sign or exponent: '30s', '1m30s', '1.5h', '500ms'.
GO_DURATION = LazyPattern(r"(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+", ASCII)
_SECONDS = LazyPattern(r"\s*(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[smh]?)\s*", IGNORECASE | ASCII)
_SECONDS_PER = {"": 1, "s": 1, "m": 60, "h": 3600}


_INFINITY = float("inf")


def is_finite(number: float) -> bool:
    """``math.isfinite`` (NaN compares false), without loading math on a first engine call."""
    return -_INFINITY < number < _INFINITY


def parse_memory(text: str) -> int | None:
    """A size as a user writes it (docker's ``--memory``): ``'512m'`` -> 536870912; not one -> ``None``."""
    m = _MEMORY.fullmatch(text)
    if not m:
        return None
    size = float(m["num"]) * 1024 ** _BINARY_POWER[m["unit"].lower()]
    return int(size) if is_finite(size) else None


def parse_size(text: Any) -> int | None:
    """A size as an engine prints it: ``'1.59MiB'`` -> 1667236, ``'12.1kB'`` -> 12100, a number -> itself;
    unknown -> ``None``."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, float):
        return int(text) if is_finite(text) else None
    if not isinstance(text, str):
        return None
    m = _PRINTED.fullmatch(text)
    if not m:
        return None
    factor = _PRINTED_UNITS.get(m["unit"].lower())
    if factor is None:
        return None
    size = float(m["num"]) * factor
    return int(round(size)) if is_finite(size) else None


def parse_seconds(text: str) -> float | None:
    """``'90'``, ``'90s'``, ``'1.5m'``, ``'1h'`` -> seconds; not one -> ``None``."""
    m = _SECONDS.fullmatch(text)
    return float(m["num"]) * _SECONDS_PER[m["unit"].lower()] if m else None
