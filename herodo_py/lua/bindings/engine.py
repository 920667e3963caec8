"""The engine in Lua: ``nerdctl_engine()`` and ``nerdctl_configure{...}``, and the record every engine
command returns (``CommandResult``).

``nerdctl_engine()`` returns ``{name, kind, path, namespace, address, snapshotter, timeout, long_timeout}``
(resolving the engine); ``nerdctl_configure{engine=..., namespace=..., address=..., snapshotter=...,
timeout=..., long_timeout=...}`` changes them for the rest of the script, in its runtime's executor only
(``""`` restores the default), and returns the same record.
"""

from __future__ import annotations

from ..registry import FieldDef
from .rows import RESULT, Noun, P, TypeDef, function

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


class EngineInfo:
    """The engine in use and its settings."""

    FIELDS = (FieldDef("name", "string", "e.g. 'docker'"), FieldDef("kind", "string", "nerdctl, docker or podman"),
              FieldDef("path", "string"), FieldDef("namespace", "string?", "nerdctl only"),
              FieldDef("address", "string?"), FieldDef("snapshotter", "string?", "nerdctl only"),
              FieldDef("timeout", "number", "seconds per command"),
              FieldDef("long_timeout", "number", "seconds for pull, push, build..."))

    def __init__(self, **values: Any) -> None:
        for f in self.FIELDS:
            setattr(self, f.name, values[f.name])


def engine_info() -> EngineInfo:
    from herodo_py.nerdctl.executor import current_executor  # here: the library loads on a script's first call

    executor = current_executor()
    engine = executor.engine()
    cfg = executor.settings
    namespace = cfg.effective("namespace", engine.kind) or ("default" if engine.kind == "nerdctl" else None)
    return EngineInfo(name=engine.name, kind=engine.kind, path=engine.path, namespace=namespace,
                      address=cfg.effective("address", engine.kind),
                      snapshotter=cfg.effective("snapshotter", engine.kind), timeout=cfg.timeout,
                      long_timeout=cfg.long_timeout)


def configure(options: dict[str, Any]) -> EngineInfo:
    from herodo_py.nerdctl.executor import current_executor  # here: the library loads on a script's first call

    current_executor().configure(**{k: (None if v == "" else v) for k, v in options.items()})
    return engine_info()


NOUN = Noun(
    "engine",
    types=(
        TypeDef(RESULT, "record", "What an engine command did.", "herodo_py.result:CommandResult", (
            FieldDef("stdout", "string"), FieldDef("stderr", "string"), FieldDef("success", "boolean"),
            FieldDef("code", "integer"), FieldDef("command", "string", "the argv as one shell line"),
            FieldDef("argv", "string[]"), FieldDef("duration", "number", "seconds"), FieldDef("dry_run", "boolean"))),
        TypeDef("EngineInfo", "record", "The engine in use and its settings.", f"{__name__}:EngineInfo",
                EngineInfo.FIELDS),
        TypeDef("EngineOptions", "options", "nerdctl_configure{...}; '' restores a default.", fields=(
            FieldDef("engine", "string?", "name or path of nerdctl, docker or podman"),
            FieldDef("namespace", "string?", "nerdctl namespace"), FieldDef("address", "string?", "engine socket"),
            FieldDef("snapshotter", "string?", "nerdctl snapshotter"),
            FieldDef("timeout", "number?", "seconds per command"),
            FieldDef("long_timeout", "number?", "seconds for pull, push, build..."))),
    ),
    rows=(
        function("nerdctl_engine", engine_info, [], "EngineInfo", "The engine in use and its settings."),
        function("nerdctl_configure", configure, [P("options", "EngineOptions")], "EngineInfo",
                 "Change engine settings for the rest of the script.", guard="configure"),
    ),
)
