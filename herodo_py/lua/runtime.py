"""One Lua 5.4 runtime per script, with the registry's bindings and a standard library set per mode.

``Runtime().run_file("deploy.lua", ["arg1"])`` returns an :class:`Outcome` (exit code, and a
:class:`~herodo_py.lua.friendly.Failure` when the script failed); it never raises for a script's own
failure.

What a script can reach: the Lua standard library as the mode's :class:`StdlibPolicy` leaves it, the
registry's globals, and registered objects (``Container``, errors) through an explicit per-type
whitelist (lupa ``attribute_handlers``, which also take over item access). No ``python`` global,
no eval, no builtins; results cross as Lua values and nothing else (no generator, frame or module).

``print``, ``io.write``, ``io.stdout``/``io.stderr`` go through ``sys.stdout``/``sys.stderr``.
``os.exit(n)`` ends the script with exit code ``n`` (``<close>`` variables and herodo's cleanup still
run). Ctrl-C stops the script, pure-Lua loops included (a count hook polls the host), and kills an
engine command it is waiting on. ``require`` finds modules next to the script; ``arg`` holds the
script path (``arg[0]``) and its arguments; a ``#!`` first line is accepted.

Modes (``policy``): ``trusted`` (the whole standard library), ``sandbox`` and ``strict``
(:mod:`herodo_py.lua.sandbox`). Limits in every mode (:mod:`herodo_py.lua.limits`): ``max_memory``
(default 512 MiB), ``script_timeout`` (default: the mode's), both reported at the script's line.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import types
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple, Sequence

from .convert import BadArgument, Checker, ToLua, lua_bytes, text, type_name
from .errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    LUA_FIELDS,
    ScriptError,
    ScriptStop,
    exit_code_for,
)
from .limits import CLEANUP_MEMORY, DEFAULT, DEFAULT_MAX_MEMORY, SANDBOX_SCRIPT_TIMEOUT, Watchdog, format_size
from .prelude import PRELUDE
from .registry import Binding, FieldDef, Registry, did_you_mean

if TYPE_CHECKING:
    from . import friendly

HOOK_COUNT = 1_000  # at most this many Lua instructions between two polls of the host (Ctrl-C, time limit)
SLOW_COUNT = 10  # the count of a new coroutine, and after a slow poll (instructions on big strings or tables)
SLOW_GAP = 0.05  # seconds between two polls that make the count SLOW_COUNT; it grows x10 per poll 10 times faster
STOP_GRACE = 0.5  # seconds of CPU a stopping script may spend in cleanup before every instruction fails
HOST_CHUNK = b"=herodo"


class StdlibPolicy(NamedTuple):
    """What a mode leaves of the Lua standard library.

    ``remove``: dotted names set to nil after set-up (``"os.execute"``, ``"io"``, ``"debug"``).
    ``search_default_path``: ``require`` also searches Lua's default paths after the script's folder.
    ``sandbox``: the restrictions of :mod:`herodo_py.lua.sandbox`; ``strict``: no state-changing binding.
    ``script_timeout``: the default wall-time limit in seconds (``None``: none).
    """

    name: str
    remove: tuple[str, ...] = ()
    search_default_path: bool = True
    sandbox: bool = False
    strict: bool = False
    script_timeout: float | None = None


POLICIES: dict[str, StdlibPolicy] = {
    # Trusted ops scripts: the whole standard library; os.exit is routed through herodo.
    "trusted": StdlibPolicy("trusted"),
    # Scripts you did not write: no programs, files, Python, bytecode or debug; bindings stay.
    "sandbox": StdlibPolicy("sandbox", search_default_path=False, sandbox=True,
                            script_timeout=SANDBOX_SCRIPT_TIMEOUT),
    # The same, reading only: bindings that change containers, images or networks are removed.
    "strict": StdlibPolicy("strict", search_default_path=False, sandbox=True, strict=True,
                           script_timeout=SANDBOX_SCRIPT_TIMEOUT),
}

ERROR_TYPE = "Error"


def base_registry() -> Registry:
    """A registry holding only the host's own types (the error object)."""
    registry = Registry()
    registry.type(ERROR_TYPE, "object", "An error raised by a binding (caught with pcall).",
                  python="herodo_py.lua.errors:ScriptError",
                  fields=[FieldDef(name, "any") for name in LUA_FIELDS])
    return registry


def default_registry() -> Registry:
    """The host's types plus every bindings module (``herodo_py.lua.bindings``)."""
    from .bindings import register_all

    registry = base_registry()
    register_all(registry)
    return registry


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
    from . import friendly

    return friendly


def prepare_source(source: bytes) -> bytes:
    """Drop a UTF-8 BOM and turn a ``#!`` (or any ``#``) first line into a comment, keeping lines."""
    if source.startswith(b"\xef\xbb\xbf"):
        source = source[3:]
    if source.startswith(b"#"):
        source = b"--" + source[1:]
    return source


class Runtime:
    """A fresh Lua state with the bindings of ``registry`` (the default: every bindings module)."""

    def __init__(self, registry: Registry | None = None, *, policy: str | StdlibPolicy = "trusted",
                 max_memory: int | None = DEFAULT_MAX_MEMORY, script_timeout: float | None = DEFAULT,
                 env_allow: Sequence[str] = (), watchdog: bool = False, hook_count: int = HOOK_COUNT) -> None:
        """``max_memory``: bytes of Lua memory (``None`` or 0: no limit). ``script_timeout``: seconds
        per script or call (``None`` or 0: none; default: the policy's). ``env_allow``: more variables
        a sandboxed ``os.getenv`` reads. ``watchdog``: end the process when a stopped script hangs in
        C (:class:`~herodo_py.lua.limits.Watchdog`; for the ``herodo`` command only)."""
        from lupa import lua54

        self.registry = registry if registry is not None else default_registry()
        self.policy = POLICIES[policy] if isinstance(policy, str) else policy
        self.script_timeout = self.policy.script_timeout if script_timeout is DEFAULT else script_timeout or None
        self.max_memory = max_memory or 0
        self.watchdog = watchdog
        self.checker = Checker(self.registry)
        self.lua = lua54.LuaRuntime(
            register_eval=False, register_builtins=False, encoding=None, unpack_returned_tuples=True,
            attribute_handlers=(self._get_attr, self._set_attr), max_memory=self.max_memory,
        )
        self._stop: Stop | None = None
        self._stop_frames: list[tuple[str, int, str | None]] = []
        self._deadline: float | None = None
        self._last_check = time.monotonic()
        self.hook_count = hook_count
        self._in_binding = 0
        self._quiet = 0  # inside a host call into Lua (locating): the hook does nothing
        self._methods: dict[int, types.FunctionType] = {}
        helpers = {
            b"first_count": min(SLOW_COUNT, hook_count), b"check": self._check, b"stopping": self._stopping,
            b"write": self._writer("stdout"), b"write_err": self._writer("stderr"), b"exit": self._exit,
            b"global_miss": self._global_miss, b"record_miss": self._record_miss,
        }
        api = self.lua.execute(PRELUDE, self.lua.table_from(helpers), name=HOST_CHUNK)
        self._compile, self._run, self._locate_lua = api[b"compile"], api[b"run"], api[b"locate"]
        self._last_position = api[b"last_position"]
        self.to_lua = ToLua(self.lua, self.registry, api[b"make_record"])
        globals_ = self.lua.globals()
        for name, binding in self.registry.functions.items():
            globals_[lua_bytes(name)] = self._global_function(binding)
        from ..host.policy import HostPolicy
        from .host_stdlib import install as install_host_stdlib

        self.host_policy = HostPolicy.sandboxed(None) if self.policy.sandbox else HostPolicy()
        self.host_policy.stop_requested = self._stop_requested
        install_host_stdlib(self)  # os.execute, io.popen, retry, JSON (before a sandbox strips)
        for dotted in self.policy.remove:
            api[b"remove"](lua_bytes(dotted))
        self.sandbox = None
        if self.policy.sandbox:
            from .sandbox import Sandbox

            self.sandbox = Sandbox(strict=self.policy.strict, env_allow=env_allow)
            self.sandbox.install(self.lua, self._located, self._fitting)

    # -- running ---------------------------------------------------------------------------

    def run_file(self, path: str, args: Sequence[str] = ()) -> Outcome:
        """Run the script at ``path`` with ``args`` (``arg[1..n]`` and ``...``)."""
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as exc:
            failure = _friendly().Failure("CANNOT READ SCRIPT", f"{path}: {exc.strerror or exc}",
                                       hint="check the path and its permissions", exit_code=EXIT_USAGE)
            return Outcome(EXIT_USAGE, "unreadable", failure)
        return self.run_source(source, path, args)

    def run_source(self, source: bytes | str, path: str, args: Sequence[str] = ()) -> Outcome:
        """Run Lua ``source`` as if read from ``path`` (its folder is where ``require`` looks)."""
        started = time.monotonic()
        data = prepare_source(source.encode() if isinstance(source, str) else source)
        self._prepare_script(path, args)
        chunk = self._compile(data, lua_bytes("@" + path))
        if isinstance(chunk, tuple):  # (nil, message)
            failure = _friendly().from_syntax_error(text(chunk[1]), path)
            return Outcome(failure.exit_code, "failed", failure, duration=time.monotonic() - started)
        outcome = self.call(chunk, *(lua_bytes(a) for a in args))
        outcome.duration = time.monotonic() - started
        return outcome

    def call(self, function: Any, *args: Any) -> Outcome:
        """Call a Lua function of this runtime the way a script runs: Ctrl-C, the time limit and
        failures handled alike (``herodo test`` runs each test function through it)."""
        started = time.monotonic()
        self._stop_frames = []
        with self._running():
            try:
                result = self._run(self._soft_limit_kb(), function, *args)
            except MemoryError:  # LuaMemoryError: no room left to even start
                result = (False, b"not enough memory")
        outcome = self._outcome(result if isinstance(result, tuple) else (result,))
        outcome.duration = time.monotonic() - started
        return outcome

    def _soft_limit_kb(self) -> float | None:
        """The memory limit the hook enforces: a reserve below the hard one, left for cleanup."""
        if not self.max_memory:
            return None
        return (self.max_memory - min(CLEANUP_MEMORY, self.max_memory // 8)) / 1024

    def _prepare_script(self, path: str, args: Sequence[str]) -> None:
        globals_ = self.lua.globals()
        arg = {0: lua_bytes(path), -1: b"herodo"}
        arg.update({i + 1: lua_bytes(a) for i, a in enumerate(args)})
        globals_[b"arg"] = self.lua.table_from(arg)
        if self.sandbox is not None:
            self.sandbox.set_script(path)
            self.host_policy = type(self.host_policy).sandboxed(self.sandbox.real_folder)
            self.host_policy.stop_requested = self._stop_requested
            return
        package = globals_[b"package"]
        if package is not None:
            folder = os.path.dirname(path)
            prefix = f"{folder}/" if folder else ""
            local = f"{prefix}?.lua;{prefix}?/init.lua"
            default = text(package[b"path"]) if self.policy.search_default_path else ""
            package[b"path"] = lua_bytes(f"{local};{default}" if default else local)

    def _outcome(self, values: tuple[Any, ...]) -> Outcome:
        stop = self._stop
        info = values[1] if values[0] is not True and len(values) > 1 else None
        if stop is not None:
            if stop.reason == "exit":
                return Outcome(stop.code, "exit")
            if stop.reason == "timeout":
                frames = self._stop_frames or (self._frames(info[b"frames"]) if hasattr(info, "items") else [])
                return Outcome(EXIT_TIMEOUT, "timeout", self._timeout_failure(frames))
            return Outcome(EXIT_INTERRUPTED, "interrupted")
        if values[0] is True:
            returned = tuple(self.checker.plain(v) for v in values[1:])
            if returned and returned[0] is False:
                reason = f": {returned[1]}" if len(returned) > 1 and returned[1] is not None else ""
                failure = _friendly().Failure("SCRIPT RETURNED FALSE", f"the script returned false{reason}",
                                           exit_code=EXIT_FAILED)
                return Outcome(EXIT_FAILED, "failed", failure, returned)
            return Outcome(EXIT_OK, "ok", returned=returned)
        failure = self._failure(info)
        return Outcome(failure.exit_code, "failed", failure)

    def _failure(self, info: Any) -> friendly.Failure:
        """A Failure from what the Lua message handler collected (or a bare error text: out of memory)."""
        if info is None or not hasattr(info, "items"):  # out of memory: Lua called no message handler
            message = text(info) if isinstance(info, bytes) else "(unknown error)"
            return self._memory_failure(_friendly().from_lua_error(message, self._memory_frames(), self.known_names()))
        value = info[b"value"]
        frames = self._frames(info[b"frames"])
        if isinstance(value, ScriptError):
            if value.file is None and frames:  # raised where it could not be located (out of memory)
                value.file, value.line, value.frames = frames[0][0], frames[0][1], frames
            return _friendly().from_script_error(value, exit_code_for(value))
        if isinstance(value, BaseException):  # raised by lupa itself, e.g. calling a Container
            return _friendly().from_python_error(value, frames)
        return self._memory_failure(_friendly().from_lua_error(text(info[b"text"] or b""), frames,
                                                                self.known_names()))

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

    def known_names(self) -> list[str]:
        """Global names for did-you-mean: the script's globals (standard library included) and bindings."""
        names = [text(k) for k in self.lua.globals().keys() if isinstance(k, bytes)]
        return [*dict.fromkeys([*names, *self.registry.names()])]

    # -- stopping --------------------------------------------------------------------------

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

    def _stop_requested(self) -> bool:
        return self._stop is not None

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.request_stop("interrupt")
        if self._in_binding and not self.host_policy.starting:  # (a host command being started: see host.process)
            raise KeyboardInterrupt  # a waiting engine command is killed by the executor

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self._stop is None:
            self._stop = Stop("timeout")
        if self._in_binding and self._stop.reason == "timeout" and not self._stop.raised \
                and not self.host_policy.starting:
            raise _TimeLimit  # a binding that waits (an engine command is killed by the executor)

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
        main = threading.current_thread() is threading.main_thread()
        with ExitStack() as stack:
            stack.enter_context(self.host_policy.active())
            if main:
                stack.enter_context(_handler(signal.SIGINT, self._on_sigint))
                if self._deadline is not None:
                    stack.enter_context(_handler(signal.SIGALRM, self._on_alarm))
                    signal.setitimer(signal.ITIMER_REAL, max(self._deadline - time.monotonic(), 0.001))
                    stack.callback(signal.setitimer, signal.ITIMER_REAL, 0)
                if self.watchdog:
                    stack.enter_context(Watchdog(self))
            try:
                yield
            finally:
                self._deadline = None

    # -- bindings --------------------------------------------------------------------------

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
            result = binding.impl(obj, *converted) if binding.owner else binding.impl(*converted)
            return self._fitting(self.to_lua(result), binding.name)
        except BadArgument as exc:
            raise self._located(ScriptError(exc.message, kind="ConversionError", category="BadArgument",
                                            hint=exc.hint, func=binding.name, field=exc.param)) from None
        except ScriptStop:
            raise
        except ScriptError as exc:
            raise self._located(exc)
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

    # -- attribute whitelist ---------------------------------------------------------------

    def _get_attr(self, obj: Any, key: Any) -> Any:
        ltype = self.registry.type_of(obj)
        name = text(key) if isinstance(key, (bytes, str)) else None
        if ltype is None or ltype.kind != "object":
            what = "function" if callable(obj) else type_name(obj, self.registry)
            raise self._located(ScriptError(f"a {what} value has no field {_show_key(key)}", category="UnknownName",
                                            func=name))
        if name is not None:
            binding = ltype.methods.get(name)
            if binding is not None:
                return types.MethodType(self._method(binding), obj)
            fields = self.registry.fields_of(ltype, obj)
            if name in fields:
                try:
                    return self._fitting(self.to_lua(getattr(obj, name, None)), name)
                except Exception as exc:
                    raise self._located(ScriptError.from_exception(exc, name)) from exc
        members = [*self.registry.fields_of(ltype, obj), *ltype.methods]
        raise self._unknown(f"{ltype.name} has no field or method", name if name is not None else _show_key(key),
                            members)

    def _set_attr(self, obj: Any, key: Any, value: Any) -> None:
        ltype = self.registry.type_of(obj)
        owner = ltype.name if ltype is not None else type_name(obj, self.registry)
        hint = "configure a container with its with_* methods" if owner == "Container" else None
        raise self._located(ScriptError(f"{owner} fields are read-only (cannot set {_show_key(key)})",
                                        category="ReadOnly", hint=hint))

    # -- output ----------------------------------------------------------------------------

    def _writer(self, stream: str) -> Any:
        def write(data: bytes) -> None:
            out = getattr(sys, stream)
            try:
                buffer = getattr(out, "buffer", None)
                if buffer is not None:
                    out.flush()
                    buffer.write(data)
                    buffer.flush()
                else:
                    out.write(text(data))
                    out.flush()
            except BrokenPipeError:  # the reader went away (`herodo x.lua | head`): end quietly, as Unix tools do
                os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
                self._exit(EXIT_BROKEN_PIPE)
        return write


def _show_key(key: Any) -> str:
    return repr(text(key)) if isinstance(key, (bytes, str)) else str(key)


@contextmanager
def _handler(signum: int, handler: Any) -> Iterator[None]:
    """A signal handler for the duration of a script run (main thread only)."""
    previous = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, previous)



__all__ = ["Runtime", "Outcome", "StdlibPolicy", "POLICIES", "base_registry", "default_registry", "prepare_source"]
