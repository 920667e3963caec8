"""Binding dispatch: Lua calls a registered global or method, the runtime checks and converts the
arguments, asks the sandbox, runs the binding on the runtime's executor and converts the result;
every failure becomes a :class:`~herodo_py.lua.diagnostics.errors.ScriptError` at the script's line."""

from __future__ import annotations

import functools
import time
import types
from collections.abc import Callable, Sequence
from contextlib import ExitStack, nullcontext

from ...recap_slot import current_recap
from ..convert import BadArgument, name_text, text
from ..diagnostics.errors import ScriptError, ScriptStop
from ..limits import OUTPUT_SHARE, PUSH_RESERVE, format_size
from ..registry import Binding, did_you_mean
from .stop import _TimeLimit

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


_NOTHING = nullcontext()


def _call(binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
    """Run a binding with its converted arguments. A state-changing one that records no ensure outcome is
    noted in the run's recap as a call that runs every time (``herodo --check`` reports it; the recap counts
    it apart)."""
    if not binding.changes_state:
        return binding.impl(obj, *args) if binding.owner else binding.impl(*args)
    recap = current_recap()
    before = len(recap.outcomes) if recap is not None else 0
    result = binding.impl(obj, *args) if binding.owner else binding.impl(*args)
    if recap is not None and len(recap.outcomes) == before:
        recap.note_call(binding.qualified_name)
    return result


class Dispatch:
    """Binding calls for the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`: it reads the
    runtime's ``registry``, ``binding_names``, ``checker``, ``to_lua``, ``sandbox``, ``executor``, ``lua``)."""


    def _global_function(self, binding: Binding) -> Any:
        """The Lua global of ``binding``: a Python function, or for one that waits a Lua wrapper that runs
        it in a worker when a ``parallel`` task calls it (:mod:`herodo_py.lua.runtime.tasks`)."""
        def call(*args: Any) -> Any:
            return self._invoke(binding, None, args)
        call.__name__ = binding.name
        if not binding.waits:
            return call

        def start(index: int, *args: Any) -> None:
            self._task_start(binding, index, None, args)
        return self._waiting(call, start)

    def _method(self, binding: Binding) -> types.FunctionType:
        method = self._methods.get(id(binding))
        if method is None:
            def method(obj: Any, *args: Any) -> Any:
                return self._invoke(binding, obj, args)
            method.__name__ = binding.name
            self._methods[id(binding)] = method
        return method

    def _bound_method(self, binding: Binding, obj: Any) -> Any:
        """``obj.name`` for Lua: a bound Python method, or for one that waits a Lua closure that runs it
        in a worker when a ``parallel`` task calls it."""
        if not binding.waits:
            return types.MethodType(self._method(binding), obj)
        invoke = self._waiting_methods.get(id(binding))
        if invoke is None:
            def start(index: int, obj: Any, *args: Any) -> None:
                self._task_start(binding, index, obj, args)
            invoke = self._waiting_methods[id(binding)] = self._waiting(self._method(binding), start)
        return self._bind(invoke, obj)

    def _invoke(self, binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
        """A binding called in place: checked, converted, run on the runtime's executor, its result converted
        for Lua; a failure's Python frames are dropped (kept with ``--debug``)."""
        try:
            return self._binding_call(binding, self._in_place, binding, obj, args)
        except ScriptError as error:
            if not self.debug:
                _drop_tracebacks(error)
            raise

    def _in_place(self, binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
        """The call's work (every engine call's path: without a sandbox, no closure or context it does not
        need; each layer on it costs a call after an engine's wait more than its own time, issue 17)."""
        if self.sandbox is not None:
            call = self._prepared(binding, obj, args)
            with self._serving(), self._host_policy_for(binding):
                result = call()
        else:
            converted = self.checker.args(binding, args)
            with self._serving():
                if binding.host:
                    with self.host_policy.active():
                        result = _call(binding, obj, converted)
                else:
                    result = _call(binding, obj, converted)
        return self.to_lua(self._fitting(result, binding.name))

    def _host_policy_for(self, binding: Binding) -> Any:
        """The runtime's host policy made current for a binding that runs host code; nothing for the others
        (the engine library never reads it: a first engine call does not load :mod:`herodo_py.host`)."""
        return self.host_policy.active() if binding.host else _NOTHING

    def _serving(self) -> Any:
        """The runtime's executor made current, with the engine output a binding may read
        (:meth:`~herodo_py.nerdctl.executor.Executor.serving`): its copies on the way into Lua are outside
        Lua's memory limit."""
        return self.executor.serving(self.max_memory // OUTPUT_SHARE or None)

    def _binding_call(self, binding: Binding, step: Callable[..., Any], *step_args: Any) -> Any:
        """Run ``step(*step_args)`` (a binding's work in the script's thread) as a binding: Ctrl-C and the
        time limit interrupt it, the watchdog knows Python is in control, and a failure becomes what Lua
        gets."""
        self._in_binding += 1
        if self._in_binding == 1:
            self._binding_since = time.monotonic()
        try:
            stop = self._stop
            if stop is not None and not stop.raised:
                # asked for (Ctrl-C, the time limit) after the hook's last poll and before this call counted as
                # a binding (the handler only asks then): raised now, not after a wait that may be long
                raise KeyboardInterrupt if stop.reason == "interrupt" else _TimeLimit
            return step(*step_args)
        except BaseException as exc:
            error, cause = self._binding_failure(binding, exc)
            raise error from cause
        finally:
            self._in_binding -= 1
            now = self._last_check = time.monotonic()  # time spent here is not slow Lua
            if not self._in_binding:
                self._binding_seconds += now - self._binding_since

    def _binding_time(self, now: float) -> float:
        """Seconds spent in bindings so far (the one running included): the watchdog does not count them."""
        return self._binding_seconds + (now - self._binding_since if self._in_binding else 0.0)

    def _prepared(self, binding: Binding, obj: Any, args: Sequence[Any]) -> Callable[[], Any]:
        """The sandbox's checks and the arguments' conversion (here, in the script's thread): the library
        call left to make, with plain Python values only."""
        if self.sandbox is not None:
            self.sandbox.check_binding(binding)
        converted = self.checker.args(binding, args)
        if self.sandbox is None:
            return functools.partial(_call, binding, obj, converted)
        pins = ExitStack()  # the sandbox's pinned host paths, held until the call returns (in whichever thread)
        with self.executor.active():
            converted = pins.enter_context(self.sandbox.arguments(binding, converted))

        def call() -> Any:
            with pins:
                return _call(binding, obj, converted)
        return call

    def _binding_failure(self, binding: Binding, exc: BaseException) -> tuple[BaseException, BaseException | None]:
        """What a binding's failure raises into Lua, and its ``__cause__``: a located ScriptError, or
        ScriptStop for a stop (Ctrl-C, the time limit)."""
        if isinstance(exc, BadArgument):
            return self._located(ScriptError(exc.message, kind="ConversionError", category="BadArgument",
                                             hint=exc.hint, func=binding.name, field=exc.param)), None
        if isinstance(exc, ScriptStop):
            return exc, exc.__cause__
        if isinstance(exc, ScriptError):  # the binding's own error, located: its cause stays as it was
            return self._located(exc), exc.__cause__
        if isinstance(exc, KeyboardInterrupt):
            if self._stop is None:  # (the SIGINT handler already asked: asking again would make it hard)
                self.request_stop("interrupt")
            self._stop_raised()
            return self._script_stop(), None
        if isinstance(exc, _TimeLimit):
            self._stop_raised()
            return self._script_stop(), None
        if isinstance(exc, MemoryError):  # LuaMemoryError converting the result: Lua is full
            return ScriptError("not enough memory", category="OutOfMemory", func=binding.name,
                               hint="raise the limit with --max-memory SIZE, or keep less data in Lua"), None
        if type(exc).__name__ == "TaskCancelled":  # (herodo_py.nerdctl.concurrency: its scope was cancelled)
            return self._located(ScriptError(str(exc), category="Cancelled", func=binding.name)), None
        if not isinstance(exc, Exception):  # (SystemExit, GeneratorExit...: not a binding's to turn into an error)
            return exc, exc.__cause__
        return self._located(ScriptError.from_exception(exc, binding.name)), exc

    def _fitting(self, value: Any, func: str) -> Any:
        """``value`` (a Python value about to cross into Lua) if Lua has room for it, else a friendly
        OutOfMemory error. lupa pushes values outside any protected call: one over the memory limit
        would unwind Lua's error through Python frames and leave lupa's lock held (herodo hangs)."""
        if self.max_memory:
            need = self.to_lua.lua_size(value) + PUSH_RESERVE
            if need > self._room():
                self._collect_garbage()
                if need > self._room():
                    raise ScriptError(f"not enough memory for the result of {func} (about {format_size(need)} "
                                      f"needed, {format_size(max(self._room(), 0))} left under the limit)",
                                      category="OutOfMemory", func=func,
                                      hint="raise the limit with --max-memory SIZE, or ask for less at once")
        return value

    def _room(self) -> int:
        return self.max_memory - self.lua.get_memory_used()

    def _located(self, error: ScriptError) -> ScriptError:
        """Attach the script position (innermost script frame first) to ``error``."""
        if error.file is None:
            try:
                frames = self._locate()
            except Exception:  # never let locating hide the error itself
                frames = []
            if frames:
                error.file, error.line = frames[0][0], frames[0][1]
                error.frames = frames
        return error

    def _unknown(self, what: str, name: str, candidates: Sequence[str], *, hint: str | None = None) -> ScriptError:
        guess = did_you_mean(name, candidates)
        return self._located(ScriptError(
            f"{what} '{name}'", kind="Other", category="UnknownName", func=name,
            hint=f"did you mean '{guess}'?" if guess else hint, field=name))

    def _global_miss(self, key: bytes) -> None:
        name = name_text(key)
        raise self._unknown("unknown global", name, self.binding_names(),
                            hint="nerdctl_* names are herodo's bindings; probe optional ones with rawget(_G, name)")

    def _record_miss(self, type_key: bytes, key: bytes) -> None:
        ltype = self.registry.types[text(type_key)]
        name = name_text(key)
        fields = self.registry.fields_of(ltype)
        if name in fields:
            return None
        raise self._unknown(f"{ltype.name} has no field", name, list(fields),
                            hint=f"its fields: {', '.join(fields)}")


def _drop_tracebacks(error: ScriptError) -> None:
    """Forget the Python frames of ``error`` and the exceptions behind it: Lua holds a caught error as
    long as the script keeps it (its collector does not see Python memory), and those frames hold the
    converted arguments (100,000 entries each). An internal error keeps them (``--debug`` keeps them all)."""
    if error.category == "InternalError":
        return
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        exc.__traceback__ = None
        pending += [exc.__cause__, exc.__context__]
