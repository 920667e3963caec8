"""The host in Lua (the library: :mod:`herodo_py.host`): commands, files, clocks and waits, in the
original SAL's ``run``/``which`` and ``exist``/``mkdir``/``file_read``/``file_write`` style.

=====================================================  ==============================================
``run(cmd, {timeout=, env=, clear_env=, cwd=,          a command to its end: ``CommandResult``
stdin=, check=})``                                     (``stdout``, ``stderr``, ``code``, ``success``...)
``which(name)``                                        the program's full path, or nil
``exist(path)``, ``mkdir(path)``, ``file_read(path)``,  files (``mkdir`` makes parents; the write is
``file_write(path, content)``, ``temp_dir()``           atomic; the temporary folder goes at exit)
``sleep(seconds)``, ``now()``                          pause; wall-clock seconds as a float
``wait_port(host, port, timeout)``,                    wait for a TCP port / an HTTP status
``wait_http(url, {status=200, timeout=30})``
=====================================================  ==============================================

Every one obeys the mode: host commands are removed in the sandbox, files are held to the script's
folder, waits to loopback addresses (:mod:`herodo_py.host.policy`). ``os.execute``, ``io.popen``,
``retry`` and JSON are Lua-side (:mod:`herodo_py.lua.host_stdlib`). The library is imported on the
first call, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from ..registry import FieldDef
from .rows import RESULT, Noun, P, TypeDef, function

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


def _with_options(dotted: str) -> Callable[..., Any]:
    """A caller of ``"module:function"`` of :mod:`herodo_py.host` taking a Lua options table as keywords."""
    module, _, name = dotted.partition(":")

    def call(first: Any, options: dict[str, Any] | None = None) -> Any:
        import importlib  # here: off the start-up path; the host module loads on first call

        return getattr(importlib.import_module(f"herodo_py.host.{module}"), name)(first, **(options or {}))
    return call


def _which(name: str) -> str | None:
    from herodo_py.host import process  # here: the library loads on a script's first call

    process.check_allowed("which")
    return process.which(name)


NOUN = Noun(
    "host",
    host=True,
    types=(
        TypeDef("RunOptions", "options", "run(cmd, {...})", fields=(
            FieldDef("timeout", "number?", "seconds before the command's process group is killed (default: none)"),
            FieldDef("env", "table<string,string>?", "variables added to herodo's environment"),
            FieldDef("clear_env", "boolean?", "true: env is the whole environment"),
            FieldDef("cwd", "string?", "the folder it runs in"),
            FieldDef("stdin", "string?", "text on its standard input (default: empty)"),
            FieldDef("check", "boolean?", "false: a non-zero exit returns the result instead of raising"))),
        TypeDef("HttpWaitOptions", "options", "wait_http(url, {...})", fields=(
            FieldDef("status", "integer?", "the expected status (default 200)"),
            FieldDef("timeout", "number?", "seconds (default 30)"))),
        TypeDef("HttpAnswer", "record", "What wait_http got.", "herodo_py.host.waits:HttpAnswer", (
            FieldDef("status", "integer"), FieldDef("body", "string", "at most 1 MiB"),
            FieldDef("url", "string", "after redirects"))),
    ),
    rows=(
        function("run", _with_options("process:run"),
                 [P("cmd", "string|string[]", "a string runs with /bin/sh -c; a list is the argv"),
                  P("options", "RunOptions?")], RESULT,
                 "Run a host command to its end with captured output; a failure raises unless check=false.",
                 changes_state=True),
        function("which", _which, [P("name", "string")], "string?", "The full path of a program on PATH, or nil."),
        function("exist", "herodo_py.host.files:exist", [P("path", "string")], "boolean",
                 "Whether a file or folder exists."),
        function("mkdir", "herodo_py.host.files:mkdir", [P("path", "string")], "boolean",
                 "Create a folder and its missing parents (mkdir -p).", changes_state=True),
        function("file_read", "herodo_py.host.files:file_read", [P("path", "string")], "string",
                 "The whole content of a file."),
        function("file_write", "herodo_py.host.files:file_write", [P("path", "string"), P("content", "string")],
                 "integer", "Write a file atomically (old or new content, never half); returns the bytes written.",
                 changes_state=True),
        function("temp_dir", "herodo_py.host.files:temp_dir", [], "string",
                 "A new private folder, removed with its content when herodo exits."),
        function("sleep", "herodo_py.host.waits:sleep", [P("seconds", "number", "fractions allowed, e.g. 0.5")], "nil",
                 "Pause (Ctrl-C and --script-timeout still stop the script)."),
        function("now", "herodo_py.host.waits:now", [], "number",
                 "Wall-clock time in seconds since the epoch, with fractions."),
        function("wait_port", "herodo_py.host.waits:wait_port",
                 [P("host", "string"), P("port", "integer"), P("timeout", "number?", "seconds, default 30")],
                 "number", "Wait until host:port accepts TCP connections; returns the seconds it took."),
        function("wait_http", _with_options("waits:wait_http"), [P("url", "string"), P("options", "HttpWaitOptions?")],
                 "HttpAnswer", "Wait until a GET of url answers with the expected status."),
    ),
)
