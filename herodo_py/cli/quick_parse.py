"""The common ``herodo`` command lines parsed without argparse (which costs several ms to import and
build on every start).

:func:`parse` reads ``run`` and ``test`` command lines made of the options in :data:`FLAGS` and
:data:`VALUES` (``--opt VALUE`` or ``--opt=VALUE``), a path with ``-- ARGS`` or ``ARGS`` right after it (run),
or paths (test). Anything else, ``--help``, an abbreviation, a bad value, an odd order, returns ``None`` and argparse
parses the line as before, with its messages and exit codes. So on every line it accepts it gives
what argparse gives (``tests/property/test_quick_parse.py`` compares the two).
"""

from __future__ import annotations

from collections.abc import Callable

from ..lua.limits import DEFAULT, DEFAULT_MAX_MEMORY, parse_seconds, parse_size
from .options import positive_seconds
from .recap import check_recap_json

# subcommand -> boolean flags (option -> dest)
FLAGS: dict[str, dict[str, str]] = {
    "common": {"--debug": "debug", "--no-color": "no_color", "--trace": "trace", "--diff": "diff", "--recap": "recap"},
    "run": {"--keep-going": "keep_going", "--dry-run": "dry_run", "--check": "check"},
    "test": {"--fail-fast": "fail_fast", "--keep": "keep", "--tap": "tap", "--no-capture": "no_capture"},
}
# subcommand -> options taking a value (option -> dest); --allow-env appends
VALUES: dict[str, dict[str, str]] = {
    "common": {"--engine": "engine", "--namespace": "namespace", "--address": "address", "--timeout": "timeout",
               "--allow-env": "allow_env", "--max-memory": "max_memory", "--script-timeout": "script_timeout",
               "--recap-json": "recap_json"},
    "run": {},
    "test": {"--filter": "filter", "--junit": "junit"},
}
SANDBOX = {"--sandbox": "sandbox", "--sandbox=strict": "strict"}


CONVERT: dict[str, Callable[[str], object]] = {"timeout": positive_seconds, "max_memory": parse_size,
                                               "script_timeout": parse_seconds, "recap_json": check_recap_json}


class Parsed:
    """The parsed options as attributes (what argparse's Namespace would hold)."""

    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


def _defaults(command: str) -> dict[str, object]:
    values: dict[str, object] = {"command": command, "sandbox": "trusted", "allow_env": [],
                                 "max_memory": DEFAULT_MAX_MEMORY, "script_timeout": DEFAULT}
    if command == "run":  # --hosts/--forks lines are taken by cli.hosts before parsing (FLEET_OPTIONS)
        values.update(hosts=None, forks=None)
    for table in (FLAGS["common"], FLAGS[command]):
        values.update(dict.fromkeys(table.values(), False))
    for table in (VALUES["common"], VALUES[command]):
        values.update((dest, None) for dest in table.values() if dest not in values)
    return values


def parse(argv: list[str]) -> Parsed | None:
    """``argv`` (the subcommand first) parsed, or ``None`` when argparse must do it."""
    command = argv[0] if argv else ""
    if command not in ("run", "test"):
        return None
    flags = {**FLAGS["common"], **FLAGS[command]}
    valued = {**VALUES["common"], **VALUES[command]}
    values = _defaults(command)
    positionals: list[str] = []
    rest: list[str] | None = None  # run: what follows `--`
    option_after_path = False  # run: then argparse takes no `--` any more
    words = argv[1:]
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if not word.startswith("-"):
            if command == "run" and positionals:
                return None  # a word after the path's arguments: argparse's rules
            positionals.append(word)
            if command == "run":
                end = i
                while end < len(words) and not words[end].startswith("-"):
                    end += 1
                if end > i:  # arguments right after the path (`herodo x.lua a b`): argparse takes them whole
                    if end < len(words):
                        return None  # anything after them: argparse's rules
                    rest = words[i:end]
                    break
            continue
        if positionals and command == "test":
            return None  # an option after the paths: argparse's rules
        if word == "--":
            if command != "run" or len(positionals) != 1 or option_after_path or "--" in words[i:]:
                return None
            rest = words[i:]
            break
        option_after_path = bool(positionals)
        if word in flags:
            values[flags[word]] = True
        elif word in SANDBOX:
            values["sandbox"] = SANDBOX[word]
        else:
            name, eq, value = word.partition("=")
            if name not in valued:
                return None
            if not eq:
                if i >= len(words) or words[i].startswith("-"):
                    return None
                value = words[i]
                i += 1
            dest = valued[name]
            try:
                converted = CONVERT[dest](value) if dest in CONVERT else value
            except ValueError:
                return None
            if dest == "allow_env":
                values["allow_env"] = [*values["allow_env"], value]  # type: ignore[list-item]
            else:
                values[dest] = converted
    if command == "run":
        if len(positionals) != 1:
            return None
        values.update(path=positionals[0], script_args=rest or [])
    else:
        values["paths"] = positionals
    return Parsed(**values)
