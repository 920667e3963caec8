"""JSON for scripts, in every mode (the sandbox too): ``json_encode``, ``json_decode``, ``json_null``,
``json_array``.

Design (what a Lua table cannot say by itself, decided once):

- **null**: ``json_null`` is a unique read-only value; ``json_decode`` gives it for every JSON
  ``null`` (so ``{"a": null}`` keeps its key and ``[1, null, 3]`` its length) and ``json_encode`` writes
  it as ``null``. A ``nil`` inside a table is a hole, not a null.
- **arrays and objects**: a table whose keys are exactly 1..n is an array; one with string keys only
  is an object; anything else (holes, mixed keys, other key types) is refused, naming the key. An
  empty table is an object ``{}``, unless it came from a JSON array or was marked with
  ``json_array(t)``: then ``[]``. Decoded arrays are remembered (a weak set, no metatable), so a
  decoded document re-encodes with the same shape.
- **numbers**: integers stay integers within Lua's 64 bits; a JSON integer beyond them is refused
  with its line and column (no silent rounding of ids); so are numbers too large for a float.
  Floats are written in the shortest form that reads back equal (``0.1``, ``1.0``, ``1e+300``);
  NaN and infinities are refused.
- **strings**: must be UTF-8 (refused otherwise, naming the key); written as is, with control
  characters, ``"`` and ``\\`` escaped.
- **bounds**: nesting deeper than :data:`MAX_DEPTH` and cycles are refused (encode and decode);
  ``json_decode`` takes at most :data:`MAX_TEXT` bytes; encoding runs in Lua, under the script's
  memory and time limits.
- **options**: ``json_encode(value, {sort_keys=true, indent=nil})``: keys are sorted by default (Lua
  tables have no order: the output is then the same on every run); ``indent=N`` writes one item a
  line, N spaces a level (compact without it).

Errors name the position: ``invalid JSON at line 3, column 7: expecting ',' delimiter`` (decode) and
the path of the bad value, ``value.items[2].name`` (encode).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .diagnostics.errors import ScriptError
from .limits import JSON_MAX_DEPTH as MAX_DEPTH

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

MAX_TEXT = 64 * 1024 * 1024
INT_MIN, INT_MAX = -(2**63), 2**63 - 1




class _BigNumber(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _int(token: str) -> int:
    value = int(token)
    if not INT_MIN <= value <= INT_MAX:
        raise _BigNumber(token)
    return value


def _float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _BigNumber(token)
    return value


def _constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")  # Python's NaN, Infinity extensions


_TOKENS = r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[\[{]|[\]}]'  # compiled on an error only


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset_of(text: str, *, token: str | None = None, depth: int | None = None) -> int:
    """Where the first ``token`` (a number outside strings) is, or where nesting passes ``depth``."""
    import re  # here: only a bad JSON text is scanned again (re stays off the start-up path)

    level = 0
    for m in re.finditer(_TOKENS, text, re.DOTALL):
        found = m.group()
        if found in "[{":
            level += 1
            if depth is not None and level > depth:
                return m.start()
        elif found in "]}":
            level -= 1
        elif token is not None and found == token:
            return m.start()
    return 0


def decode(text: str | bytes, convert: Callable[[Any], Any]) -> Any:
    """Parse JSON ``text`` and hand the value to ``convert`` (Python data -> Lua values); a
    :class:`ScriptError` (``JsonParseError``) with line and column for bad or unbounded input."""
    raw = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    if len(raw) > MAX_TEXT:
        raise _error(f"the JSON text is {len(raw) // (1024 * 1024)} MiB, more than the {MAX_TEXT // (1024 * 1024)} MiB "
                     "json_decode takes", hint="decode big documents in parts, or let a container process them")
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw[:exc.start].decode("utf-8", "replace"), exc.start)
        raise _error(f"invalid JSON at line {line}, column {column}: the text is not valid UTF-8") from None
    import json

    try:
        value = json.loads(source, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        message = exc.msg[0].lower() + exc.msg[1:]
        raise _error(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {message}") from None
    except _BigNumber as exc:
        line, column = _line_column(source, _offset_of(source, token=exc.token))
        raise _error(f"invalid JSON at line {line}, column {column}: the number {_short(exc.token)} does not fit "
                     "a Lua number (integers are 64-bit)",
                     hint="ask the producer for the number as a string") from None
    except ValueError as exc:
        raise _error(f"invalid JSON: {exc}") from None
    except RecursionError:
        value = None
    if value is None and source.strip() != "null" or _too_deep(value):
        line, column = _line_column(source, _offset_of(source, depth=MAX_DEPTH))
        raise _error(f"invalid JSON at line {line}, column {column}: nested deeper than {MAX_DEPTH} levels")
    return convert(value)


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests deeper than :data:`MAX_DEPTH` (iteratively: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def _short(token: str) -> str:
    return token if len(token) <= 40 else f"{token[:20]}...({len(token)} digits)"


def _error(message: str, hint: str | None = None) -> ScriptError:
    return ScriptError(message, kind="JsonParseError", category="JsonDecodeError", func="json_decode", hint=hint,
                       field="text")


def encode_error(path: str, message: str) -> ScriptError:
    """The error ``json_encode`` raises for the value at ``path``."""
    return ScriptError(f"json_encode: {path}: {message}", kind="ConversionError", category="JsonEncodeError",
                       func="json_encode", field=path,
                       hint="JSON holds strings, numbers, booleans, json_null, arrays (1..n) and objects (string keys)")


class LuaBuilder:
    """Turns decoded Python data into Lua values of one runtime: arrays marked, ``None`` as ``json_null``."""

    def __init__(self, lua: Any, null: Any, mark: Callable[[Any], Any]) -> None:
        self.lua, self.null, self.mark = lua, null, mark

    def __call__(self, value: Any) -> Any:
        if value is None:
            return self.null
        if isinstance(value, str):
            return value.encode("utf-8", "surrogatepass")
        if isinstance(value, list):
            return self.mark(self.lua.table_from([self(v) for v in value]))
        if isinstance(value, dict):
            return self.lua.table_from({k.encode("utf-8", "surrogatepass"): self(v) for k, v in value.items()})
        return value


__all__ = ["MAX_DEPTH", "MAX_TEXT", "LuaBuilder", "decode", "encode_error"]
