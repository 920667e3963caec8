"""Limits every script runs under, in every mode (``herodo``'s options for them: :mod:`herodo_py.cli.options`).

=======================  =====================================  ==================================================
option                   default                                what it bounds
=======================  =====================================  ==================================================
``--max-memory SIZE``    ``512m``                               memory of the Lua state (lupa ``max_memory``);
                                                                ``0`` or ``none``: no limit
``--script-timeout S``   none; ``300`` with ``--sandbox``       wall time of a script (of each test function in
                                                                ``herodo test``); ``0`` or ``none``: no limit
``--timeout S``          ``120`` (pull/push/build...: ``1800``)   each engine command (the whole process group is
                                                                killed when it runs out)
=======================  =====================================  ==================================================

Hitting a limit ends the script with a friendly error at the script's line (``OUT OF MEMORY``, exit 1;
``SCRIPT TIMEOUT``, exit 124) and cleanup still runs: ``<close>`` variables (with
:data:`CLEANUP_MEMORY` more memory after an out-of-memory error) and ``herodo test``'s container
removal. The time limit cannot be escaped with ``pcall``, ``xpcall`` or coroutines (a count hook, re-armed
in every coroutine, fails every instruction once the grace has passed), and it interrupts a binding
that waits (an engine command is killed). One long call into the Lua library (a pathological string
pattern) runs no hook: :class:`~herodo_py.lua.runtime.watchdog.Watchdog` ends ``herodo`` itself when a stopped
script has not answered for :data:`STUCK_AFTER` seconds.

SIZE: bytes, or a number with ``k``, ``m``, ``g`` (powers of 1024; ``kb``/``kib``... accepted).
SECONDS: a number, optionally with ``s``, ``m`` or ``h``.
"""

from __future__ import annotations

import re
from typing import Any

MIB = 1024 * 1024
DEFAULT_MAX_MEMORY = 512 * MIB
SANDBOX_SCRIPT_TIMEOUT = 300.0
CLEANUP_MEMORY = 64 * MIB  # granted to <close> handlers after an out-of-memory error
STUCK_AFTER = 5.0  # seconds a stopped script may stay unresponsive before herodo exits without cleanup

_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*")
_SECONDS = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*")
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MIB, "g": 1024 * MIB, "t": 1024 * 1024 * MIB}
_NONE = ("0", "none", "off", "unlimited")


def parse_size(value: str) -> int:
    """``"512m"`` -> 536870912; ``"0"``/``"none"`` -> 0 (no limit)."""
    if value.strip().lower() in _NONE:
        return 0
    m = _SIZE.fullmatch(value)
    if not m:
        raise ValueError(f"expected a size like 512m or 2g (0 or none: no limit), got {value!r}")
    unit = (m[2] or "").lower()[:1]
    size = int(float(m[1]) * _UNITS[unit])
    if size < MIB:
        raise ValueError(f"a memory limit below 1m leaves no room for the script, got {value!r}")
    return size


def parse_seconds(value: str) -> float | None:
    """``"90"``/``"90s"``/``"1.5m"``/``"1h"`` -> seconds; ``"0"``/``"none"`` -> ``None`` (no limit)."""
    if value.strip().lower() in _NONE:
        return None
    m = _SECONDS.fullmatch(value)
    seconds = float(m[1]) * {"s": 1, "m": 60, "h": 3600}[(m[2] or "s").lower()] if m else 0.0
    if not 0 < seconds <= 2_000_000:  # the OS wait limit
        raise ValueError(f"expected seconds like 300, 90s, 5m or 1h (0 or none: no limit), got {value!r}")
    return seconds


def format_size(size: int) -> str:
    for unit, factor in (("g", 1024 * MIB), ("m", MIB), ("k", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size / MIB:.1f}m" if size >= MIB else f"{size} bytes"


class _Default:
    """The mode's default (a script timeout: none when trusted, 300 s in the sandbox)."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()


__all__ = ["DEFAULT_MAX_MEMORY", "SANDBOX_SCRIPT_TIMEOUT", "CLEANUP_MEMORY", "STUCK_AFTER", "DEFAULT",
           "parse_size", "parse_seconds", "format_size"]
