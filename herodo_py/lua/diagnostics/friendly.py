"""Friendly errors: every way a script can fail, told like a good compiler message.

::

    -- DOCKER COMMAND FAILED ---------------------------------------------- deploy.lua:6
    `docker run -d --name web -p 8080:80 web:1` exited with status 125:
      port 8080 is already allocated
       6|   :build()
             ^^^^^
    Hint: another container or process publishes this host port; pick another host port or stop it

A :class:`Failure` is built from a Lua syntax error (:func:`from_syntax_error`), a Lua runtime error
(:func:`from_lua_error`) or a binding's :class:`~herodo_py.lua.diagnostics.errors.ScriptError`
(:func:`from_script_error`), then :func:`render` writes it: header with the kind and the script's
``file:line`` (whole, however long), the plain cause, the source line with a caret under the call,
callers, and a hint. Python frames only with ``debug=True``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exit_codes import EXIT_FAILED
from ..registry import did_you_mean
from .errors import ScriptError

WIDTH = 80
Frame = tuple[str, int, "str | None"]

LUA_KEYWORDS = ("and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
                "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while")


@dataclass
class Snippet:
    """A source line to show: ``token`` is underlined (its first fitting occurrence from ``line`` on,
    preferring a line that also holds ``value``); ``label`` is written under the caret."""

    file: str
    line: int
    token: str | None = None
    label: str | None = None
    value: str | None = None


@dataclass
class Failure:
    title: str
    message: str
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    snippets: list[Snippet] = field(default_factory=list)
    callers: list[Frame] = field(default_factory=list)
    exit_code: int = EXIT_FAILED
    error: BaseException | None = None  # the Python exception, shown with --debug

    @property
    def where(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file


# --- building failures ---------------------------------------------------------------------

_POSITION = re.compile(r"^(?P<chunk>[^\n]*?):(?P<line>\d+): (?P<rest>.*)$", re.S)


def _split_position(message: str, frames: Sequence[Frame] = ()) -> tuple[str | None, int | None, str]:
    """``"path:12: msg"`` -> (path, 12, msg); a chunk name Lua shortened (``...tail``) is mapped back
    to the full path of a frame that ends with it."""
    m = _POSITION.match(message)
    if not m or m["chunk"].startswith("[string"):
        return None, None, message
    chunk = m["chunk"]
    if chunk.startswith("..."):
        tail = chunk[3:]
        chunk = next((f[0] for f in frames if f[0].endswith(tail)), chunk)
    return chunk, int(m["line"]), m["rest"]


def _syntax_hint(rest: str, source_line: str) -> str | None:
    closing = re.search(r"expected \(to close '(.+?)' at line \d+\)", rest)
    if closing:
        opener = closing[1]
        closer = {"(": "')'", "{": "'}'", "[": "']'", "repeat": "'until'"}.get(opener, "'end'")
        return f"add the missing {closer} for the '{opener}'"
    code = source_line.split("--")[0]
    if "!=" in code:
        return "Lua writes 'not equal' as ~="
    if re.search(r"[-+*/]=|\+\+", code):
        return "Lua has no += or ++: write x = x + 1"
    if code.lstrip().startswith("//"):
        return "Lua comments start with --"
    if "unfinished string" in rest:
        return "close the string on the same line with the same quote, or use [[...]] for text over several lines"
    if rest.startswith("'then' expected"):
        return "write: if CONDITION then ... end"
    if rest.startswith("'do' expected"):
        return "loops read: for i = 1, 3 do ... end / while CONDITION do ... end"
    word = re.match(r"\s*([A-Za-z_]\w*)", code)
    if word and rest.startswith("'=' expected") and word[1] not in LUA_KEYWORDS:
        guess = did_you_mean(word[1], LUA_KEYWORDS, cutoff=0.75)
        if guess:
            return f"did you mean the keyword '{guess}'?"
    return None


def from_syntax_error(message: str, path: str) -> Failure:
    """A Lua syntax error (``load``'s message), with the line of an unclosed construct."""
    file, line, rest = _split_position(message, [(path, 0, None)])  # a long path Lua shortened
    file = file or path
    rest = rest.replace("<eof>", "the end of the file")
    near = re.search(r"near '(.*)'$", rest, re.S)
    snippets: list[Snippet] = []
    closing = re.search(r"\(to close '(.+?)' at line (\d+)\)", rest)
    at_end = rest.endswith("near the end of the file")
    if line is not None and not (closing and at_end):
        snippets.append(Snippet(file, line, near[1] if near else None))
    if closing:
        snippets.append(Snippet(file, int(closing[2]), closing[1], label=f"this '{closing[1]}' is never closed"))
    source_line = source_lines(file)[line - 1] if line and 0 < line <= len(source_lines(file)) else ""
    return Failure("SYNTAX ERROR", rest, _syntax_hint(rest, source_line), file, line, snippets)


_NAMED = re.compile(r"\((?P<what>global|local|field|method|upvalue|constant) '(?P<name>[^']+)'\)")
_BAD_ARG = re.compile(r"^bad argument #\d+ to '(?P<fn>[^']+)'")


def _lua_cause(rest: str, names: Sequence[str]) -> tuple[str, str, str | None, str | None]:
    """(title, message, token to underline, hint) for a Lua runtime error message."""
    named = _NAMED.search(rest)
    name = named["name"] if named and named["name"] != "?" else None
    what = named["what"] if named else None
    if rest.startswith("attempt to call a nil value"):
        guess = did_you_mean(name, names) if name and what in ("global", "method", "field") else None
        if guess:
            return "UNKNOWN NAME", rest, name, f"did you mean '{guess}'?"
        if name:
            hint = f"'{name}' is nil here: check its spelling, or that it is set before this line"
            return "RUNTIME ERROR", rest, name, hint
        return "RUNTIME ERROR", rest, None, "the called value is nil here"
    if rest.startswith("attempt to index a nil value"):
        guess = did_you_mean(name, names) if name and what == "global" else None
        if guess:
            return "UNKNOWN NAME", rest, name, f"did you mean '{guess}'?"
        if name:
            return "RUNTIME ERROR", rest, name, \
                f"'{name}' is nil here: check it first (if {name} then ... end), or find where it should be set"
        return "RUNTIME ERROR", rest, None, "a table has no entry for this key: check the key, or test the value first"
    if rest.startswith("attempt to "):
        return "RUNTIME ERROR", rest, name, None
    bad = _BAD_ARG.match(rest)
    if bad:
        return "BAD ARGUMENT", rest, bad["fn"].split(".")[-1], None
    if rest.startswith("assertion"):  # ("assertion failed!" and a message of assert's own)
        return "ASSERTION FAILED", rest, "assert", None
    if "stack overflow" in rest:
        return "STACK OVERFLOW", rest.split("\n")[0], None, "a function calls itself without end?"
    if rest == "not enough memory":
        return ("OUT OF MEMORY", "the script used more memory than allowed", None,
                "raise --max-memory, or build less data")
    return "SCRIPT ERROR", rest, "error", None


def from_lua_error(message: str, frames: Sequence[Frame], names: Sequence[str] = ()) -> Failure:
    """A Lua runtime error (its message, and the script frames the handler collected)."""
    file, line, rest = _split_position(message, frames)
    if file is None and frames:
        file, line = frames[0][0], frames[0][1]
    title, cause, token, hint = _lua_cause(rest, names)
    callers = list(frames)
    positions = [(f[0], f[1]) for f in callers]
    if (file, line) in positions:  # frames inside the reported position (error(msg, 2)) are not callers
        callers = callers[positions.index((file, line)) + 1:]
    snippets = [Snippet(file, line, token)] if file is not None and line else []
    return Failure(title, cause, hint, file, line, snippets, callers)


def from_python_error(error: BaseException, frames: Sequence[Frame]) -> Failure:
    """A Python exception raised on the way between Lua and Python outside any binding."""
    file, line = (frames[0][0], frames[0][1]) if frames else (None, None)
    snippets = [Snippet(file, line)] if file is not None and line else []
    return Failure("RUNTIME ERROR", f"{error}", None, file, line, snippets, list(frames[1:]), error=error)


_TITLES = {
    "BadArgument": "BAD ARGUMENT", "UnknownName": "UNKNOWN NAME", "ReadOnly": "READ-ONLY FIELD",
    "ConversionError": "BAD INPUT", "UnsupportedByEngine": "NOT SUPPORTED BY THE ENGINE",
    "CommandTimeout": "COMMAND TIMED OUT", "CommandExecutionFailed": "COMMAND COULD NOT START",
    "JsonParseError": "UNEXPECTED ENGINE OUTPUT", "InternalError": "INTERNAL ERROR", "Other": "ERROR",
    "OtherError": "ERROR",
}


def _title(error: ScriptError) -> str:
    if error.category == "CommandFailed":
        engine = (error.command or "").split(" ")[0].rsplit("/", 1)[-1].strip("'")
        return f"{engine.upper() or 'ENGINE'} COMMAND FAILED"
    if error.category in _TITLES:
        return _TITLES[error.category]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", error.category).upper()


SHOWN_CHARS = 120  # of a value in a message: a 50 MB string is shown by its start and its length
SHOWN_MESSAGE = 4000  # of a failure's message


def lua_repr(value: Any, limit: int | None = None) -> str:
    """A Python value as Lua would write it; with ``limit``, at most about that many characters."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if limit is not None and len(value) > limit:
            return lua_repr(value[:limit]) + f"... ({len(value)} characters)"
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (list, tuple)):
        text = "{" + ", ".join(lua_repr(v, limit) for v in value) + "}"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}={lua_repr(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if limit is None or len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _body(error: ScriptError) -> str:
    cause = error.cause
    command, code = error.command, error.code
    if command and code is not None and hasattr(cause, "engine_message"):
        head = f"`{command}` exited with status {code}"
        body = head if error.message.startswith(head) else error.message.split("\n")[0] + f"\ncommand: {head}"
        words = cause.engine_message  # type: ignore[union-attr]
        return body + (":\n" + _indent(words) if words and words not in body else "")
    if (error.kind == "ConversionError" and error.field and error.expected and error.category != "BadArgument"
            and error.message.startswith(f"invalid {error.field}:")):
        return f"invalid {error.field}: {lua_repr(error.value, SHOWN_CHARS)}\nexpected {error.expected}"
    return error.message


def from_script_error(error: ScriptError, exit_code: int = EXIT_FAILED) -> Failure:
    """A binding's error (caught nowhere in the script)."""
    snippets = []
    if error.file is not None and error.line:
        value = error.value if isinstance(error.value, str) else None
        snippets.append(Snippet(error.file, error.line, error.func, value=value))
    return Failure(_title(error), _body(error), error.hint, error.file, error.line, snippets, error.frames[1:],
                   exit_code, error.cause or error)


# --- rendering -----------------------------------------------------------------------------

_line_cache: dict[str, list[str]] = {}


def source_lines(path: str) -> list[str]:
    """The lines of a script (cached; empty when unreadable)."""
    if path not in _line_cache:
        try:
            with open(path, "rb") as f:
                _line_cache[path] = f.read().decode("utf-8", "replace").expandtabs(4).splitlines()
        except OSError:
            _line_cache[path] = []
    return _line_cache[path]


def _continues(previous: str, following: str, depth: int) -> bool:
    """Whether ``following`` continues the statement of ``previous`` (open brackets, a chained call)."""
    head = following.lstrip()
    tail = re.sub(r"--.*$", "", previous).rstrip()
    return depth > 0 or head.startswith((":", ".", ")", "}", ",", "..")) or tail.endswith(("(", ",", "{", "=", ".."))


def _depth(line: str) -> int:
    code = re.sub(r"""(["'])(?:\\.|(?!\1).)*\1|--.*$""", "", line)
    return code.count("(") + code.count("{") - code.count(")") - code.count("}")


def find_token(lines: Sequence[str], line: int, token: str | None, value: str | None = None) -> tuple[int, int, int]:
    """(line, start column, end column) of ``token`` in the statement starting at ``line``; the whole
    line when it is not found."""
    statement = [line]
    depth = _depth(lines[line - 1]) if 0 < line <= len(lines) else 0
    while (statement[-1] < len(lines) and len(statement) < 30
           and _continues(lines[statement[-1] - 1], lines[statement[-1]], depth)):
        depth += _depth(lines[statement[-1]])
        statement.append(statement[-1] + 1)
    if token:
        pattern = re.compile(rf"(?<![\w]){re.escape(token)}(?![\w])" if re.match(r"\w", token) else re.escape(token))
        found = [(n, m) for n in statement if 0 < n <= len(lines) for m in [pattern.search(lines[n - 1])] if m]
        if value is not None:
            found = [f for f in found if value in lines[f[0] - 1]] or found
        if found:
            n, m = found[0]
            return n, m.start(), m.end()
    text_ = lines[line - 1] if 0 < line <= len(lines) else ""
    start = len(text_) - len(text_.lstrip())
    return line, start, max(len(text_.rstrip()), start + 1)


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, code: str, s: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if self.color else s


def render(failure: Failure, *, color: bool = False, debug: bool = False) -> str:
    """The message as printed to stderr (ends with a newline)."""
    style = _Style(color)
    where = failure.where or ""
    dashes = max(3, WIDTH - len(failure.title) - len(where) - 5)
    out = [style("1;36", f"-- {failure.title} {'-' * dashes} {where}".rstrip())]
    message = failure.message
    if len(message) > SHOWN_MESSAGE:  # a 20 MB error() message is shown by its start and its length
        message = f"{message[:SHOWN_MESSAGE]}... ({len(message)} characters)"
    out.append(message)
    for snippet in failure.snippets:
        out += _snippet(snippet, style)
    if failure.callers:
        out.append("Called from:")
        for file, line, name in failure.callers[:8]:
            where = ("in the main chunk" if name == "main chunk" else f"in function '{name}'" if name
                     else "in a function")
            out.append(f"  {file}:{line} {where}")
    if failure.hint:
        out.append(style("1;33", "Hint:") + " " + failure.hint)
    if debug and failure.error is not None:
        import traceback  # (--debug only)

        out.append(style("2", "Python traceback (--debug):"))
        out.append("".join(traceback.format_exception(failure.error)).rstrip())
    return "\n".join(out) + "\n"


def _snippet(snippet: Snippet, style: _Style) -> list[str]:
    lines = source_lines(snippet.file)
    if not 0 < snippet.line <= len(lines):
        return []
    line, start, end = find_token(lines, snippet.line, snippet.token, snippet.value)
    gutter = f"{line:>4}| "
    out = [style("2", gutter) + lines[line - 1].rstrip(),
           " " * (len(gutter) + start) + style("1;31", "^" * (end - start))]
    if snippet.label:
        out.append(" " * (len(gutter) + start) + snippet.label)
    return out


def _indent(text_: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text_.splitlines())
