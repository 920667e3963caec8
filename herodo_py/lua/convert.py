"""Values across the Lua boundary.

Lua -> Python: arguments are checked against the registry's LuaCATS types and converted (strings,
which lupa hands over as bytes, are decoded with ``surrogateescape`` so any byte string survives the
round trip into an argv; tables become lists, dicts or option dicts). A mismatch raises
:class:`BadArgument` worded like Lua's own ``bad argument #1 to 'with_port' (string expected, got nil)``.

Python -> Lua: :class:`ToLua` turns results into Lua values: lists into 1-based tables, records into
tables with a metatable (unknown fields raise with a did-you-mean), registered objects pass as
userdata, and anything else (generators, frames, modules...) is refused, never handed over.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Sequence

from .registry import Binding, LuaType, NamedFields, Registry, did_you_mean

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

PRIMITIVES = frozenset({"string", "number", "integer", "boolean", "table", "any", "nil", "function"})


def text(value: bytes | str) -> str:
    """A Lua string as Python text; bytes that are not UTF-8 survive as surrogate escapes."""
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


MAX_NAME = 200
"""Bytes of a name (a global, a field) a script asks for that herodo reads: a longer one is no name of
herodo's, and is shown by its start and length (a 20 MB name is not copied into messages)."""


def name_text(key: bytes | str) -> str:
    """A name a script asked for, as text, trimmed past :data:`MAX_NAME`."""
    if len(key) > MAX_NAME:
        return f"{text(key[:60])}... ({len(key)} {'bytes' if isinstance(key, bytes) else 'characters'})"
    return text(key)


def lua_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _lua_kind(value: Any) -> str | None:
    """``"table"``, ``"function"``, ``"thread"``, ``"userdata"`` for Lua objects, else ``None``."""
    global _lua_type
    if _lua_type is None:
        from lupa.lua54 import lua_type as _lua_type  # here: importing convert does not start Lua (herodo types)
    return _lua_type(value)


_lua_type: Callable[[Any], str | None] | None = None  # lupa's, once a value has been asked about


# --- the type language ---------------------------------------------------------------------


class TypeNode(NamedFields):
    __slots__ = ()
    _fields = ("kind", "name", "parts")
    kind: str  # "prim", "named", "list", "map", "union", "optional"
    name: str
    parts: tuple[TypeNode, ...]

    def __new__(cls, kind: str, name: str = "", parts: tuple[TypeNode, ...] = ()) -> TypeNode:
        return tuple.__new__(cls, (kind, name, parts))

    def describe(self) -> str:
        """How Lua would name what is expected."""
        if self.kind == "prim":
            return self.name
        if self.kind == "named":
            return self.name
        if self.kind in ("list", "map"):
            return "table"
        if self.kind == "optional":
            return self.parts[0].describe()
        return " or ".join(dict.fromkeys(p.describe() for p in self.parts))


def _split_top(text_: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text_):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text_[start:i])
            start = i + 1
    parts.append(text_[start:])
    return [p.strip() for p in parts]


@functools.cache
def parse_type(spec: str) -> TypeNode:
    """Parse a LuaCATS type string (the subset the registry uses)."""
    spec = spec.strip()
    if spec.endswith("?"):
        return TypeNode("optional", parts=(parse_type(spec[:-1]),))
    alternatives = _split_top(spec, "|")
    if len(alternatives) > 1:
        return TypeNode("union", parts=tuple(parse_type(a) for a in alternatives))
    if spec.startswith("(") and spec.endswith(")"):
        return parse_type(spec[1:-1])
    if spec.endswith("[]"):
        return TypeNode("list", parts=(parse_type(spec[:-2]),))
    if spec.startswith("table<") and spec.endswith(">"):
        key, value = _split_top(spec[6:-1], ",")
        return TypeNode("map", parts=(parse_type(key), parse_type(value)))
    if spec in PRIMITIVES:
        return TypeNode("prim", spec)
    return TypeNode("named", spec)


_STRING = parse_type("string")  # (the parsed types are cached: every "string" parameter's node is this one)
_OPTIONAL_STRING = parse_type("string?")
_BOOLEANS = (parse_type("boolean"), parse_type("boolean?"))
# a list of strings, alone or as a union's table (commands, ports...): read in one pass when it is one
_STRING_LISTS = {id(node): node for node in map(parse_type, ("string[]", "string[]?", "string|string[]",
                                                             "(string|string[])?"))}  # (by id: a node hashes its tree)


# --- checking arguments --------------------------------------------------------------------


class Mismatch(Exception):
    """A value does not fit a type; ``detail`` is the text inside the parentheses."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadArgument(Exception):
    """A Lua call with a wrong argument (type, count, unknown option)."""

    def __init__(self, message: str, *, function: str, index: int | None = None, param: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.function, self.index, self.param, self.hint = message, function, index, param, hint


ABSENT = object()  # an argument that was not passed at all (Lua: "no value")


def type_name(value: Any, registry: Registry | None = None) -> str:
    """The Lua type name of a value as Lua error messages write it."""
    if value is ABSENT:
        return "no value"
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (bytes, str)):
        return "string"
    kind = _lua_kind(value)
    if kind:
        return kind
    ltype = registry.type_of(value) if registry else None
    return ltype.name if ltype else "userdata"


def _is_index(key: Any) -> bool:
    """An integer key (``true`` is no index, though Python's ``True == 1``)."""
    return isinstance(key, int) and not isinstance(key, bool)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    return repr(value)


MAX_ITEMS = 100_000
"""Table entries one crossing out of Lua may hold in all (a call's arguments, a script's returned
values): Python copies of Lua tables cost several times Lua's memory, outside ``--max-memory``."""
MAX_DEPTH = 100
"""Tables nested in one value crossing out of Lua (a cycle is refused as too deep)."""


class Checker:
    """Checks and converts Lua values by registry types, within :data:`MAX_ITEMS` and :data:`MAX_DEPTH`."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._budget = MAX_ITEMS
        self._table_parts: dict[TypeNode, TypeNode | None] = {}  # a union's one alternative taking a table

    def args(self, binding: Binding, args: Sequence[Any]) -> list[Any]:
        """Check a call's arguments; return them converted (``None`` for optional ones left out)."""
        self._budget = MAX_ITEMS
        if len(args) > binding.max_args and any(a is not None for a in args[binding.max_args:]):
            raise BadArgument(
                f"too many arguments to '{binding.name}' (it takes {_count(binding.max_args)}, got {len(args)})",
                function=binding.name, hint=f"call it as {signature(binding)}",
            )
        out: list[Any] = []
        for index, param in enumerate(binding.params):
            value = args[index] if index < len(args) else ABSENT
            node = parse_type(param.type)
            kind = type(value)
            if kind is bytes and (node is _STRING or node is _OPTIONAL_STRING):  # (most arguments: in place)
                out.append(value.decode("utf-8", "surrogateescape"))
                continue
            if kind is bool and node in _BOOLEANS:
                out.append(value)
                continue
            if node.kind == "optional" and (value is None or value is ABSENT):
                out.append(None)
                continue
            if _STRING_LISTS.get(id(node)) is node and _lua_kind(value) == "table":
                strings = self._strings(value)
                if strings is not None:
                    out.append(strings)
                    continue
            try:
                out.append(self.value(None if value is ABSENT and param.optional else value, node))
            except Mismatch as exc:
                raise BadArgument(f"bad argument #{index + 1} to '{binding.name}' ({exc.detail})",
                                  function=binding.name, index=index + 1, param=param.name,
                                  hint=f"call it as {signature(binding)}") from None
        return out

    def _strings(self, table: Any) -> list[str] | None:
        """A Lua list of strings (``{'ls', '-l'}``) read in one pass, within the budget; ``None`` for any
        other table (the general check then reads it and says what is wrong)."""
        out: list[str] = []
        budget = self._budget
        for key, element in table.items():
            if type(element) is not bytes or type(key) is not int or key != len(out) + 1 or len(out) == budget:
                return None
            out.append(element.decode("utf-8", "surrogateescape"))
        self._budget = budget - len(out)
        return out

    def value(self, value: Any, node: TypeNode) -> Any:
        kind = node.kind
        if kind == "optional":
            return None if value is None else self.value(value, node.parts[0])
        if kind == "union":
            return self._union(value, node)
        if kind == "prim":
            return self._primitive(value, node.name)
        if kind == "list":
            return self._list(value, node.parts[0])
        if kind == "map":
            return self._map(value, node.parts[0], node.parts[1])
        return self._named(value, node.name)

    def _fail(self, node_text: str, value: Any) -> Mismatch:
        return Mismatch(f"{node_text} expected, got {type_name(value, self.registry)}")

    def _primitive(self, value: Any, name: str) -> Any:
        if name == "any":
            return self._plain(value, 0)
        if name == "nil":
            if value is None:
                return None
        elif name == "string":
            if isinstance(value, (bytes, str)):
                return text(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):  # Lua coerces numbers
                return _number_text(value)
        elif name == "boolean":
            if isinstance(value, bool):
                return value
        elif name == "number":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
        elif name == "integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, float):
                if value.is_integer() and -2**63 <= value < 2**63:  # as Lua's math.tointeger: 64 bits
                    return int(value)
                raise Mismatch("number has no integer representation")
        elif name == "table" and _lua_kind(value) == "table":
            return self._plain(value, 0)  # within the call's budget
        elif name == "function" and _lua_kind(value) == "function":
            return value
        raise self._fail(name, value)

    def _items(self, value: Any, node_text: str) -> list[tuple[Any, Any]]:
        if _lua_kind(value) != "table":
            raise self._fail(node_text, value)
        return self._pairs(value)

    def _pairs(self, table: Any) -> list[tuple[Any, Any]]:
        """The entries of a Lua table, read one by one against the budget (never all at once first)."""
        pairs = []
        for pair in table.items():
            self._budget -= 1
            if self._budget < 0:
                raise Mismatch(f"table too large to hand over (more than {MAX_ITEMS} entries in all)")
            pairs.append(pair)
        return pairs

    def _list(self, value: Any, item: TypeNode) -> list[Any]:
        pairs = self._items(value, "table")
        keys = [k for k, _ in pairs]
        # 1..n as Lua lists them (the usual case; exactly int: True == 1 in Python)
        in_order = keys == list(range(1, len(keys) + 1)) and set(map(type, keys)) == {int}
        if not in_order and keys and sorted(k for k in keys if _is_index(k)) != list(range(1, len(keys) + 1)):
            raise Mismatch("table expected to be a list like {'a', 'b'}, got a table with keys")
        out = []
        for key, element in pairs if in_order else sorted(pairs, key=lambda kv: kv[0]):
            if item is _STRING and type(element) is bytes:  # (a list of strings: a command, ports...)
                out.append(element.decode("utf-8", "surrogateescape"))
                continue
            try:
                out.append(self.value(element, item))
            except Mismatch as exc:
                raise Mismatch(f"item {key}: {exc.detail}") from None
        return out

    def _map(self, value: Any, key_node: TypeNode, value_node: TypeNode) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, element in self._items(value, "table"):
            try:
                if key_node == TypeNode("prim", "string") and not isinstance(key, (bytes, str)):
                    raise self._fail("string", key)  # a list where a map is expected: no coercion
                py_key = self.value(key, key_node)
            except Mismatch as exc:
                raise Mismatch(f"key {self.show(key)}: {exc.detail}") from None
            try:
                out[py_key] = self.value(element, value_node)
            except Mismatch as exc:
                raise Mismatch(f"value of {self.show(key)}: {exc.detail}") from None
        return out

    def _union(self, value: Any, node: TypeNode) -> Any:
        if _lua_kind(value) == "table":
            table_part = self._table_parts.get(node, node)
            if table_part is node:
                alternatives = [p for p in node.parts if self._takes_table(p)]
                table_part = self._table_parts[node] = alternatives[0] if len(alternatives) == 1 else None
            if table_part is not None:
                return self.value(value, table_part)  # its own, precise, error
        # exact kinds first: a number given to "string|number" stays a number
        for part in sorted(node.parts, key=lambda p: p.kind == "prim" and p.name == "string"):
            try:
                return self.value(value, part)
            except Mismatch:
                continue
        raise self._fail(node.describe(), value)

    def _takes_table(self, node: TypeNode) -> bool:
        if node.kind in ("list", "map"):
            return True
        if node.kind == "prim":
            return node.name in ("table", "any")
        if node.kind == "named":
            ltype = self.registry.types.get(node.name)
            return ltype is not None and ltype.kind == "options"
        if node.kind == "optional":
            return self._takes_table(node.parts[0])
        return False

    def _named(self, value: Any, name: str) -> Any:
        ltype = self.registry.types.get(name)
        if ltype is None:
            raise KeyError(f"unknown type {name!r} in the registry")
        if ltype.kind == "options":
            return self.options(value, ltype)
        if self.registry.type_of(value) is ltype:
            return value
        raise self._fail(name, value)

    def options(self, value: Any, ltype: LuaType) -> dict[str, Any]:
        """An options table: known string keys only, each value checked by its field type."""
        fields = self.registry.fields_of(ltype)
        out: dict[str, Any] = {}
        for key, element in self._items(value, "table"):
            name = text(key) if isinstance(key, (bytes, str)) else None
            if name not in fields:
                guess = did_you_mean(name, fields) if name else None
                detail = f"unknown field {self.show(key)} in {ltype.name}"
                detail += f"; did you mean '{guess}'?" if guess else f" (known: {', '.join(fields)})"
                raise Mismatch(detail)
            try:
                out[name] = self.value(element, parse_type(fields[name].type))
            except Mismatch as exc:
                raise Mismatch(f"field '{name}': {exc.detail}") from None
        for name, f in fields.items():
            if name not in out and not f.type.endswith("?"):
                raise Mismatch(f"field '{name}' missing in {ltype.name} ({f.type} expected)")
        return out

    def plain_values(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """Lua values (a script's returned values) as plain Python data (tables: list when keyed 1..n,
        else dict), within one budget; a :class:`Mismatch` for functions, coroutines, tables nested
        deeper than :data:`MAX_DEPTH` (cycles included) and more than :data:`MAX_ITEMS` entries."""
        self._budget = MAX_ITEMS
        return tuple(self._plain(value, 0) for value in values)

    def _plain(self, value: Any, depth: int) -> Any:
        if isinstance(value, bytes):
            return text(value)
        kind = _lua_kind(value)
        if kind == "table":
            if depth >= MAX_DEPTH:
                raise Mismatch(f"a table nested more than {MAX_DEPTH} levels deep (or holding itself) "
                               "cannot be passed here")
            pairs = self._pairs(value)
            keys = [k for k, _ in pairs]
            if keys and all(_is_index(k) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
                return [self._plain(v, depth + 1) for _, v in sorted(pairs, key=lambda kv: kv[0])]
            plain = {}
            for k, v in pairs:
                key = self._plain(k, depth + 1)
                if isinstance(key, (dict, list)):
                    raise Mismatch("a table used as a table key cannot be passed here")
                try:
                    taken = key in plain  # true and 1, false and 0: one key in Python
                except TypeError:  # an object Python cannot key by (a Container)
                    raise Mismatch(f"a {type_name(key, self.registry)} used as a table key cannot be passed here") \
                        from None
                if taken:
                    raise Mismatch("a table with both the keys true and 1 (or false and 0) cannot be passed here")
                plain[key] = self._plain(v, depth + 1)
            return plain
        if kind in ("function", "thread"):
            raise Mismatch(f"a Lua {'coroutine' if kind == 'thread' else kind} cannot be passed here")
        return value

    @staticmethod
    def show(key: Any) -> str:
        """A table key as a message shows it: strings quoted, booleans as Lua writes them."""
        if isinstance(key, (bytes, str)):
            return repr(text(key))
        return str(key).lower() if isinstance(key, bool) else str(key)


def _count(n: int) -> str:
    return "no arguments" if n == 0 else f"{n} argument" + ("s" if n > 1 else "")


def signature(binding: Binding) -> str:
    """``Container:with_port(port: string)``, ``nerdctl_run(image: string, name: string?)``."""
    params = ", ".join(f"{p.name}: {p.type}" for p in binding.params)
    prefix = f"{binding.owner}:" if binding.owner else ""
    return f"{prefix}{binding.name}({params})"


# --- Python -> Lua -------------------------------------------------------------------------


LUA_STRING = 40  # bytes of Lua memory a string takes beyond its characters (Lua 5.4, 64-bit, rounded up)
LUA_TABLE = 64  # an empty table
LUA_ENTRY = 80  # one table entry, doubled: tables grow by powers of two
_SCALARS = frozenset({type(None), bool, int, float})  # (take no Lua memory beyond their entry)


class ToLua:
    """Converts Python results into Lua values for one runtime.

    ``make_record(type_name, table)`` is the runtime's Lua helper that gives a record table its
    metatable.
    """

    def __init__(self, lua: Any, registry: Registry, make_record: Callable[[bytes, Any], Any]) -> None:
        self.lua = lua
        self.registry = registry
        self.make_record = make_record
        self._names: dict[tuple[str, type], list[tuple[str, bytes]]] = {}  # a record's fields, with their Lua keys
        self._type_names: dict[str, bytes] = {}  # a record type's name as Lua has it

    def __call__(self, value: Any) -> Any:
        kind = type(value)  # exact built-in types first (most values): no registered type is one of them
        if kind is str:
            return value.encode("utf-8", "surrogateescape")
        if kind is list or kind is tuple:
            return self.lua.table_from(self._items(value))
        if kind is dict:
            return self.lua.table_from({self(k): self(v) for k, v in value.items()})
        if value is None or isinstance(value, (bool, int, float, bytes)):
            return value
        if isinstance(value, str):
            return lua_bytes(value)
        ltype = self.registry.type_of(value)
        if ltype is not None:
            if ltype.kind == "object":
                return value
            return self.record(value, ltype)
        if _lua_kind(value) is not None:  # already a Lua value (a table or function we made)
            return value
        if isinstance(value, (list, tuple)):
            return self.lua.table_from([self(v) for v in value])
        if isinstance(value, dict):
            return self.lua.table_from({self(k): self(v) for k, v in value.items()})
        fields = getattr(type(value), "__dataclass_fields__", None)
        if fields is not None:
            return self.lua.table_from({lua_bytes(name): self(getattr(value, name))
                                        for name in fields if not name.startswith("_")})
        raise TypeError(f"a Python {type(value).__name__} cannot be handed to Lua")

    def _items(self, values: Iterable[Any]) -> list[Any]:
        """Each of ``values`` converted (strings in place: most list items are)."""
        return [v.encode("utf-8", "surrogateescape") if type(v) is str else self(v) for v in values]

    def lua_size(self, value: Any) -> int:
        """The Lua memory ``value`` takes once converted (an upper estimate, read before anything is
        pushed: a push that runs out of memory would unwind through Python)."""
        kind = type(value)  # exact built-in types first (most values): no registered type is one of them
        if kind is str:
            return LUA_STRING + len(value) * (1 if value.isascii() else 4)
        if kind is list or kind is tuple:
            return self._entries(value)
        if kind is dict:
            return self._entries(value.values()) + sum(self.lua_size(k) for k in value)
        if value is None or isinstance(value, (bool, int, float)):
            return 0
        if isinstance(value, bytes):
            return LUA_STRING + len(value)
        if isinstance(value, str):
            return LUA_STRING + len(value) * (1 if value.isascii() else 4)
        ltype = self.registry.type_of(value)
        if ltype is not None:
            if ltype.kind == "object":
                return LUA_TABLE
            fields = self.registry.fields_of(ltype, value)
            size = self._entries([getattr(value, name, None) for name in fields])
            return size + (self._entries(list(value)) if ltype.item is not None else 0)
        if _lua_kind(value) is not None:  # already in Lua
            return 0
        if isinstance(value, (list, tuple)):
            return self._entries(value)
        if isinstance(value, dict):
            return self._entries(value.values()) + sum(self.lua_size(k) for k in value)
        fields = getattr(type(value), "__dataclass_fields__", None)
        if fields is not None:
            return self._entries([getattr(value, name) for name in fields if not name.startswith("_")])
        return 0  # (refused by the conversion)

    def _entries(self, values: Collection[Any]) -> int:
        size = LUA_TABLE + LUA_ENTRY * len(values)
        for v in values:  # (strings and scalars here: most values, and a call each would double the work)
            kind = type(v)
            if kind is str:
                size += LUA_STRING + len(v) * (1 if v.isascii() else 4)
            elif kind not in _SCALARS:
                size += self.lua_size(v)
        return size

    def record(self, value: Any, ltype: LuaType) -> Any:
        key = (ltype.name, type(value))
        names = self._names.get(key)
        if names is None:
            names = self._names[key] = [(name, lua_bytes(name)) for name in self.registry.fields_of(ltype, value)]
            self._type_names[ltype.name] = lua_bytes(ltype.name)
        data = {}
        for name, lua_key in names:
            v = getattr(value, name, None)
            kind = type(v)  # (strings and scalars in place: most fields)
            data[lua_key] = v.encode("utf-8", "surrogateescape") if kind is str else v if kind in _SCALARS else self(v)
        # (lupa's table_from asks whether a list is a Mapping, a Python call through abc: none for a plain record)
        table = self.lua.table_from(self._items(value), data) if ltype.item is not None else self.lua.table_from(data)
        return self.make_record(self._type_names[ltype.name], table)
