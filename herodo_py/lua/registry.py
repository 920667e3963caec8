"""The binding registry: every name herodo exposes to Lua, with parameters, types and docs.

One registry feeds the runtime (the globals it installs and the per-type attribute whitelists), the
did-you-mean suggestions of friendly errors, and the editor type generator (``herodo types``).

Types are LuaCATS strings: ``string``, ``integer?`` (optional), ``number``, ``boolean``, ``table``,
``any``, ``string[]`` (a list), ``table<string,string>`` (a map), unions ``string|string[]`` and
registered type names (``Container``). ``convert.py`` checks and converts arguments by them.

Registered types come in three kinds:

- ``object``: a Python object handed to Lua as userdata (``Container``); Lua reaches only the
  registered methods and fields (read-only).
- ``record``: a Python value copied into a Lua table (``ContainerStatus``, ``CommandResult``); fields
  are read from the dataclass (or listed), and reading an unknown field raises with a did-you-mean.
- ``options``: a Lua table of named arguments (``{cmd=..., retries=3}``) checked key by key.

Python classes are named by ``"module:QualName"`` strings and matched against values at run time, so
the registry never imports the library: ``herodo`` starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


class NamedFields(tuple):  # type: ignore[type-arg]
    """A tuple with named fields, as ``collections.namedtuple`` makes them, for the records made at every
    start-up: namedtuple compiles each class's ``__new__`` with ``eval`` (~100 µs a class). A subclass
    lists ``_fields`` and spells its ``__new__``; each field reads its item."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls) -> None:
        for index, name in enumerate(cls._fields):
            setattr(cls, name, property(itemgetter(index)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={v!r}' for n, v in zip(self._fields, self, strict=True))})"


class Param(NamedFields):
    """One parameter: Lua name, LuaCATS type (``?`` suffix: may be nil or left out), one-line doc."""

    __slots__ = ()
    _fields = ("name", "type", "doc")
    name: str
    type: str
    doc: str

    def __new__(cls, name: str, type: str, doc: str = "") -> Param:
        return tuple.__new__(cls, (name, type, doc))

    @property
    def optional(self) -> bool:
        return self.type.endswith("?") or self.type in ("any", "nil")


class Binding(NamedFields):
    """A Lua-callable: a global function (``owner is None``) or a method of a registered type.

    ``impl`` receives the converted Lua arguments (for methods: the Python object first) and returns
    a Python value that the runtime converts back. ``returns`` is a LuaCATS type (``self`` for a
    builder method). ``overloads`` are extra LuaCATS ``fun(...)`` signatures for the editor file.
    ``changes_state`` marks bindings that change containers or images (a strict sandbox drops them).
    ``guard`` names the sandbox's check of its arguments (host paths, engine settings).
    ``waits``: it may wait (an engine command, a timer): inside a ``parallel`` task it runs in a worker
    thread while the other tasks go on; ``False`` for instant ones (builder methods), run in place.
    ``host``: it runs host code (:mod:`herodo_py.host`: files, commands, waits), which reads the runtime's
    host policy: the runtime makes it current around these calls only.
    """

    __slots__ = ()
    _fields = ("name", "params", "returns", "doc", "impl", "owner", "overloads", "changes_state", "guard", "waits",
               "host")
    name: str
    params: tuple[Param, ...]
    returns: str
    doc: str
    impl: Callable[..., Any]
    owner: str | None
    overloads: tuple[str, ...]
    changes_state: bool
    guard: str | None
    waits: bool
    host: bool

    def __new__(cls, name: str, params: tuple[Param, ...], returns: str, doc: str, impl: Callable[..., Any],
                owner: str | None = None, overloads: tuple[str, ...] = (), changes_state: bool = False,
                guard: str | None = None, waits: bool = True, host: bool = False) -> Binding:
        return tuple.__new__(cls, (name, params, returns, doc, impl, owner, overloads, changes_state, guard, waits,
                                   host))

    @property
    def qualified_name(self) -> str:
        return f"{self.owner}:{self.name}" if self.owner else self.name

    @property
    def max_args(self) -> int:
        return len(self.params)


def _lua_side(*args: object) -> None:  # pragma: no cover - never called: the function is Lua's
    raise NotImplementedError("implemented in Lua")


def lua_signature(name: str, params: list[Param], returns: str, doc: str) -> Binding:
    """The signature of a global implemented in Lua (``herodo types`` declares it; nothing calls ``impl``)."""
    return Binding(name, tuple(params), returns, doc, _lua_side)


class FieldDef(NamedFields):
    __slots__ = ()
    _fields = ("name", "type", "doc")
    name: str
    type: str
    doc: str

    def __new__(cls, name: str, type: str, doc: str = "") -> FieldDef:
        return tuple.__new__(cls, (name, type, doc))


class LuaType:
    """A registered type (see the module doc for the kinds).

    ``python`` names the Python classes (``"module:QualName"``) whose instances are this type.
    ``fields`` may be given; otherwise :meth:`Registry.fields_of` reads them from the dataclass the
    first time they are needed (``exclude`` drops some, ``field_docs`` documents them). ``item`` is the
    element type of a record that is also a list (``ImageList``: a list of ``Image`` carrying
    ``stdout``...). ``methods`` are the bindings of an ``object`` type.
    """

    def __init__(self, name: str, kind: str, doc: str = "", python: tuple[str, ...] = (),
                 fields: dict[str, FieldDef] | None = None, exclude: frozenset[str] = frozenset(),
                 field_docs: Mapping[str, str] | None = None, item: str | None = None) -> None:
        self.name = name
        self.kind = kind  # "object", "record" or "options"
        self.doc = doc
        self.python = python
        self.fields = fields
        self.exclude = exclude
        self.field_docs = dict(field_docs or {})
        self.item = item
        self.methods: dict[str, Binding] = {}

    def __repr__(self) -> str:
        return f"LuaType({self.name!r}, {self.kind!r})"


def resolve_class(spec: str) -> type:
    """Import ``"module:QualName"`` (used by the type generator and tests, not by the runtime)."""
    import importlib  # here and below: what only the type generator and field look-ups need

    module_name, _, qualname = spec.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def class_key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


# --- Python annotations -> LuaCATS ---------------------------------------------------------

_SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "nil", bytes: "string"}


def lua_type_of_annotation(annotation: Any, names: Mapping[str, str] | None = None) -> str:
    """``str | None`` -> ``string?``, ``list[str]`` -> ``string[]``, ``dict[str, int]`` ->
    ``table<string,integer>``; registered dataclasses by their Lua name (``names``: class key ->
    Lua name); anything else ``any``."""
    import types  # here and below: only the type generator and field look-ups need these
    import typing

    names = names or {}
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        parts = [lua_type_of_annotation(a, names) for a in args if a is not type(None)]
        text = "|".join(dict.fromkeys(parts))
        if type(None) in args:
            return f"({text})?" if len(parts) > 1 else f"{text}?"
        return text
    if origin in (list, tuple, Sequence, typing.Sequence) or origin is Iterable:
        inner = lua_type_of_annotation(args[0], names) if args else "any"
        return f"({inner})[]" if "|" in inner or inner.endswith("?") else f"{inner}[]"
    if origin in (dict, Mapping, typing.Mapping):
        key, value = (lua_type_of_annotation(a, names) for a in args) if args else ("any", "any")
        return f"table<{key},{value}>"
    if isinstance(annotation, type) and class_key(annotation) in names:
        return names[class_key(annotation)]
    return "any"


def dataclass_fields(cls: type, exclude: Iterable[str] = (), docs: Mapping[str, str] | None = None,
                     names: Mapping[str, str] | None = None) -> dict[str, FieldDef]:
    """Public dataclass fields of ``cls`` as ``FieldDef`` (types from its annotations)."""
    import dataclasses  # (field look-ups only)
    import typing

    if not dataclasses.is_dataclass(cls):
        return {}
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve: fall back to "any"
        hints = {}
    docs = docs or {}
    skip = set(exclude)
    out: dict[str, FieldDef] = {}
    for f in dataclasses.fields(cls):
        if f.name.startswith("_") or f.name in skip:
            continue
        annotation = hints.get(f.name, typing.Any)
        out[f.name] = FieldDef(f.name, lua_type_of_annotation(annotation, names), docs.get(f.name, ""))
    return out


# --- the registry --------------------------------------------------------------------------


class Registry:
    """Global functions and types. Bindings modules fill one with :meth:`function`,
    :meth:`method` and :meth:`type`."""

    def __init__(self) -> None:
        self.functions: dict[str, Binding] = {}
        self.types: dict[str, LuaType] = {}
        self._by_class: dict[str, LuaType] = {}
        self._of_class: dict[type, LuaType] = {}  # type_of's answers by class (a new type clears it)

    # -- declaring -------------------------------------------------------------------------

    def type(self, name: str, kind: str, doc: str = "", *, python: str | Sequence[str] = (),
             fields: Sequence[FieldDef] | None = None, exclude: Iterable[str] = (),
             field_docs: Mapping[str, str] | None = None, item: str | None = None) -> LuaType:
        if name in self.types:
            raise ValueError(f"type {name!r} registered twice")
        specs = (python,) if isinstance(python, str) else tuple(python)
        ltype = LuaType(name, kind, doc, specs, {f.name: f for f in fields} if fields is not None else None,
                        frozenset(exclude), dict(field_docs or {}), item)
        self.types[name] = ltype
        for spec in specs:
            self._by_class[spec] = ltype
        self._of_class.clear()
        return ltype

    def function(self, name: str, params: Sequence[Param] = (), returns: str = "nil", doc: str = "", *,
                 overloads: Sequence[str] = (), changes_state: bool = False, guard: str | None = None,
                 waits: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator registering a global function."""
        return self._registering(None, name, params, returns, doc, overloads, changes_state, guard, waits)

    def method(self, owner: str, name: str, params: Sequence[Param] = (), returns: str = "nil", doc: str = "", *,
               overloads: Sequence[str] = (), changes_state: bool = False, guard: str | None = None,
               waits: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator registering a method of type ``owner``; ``impl(obj, *args)``."""
        return self._registering(owner, name, params, returns, doc, overloads, changes_state, guard, waits)

    def _registering(self, owner: str | None, name: str, params: Sequence[Param], returns: str, doc: str,
                     overloads: Sequence[str], changes_state: bool, guard: str | None,
                     waits: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(impl: Callable[..., Any]) -> Callable[..., Any]:
            self.add(Binding(name, tuple(params), returns, doc, impl, owner, tuple(overloads), changes_state, guard,
                             waits))
            return impl
        return register

    def add(self, binding: Binding) -> None:
        """Register a global function (``owner`` None) or a method of an already registered type."""
        table = self.functions if binding.owner is None else self.types[binding.owner].methods
        if binding.name in table:
            raise ValueError(f"binding {binding.qualified_name!r} registered twice")
        table[binding.name] = binding

    # -- looking up ------------------------------------------------------------------------

    def type_of(self, value: Any) -> LuaType | None:
        """The registered type of a Python value (its class or a base class), without importing."""
        kind = type(value)
        found = self._of_class.get(kind)
        if found is not None or not self._by_class:
            return found
        for cls in kind.__mro__:
            ltype = self._by_class.get(class_key(cls))
            if ltype is not None:
                self._of_class[kind] = ltype  # (every result crossing into Lua asks: the MRO is walked once)
                return ltype
        return None

    def fields_of(self, ltype: LuaType, value: Any = None) -> dict[str, FieldDef]:
        if ltype.fields is None:
            cls = None
            if value is not None:
                cls = next((c for c in type(value).__mro__ if class_key(c) in ltype.python), type(value))
            elif ltype.python:
                cls = resolve_class(ltype.python[0])
            ltype.fields = dataclass_fields(cls, ltype.exclude, ltype.field_docs, self.lua_names()) if cls else {}
        return ltype.fields

    def lua_names(self) -> dict[str, str]:
        """Class key -> Lua type name, for annotations that name registered classes."""
        return {spec: t.name for spec, t in self._by_class.items()}

    def names(self) -> list[str]:
        """Every global function name (for did-you-mean)."""
        return list(self.functions)

    def all_bindings(self) -> Iterable[Binding]:
        yield from self.functions.values()
        for ltype in self.types.values():
            yield from ltype.methods.values()


def did_you_mean(name: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The closest candidate to ``name`` (case-insensitive), or ``None``."""
    import difflib  # here: only a failing script asks for a did-you-mean

    pool = {c.lower(): c for c in candidates if c and not c.startswith("_")}
    if not pool:
        return None
    if len(name) > 3 * max(map(len, pool)):  # too long to reach the cutoff (and difflib is quadratic)
        return None
    exact = pool.get(name.lower())
    if exact is not None and exact != name:
        return exact
    if len(name) >= 3:
        longer = sorted(c for c in pool if c.startswith(name.lower()) and c != name.lower())
        if len(longer) == 1:
            return pool[longer[0]]
    best = difflib.get_close_matches(name.lower(), list(pool), n=1, cutoff=cutoff)
    return pool[best[0]] if best else None
