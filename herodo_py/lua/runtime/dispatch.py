"""Binding dispatch: Lua calls a registered global or method, the runtime checks and converts the
arguments, asks the sandbox, runs the binding on the runtime's executor and converts the result;
every failure becomes a :class:`~herodo_py.lua.diagnostics.errors.ScriptError` at the script's line."""

from __future__ import annotations

import time
import types
from collections.abc import Sequence
from typing import Any

from ..convert import BadArgument, name_text, text
from ..diagnostics.errors import ScriptError, ScriptStop
from ..limits import OUTPUT_SHARE, PUSH_RESERVE, format_size
from ..registry import Binding, did_you_mean
from .stop import _TimeLimit


class Dispatch:
    """Binding calls for the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`: it reads the
    runtime's ``registry``, ``checker``, ``to_lua``, ``sandbox``, ``executor``, ``lua``)."""


    def _global_function(self, binding: Binding) -> Any:
        def call(*args: Any) -> Any:
            return self._call(binding, None, args)
        call.__name__ = binding.name
        return call

    def _method(self, binding: Binding) -> types.FunctionType:
        method = self._methods.get(id(binding))
        if method is None:
            def method(obj: Any, *args: Any) -> Any:
                return self._call(binding, obj, args)
            method.__name__ = binding.name
            self._methods[id(binding)] = method
        return method

    def _call(self, binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
        try:
            return self._invoke(binding, obj, args)
        except ScriptError as error:
            _drop_tracebacks(error)
            raise

    def _invoke(self, binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
        from ...nerdctl.executor import OutputLimit  # here: an empty script never loads the library

        self._in_binding += 1
        if self._in_binding == 1:
            self._binding_since = time.monotonic()
        try:
            if self.sandbox is not None:
                self.sandbox.check_binding(binding)
            converted = self.checker.args(binding, args)
            if self.sandbox is not None:
                self.sandbox.check_arguments(binding, converted)
            with self.executor.active(), OutputLimit(self.max_memory // OUTPUT_SHARE or None):
                result = binding.impl(obj, *converted) if binding.owner else binding.impl(*converted)
            return self.to_lua(self._fitting(result, binding.name))
        except BadArgument as exc:
            raise self._located(ScriptError(exc.message, kind="ConversionError", category="BadArgument",
                                            hint=exc.hint, func=binding.name, field=exc.param)) from None
        except ScriptStop:
            raise
        except ScriptError as exc:
            raise self._located(exc)  # noqa: B904 - the binding's own error, located: its cause stays as it was
        except KeyboardInterrupt:
            if self._stop is None:  # (the SIGINT handler already asked: asking again would make it hard)
                self.request_stop("interrupt")
            self._stop_raised()
            raise ScriptStop("interrupted") from None
        except _TimeLimit:
            self._stop_raised()
            raise ScriptStop("script timeout") from None
        except MemoryError:  # LuaMemoryError converting the result: Lua is full
            raise ScriptError("not enough memory", category="OutOfMemory", func=binding.name,
                              hint="raise the limit with --max-memory SIZE, or keep less data in Lua") from None
        except Exception as exc:
            raise self._located(ScriptError.from_exception(exc, binding.name)) from exc
        finally:
            self._in_binding -= 1
            now = self._last_check = time.monotonic()  # time spent here is not slow Lua
            if not self._in_binding:
                self._binding_seconds += now - self._binding_since

    def _binding_time(self, now: float) -> float:
        """Seconds spent in bindings so far (the one running included): the watchdog does not count them."""
        return self._binding_seconds + (now - self._binding_since if self._in_binding else 0.0)

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
        raise self._unknown("unknown global", name, self.registry.names(),
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
    converted arguments (100,000 entries each). An internal error keeps them for ``--debug``."""
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
