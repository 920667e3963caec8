"""One Lua 5.4 runtime per script, with the registry's bindings and a standard library set per mode.

``Runtime().run_file("deploy.lua", ["arg1"])`` returns an :class:`Outcome` (exit code, and a
:class:`~herodo_py.lua.diagnostics.friendly.Failure` when the script failed); it never raises for a script's own
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

The prelude (``prelude.lua``, chunk ``=herodo``) runs once in every fresh runtime before the script.

It receives the host's Python helpers (``H``), captures what it needs before a policy strips the
standard library (``debug.sethook``, ``debug.getinfo``, ``load``), and installs:

- a count hook that asks the host whether to stop (Ctrl-C, limits), re-armed in every coroutine
  (the host shortens its count when instructions are slow, e.g. big string operations);
- ``STOP``, the error that ends the script: ``pcall``, ``xpcall``, ``coroutine.resume``/``wrap`` pass
  it on instead of catching it, so ``os.exit`` and Ctrl-C end the script (``<close>`` variables
  still run). Once the host says "hard", the hook fails on every instruction. ``<close>`` handlers
  receive it as a read-only value saying what happened (``kind``, ``code``, ``tostring``: ``H.stop_info``),
  and a binding's failure as its error value (``error_values``): the message handler returns those and
  keeps the failure for the host in ``last``;
- ``print``, ``io.write``, ``io.stdout``, ``io.stderr`` and ``io.output()`` writing through Python's
  streams (``io.output(file)`` switches ``io.write`` to that file, ``io.close()`` closes it);
- ``os.exit(code)`` ending the script through the host;
- ``debug.sethook`` reserved (the count hook is what stops a script);
- a ``_G`` metatable: reading an undefined ``nerdctl_*`` global raises with a did-you-mean
  (other undefined globals read as ``nil``, as in plain Lua; probe with ``rawget(_G, name)``);
- record metatables (unknown fields raise; ``tostring`` shows the fields);
- protected metatables: every metatable the host made or owns (records, lupa's object metatable, errors,
  files) answers ``getmetatable`` with a marker and cannot be replaced or handed to another value
  (``debug.getmetatable``/``setmetatable`` wrapped, ``debug.getregistry`` reserved); ``__gc`` is refused in
  every mode (finalizers run with hooks off, also at ``lua_close``: no limit could stop them).

Errors raised by the hook (STOP, the soft memory limit) run with Lua's hooks off until a ``pcall``
boundary: so the script runs inside ``xpcall`` (its ``<close>`` variables close with hooks on), and
a script's own ``xpcall`` handler is skipped for them (it could loop unstopped).

Memory: the hook also enforces a soft limit (``H.soft_kb``) a reserve below lupa's hard limit, so a
growing script fails at its own line, with room left for its ``<close>`` handlers; ``string.rep``,
``string.format`` and ``table.concat`` turn an out-of-memory failure into an error at the caller's
line (Lua raises out-of-memory errors without calling any message handler).

It returns the functions the host calls: ``compile``, ``run``, ``locate``, ``make_record``, ``remove``, and
``last`` (the last failure) with ``same`` (rawequal).
"""

from __future__ import annotations

import os
import time
import types
from collections.abc import Callable, Sequence

from ..convert import Checker, ToLua, lua_bytes, text
from ..exit_codes import EXIT_FAILED, EXIT_USAGE
from ..limits import CLEANUP_MEMORY, DEFAULT, DEFAULT_MAX_MEMORY, PUSH_RESERVE, format_size
from ..registry import Registry
from ..sources import run_host_chunk
from .attributes import Attributes
from .dispatch import Dispatch
from .error_values import install as install_error_values
from .host_stdlib import install as install_host_stdlib
from .outcome import Outcome, Outcomes, _friendly
from .output import Output
from .policies import POLICIES, StdlibPolicy, base_registry
from .stop import HOOK_COUNT, SLOW_COUNT, Stop, StopControl
from .tasks import Tasks

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

    from ...host.policy import HostPolicy
    from ...nerdctl.executor import Executor
    from ...processes import StartGuard

HOST_CHUNK = b"=herodo"


def prepare_source(source: bytes) -> bytes:
    """Drop a UTF-8 BOM and turn a ``#!`` (or any ``#``) first line into a comment, keeping lines."""
    if source.startswith(b"\xef\xbb\xbf"):
        source = source[3:]
    if source.startswith(b"#"):
        source = b"--" + source[1:]
    return source


class Runtime(Outcomes, StopControl, Dispatch, Tasks, Attributes, Output):
    """A fresh Lua state with the bindings of ``registry`` (the default: every bindings module, loaded on the
    script's first call of one)."""

    def __init__(self, registry: Registry | None = None, *, policy: str | StdlibPolicy = "trusted",
                 max_memory: int | None = DEFAULT_MAX_MEMORY, script_timeout: float | None = DEFAULT,
                 env_allow: Sequence[str] = (), watchdog: bool = False, hook_count: int = HOOK_COUNT,
                 executor: Executor | None = None, make_executor: Callable[[], Executor] | None = None,
                 debug: bool = False) -> None:
        """``max_memory``: bytes of Lua memory (``None`` or 0: no limit). ``script_timeout``: seconds
        per script or call (``None`` or 0: none; default: the policy's). ``env_allow``: more variables
        a sandboxed ``os.getenv`` reads. ``watchdog``: end the process when a stopped script hangs in
        C (:class:`~herodo_py.lua.runtime.watchdog.Watchdog`; for the ``herodo`` command only). ``executor``:
        the engine executor bindings run on (default: ``make_executor()``, else a child of the current one,
        made on first use: a script that calls no binding never loads the engine library).
        ``debug``: a failing binding's error keeps its Python frames (``herodo --debug`` shows them; by default
        they are dropped, as they can hold large converted arguments)."""
        # here: importing the runtime does not load Lua (herodo types, the registry). Not `from lupa import
        # lua54`: that goes through lupa's module __getattr__, which imports re.
        import lupa.lua54 as lua54

        # without a registry given, the bindings modules load on the script's first call of one (_load_bindings)
        self._bindings_pending = registry is None
        self.registry = registry if registry is not None else base_registry()
        self.policy = POLICIES[policy] if isinstance(policy, str) else policy
        self.script_timeout = self.policy.script_timeout if script_timeout is DEFAULT else script_timeout or None
        self.max_memory = max_memory or 0
        self.watchdog = watchdog
        self.debug = debug
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
        self._binding_since = 0.0  # when the outermost running binding started
        self._binding_seconds = 0.0  # time spent in bindings, all finished ones
        self._quiet = 0  # inside a host call into Lua (locating): the hook does nothing
        self._methods: dict[int, types.FunctionType] = {}
        self._waiting_methods: dict[int, Any] = {}
        self._executor = executor
        self._make_executor = make_executor
        self._start_guard: StartGuard | None = None
        self._host_policy: HostPolicy | None = None
        self._host_folder: str | None = None  # a sandboxed script's folder (its host policy's root)
        helpers = {
            b"first_count": min(SLOW_COUNT, hook_count), b"check": self._check, b"stopping": self._stopping,
            b"write": self._writer("stdout"), b"write_err": self._writer("stderr"), b"exit": self._exit,
            b"global_miss": self._global_miss, b"record_miss": self._record_miss, b"stop_info": self._stop_info,
            **self._task_helpers(),
        }
        self.error_values = install_error_values(self)  # what pcall & co hand scripts (before the prelude)
        helpers[b"error_value"] = self.error_values[b"value"]
        helpers[b"error_origin"] = self.error_values[b"origin"]
        api = run_host_chunk(self.lua, __file__, "prelude.lua", self.lua.table_from(helpers), chunk=HOST_CHUNK)
        self._compile, self._run, self._locate_lua = api[b"compile"], api[b"run"], api[b"locate"]
        self._last_position = api[b"last_position"]
        self._last_failure, self._same = api[b"last"], api[b"same"]
        self._waiting, self._bind, self._parallel_failures = api[b"waiting"], api[b"bind"], api[b"parallel_failures"]
        self.to_lua = ToLua(self.lua, self.registry, api[b"make_record"])
        globals_ = self.lua.globals()
        self._collect_garbage = globals_[b"collectgarbage"]  # (before any script can replace it)
        for name, binding in self.registry.functions.items():
            globals_[lua_bytes(name)] = self._global_function(binding)
        self._nouns_loaded: set[str] = set()
        if self._bindings_pending:
            from ..binding_names import NOUN_GLOBALS

            groups = {lua_bytes(noun): self.lua.table_from([lua_bytes(n) for n in names])
                      for noun, names in NOUN_GLOBALS.items()}
            api[b"lazy_globals"](self.lua.table_from(groups), self._load_bindings)
        if executor is not None:
            executor.start_guard = self.start_guard
        install_host_stdlib(self)  # os.execute, io.popen, retry, JSON (before a sandbox strips what it forbids)
        for dotted in self.policy.remove:
            api[b"remove"](lua_bytes(dotted))
        self.sandbox = None
        if self.policy.sandbox:
            from ..sandbox import Sandbox  # (--sandbox only)

            self.sandbox = Sandbox(strict=self.policy.strict, env_allow=env_allow)
            self.sandbox.install(self.lua, self._located, self._fitting)

    def _load_bindings(self, group: bytes) -> Any:
        """Register the bindings module of noun ``group`` (with the nouns whose types it needs) and return its
        globals (``name -> function``): what the stand-ins the runtime starts with call on a script's first
        call of one of that noun's (``lazy_globals`` in the prelude)."""
        from ..binding_names import NOUN_GLOBALS, NOUN_NEEDS
        from ..bindings import noun, register_nouns  # here: a script that calls no binding never loads them

        name = group.decode()
        missing = [each for each in (*NOUN_NEEDS[name], name) if each not in self._nouns_loaded]
        register_nouns(self.registry, [noun(each) for each in missing])
        self._nouns_loaded.update(missing)
        self._bindings_pending = len(self._nouns_loaded) < len(NOUN_GLOBALS)
        functions = self.registry.functions
        return self.lua.table_from({lua_bytes(each): self._global_function(functions[each])
                                    for each in NOUN_GLOBALS[name]})

    def binding_names(self) -> list[str]:
        """Every global function name, loaded or not (for did-you-mean)."""
        if self._bindings_pending:
            from ..binding_names import BINDING_GLOBALS

            return list(dict.fromkeys([*self.registry.names(), *BINDING_GLOBALS]))
        return self.registry.names()

    @property
    def start_guard(self) -> StartGuard:
        """Holds Ctrl-C back while a command (engine or host) starts (:mod:`herodo_py.processes`); made
        with the first command, so that a script that starts none never loads the process machinery."""
        if self._start_guard is None:
            from ...processes import StartGuard  # here: see above

            self._start_guard = StartGuard()
        return self._start_guard

    @property
    def host_policy(self) -> HostPolicy:
        """What the script may do on the host (:mod:`herodo_py.host`): its stop checks, and this
        runtime's executor deciding dry runs and hearing host commands (``--trace``). Current during
        each binding call (the host library reads it only there); made on the first one."""
        if self._host_policy is None:
            from ...host.policy import HostPolicy  # here: a script that calls no binding never loads it

            policy = HostPolicy.sandboxed(self._host_folder, self._executor_of) if self.policy.sandbox \
                else HostPolicy(watcher=self._executor_of)
            policy.guard = self.start_guard
            self._host_policy = policy
        return self._host_policy

    def _executor_of(self) -> Executor:
        return self.executor

    @property
    def executor(self) -> Executor:
        """The executor this runtime's bindings run engine commands on: a script's ``nerdctl_configure``
        changes its settings only. By default a child of the executor current when first needed (it
        inherits the command's engine options, and ``--trace`` hears its commands)."""
        if self._executor is None:
            if self._make_executor is not None:
                self._executor = self._make_executor()
            else:
                from ...nerdctl.executor import current_executor  # here: an empty script never loads the library

                self._executor = current_executor().child()
            self._executor.start_guard = self.start_guard
        return self._executor

    @property
    def executor_made(self) -> Executor | None:
        """The executor if a binding has made it already, else ``None`` (made on first use)."""
        return self._executor

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
        if self.max_memory and 2 * len(data) + PUSH_RESERVE > self._room():  # (the source, then its strings)
            failure = _friendly().Failure(
                "OUT OF MEMORY", f"the script is {len(data)} bytes: its memory limit of "
                f"{format_size(self.max_memory)} has no room to load it", file=path,
                hint="raise the limit with --max-memory SIZE", exit_code=EXIT_FAILED)
            return Outcome(EXIT_FAILED, "failed", failure, duration=time.monotonic() - started)
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
            finally:
                self._tasks_close()  # a parallel() the script left by a hard stop: nothing of it keeps running
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
            self._host_folder, self._host_policy = self.sandbox.real_folder, None  # (made for this script)
            return
        package = globals_[b"package"]
        if package is not None:
            folder = os.path.dirname(path)
            prefix = f"{folder}/" if folder else ""
            local = f"{prefix}?.lua;{prefix}?/init.lua"
            default = text(package[b"path"]) if self.policy.search_default_path else ""
            package[b"path"] = lua_bytes(f"{local};{default}" if default else local)

    def known_names(self) -> list[str]:
        """Global names for did-you-mean: the script's globals (standard library included) and bindings."""
        names = [text(k) for k in self.lua.globals() if isinstance(k, bytes)]
        return [*dict.fromkeys([*names, *self.binding_names()])]
