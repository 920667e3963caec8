"""Lua names of ``herodo_py.host``: host commands, files, clocks and waits (the original SAL's
``run``/``which`` and ``exist``/``mkdir``/``file_read``/``file_write`` style).

=====================================================  ==============================================
``run(cmd, {timeout=, env=, clear_env=, cwd=,          a command to its end: ``ProcessResult``
stdin=, check=})``                                     (``stdout``, ``stderr``, ``code``, ``success``...)
``which(name)``                                        the program's full path, or nil
``exist(path)``, ``mkdir(path)``, ``file_read(path)``,  files (``mkdir`` makes parents; the write is
``file_write(path, content)``, ``temp_dir()``           atomic; the temporary folder goes at exit)
``sleep(seconds)``, ``now()``                          pause; wall-clock seconds as a float
``wait_port(host, port, timeout)``,                    wait for a TCP port / an HTTP status
``wait_http(url, {status=200, timeout=30})``
=====================================================  ==============================================

Every one obeys the mode: host commands are removed in the sandbox, files are held to the script's
folder, waits to loopback addresses (:mod:`herodo_py.host.policy`). The library is imported on the
first call, never at start-up.
"""

from __future__ import annotations

from typing import Any

from ..registry import FieldDef, Param, Registry

P = Param


def _process() -> Any:
    from herodo_py.host import process

    return process


def _files() -> Any:
    from herodo_py.host import files

    return files


def _waits() -> Any:
    from herodo_py.host import waits

    return waits


def _types(r: Registry) -> None:
    r.type("ProcessResult", "record", "What a host command did.", python="herodo_py.host.process:ProcessResult",
           fields=[FieldDef("stdout", "string"), FieldDef("stderr", "string"),
                   FieldDef("success", "boolean", "exit code 0"),
                   FieldDef("code", "integer", "exit code (128 + N when killed by signal N)"),
                   FieldDef("command", "string", "the argv as one shell line"), FieldDef("argv", "string[]"),
                   FieldDef("duration", "number", "seconds"), FieldDef("dry_run", "boolean", "not run (--dry-run)")])
    r.type("RunOptions", "options", "run(cmd, {...})", fields=[
        FieldDef("timeout", "number?", "seconds before the command's process group is killed (default: none)"),
        FieldDef("env", "table<string,string>?", "variables added to herodo's environment"),
        FieldDef("clear_env", "boolean?", "true: env is the whole environment"),
        FieldDef("cwd", "string?", "the folder it runs in"),
        FieldDef("stdin", "string?", "text on its standard input (default: empty)"),
        FieldDef("check", "boolean?", "false: a non-zero exit returns the result instead of raising")])
    r.type("HttpWaitOptions", "options", "wait_http(url, {...})", fields=[
        FieldDef("status", "integer?", "the expected status (default 200)"),
        FieldDef("timeout", "number?", "seconds (default 30)")])
    r.type("HttpAnswer", "record", "What wait_http got.", python="herodo_py.host.waits:HttpAnswer",
           fields=[FieldDef("status", "integer"), FieldDef("body", "string", "at most 1 MiB"),
                   FieldDef("url", "string", "after redirects")])
    r.type("PipeFile", "object", "The process behind a file of io.popen (use the file io.popen returns).",
           python="herodo_py.host.process:PipeFile")


def register(r: Registry) -> None:
    """Add the host bindings to ``r``."""
    _types(r)

    @r.function("run", [P("cmd", "string|string[]", "a string runs with /bin/sh -c; a list is the argv"),
                        P("options", "RunOptions?")], "ProcessResult",
                "Run a host command to its end with captured output; a failure raises unless check=false.",
                changes_state=True)
    def run(cmd: Any, options: dict[str, Any] | None = None) -> Any:
        return _process().run(cmd, **(options or {}))

    @r.function("which", [P("name", "string")], "string?", "The full path of a program on PATH, or nil.")
    def which(name: str) -> Any:
        process = _process()
        process._allowed("which")
        return process.which(name)

    @r.function("exist", [P("path", "string")], "boolean", "Whether a file or folder exists.")
    def exist(path: str) -> bool:
        return _files().exist(path)

    @r.function("mkdir", [P("path", "string")], "boolean", "Create a folder and its missing parents (mkdir -p).",
                changes_state=True)
    def mkdir(path: str) -> bool:
        return _files().mkdir(path)

    @r.function("file_read", [P("path", "string")], "string", "The whole content of a file.")
    def file_read(path: str) -> str:
        return _files().file_read(path)

    @r.function("file_write", [P("path", "string"), P("content", "string")], "integer",
                "Write a file atomically (old or new content, never half); returns the bytes written.",
                changes_state=True)
    def file_write(path: str, content: str) -> int:
        return _files().file_write(path, content)

    @r.function("temp_dir", [], "string", "A new private folder, removed with its content when herodo exits.")
    def temp_dir() -> str:
        return _files().temp_dir()

    @r.function("sleep", [P("seconds", "number", "fractions allowed, e.g. 0.5")], "nil",
                "Pause (Ctrl-C and --script-timeout still stop the script).")
    def sleep(seconds: float) -> None:
        _waits().sleep(seconds)

    @r.function("now", [], "number", "Wall-clock time in seconds since the epoch, with fractions.")
    def now() -> float:
        return _waits().now()

    @r.function("wait_port", [P("host", "string"), P("port", "integer"), P("timeout", "number?", "seconds, default 30")],
                "number", "Wait until host:port accepts TCP connections; returns the seconds it took.")
    def wait_port(host: str, port: int, timeout: float | None = None) -> float:
        return _waits().wait_port(host, port, timeout)

    @r.function("wait_http", [P("url", "string"), P("options", "HttpWaitOptions?")], "HttpAnswer",
                "Wait until a GET of url answers with the expected status.")
    def wait_http(url: str, options: dict[str, Any] | None = None) -> Any:
        return _waits().wait_http(url, **(options or {}))
