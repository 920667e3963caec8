"""The static container functions that are not about one existing container: run and list.

Each checks its input before anything runs. ``run`` builds its argv with the builder's
``run_args`` (one run-argv builder for the whole library). The functions on one existing container
(``exec``, ``inspect``, ``stop`` ...) are :mod:`.actions`'s (``herodo_py.nerdctl`` exports both).
Light to import (issue 17): a script's first ``list()`` loads this module, so the builder, the
labels and the actions are imported by the functions that use them.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from ..errors import CommandFailed
from ..executor import DRY_PREFIX, current_engine, execute_nerdctl_command
from ..lazy_pattern import LazyPattern
from ..parse import first, load_records, normalize_time, parse_labels
from ..record import Record
from ..result_list import ResultList

TYPE_CHECKING = False  # typing stays off herodo's first engine call (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

    from ..labels import Swept

__all__ = [
    "ContainerSummary", "ContainerList", "parse_containers", "state_from_status",
    "run", "run_with_name", "run_with_port", "remove_labelled", "list",
]


# --- listing ------------------------------------------------------------------------------


class ContainerSummary(Record):
    """One row of ``ps``, the same on every engine.

    A :class:`~herodo_py.nerdctl.record.Record`, not a dataclass (a script's first ``list()`` makes
    these); its Lua fields are declared in ``herodo_py/lua/bindings/container.py``."""

    __slots__ = ("id", "names", "image", "command", "created", "status", "state", "ports", "labels", "name")
    FIELD_NAMES = __slots__
    id: str
    names: builtins.list[str]
    image: str
    command: str
    created: str  # timestamp; "" when unknown
    status: str  # the engine's words: "Up 5 seconds (healthy)", "Exited (0) 2 minutes ago"
    state: str  # created, running, paused, restarting, removing, exited, dead
    ports: builtins.list[str]  # "0.0.0.0:8080->80/tcp"
    labels: dict[str, str]
    name: str  # the first name

    def __init__(self, id: str, names: builtins.list[str] | None = None, image: str = "", command: str = "",
                 created: str = "", status: str = "", state: str = "", ports: builtins.list[str] | None = None,
                 labels: dict[str, str] | None = None) -> None:
        self.id = id
        self.names = [] if names is None else names
        self.image = image
        self.command = command
        self.created = created
        self.status = status
        self.state = state
        self.ports = [] if ports is None else ports
        self.labels = {} if labels is None else labels
        self.name = self.names[0] if self.names else ""



class ContainerList(ResultList[ContainerSummary]):
    """``list()``: a list of :class:`ContainerSummary` that also carries ``stdout``, ``code``..."""


_UP_TO_9_DIGITS = LazyPattern(r"[0-9]{1,9}")
# nerdctl's ps has no State: it is read from the Status text's first word (no patterns: a first list() on
# nerdctl does not load re)
_STATUS_WORDS = (("up", "running"), ("exited", "exited"), ("created", "created"), ("paused", "paused"),
                 ("restarting", "restarting"), ("dead", "dead"))


def _starts_with_word(text: str, word: str) -> bool:
    """``text`` starts with ``word`` as a whole word (``re``'s ``^word\\b``)."""
    if not text.startswith(word):
        return False
    rest = text[len(word):len(word) + 1]
    return not rest or not (rest.isalnum() or rest == "_")


def state_from_status(status: str) -> str:
    """nerdctl's ``ps`` has no State: ``'Up 5 minutes'`` -> running, ``'Exited (0) ...'`` -> exited."""
    text = status.strip().lower()
    if text.startswith("remov"):
        return "removing"
    for word, state in _STATUS_WORDS:
        if _starts_with_word(text, word):
            return "paused" if word == "up" and "(paused)" in text else state
    words = text.split()
    return words[0] if words else ""


def _names(value: Any) -> builtins.list[str]:
    if isinstance(value, builtins.list):  # podman
        return [str(v) for v in value]
    return [n.strip().lstrip("/") for n in str(value or "").split(",") if n.strip()]


def _command(value: Any) -> str:
    if isinstance(value, builtins.list):  # podman: the argv
        return " ".join(str(v) for v in value)
    text = str(value or "")
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _whole(value: Any) -> int | None:
    """A port number or count of podman's JSON (an int, or digits), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and _UP_TO_9_DIGITS.fullmatch(value) else None


def _podman_port(port: dict[str, Any]) -> str:
    host = port.get("host_port")
    ctr = port.get("container_port")
    count = _whole(port.get("range")) or 1

    def span(p: Any) -> str:
        return f"{p}-{_whole(p) + count - 1}" if count > 1 and _whole(p) is not None else f"{p}"

    ip = port.get("host_ip") or "0.0.0.0"
    return f"{ip}:{span(host)}->{span(ctr)}/{port.get('protocol') or 'tcp'}"


def _ports(value: Any) -> builtins.list[str]:
    if isinstance(value, builtins.list):  # podman: objects
        return [_podman_port(p) if isinstance(p, dict) else str(p) for p in value]
    return [p.strip() for p in str(value or "").split(",") if p.strip()]


def _summary(record: dict[str, Any]) -> ContainerSummary:
    status = str(record.get("Status") or "")
    created = record.get("Created")  # podman: unix seconds (its CreatedAt is "5 seconds ago")
    if not isinstance(created, (int, float)):
        created = record.get("CreatedAt")
    return ContainerSummary(
        id=str(first(record, "ID", "Id", default="")),
        names=_names(record.get("Names")),
        image=str(record.get("Image") or ""),
        command=_command(record.get("Command")),
        created=normalize_time(created),
        status=status,
        state=str(record.get("State") or "").lower() or state_from_status(status),
        ports=_ports(record.get("Ports")),
        labels=parse_labels(record.get("Labels")),
    )


def parse_containers(text: str) -> builtins.list[ContainerSummary]:
    """``ps --format '{{json .}}'`` of any engine (JSON lines, or podman's array)."""
    return [_summary(r) for r in load_records(text, "`ps` output")]


# --- the functions ------------------------------------------------------------------------


def _ports_arg(ports: Any) -> builtins.list[str]:
    if ports is None:
        return []
    from ..validate import check_port, check_string_list  # here and below: list() checks nothing of this kind

    items = check_string_list(ports, "ports")
    return [check_port(p, f"ports[{i + 1}]") for i, p in enumerate(items)]


def run(
    image: str,
    name: str | None = None,
    detach: bool = True,
    ports: Sequence[str] | None = None,
    snapshotter: str | None = None,
    command: str | Sequence[str] | None = None,
) -> str:
    """Run a container. Detached (default): returns its full id. Foreground: waits for it to
    exit and returns its output. ``command`` as a list is the argv; a string runs with ``sh -c``."""
    # here: list() and exec() do not load the builder, list() not the functions on one container; absolute, as
    # on every per-call path: a relative import in a function runs importlib's ModuleSpec.parent each call
    from herodo_py.nerdctl.container.actions import shell_command
    from herodo_py.nerdctl.container.builder import run_args
    from herodo_py.nerdctl.container.types import ContainerConfig
    from herodo_py.nerdctl.validate import check_image, check_name, fail

    if not isinstance(detach, bool):
        raise fail("detach", detach, "true or false")
    config = ContainerConfig(
        name=None if name is None else check_name(name),
        image=check_image(image),
        ports=_ports_arg(ports),
        detach=detach,
        snapshotter=None if snapshotter is None else check_name(snapshotter, "snapshotter"),
        command=[] if command is None else shell_command(command),
    )
    engine = current_engine()
    result = execute_nerdctl_command(run_args(config, engine.kind), snapshotter=config.snapshotter,
                                     engine=engine)
    if result.dry_run:
        return f"{DRY_PREFIX}{name or image}"
    if not detach:
        return result.stdout
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        raise CommandFailed(f"`{result.command}` printed no container id", argv=result.argv,
                            code=result.code, stdout=result.stdout, stderr=result.stderr)
    return lines[-1]


def run_with_name(image: str, name: str) -> str:
    """``run(image, name)``, detached; returns the id."""
    return run(image, name=name)


def run_with_port(image: str, name: str, port: str) -> str:
    """``run(image, name, ports={port})``, detached; returns the id."""
    return run(image, name=name, ports=[port])


def list(all: bool = False) -> ContainerList:
    """Running containers (``all``: stopped and created ones too)."""
    if not isinstance(all, bool):
        from ..validate import fail

        raise fail("all", all, "true or false")
    args = ["ps", *(["--all"] if all else []), "--no-trunc", "--format", "{{json .}}"]
    result = execute_nerdctl_command(args)
    return ContainerList(parse_containers(result.stdout), result)


def _labelled(label: str) -> builtins.list[dict[str, Any]]:
    from .operations import PS_ID_FORMAT  # here: only herodo test's janitor sweeps

    argv = ["ps", "-a", "--no-trunc", "--filter", f"label={label}", "--format", PS_ID_FORMAT]
    return load_records(execute_nerdctl_command(argv).stdout, "ps")


def remove_labelled(label: str, keep: bool = False) -> Swept:
    """Remove (``rm -f``) the containers carrying ``label`` (``key=value``); with ``keep`` only list
    them. Their names (a short id for one without), and how many are still there afterwards."""
    from ..labels import Swept  # here: only herodo test's janitor sweeps

    records = _labelled(label)
    ids = [str(r["ID"]) for r in records if r.get("ID")]
    names = [next(iter(_names(r.get("Names"))), "").lstrip("/") or i[:12] for r, i in zip(records, ids, strict=False)]
    if keep or not ids:
        return Swept(names)
    podman = current_engine().kind == "podman"  # (podman waits 10 s for SIGTERM even when forced)
    execute_nerdctl_command(["rm", "-f", *(["--time", "0"] if podman else []), *ids], check=False)
    return Swept(names, len(_labelled(label)))
