"""Binding dispatch: Lua calls a registered global or method, the runtime checks and converts the
arguments, asks the sandbox, runs the binding on the runtime's executor and converts the result;
every failure becomes a :class:`~herodo_py.lua.diagnostics.errors.ScriptError` at the script's line."""

from __future__ import annotations

import time
import types
from collections.abc import Sequence
from typing import Any

from ..convert import BadArgument, text
from ..diagnostics.errors import ScriptError, ScriptStop
from ..registry import Binding, did_you_mean
from .stop import _TimeLimit


def _changing(binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
    """Run a state-changing binding; one that records no ensure outcome is noted in the run's recap as
    a call that runs every time (``herodo --check`` reports it; the recap counts it apart)."""
    from ...nerdctl.desired.recap import current_recap  # here: a state-changing call has loaded the library

    recap = current_recap()
    before = len(recap.outcomes) if recap is not None else 0
    result = binding.impl(obj, *args) if binding.owner else binding.impl(*args)
    if recap is not None and len(recap.outcomes) == before:
        recap.note_call(binding.qualified_name)
    return result


class Dispatch:
    """Binding calls for the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`: it reads the
    runtime's ``registry``, ``checker``, ``to_lua``, ``sandbox``, ``executor``, ``lua``)."""


    def _global_function(self, binding: Binding) -> Any:
        def call(*args: Any) -> Any:
            return self._invoke(binding, None, args)
        call.__name__ = binding.name
        return call

    def _method(self, binding: Binding) -> types.FunctionType:
        method = self._methods.get(id(binding))
        if method is None:
            def method(obj: Any, *args: Any) -> Any:
                return self._invoke(binding, obj, args)
            method.__name__ = binding.name
            self._methods[id(binding)] = method
        return method

    def _invoke(self, binding: Binding, obj: Any, args: Sequence[Any]) -> Any:
        self._in_binding += 1
        try:
            if self.sandbox is not None:
                self.sandbox.check_binding(binding)
            converted = self.checker.args(binding, args)
            if self.sandbox is not None:
                self.sandbox.check_arguments(binding, converted)
            with self.executor.active():
                if binding.changes_state:
                    result = _changing(binding, obj, converted)
                else:
                    result = binding.impl(obj, *converted) if binding.owner else binding.impl(*converted)
            return self._fitting(self.to_lua(result), binding.name)
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
            raise self._script_stop() from None
        except _TimeLimit:
            self._stop_raised()
            raise self._script_stop() from None
        except MemoryError:  # LuaMemoryError converting the result: Lua is full
            raise ScriptError("not enough memory", category="OutOfMemory", func=binding.name,
                              hint="raise the limit with --max-memory SIZE, or keep less data in Lua") from None
        except Exception as exc:
            raise self._located(ScriptError.from_exception(exc, binding.name)) from exc
        finally:
            self._in_binding -= 1
            self._last_check = time.monotonic()  # time spent here is not slow Lua

    def _fitting(self, value: Any, func: str) -> Any:
        """``value`` if Lua has room for it. lupa pushes a returned string outside any protected
        call: one over the memory limit would unwind through lupa and deadlock it on the GIL."""
        if self.max_memory and isinstance(value, (bytes, str)):
            room = self.max_memory - self.lua.get_memory_used() - 65536
            if len(value) * (1 if isinstance(value, bytes) else 4) > room:
                raise ScriptError(f"not enough memory for the {len(value)}-byte result of {func}",
                                  category="OutOfMemory", func=func,
                                  hint="raise the limit with --max-memory SIZE, or ask for less at once")
        return value

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
        name = text(key)
        raise self._unknown("unknown global", name, self.registry.names(),
                            hint="nerdctl_* names are herodo's bindings; probe optional ones with rawget(_G, name)")

    def _record_miss(self, type_key: bytes, key: bytes) -> None:
        ltype = self.registry.types[text(type_key)]
        name = text(key)
        fields = self.registry.fields_of(ltype)
        if name in fields:
            return None
        raise self._unknown(f"{ltype.name} has no field", name, list(fields),
                            hint=f"its fields: {', '.join(fields)}")
