"""The declarations a bindings file makes: its noun's Lua types and one keyed row per Lua name.

A row holds what everything else reads: the registry (globals, methods, argument checks), ``herodo
types`` (params, returns, docs), the sandbox (``changes_state``: a strict sandbox drops the binding;
``guard``: the check of its host paths or settings) and ``herodo test``'s janitor (a :class:`Noun`'s
``creates`` and ``sweep``). A binding only converts values and names; the behaviour is the library's,
which is imported on the first call, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..registry import Binding, FieldDef, Param, Registry

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

P = Param
RESULT = "CommandResult"  # the record of an engine command (the engine noun declares it)
DURATION = "string|number"  # '30s', '1m30s'; a number is seconds
DOCUMENT = "table<string,any>"  # an engine's inspect document, keys as the engine writes them
RESULT_LIST_FIELDS = (FieldDef("stdout", "string"), FieldDef("stderr", "string"), FieldDef("success", "boolean"),
                      FieldDef("code", "integer"))
"""The fields of a list record that also carries its command's result (``nerdctl_images()``)."""


class Row:
    """One Lua name: a global function (``owner`` None) or a method of the registered type ``owner``.

    ``call``: the library function of that name in ``herodo_py.nerdctl`` (a string; ``"module:function"``
    names one elsewhere, e.g. ``"herodo_py.host.files:exist"``), a callable given
    the converted arguments, or ``None`` for a method: the Python method of the same name.
    ``guard``: the sandbox check of its arguments (a key of ``herodo_py.lua.sandbox.GUARDS``).
    ``waits``: it may wait on an engine command or a timer (see :class:`~herodo_py.lua.registry.Binding`).
    (Plain classes, not NamedTuples, here: they are made at every start-up, and typing's are slow to define.)
    """

    __slots__ = ("name", "params", "returns", "doc", "changes_state", "owner", "call", "guard", "overloads", "waits")

    def __init__(self, name: str, params: tuple[Param, ...] = (), returns: str = "nil", doc: str = "",
                 changes_state: bool = False, owner: str | None = None, call: str | Callable[..., Any] | None = None,
                 guard: str | None = None, overloads: tuple[str, ...] = (), waits: bool = True) -> None:
        self.name, self.params, self.returns, self.doc = name, params, returns, doc
        self.changes_state, self.owner, self.call, self.guard, self.overloads = (changes_state, owner, call, guard,
                                                                                  overloads)
        self.waits = waits


class TypeDef:
    """A registered Lua type (see :meth:`herodo_py.lua.registry.Registry.type` for the kinds).
    ``python``: "module:QualName" of the Python class; ``fields``: None to read them from the dataclass."""

    __slots__ = ("name", "kind", "doc", "python", "fields", "item")

    def __init__(self, name: str, kind: str, doc: str, python: str = "", fields: tuple[FieldDef, ...] | None = None,
                 item: str | None = None) -> None:
        self.name, self.kind, self.doc, self.python, self.fields, self.item = name, kind, doc, python, fields, item


class Noun:
    """Everything herodo exposes of one engine noun.

    ``creates``: command words (after the engine's global flags) that make an object carrying the
    executor's labels; ``sweep``: ``"module:function"`` of the library, ``(label, keep) -> Swept``,
    removing what carries a label (``herodo test`` cleans up with it, lowest ``sweep_rank`` first:
    containers before the networks they hold). ``listed_by_keep``: ``--keep`` names what it left.
    ``host``: its bindings run host code (see :class:`~herodo_py.lua.registry.Binding`).
    """

    __slots__ = ("name", "types", "rows", "creates", "sweep", "sweep_rank", "listed_by_keep", "host")

    def __init__(self, name: str, *, types: tuple[TypeDef, ...] = (), rows: tuple[Row, ...] = (),
                 creates: tuple[tuple[str, ...], ...] = (), sweep: str | None = None, sweep_rank: int = 0,
                 listed_by_keep: bool = False, host: bool = False) -> None:
        self.name, self.types, self.rows, self.creates = name, types, rows, creates
        self.sweep, self.sweep_rank, self.listed_by_keep, self.host = sweep, sweep_rank, listed_by_keep, host

    def register(self, registry: Registry) -> None:
        self.register_types(registry)
        self.register_rows(registry)

    def register_types(self, registry: Registry) -> None:
        for t in self.types:
            registry.type(t.name, t.kind, t.doc, python=t.python or (), fields=t.fields, item=t.item)

    def register_rows(self, registry: Registry) -> None:
        for row in self.rows:
            binding = Binding(row.name, row.params, row.returns, row.doc, _impl(row), row.owner, row.overloads,
                              row.changes_state, row.guard, row.waits, self.host)
            registry.add(binding)

    def sweeper(self) -> Callable[..., Any]:
        assert self.sweep is not None
        import importlib  # here: only herodo test's janitor sweeps

        module, _, name = self.sweep.partition(":")
        return getattr(importlib.import_module(module), name)


def function(name: str, call: str | Callable[..., Any], params: Sequence[Param], returns: str, doc: str, *,
             changes_state: bool = False, guard: str | None = None, overloads: Sequence[str] = (),
             waits: bool = True) -> Row:
    return Row(name, tuple(params), returns, doc, changes_state, None, call, guard, tuple(overloads), waits)


def method(owner: str, name: str, params: Sequence[Param], returns: str, doc: str, *, changes_state: bool = False,
           call: Callable[..., Any] | None = None, guard: str | None = None, overloads: Sequence[str] = (),
           waits: bool = True) -> Row:
    return Row(name, tuple(params), returns, doc, changes_state, owner, call, guard, tuple(overloads), waits)


def _trim(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop trailing nils so the Python defaults apply."""
    end = len(args)
    while end and args[end - 1] is None:
        end -= 1
    return args[:end]


def _impl(row: Row) -> Callable[..., Any]:
    if callable(row.call):
        return row.call
    if row.owner is not None:
        method_name = row.name

        def forward(obj: Any, *args: Any) -> Any:
            return getattr(obj, method_name)(*_trim(args))
        return forward
    function_name = row.call
    if ":" in function_name:
        module, _, function_name = function_name.partition(":")

        def call_in(*args: Any) -> Any:
            import importlib  # here: importlib is not on the start-up path; the module loads on first call

            return getattr(importlib.import_module(module), function_name)(*_trim(args))
        return call_in

    def call(*args: Any) -> Any:
        import herodo_py.nerdctl as api  # here: the library loads on a script's first call, not at start-up

        return getattr(api, function_name)(*_trim(args))  # type: ignore[arg-type]
    return call


__all__ = ["Row", "TypeDef", "Noun", "function", "method", "P", "RESULT", "DURATION", "DOCUMENT", "RESULT_LIST_FIELDS"]
