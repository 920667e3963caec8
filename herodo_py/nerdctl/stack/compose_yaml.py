"""Reading a compose file: YAML with the line of every mapping key and list item, ``.env`` files,
and ``${VAR}`` interpolation as the Compose Specification defines it.

PyYAML is imported here only, when a compose file is loaded (``herodo`` starts without it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["InterpolationError", "LineList", "LineMap", "interpolate", "read_env_file", "read_yaml"]


class LineMap(dict):  # type: ignore[type-arg]
    """A YAML mapping; ``lines[key]`` is the 1-based line of each key, ``line`` the mapping's."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    """A YAML sequence; ``lines[i]`` is the 1-based line of item ``i`` (0-based index)."""

    line: int = 0
    lines: list[int]


def _loader(fast: bool = False) -> type:
    """A safe loader keeping line numbers; ``fast``: on libyaml's parser when PyYAML has it."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader

    class LineLoader(base):  # type: ignore[misc,valid-type]
        """SafeLoader that keeps line numbers (compose errors name the key's line)."""

    def mapping(loader: Any, node: Any) -> LineMap:
        loader.flatten_mapping(node)  # merge keys (<<: *anchor), as SafeLoader does
        result = LineMap()
        result.line = node.start_mark.line + 1
        result.lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark)
            result[key] = loader.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1
        return result

    def sequence(loader: Any, node: Any) -> LineList:
        result = LineList(loader.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.lines = [child.start_mark.line + 1 for child in node.value]
        return result

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    return LineLoader


def read_yaml(text: str) -> Any:
    """Parse ``text``; raise ``ValueError("line N: ...")`` on bad YAML. Parsed by libyaml when
    PyYAML has it (a few times faster); bad YAML is parsed again by PyYAML's own parser, whose
    messages say where and what more plainly."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader(fast=True))
    except yaml.YAMLError:
        pass
    try:
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValueError(f"{where}{problem}") from None


_ENV_LINE = re.compile(r"\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<value>.*?)\s*")


def read_env_file(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, blank lines, optional quotes, ``export`` prefix)."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _ENV_LINE.fullmatch(line)
        if not m:
            raise ValueError(f"line {number}: {line.strip()!r} is not KEY=VALUE")
        value = m["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
            if m["value"][0] == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[m["key"]] = value
    return values


class InterpolationError(ValueError):
    """A ``${VAR:?message}`` whose variable is unset (or empty), or a malformed ``${...}``."""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.DOTALL)


def _closing(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` whose body starts at ``start`` (bodies may nest)."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise InterpolationError(f"unclosed '${{' in {text!r}")


def _braced(body: str, text: str, lookup: Callable[[str], str | None]) -> str:
    b = _BRACED.fullmatch(body)
    if not b:
        raise InterpolationError(f"invalid interpolation '${{{body}}}' in {text!r}")
    value = lookup(b["name"])
    op = b["op"]
    arg = interpolate(b["arg"], lookup) if b["arg"] else ""
    unset = value is None or (op is not None and op.startswith(":") and value == "")
    if op in (":-", "-"):
        return arg if unset else value or ""
    if op in (":?", "?"):
        if unset:
            raise InterpolationError(f"variable {b['name']} is required: {arg or 'it is not set'}")
        return value or ""
    if op in (":+", "+"):
        return "" if unset else arg
    return value or ""


def interpolate(text: str, lookup: Callable[[str], str | None]) -> str:
    """Substitute ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``,
    ``${VAR?error}``, ``${VAR:+alt}``, ``${VAR+alt}`` (defaults may hold ``${...}`` again);
    ``$$`` is a literal ``$``. An unset ``${VAR}`` reads as ``""`` (compose warns and does the same)."""
    out: list[str] = []
    i = 0
    while (j := text.find("$", i)) >= 0:
        out.append(text[i:j])
        nxt = text[j + 1:j + 2]
        if nxt == "$":
            out.append("$")
            i = j + 2
        elif nxt == "{":
            end = _closing(text, j + 2)
            out.append(_braced(text[j + 2:end], text, lookup))
            i = end + 1
        elif m := _NAME.match(text, j + 1):
            out.append(lookup(m[0]) or "")
            i = m.end()
        else:
            raise InterpolationError(f"a lone '$' in {text!r} (write '$$' for a literal '$')")
    out.append(text[i:])
    return "".join(out)


def interpolate_tree(value: Any, lookup: Callable[[str], str | None], path: str,
                     errors: Callable[[str, str], None]) -> Any:
    """Interpolate every string value (not keys) in place in a loaded tree; problems go to ``errors``."""
    if isinstance(value, str):
        try:
            return interpolate(value, lookup)
        except InterpolationError as exc:
            errors(path, str(exc))
            return value
    if isinstance(value, Mapping):
        for key in list(value):
            if isinstance(key, str) and key.startswith("x-"):
                continue
            value[key] = interpolate_tree(value[key], lookup, f"{path}.{key}" if path else str(key), errors)
        return value
    if isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = interpolate_tree(item, lookup, f"{path}[{i + 1}]", errors)
        return value
    return value
