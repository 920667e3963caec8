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

JSON_MAX_DEPTH = 200
"""JSON nested deeper than this is refused by ``json_encode`` and ``json_decode`` (:mod:`herodo_py.lua.json_codec`)."""

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

MIB = 1024 * 1024  # = nerdctl.units.MIB, not imported: units compiles its patterns at import (start-up path)

DEFAULT_MAX_MEMORY = 512 * MIB
SANDBOX_SCRIPT_TIMEOUT = 300.0
CLEANUP_MEMORY = 64 * MIB  # granted to <close> handlers after an out-of-memory error
OUTPUT_SHARE = 8
"""An engine command may write at most ``--max-memory / OUTPUT_SHARE`` bytes for a script (Python holds
several copies of it on its way into Lua, outside Lua's limit): past that it is killed, a friendly error."""
PUSH_RESERVE = 256 * 1024
"""Lua memory left free after a value crosses into Lua (lupa's own wrappers and stack on the way)."""
CLEANUP_WAIT = 60.0  # seconds a stopped script's cleanup may spend waiting in bindings (the engine) in all
STUCK_AFTER = 5.0  # seconds a stopped script may stay unresponsive before herodo exits without cleanup

_NONE = ("0", "none", "off", "unlimited")


def parse_size(value: str) -> int:
    """``"512m"`` -> 536870912; ``"0"``/``"none"`` -> 0 (no limit)."""
    if value.strip().lower() in _NONE:
        return 0
    from ..nerdctl.units import parse_memory  # here: only --max-memory's value is parsed

    size = parse_memory(value.strip())
    if size is None:
        raise ValueError(f"expected a size like 512m or 2g (0 or none: no limit), got {value!r}")
    if size < MIB:
        raise ValueError(f"a memory limit below 1m leaves no room for the script, got {value!r}")
    return size


def parse_seconds(value: str) -> float | None:
    """``"90"``/``"90s"``/``"1.5m"``/``"1h"`` -> seconds; ``"0"``/``"none"`` -> ``None`` (no limit)."""
    if value.strip().lower() in _NONE:
        return None
    from ..nerdctl.units import MAX_SECONDS
    from ..nerdctl.units import parse_seconds as seconds_of  # here: only --script-timeout's value is parsed

    seconds = seconds_of(value) or 0.0
    if not 0 < seconds <= MAX_SECONDS:  # the OS wait limit
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


__all__ = ["DEFAULT_MAX_MEMORY", "SANDBOX_SCRIPT_TIMEOUT", "CLEANUP_MEMORY", "OUTPUT_SHARE", "PUSH_RESERVE",
           "CLEANUP_WAIT", "STUCK_AFTER", "DEFAULT",
           "parse_size", "parse_seconds", "format_size"]
