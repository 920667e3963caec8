"""A record class with a dataclass's behaviour, without the ``dataclasses`` module: with ``inspect`` and
``typing`` it costs a script's first engine call about 10 ms of imports (issue 17)."""

from __future__ import annotations


class Record:
    """``==`` field by field between instances of one class, a field-by-field repr, unhashable (mutable),
    as a dataclass. Each class annotates its fields (in their order: ``FIELD_NAMES``, unless the class sets
    it itself) and sets them in ``__init__`` (the Lua bindings' declared fields are checked against those)."""

    __slots__ = ()  # (a subclass without __slots__ has its __dict__: vars() and copy work as on a dataclass)
    FIELD_NAMES = ()  # type: tuple[str, ...]  # (a type comment: not a field for the registry's checks)

    def __init_subclass__(cls) -> None:
        if "FIELD_NAMES" not in cls.__dict__:
            cls.FIELD_NAMES = tuple(cls.__dict__.get("__annotations__", ()))

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.FIELD_NAMES)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined,no-any-return]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELD_NAMES)
        return f"{type(self).__qualname__}({fields})"


__all__ = ["Record"]
