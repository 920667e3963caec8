"""Shared helpers for reading engine output: JSON documents, JSON lines or arrays, sizes (from units),
percentages, labels and zero times. Record-specific parsers live beside their record types."""

from __future__ import annotations

from .errors import JsonParseError
from .json_reader import loads
from .units import parse_size as parse_size  # engine-printed sizes are defined in units (re-exported)

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

ZERO_TIMES = frozenset({"", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000000Z"})

_LABEL_KEY_PUNCTUATION = str.maketrans("", "", "_./-")


def _is_label_key(key: str) -> bool:
    """``[\\w./-]+`` in full (what engines print as a label key), read without a pattern: ``\\w`` is what
    ``str.isalnum`` accepts, and ``_``."""
    rest = key.translate(_LABEL_KEY_PUNCTUATION)
    return key != "" and (rest == "" or rest.isalnum())




def load_json(text: str, what: str) -> Any:
    """One JSON document, or ``JsonParseError`` showing the offending text."""
    try:
        return loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: JSONDecodeError, or an int of 4300+ digits
        raise JsonParseError(what, text, getattr(exc, "msg", str(exc))) from None


def load_records(text: str, what: str) -> list[dict[str, Any]]:
    """Records from JSON lines (nerdctl, docker) or one JSON array (podman); blank output is []."""
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        data = load_json(stripped, what)
        records = data if isinstance(data, list) else [data]
    else:
        records = _load_lines(stripped, what)
    for record in records:
        if not isinstance(record, dict):
            import json

            raise JsonParseError(what, json.dumps(record), "expected JSON objects")
    return records


def _load_lines(text: str, what: str) -> list[Any]:
    """JSON lines, parsed as one array when well formed (fast); else line by line to name the bad one."""
    lines = [line for line in (raw.strip() for raw in text.splitlines()) if line and line != "null"]
    if all(line.startswith("{") for line in lines):
        try:
            return loads("[" + ",".join(lines) + "]")
        except (ValueError, RecursionError):
            pass  # fall through: the loop below names the offending line
    records = []
    for line in lines:
        if not line.startswith("{"):
            raise JsonParseError(what, line, "expected one JSON object per line")
        records.append(load_json(line, what))
    return records


def parse_percent(text: Any) -> float | None:
    """``'15.33%'`` -> 15.33; a number -> itself; ``'--'`` or unknown -> None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if abs(text) < 1e308 else None
    if not isinstance(text, str):
        return None
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        return None


def split_pair(text: Any) -> tuple[str, str]:
    """``'1.17kB / 542B'`` -> ('1.17kB', '542B'); a missing side is ''."""
    if not isinstance(text, str):
        return ("", "")
    left, _, right = text.partition("/")
    return (left.strip(), right.strip())


def parse_labels(value: Any) -> dict[str, str]:
    """Labels as a dict, from a dict (podman) or a ``k=v,k2=v2`` string (nerdctl, docker)."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if not isinstance(value, str) or not value:
        return {}
    labels: dict[str, str] = {}
    key = None
    # Values may contain commas (JSON in nerdctl's labels): a piece without '=' continues the value.
    for piece in value.split(","):
        name, equals, val = piece.partition("=")
        if equals and _is_label_key(name):
            key = name
            labels[key] = val
        elif key is not None:
            labels[key] += "," + piece
    return labels


def normalize_time(value: Any) -> str:
    """Engine zero times (``""``, ``0001-01-01T00:00:00Z``) become ``""``; others stay as given.
    Unix seconds (podman's ``ps``/``images`` JSON) become ``'2026-11-28T15:50:31Z'``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        import datetime  # here: only podman's numeric times need it

        if value < 0:  # podman writes the zero time as -62135596800
            return ""
        try:
            return datetime.datetime.fromtimestamp(value, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):  # NaN, or past the year 9999
            return ""
    if not isinstance(value, str) or value in ZERO_TIMES or value.startswith("0001-01-01"):
        return ""
    return value


def first(record: dict[str, Any], *keys: str, default: Any = None) -> Any:
    """The first present, non-None value among ``keys`` (engines name the same field differently)."""
    for key in keys:
        value = record.get(key)
        if value is not None:
            return value
    return default
