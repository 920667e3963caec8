"""Limits every script runs under, in every mode, and the ``herodo`` options that set them.

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
pattern) runs no hook: :class:`Watchdog` ends ``herodo`` itself when a stopped script has not answered
for :data:`STUCK_AFTER` seconds.

SIZE: bytes, or a number with ``k``, ``m``, ``g`` (powers of 1024; ``kb``/``kib``... accepted).
SECONDS: a number, optionally with ``s``, ``m`` or ``h``.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from ..nerdctl.units import MAX_SECONDS, MIB, parse_memory
from ..nerdctl.units import parse_seconds as seconds_of

if TYPE_CHECKING:
    from .runtime import Runtime

DEFAULT_MAX_MEMORY = 512 * MIB
SANDBOX_SCRIPT_TIMEOUT = 300.0
CLEANUP_MEMORY = 64 * MIB  # granted to <close> handlers after an out-of-memory error
STUCK_AFTER = 5.0  # seconds a stopped script may stay unresponsive before herodo exits without cleanup

_NONE = ("0", "none", "off", "unlimited")


def parse_size(value: str) -> int:
    """``"512m"`` -> 536870912; ``"0"``/``"none"`` -> 0 (no limit)."""
    if value.strip().lower() in _NONE:
        return 0
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
    seconds = seconds_of(value) or 0.0
    if not 0 < seconds <= MAX_SECONDS:  # the OS wait limit
        raise ValueError(f"expected seconds like 300, 90s, 5m or 1h (0 or none: no limit), got {value!r}")
    return seconds


def format_size(size: int) -> str:
    for unit, factor in (("g", 1024 * MIB), ("m", MIB), ("k", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size / MIB:.1f}m" if size >= MIB else f"{size} bytes"


# --- herodo options -----------------------------------------------------------------------------


def _argtype(parse: Any) -> Any:
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = parse.__name__
    return convert


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--sandbox``, ``--sandbox=strict``, ``--allow-env``, ``--max-memory``, ``--script-timeout``."""
    group = parser.add_argument_group("sandbox and limits")
    # "--sandbox=strict" is an option string of its own: argparse matches it before splitting at '='
    group.add_argument("--sandbox", dest="sandbox", action="store_const", const="sandbox", default="trusted",
                       help="for scripts you did not write: no programs, files, environment (but an allow-list), "
                            "binary chunks or debug library; host paths only inside the script's folder")
    group.add_argument("--sandbox=strict", dest="sandbox", action="store_const", const="strict",
                       help="--sandbox, and no binding that changes containers, images or networks")
    group.add_argument("--allow-env", metavar="NAME", action="append", default=[],
                       help="let a sandboxed script read this environment variable (NAME* for a prefix; repeatable)")
    group.add_argument("--max-memory", metavar="SIZE", type=_argtype(parse_size), default=DEFAULT_MAX_MEMORY,
                       help="Lua memory per script, e.g. 256m, 2g (default 512m; 0: no limit)")
    group.add_argument("--script-timeout", metavar="SECONDS", type=_argtype(parse_seconds), default=DEFAULT,
                       help=f"wall time per script, e.g. 300, 5m (default: none; {SANDBOX_SCRIPT_TIMEOUT:g} s "
                            "with --sandbox; 0: no limit)")


class _Default:
    """The mode's default (a script timeout: none when trusted, 300 s in the sandbox)."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()


def limit_options(args: argparse.Namespace) -> dict[str, Any]:
    """``RunOptions`` keyword arguments from parsed ``herodo`` options (the watchdog on: a process)."""
    return {"policy": args.sandbox, "env_allow": tuple(args.allow_env), "max_memory": args.max_memory,
            "script_timeout": args.script_timeout, "watchdog": True}


# --- the watchdog ----------------------------------------------------------------------------------


class Watchdog:
    """Ends the process when a stopped script does not answer (``herodo`` only, main thread only).

    Ctrl-C (seen through ``signal.set_wakeup_fd``, which works while the main thread is stuck in C)
    or the script's deadline starts the count; when the script is still running after ``stuck_after``
    seconds and is not inside a binding (where Python is in control), herodo writes why and exits
    (130 or 124) without cleanup: nothing else can stop a thread stuck in one C call.
    """

    def __init__(self, runtime: Runtime, stuck_after: float = STUCK_AFTER) -> None:
        self.runtime = runtime
        self.stuck_after = stuck_after
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        self.previous_fd = -1
        self.fds: tuple[int, int] | None = None

    def __enter__(self) -> Watchdog:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        self.fds = (read_fd, write_fd)
        self.previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self.thread = threading.Thread(target=self._watch, name="herodo-watchdog", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        signal.set_wakeup_fd(self.previous_fd)
        if self.fds is not None:
            try:
                os.write(self.fds[1], b"\0")  # wake the thread now (its select would wait up to 0.1 s)
            except BlockingIOError:  # (the pipe is full: select returns at once anyway)
                pass
        if self.thread is not None:
            self.thread.join()
        if self.fds is not None:
            for fd in self.fds:
                os.close(fd)

    def _watch(self) -> None:
        assert self.fds is not None
        since: float | None = None
        reason = ""
        while not self.done.is_set():
            ready, _, _ = select.select([self.fds[0]], [], [], 0.1)
            now = time.monotonic()
            if ready and signal.SIGINT in os.read(self.fds[0], 256) and since is None:
                since, reason = now, "interrupted"
            deadline = self.runtime._deadline
            if since is None and deadline is not None and now > deadline:
                since, reason = now, "script timeout"
            if since is not None and now - since > self.stuck_after and not self.runtime._in_binding \
                    and not self.done.is_set():
                self._exit(reason)

    def _exit(self, reason: str) -> None:
        from .errors import EXIT_INTERRUPTED, EXIT_TIMEOUT

        os.write(2, f"herodo: {reason}: the script did not stop within {self.stuck_after:g}s (it is stuck in one "
                    "long call into the Lua library, e.g. a string pattern); exiting without cleanup\n".encode())
        os._exit(EXIT_INTERRUPTED if reason == "interrupted" else EXIT_TIMEOUT)


__all__ = ["DEFAULT_MAX_MEMORY", "SANDBOX_SCRIPT_TIMEOUT", "CLEANUP_MEMORY", "STUCK_AFTER", "DEFAULT", "Watchdog",
           "parse_size", "parse_seconds", "format_size", "add_limit_options", "limit_options"]
