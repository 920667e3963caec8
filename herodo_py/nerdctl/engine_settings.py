"""Engine settings: which CLI runs, with which global flags and time limits.

An :class:`EngineSettings` belongs to one :class:`~herodo_py.nerdctl.executor.Executor`; nothing here
is process-wide. ``None`` means "from the environment, or the engine's default": the ``CONTAINERD_*``
fallbacks are read in one place, :meth:`EngineSettings.effective`, and only for nerdctl (docker and
podman ignore containerd's variables).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace

DEFAULT_TIMEOUT = 120.0
LONG_TIMEOUT = 1800.0

ENGINE_VARIABLE = "HERODO_ENGINE"
CONTAINERD_VARIABLES = {  # setting -> nerdctl's environment variable for it
    "namespace": "CONTAINERD_NAMESPACE",
    "address": "CONTAINERD_ADDRESS",
    "snapshotter": "CONTAINERD_SNAPSHOTTER",
}
"""nerdctl's own environment fallbacks; docker and podman do not read them."""


@dataclass
class EngineSettings:
    """One executor's engine settings. ``None`` means: from the environment, or the engine's default."""

    engine: str | None = None  # name or path; else HERODO_ENGINE; else first of nerdctl, docker, podman
    namespace: str | None = None  # nerdctl --namespace; else CONTAINERD_NAMESPACE
    address: str | None = None  # nerdctl --address (docker --host, podman --url); else CONTAINERD_ADDRESS
    snapshotter: str | None = None  # nerdctl --snapshotter; else CONTAINERD_SNAPSHOTTER
    timeout: float = DEFAULT_TIMEOUT  # seconds per command
    long_timeout: float = LONG_TIMEOUT  # seconds for pull, push, build, save, load, export, commit
    dry_run: bool = False  # report state-changing commands instead of running them
    labels: dict[str, str] = field(default_factory=dict)  # added to every container and network we make

    def effective(self, name: str, engine_kind: str) -> str | None:
        """``namespace``, ``address`` or ``snapshotter`` as the engine will get it: the setting, else
        (nerdctl only) its ``CONTAINERD_*`` variable."""
        value = getattr(self, name)
        if value or engine_kind != "nerdctl":
            return value
        return os.environ.get(CONTAINERD_VARIABLES[name]) or None

    def copy(self) -> EngineSettings:
        """An independent copy (the labels too)."""
        return replace(self, labels=dict(self.labels))

    def changed(self, **changes: object) -> EngineSettings:
        """These settings with ``changes`` applied in place; unknown names and bad timeouts are refused
        before anything changes."""
        from .validate import check_timeout  # here: validate's patterns are compiled on first use only

        known = {f.name for f in fields(self)}
        checked: dict[str, object] = {}
        for key, value in changes.items():
            if key not in known:
                raise TypeError(f"unknown engine setting {key!r}")
            checked[key] = check_timeout(value, key) if key in ("timeout", "long_timeout") else value
        for key, value in checked.items():
            setattr(self, key, value)
        return self


__all__ = ["EngineSettings", "CONTAINERD_VARIABLES", "ENGINE_VARIABLE", "DEFAULT_TIMEOUT", "LONG_TIMEOUT"]
