"""How a script run ended (:class:`Outcome`), and the friendly failure made from Lua's error values."""

from __future__ import annotations

from ..convert import Mismatch, text
from ..diagnostics.errors import ScriptError, exit_code_for
from ..exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TIMEOUT
from ..limits import format_size

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

    from ..diagnostics import friendly


class Outcome:
    """How a script run ended. ``status``: ok, failed, exit, interrupted, timeout, unreadable."""

    def __init__(self, exit_code: int, status: str = "ok", failure: friendly.Failure | None = None,
                 returned: tuple[Any, ...] = (), duration: float = 0.0) -> None:
        self.exit_code = exit_code
        self.status = status
        self.failure = failure
        self.returned = returned
        self.duration = duration

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    def __repr__(self) -> str:
        return f"Outcome(exit_code={self.exit_code}, status={self.status!r}, failure={self.failure!r})"


def _friendly() -> Any:
    """The friendly-error module, imported only when a script fails."""
    from ..diagnostics import friendly  # here: only a failed script needs it

    return friendly


class Outcomes:
    """Outcome-to-failure for the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`: it reads
    the runtime's ``_stop``, ``_stop_frames``, ``checker``, ``max_memory``, ``script_timeout``)."""

    def _outcome(self, values: tuple[Any, ...]) -> Outcome:
        stop = self._stop
        info = self._failure_info(values[1]) if values[0] is not True and len(values) > 1 else None
        if stop is not None:
            if stop.reason == "exit":
                return Outcome(stop.code, "exit")
            if stop.reason == "timeout":
                frames = self._stop_frames or (self._frames(info[b"frames"]) if hasattr(info, "items") else [])
                return Outcome(EXIT_TIMEOUT, "timeout", self._timeout_failure(frames))
            return Outcome(EXIT_INTERRUPTED, "interrupted")
        if values[0] is True:
            try:
                returned = self.checker.plain_values(values[1:])
            except Mismatch as exc:
                failure = _friendly().Failure(
                    "BAD RETURN VALUE", f"the script returned a value herodo cannot read: {exc.detail}",
                    hint="return nothing, true, or false and a reason; print data you want to keep",
                    exit_code=EXIT_FAILED)
                return Outcome(EXIT_FAILED, "failed", failure)
            if returned and returned[0] is False:
                reason = f": {returned[1]}" if len(returned) > 1 and returned[1] is not None else ""
                failure = _friendly().Failure("SCRIPT RETURNED FALSE", f"the script returned false{reason}",
                                           exit_code=EXIT_FAILED)
                return Outcome(EXIT_FAILED, "failed", failure, returned)
            return Outcome(EXIT_OK, "ok", returned=returned)
        failure = self._failure(info)
        return Outcome(failure.exit_code, "failed", failure)

    def _failure_info(self, raised: Any) -> Any:
        """What the prelude's message handler kept of the failure (value, text, frames), if ``raised``
        (what the script's xpcall returned) is what it handed on; else ``raised`` as it is (an
        out-of-memory error: Lua calls no message handler for it)."""
        last = self._last_failure
        failure = last[b"failure"]
        if failure is not None and self._same(last[b"shown"], raised):
            return failure
        return raised

    def _failure(self, info: Any) -> friendly.Failure:
        """A Failure from what the Lua message handler collected (or a bare error text: out of memory)."""
        if info is None or not hasattr(info, "items"):  # out of memory: Lua called no message handler
            message = text(info) if isinstance(info, bytes) else "(unknown error)"
            return self._memory_failure(_friendly().from_lua_error(message, self._memory_frames(), self.known_names()))
        value = info[b"value"]
        frames = self._frames(info[b"frames"])
        failures = self._parallel_failures(value)
        if failures is not None:
            return self._tasks_failure(value, failures, frames)
        if isinstance(value, ScriptError):
            if value.file is None and frames:  # raised where it could not be located (out of memory)
                value.file, value.line, value.frames = frames[0][0], frames[0][1], frames
            return _friendly().from_script_error(value, exit_code_for(value))
        if isinstance(value, BaseException):  # raised by lupa itself, e.g. calling a Container
            return _friendly().from_python_error(value, frames)
        return self._memory_failure(_friendly().from_lua_error(text(info[b"text"] or b""), frames,
                                                                self.known_names()))

    def _tasks_failure(self, error: Any, failures: Any, frames: list[tuple[str, int, str | None]]) -> friendly.Failure:
        """TASKS FAILED at the ``parallel`` call: each failure with its task; the exit code the failures
        share (69 when every task found the engine unavailable...), else 1."""
        module = _friendly()
        codes = {exit_code_for(f[b"error"]) if isinstance(f[b"error"], ScriptError) else EXIT_FAILED
                 for _, f in failures.items() if not f[b"cancelled"]}
        code = codes.pop() if len(codes) == 1 else EXIT_FAILED
        where = frames[0] if frames else None
        return module.Failure(
            "TASKS FAILED", text(error[b"message"]),
            hint="catch it with pcall(parallel, ...) and read err.failures, or get the failures back with "
                 "parallel(tasks, {raise = false})",
            file=where[0] if where else None, line=where[1] if where else None,
            snippets=[module.Snippet(where[0], where[1], "parallel")] if where else [], callers=frames[1:],
            exit_code=code)

    def _memory_frames(self) -> list[tuple[str, int, str | None]]:
        """Where the hook last saw the script under memory pressure (when Lua says nothing)."""
        try:
            position = self._last_position()
        except Exception:
            return []
        source, line = position if isinstance(position, tuple) else (None, None)
        if isinstance(source, bytes) and source.startswith(b"@") and isinstance(line, int):
            return [(text(source[1:]), line, None)]
        return []

    def _memory_failure(self, failure: friendly.Failure) -> friendly.Failure:
        if failure.title == "OUT OF MEMORY":
            failure.message = (f"the script needed more memory than its limit of {format_size(self.max_memory)}"
                               if self.max_memory else "the script needed more memory than the system could give")
            failure.hint = ("raise the limit with --max-memory SIZE (e.g. 1g; 0: no limit), or keep less data "
                            "in Lua" if self.max_memory else "keep less data in Lua")
        return failure

    def _timeout_failure(self, frames: list[tuple[str, int, str | None]]) -> friendly.Failure:
        """SCRIPT TIMEOUT at the first of ``frames`` (where the hook stopped it, else where it died)."""
        module = _friendly()
        where = frames[0] if frames else None
        limit = f"{self.script_timeout:g}s" if self.script_timeout else "its time limit"
        return module.Failure(
            "SCRIPT TIMEOUT", f"the script ran longer than {limit} and was stopped here",
            hint="raise the limit with --script-timeout SECONDS (0: no limit), or make the script wait less",
            file=where[0] if where else None, line=where[1] if where else None,
            snippets=[module.Snippet(where[0], where[1])] if where else [], callers=frames[1:],
            exit_code=EXIT_TIMEOUT)

    @staticmethod
    def _frames(table: Any) -> list[tuple[str, int, str | None]]:
        frames = []
        for _, frame in sorted(table.items()) if table is not None else ():
            source, line, name = frame[1], frame[2], frame[3]
            if isinstance(source, bytes) and source.startswith(b"@"):
                frames.append((text(source[1:]), int(line), text(name) if isinstance(name, bytes) else None))
        return frames
