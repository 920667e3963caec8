"""The stop protocol: Ctrl-C, the time limit and ``os.exit`` end a script through one :class:`Stop`.

The prelude's count hook polls :meth:`StopControl._check` at most every :data:`HOOK_COUNT` Lua
instructions; a stop is raised once (``STOP`` travels up through ``pcall`` and coroutines) and then
cleanup (``<close>`` variables) gets :data:`STOP_GRACE` seconds of CPU before every instruction fails.
A binding that waits is interrupted by the signal handlers (the executor kills its engine command).
"""

from __future__ import annotations

import _signal  # the C module: ``signal`` builds its enums at import (some 4 ms of every start-up)
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from ..convert import type_name
from ..diagnostics.errors import ScriptError, ScriptStop
from ..exit_codes import EXIT_INTERRUPTED, EXIT_TIMEOUT
from .watchdog import Watchdog

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

HOOK_COUNT = 1_000  # at most this many Lua instructions between two polls of the host (Ctrl-C, time limit)
SLOW_COUNT = 10  # the count of a new coroutine, and after a slow poll (instructions on big strings or tables)
SLOW_GAP = 0.05  # seconds between two polls that make the count SLOW_COUNT; it grows x10 per poll 10 times faster
STOP_GRACE = 0.5  # seconds of CPU a stopping script may spend in cleanup before every instruction fails


class _TimeLimit(BaseException):
    """Raised by the alarm inside a binding that waits when the script's time is up (not an
    ``Exception``: library code does not catch it; the executor kills its engine command)."""


class Stop:
    """Why the script must stop: ``exit`` (os.exit), ``interrupt`` (Ctrl-C) or ``timeout``.

    Once the stop is raised (on its way up the script's stack), cleanup has :data:`STOP_GRACE`
    seconds of CPU time before every instruction fails: counted from then, not from the request,
    and in CPU time, not wall time, so that neither a busy machine nor the engine commands cleanup
    waits for (removing a container) spend it, while a runaway loop does. ``os.exit`` has no grace
    limit (the script chose to stop).
    """

    __slots__ = ("reason", "code", "raised", "hard", "grace_until")

    def __init__(self, reason: str, *, code: int = 0, raised: bool = False, hard: bool = False) -> None:
        self.reason = reason
        self.code = code
        self.raised = raised
        self.hard = hard
        self.grace_until: float | None = None  # in time.process_time()

    def mark_raised(self) -> None:
        if not self.raised:
            self.raised = True
            if self.reason != "exit":
                self.grace_until = time.process_time() + STOP_GRACE

    def grace_spent(self) -> bool:
        return self.hard or (self.grace_until is not None and time.process_time() > self.grace_until)

    def described(self, script_timeout: float | None) -> tuple[str, int, str]:
        """What a script's cleanup is told: kind (``interrupted``, ``exit``, ``timeout``), the exit
        code herodo ends with, and the text (``interrupted (Ctrl-C)``, ``os.exit(3)``,
        ``script timeout after 2 s``)."""
        if self.reason == "exit":
            return "exit", self.code, f"os.exit({self.code})"
        if self.reason == "timeout":
            limit = f" after {script_timeout:g} s" if script_timeout else ""
            return "timeout", EXIT_TIMEOUT, f"script timeout{limit}"
        return "interrupted", EXIT_INTERRUPTED, "interrupted (Ctrl-C)"


class StopControl:
    """The Runtime's stop protocol (a part of :class:`~herodo_py.lua.runtime.Runtime`: it reads the
    runtime's ``_stop``, ``_deadline``, ``_last_check``, ``hook_count``, ``_in_binding``, ``_quiet``)."""


    def _check(self, count: int | None = None) -> int:
        """The hook's poll: 0 go on, 1 raise STOP once, 2 fail on every instruction, -N poll every
        N instructions from now on (``count``: the current count of the polling coroutine)."""
        if self._quiet:
            return 0
        now = time.monotonic()
        gap, self._last_check = now - self._last_check, now
        stop = self._stop
        if stop is None:
            if self._deadline is None or now < self._deadline:
                return self._pace(gap, count or self.hook_count)
            stop = self._stop = Stop("timeout")
        if stop.grace_spent():
            return 2
        if not stop.raised:
            self._stop_raised()
            return 1
        return 0

    def _pace(self, gap: float, count: int) -> int:
        """0, or -N: poll every N instructions (fewer after a slow poll, more after fast ones)."""
        if gap > SLOW_GAP:
            wanted = SLOW_COUNT
        elif gap < SLOW_GAP / 10:
            wanted = min(count * 10, self.hook_count)
        else:
            wanted = count
        return 0 if wanted == count else -wanted

    def _stop_raised(self) -> None:
        """The stop is on its way up (from the hook, a binding or a failed pcall): the hook does not
        raise it again, so the script's cleanup (<close> handlers) gets the grace period. A time
        limit remembers where the script was."""
        stop = self._stop
        if stop is not None and not stop.raised:
            if stop.reason == "timeout":
                self._stop_frames = self._stop_frames or self._where()
            stop.mark_raised()

    def _stopping(self) -> bool:
        """Asked by pcall when its call failed: during a stop, the stop is raised in its place."""
        if self._stop is None:
            return False
        self._stop_raised()
        return True

    def _stop_info(self) -> tuple[bytes, int, bytes] | None:
        """(kind, code, text) of the stop under way, for the prelude's STOP value (else nothing)."""
        if self._stop is None:
            return None
        kind, code, text = self._stop.described(self.script_timeout)
        return kind.encode(), code, text.encode()

    def _script_stop(self) -> ScriptStop:
        """The stop under way as a binding raises it into Lua (its fields are STOP's)."""
        kind, code, text = self._stop.described(self.script_timeout) if self._stop is not None \
            else ("interrupted", EXIT_INTERRUPTED, "interrupted (Ctrl-C)")
        return ScriptStop(text, kind=kind, code=code)

    def request_stop(self, reason: str, *, hard: bool = False) -> None:
        """Stop the script (``interrupt`` or ``timeout``); a second interrupt makes it hard."""
        if self._stop is not None and self._stop.reason == reason:
            self._stop.hard = True
        else:
            self._stop = Stop(reason, hard=hard)

    def _exit(self, code: Any = None) -> None:
        if code is None or code is True:
            number = 0
        elif code is False:
            number = 1
        elif isinstance(code, (int, float)) and float(code).is_integer():
            number = int(code)
        else:
            raise self._located(ScriptError(
                f"bad argument #1 to 'exit' (integer or boolean expected, got {type_name(code, self.registry)})",
                kind="ConversionError", category="BadArgument", func="exit"))
        if self._stop is None:
            self._stop = Stop("exit", code=number, raised=True)

    def _starting_command(self) -> bool:
        """A command (engine or host) is being started: raising now would leave it without a handle
        to kill it; the stop is deferred (the start raises it once it has one: herodo_py.processes)."""
        guard = self._start_guard  # (none made: no command was ever started)
        if guard is not None and guard.starting > 0:
            guard.deferred = True
            return True
        return False

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.request_stop("interrupt")
        if self._in_binding and not self._starting_command():
            raise KeyboardInterrupt  # a waiting command is killed by the executor (or herodo_py.host)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self._stop is None:
            self._stop = Stop("timeout")
        if self._in_binding and self._stop.reason == "timeout" and not self._stop.raised \
                and not self._starting_command():
            raise _TimeLimit  # a binding that waits (its command is killed by the executor or herodo_py.host)

    def _locate(self) -> list[tuple[str, int, str | None]]:
        """The script frames running now, innermost first. The hook stays quiet meanwhile: a stop
        raised inside this host call would be spent here instead of in the script."""
        self._quiet += 1
        try:
            return self._frames(self._locate_lua())
        finally:
            self._quiet -= 1

    def _where(self) -> list[tuple[str, int, str | None]]:
        """The script frames running now (innermost first); empty if they cannot be read."""
        try:
            return self._locate()
        except Exception:
            return []

    @contextmanager
    def _running(self) -> Iterator[None]:
        """While a script runs: its deadline; in the main thread Ctrl-C and alarm handlers, the watchdog."""
        self._deadline = time.monotonic() + self.script_timeout if self.script_timeout else None
        with ExitStack() as stack:
            try:
                stack.enter_context(_handler(_signal.SIGINT, self._on_sigint))
                main = True
            except ValueError:  # not the main thread: only there can signal handlers be set
                main = False
            if main:
                if self._deadline is not None:
                    stack.enter_context(_handler(_signal.SIGALRM, self._on_alarm))
                    _signal.setitimer(_signal.ITIMER_REAL, max(self._deadline - time.monotonic(), 0.001))
                    stack.callback(_signal.setitimer, _signal.ITIMER_REAL, 0)
                if self.watchdog:
                    stack.enter_context(Watchdog(self))
            try:
                yield
            finally:
                self._deadline = None


@contextmanager
def _handler(signum: int, handler: Any) -> Iterator[None]:
    """A signal handler for the duration of a script run (main thread only)."""
    previous = _signal.signal(signum, handler)
    try:
        yield
    finally:
        _signal.signal(signum, previous)
