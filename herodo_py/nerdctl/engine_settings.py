"""Engine settings: which CLI runs, with which global flags and time limits.

An :class:`EngineSettings` belongs to one :class:`~herodo_py.nerdctl.executor.Executor`; nothing here
is process-wide. ``None`` means "from the environment, or the engine's default": the ``CONTAINERD_*``
fallbacks are read in one place, :meth:`EngineSettings.effective`, and only for nerdctl (docker and
podman ignore containerd's variables).
"""

from __future__ import annotations

from ..processes import getenv
from .lazy_pattern import LazyPattern
from .record import Record

DEFAULT_TIMEOUT = 120.0
LONG_TIMEOUT = 1800.0

ENGINE_VARIABLE = "HERODO_ENGINE"
CONTAINERD_VARIABLES = {  # setting -> nerdctl's environment variable for it
    "namespace": "CONTAINERD_NAMESPACE",
    "address": "CONTAINERD_ADDRESS",
    "snapshotter": "CONTAINERD_SNAPSHOTTER",
}
"""nerdctl's own environment fallbacks; docker and podman do not read them."""


class EngineSettings(Record):
    """One executor's engine settings. ``None`` means: from the environment, or the engine's default.

    A :class:`~herodo_py.nerdctl.record.Record`, not a dataclass: every run makes one."""

    __slots__ = ("engine", "namespace", "address", "snapshotter", "timeout", "long_timeout", "dry_run", "labels",
                 "hidden_variables")
    FIELD_NAMES = __slots__

    def __init__(
        self,
        engine: str | None = None,  # name or path; else HERODO_ENGINE; else first of nerdctl, docker, podman
        namespace: str | None = None,  # nerdctl --namespace; else CONTAINERD_NAMESPACE
        address: str | None = None,  # nerdctl --address (docker --host, podman --url); else CONTAINERD_ADDRESS
        snapshotter: str | None = None,  # nerdctl --snapshotter; else CONTAINERD_SNAPSHOTTER
        timeout: float = DEFAULT_TIMEOUT,  # seconds per command
        long_timeout: float = LONG_TIMEOUT,  # seconds for pull, push, build, save, load, export, commit
        dry_run: bool = False,  # report state-changing commands instead of running them
        labels: dict[str, str] | None = None,  # added to every container and network we make ({} when None)
        hidden_variables: frozenset[str] = frozenset(),  # CONTAINERD_* variables not read (a sandbox hides them)
    ) -> None:
        self.engine = engine
        self.namespace = namespace
        self.address = address
        self.snapshotter = snapshotter
        self.timeout = timeout
        self.long_timeout = long_timeout
        self.dry_run = dry_run
        self.labels: dict[str, str] = {} if labels is None else labels
        self.hidden_variables = hidden_variables

    def effective(self, name: str, engine_kind: str) -> str | None:
        """``namespace``, ``address`` or ``snapshotter`` as the engine will get it: the setting, else
        (nerdctl only) its ``CONTAINERD_*`` variable."""
        value = getattr(self, name)
        variable = CONTAINERD_VARIABLES[name]
        if value or engine_kind != "nerdctl" or variable in self.hidden_variables:
            return value
        return getenv(variable) or None

    def copy(self) -> EngineSettings:
        """An independent copy (the labels too)."""
        copy = EngineSettings.__new__(EngineSettings)
        for name in self.__slots__:
            setattr(copy, name, getattr(self, name))
        copy.labels = dict(self.labels)
        return copy

    def changed(self, **changes: object) -> EngineSettings:
        """These settings with ``changes`` applied in place; unknown names and bad values are refused
        before anything changes."""
        known = set(self.__slots__) - {"hidden_variables"}
        checked: dict[str, object] = {}
        for key, value in changes.items():
            if key not in known:
                raise TypeError(f"unknown engine setting {key!r}")
            checked[key] = _checked(key, value)
        for key, value in checked.items():
            setattr(self, key, value)
        return self


CONTAINERD_IDENTIFIER = LazyPattern(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")
"""containerd's identifier grammar (namespaces; snapshotters are named alike): letters and digits,
single ``.``, ``_`` or ``-`` between them, at most 76 characters."""
IDENTIFIER_FORM = "letters and digits, '.', '_' or '-' between them, at most 76 characters (containerd's names)"


def _checked(key: str, value: object) -> object:
    """A setting's value as given, or a ConversionError naming it (``None`` restores a default)."""
    from .validate import check_text, check_timeout, fail  # here: validate's patterns compile on first use only

    if key in ("timeout", "long_timeout"):
        return check_timeout(value, key)
    if value is None or key not in ("engine", "namespace", "address", "snapshotter"):
        return value
    if key in ("namespace", "snapshotter"):
        check_text(value, key, IDENTIFIER_FORM)
        if len(value) > 76 or not CONTAINERD_IDENTIFIER.fullmatch(value):  # type: ignore[arg-type]
            raise fail(key, value, IDENTIFIER_FORM, hint="e.g. 'default', 'k8s.io', 'overlayfs'")
        return value
    expected = "an engine name or path" if key == "engine" else "an address like 'unix:///run/containerd.sock'"
    check_text(value, key, expected)
    if value.startswith("-") or any(c.isspace() or ord(c) < 32 for c in value):  # type: ignore[union-attr]
        raise fail(key, value, f"{expected}: no spaces or control characters, not starting with '-'")
    return value


__all__ = ["EngineSettings", "CONTAINERD_VARIABLES", "ENGINE_VARIABLE", "DEFAULT_TIMEOUT", "LONG_TIMEOUT"]
