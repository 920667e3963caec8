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
import re
from collections.abc import Callable
from typing import Any

from .errors import ScriptError

MAX_DEPTH = 200
MAX_TEXT = 64 * 1024 * 1024
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

JSON_LUA = rb"""
local H = ...
local type, next, tostring, setmetatable, getmetatable, rawget = type, next, tostring, setmetatable, getmetatable, rawget
local format, gsub, byte, match, rep = string.format, string.gsub, string.byte, string.match, string.rep
local concat, sort = table.concat, table.sort
local mtype, ulen, huge, tonumber = math.type, utf8.len, math.huge, tonumber
local fail = H.fail
local MAX_DEPTH = H.max_depth

local null = setmetatable({}, {
  __name = "json_null", __tostring = function() return "json_null" end, __metatable = false,
  __newindex = function() error("json_null is read-only", 2) end,
})
local arrays = setmetatable({}, {__mode = "k"})  -- tables that are JSON arrays (decoded, or json_array)

local function mark(t) arrays[t] = true; return t end

local ESC = {['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r',
             ['\t'] = '\\t'}
local function escape(c) return ESC[c] or format("\\u%04x", byte(c)) end

local function step(path, key)
  if type(key) == "number" then return path .. "[" .. key .. "]" end
  if match(key, "^[%a_][%w_]*$") then return path .. "." .. key end
  return path .. format("[%q]", key)
end

local function quote(s, path)
  if not ulen(s) then fail(path, "the string is not valid UTF-8 (JSON text is UTF-8)") end
  return '"' .. gsub(s, '[%c"\\]', escape) .. '"'
end

local function number(v, path)
  if mtype(v) == "integer" then return tostring(v) end
  if v ~= v or v == huge or v == -huge then fail(path, "NaN and infinities have no JSON form") end
  local s
  for digits = 14, 17 do
    s = format("%." .. digits .. "g", v)
    if tonumber(s) == v then break end
  end
  if not match(s, "[%.eEn]") then s = s .. ".0" end
  return s
end

local function shape(t, path)
  -- "array", n | "object", sorted-or-not string keys
  local n, count, ints, strings = 0, 0, nil, nil
  for k in next, t do
    count = count + 1
    if mtype(k) == "integer" and k >= 1 then
      ints = ints or k
      if k > n then n = k end
    elseif type(k) == "string" then
      strings = strings or k
    else
      local what = mtype(k) or type(k)
      fail(step(path, type(k) == "number" and k or tostring(k)), (what == "integer" and "an " or "a ") .. what .. " key (" .. tostring(k) ..
           ") cannot be a JSON key: use string keys (an object) or 1..n (an array)")
    end
  end
  if ints and strings then
    fail(path, format("the table mixes array index %d and object key %q: JSON has arrays or objects, not both",
                      ints, strings))
  end
  if strings then
    if arrays[t] then fail(step(path, strings), "a table marked as a JSON array has the key " .. format("%q", strings)) end
    return "object"
  end
  if count == 0 then return arrays[t] and "array" or "object", 0 end
  if n ~= count then
    for i = 1, n do
      if rawget(t, i) == nil then
        fail(step(path, i), "the array has a hole here (nil): write json_null for a JSON null")
      end
    end
  end
  return "array", n
end

local function encoder(sort_keys, indent)
  local out, size = {}, 0
  local open = {}  -- tables being written: seeing one again is a cycle
  local function put(s) size = size + 1; out[size] = s end
  local function newline(depth)
    if indent then put("\n" .. rep(" ", indent * depth)) end
  end
  local value
  function value(v, path, depth)
    local t = type(v)
    if t == "string" then put(quote(v, path))
    elseif t == "number" then put(number(v, path))
    elseif t == "boolean" then put(v and "true" or "false")
    elseif v == nil or v == null then put("null")
    elseif t == "table" then
      if depth >= MAX_DEPTH then fail(path, "nested deeper than " .. MAX_DEPTH .. " levels") end
      if open[v] then fail(path, "a cycle: this table contains itself") end
      open[v] = true
      local kind, n = shape(v, path)
      if kind == "array" then
        if n == 0 then put("[]") else
          put("[")
          for i = 1, n do
            if i > 1 then put(",") end
            newline(depth + 1)
            value(v[i], step(path, i), depth + 1)
          end
          newline(depth)
          put("]")
        end
      else
        local keys, count = {}, 0
        for k in next, v do count = count + 1; keys[count] = k end
        if count == 0 then put("{}") else
          if sort_keys then sort(keys) end
          put("{")
          for i = 1, count do
            local k = keys[i]
            if i > 1 then put(",") end
            newline(depth + 1)
            put(quote(k, step(path, k)))
            put(indent and ": " or ":")
            value(v[k], step(path, k), depth + 1)
          end
          newline(depth)
          put("}")
        end
      end
      open[v] = nil
    else
      fail(path, "a " .. t .. " value has no JSON form")
    end
  end
  return value, function() return concat(out, "", 1, size) end
end

local OPTIONS = {sort_keys = "boolean", indent = "number"}

local function json_encode(v, options)
  local sort_keys, indent = true, nil
  if options ~= nil then
    if type(options) ~= "table" then
      error(format("bad argument #2 to 'json_encode' (table expected, got %s)", type(options)), 2)
    end
    for k, o in next, options do
      if OPTIONS[k] == nil then
        error(format("bad argument #2 to 'json_encode' (unknown option %s; known: sort_keys, indent)", tostring(k)), 2)
      end
      if type(o) ~= OPTIONS[k] then
        error(format("bad argument #2 to 'json_encode' (option '%s': %s expected, got %s)", k, OPTIONS[k], type(o)), 2)
      end
    end
    if options.sort_keys ~= nil then sort_keys = options.sort_keys end
    indent = options.indent
    if indent ~= nil and (mtype(indent) ~= "integer" or indent < 0 or indent > 16) then
      error("bad argument #2 to 'json_encode' (option 'indent': an integer 0-16 expected, got " .. tostring(indent) .. ")", 2)
    end
  end
  local write, result = encoder(sort_keys, indent)
  write(v, "value", 0)
  return result()
end

local function json_array(t)
  if t == nil then t = {} end
  if type(t) ~= "table" then error(format("bad argument #1 to 'json_array' (table expected, got %s)", type(t)), 2) end
  return mark(t)
end

return {encode = json_encode, array = json_array, null = null, mark = mark}
"""


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


__all__ = ["JSON_LUA", "MAX_DEPTH", "MAX_TEXT", "LuaBuilder", "decode", "encode_error"]
