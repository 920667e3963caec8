"""The ``herodo`` command's options: engine, output, sandbox and limits, and each subcommand's own.

Parsing only: what an option does is in the layer it configures (the executor's settings, the
runtime's policy and limits in :mod:`herodo_py.lua.limits`, ``herodo test``'s selection).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..lua.limits import DEFAULT, DEFAULT_MAX_MEMORY, SANDBOX_SCRIPT_TIMEOUT, parse_seconds, parse_size
from .recap import check_recap_json


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Engine and output options shared by every subcommand that runs scripts."""
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", metavar="NAME_OR_PATH", help="nerdctl, docker, podman or a path (HERODO_ENGINE)")
    group.add_argument("--namespace", metavar="NS", help="nerdctl namespace (CONTAINERD_NAMESPACE)")
    group.add_argument("--address", metavar="ADDR",
                       help="engine socket: nerdctl --address, docker --host, podman --url")
    group.add_argument("--timeout", metavar="SECONDS", type=positive_seconds,
                       help="time limit per engine command (pull, push, build keep their long limit)")
    out = parser.add_argument_group("output")
    out.add_argument("--debug", action="store_true", help="show Python tracebacks under errors")
    out.add_argument("--no-color", action="store_true", help="no colours (also NO_COLOR=1)")
    out.add_argument("--trace", action="store_true",
                     help="print each engine command to stderr as it runs, with its exit code and duration")
    add_limit_options(parser)


FLEET_OPTIONS = ("--hosts", "--forks")


class _FleetOption(argparse.Action):
    """``--hosts``/``--forks`` are taken from the command line before parsing (:mod:`herodo_py.cli.hosts`);
    one that reaches the parser was abbreviated."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        parser.error(f"write {self.option_strings[0]} in full")


def add_fleet_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("many hosts (see herodo_py.cli.hosts)")
    group.add_argument("--hosts", metavar="INVENTORY", action=_FleetOption,
                       help="run the playbook once per host: a file of 'NAME ADDRESS [ENGINE]' lines, "
                            "or NAME=[ENGINE+]ADDRESS,...")
    group.add_argument("--forks", metavar="N", action=_FleetOption,
                       help="with --hosts: at most N hosts at once (default 5)")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="FILE.lua|DIR", help="a script, or a folder of scripts")
    parser.add_argument("script_args", metavar="ARGS", nargs="*", help="arguments for the script (after --)")
    parser.add_argument("--keep-going", action="store_true", help="in a folder, run the rest after a failure")
    parser.add_argument("--dry-run", action="store_true",
                        help="print state-changing engine commands instead of running them (read-only ones run)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing (as --dry-run): each ensure and state-changing call says what it "
                             "would do and why; the recap says how many things would change")
    add_recap_options(parser)
    add_engine_options(parser)
    add_fleet_options(parser)


def add_recap_options(parser: argparse.ArgumentParser) -> None:
    """``--diff``, ``--recap``, ``--recap-json FILE`` (herodo_py.cli.recap)."""
    group = parser.add_argument_group("ensure")
    group.add_argument("--diff", action="store_true", help="print what each ensure found different, as it runs")
    group.add_argument("--recap", action="store_true",
                       help="print the recap (ok/changed/failed by kind) even when no ensure ran")
    group.add_argument("--recap-json", metavar="FILE", type=check_recap_json,
                       help="also write the recap as JSON to FILE (replaced atomically)")


def use_color(args: argparse.Namespace) -> bool:
    return not args.no_color and not os.environ.get("NO_COLOR") and sys.stderr.isatty()


def add_test_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", metavar="PATH", nargs="*", help="test files or folders (default: the current folder)")
    parser.add_argument("--filter", metavar="PATTERN",
                        help="only tests whose FILE::NAME matches this regular expression")
    parser.add_argument("--fail-fast", action="store_true", help="stop after the first failing test")
    parser.add_argument("--keep", action="store_true",
                        help="leave the tests' containers for debugging; print their names")
    parser.add_argument("--tap", action="store_true", help="write TAP version 13 on stdout")
    parser.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    parser.add_argument("--no-capture", action="store_true", help="show what tests print as they run")
    add_recap_options(parser)
    add_engine_options(parser)


def add_types_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", default="types",
                        help="folder to write herodo.lua into (default: ./types); - writes to stdout")


def _argtype(parse: Any) -> Any:
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = parse.__name__
    return convert


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--sandbox``, ``--sandbox=strict``, ``--allow-env``, ``--max-memory``, ``--script-timeout``."""
    group = parser.add_argument_group("sandbox and limits")
    # "--sandbox=strict" is an option string of its own: argparse matches it before splitting at '='
    group.add_argument("--sandbox", dest="sandbox", action="store_const", const="sandbox", default="trusted",
                       help="for scripts you did not write: no programs, files, environment (but an allow-list), "
                            "binary chunks or debug library; host paths only inside the script's folder")
    group.add_argument("--sandbox=strict", dest="sandbox", action="store_const", const="strict",
                       help="--sandbox, and no binding that changes containers, images or networks")
    group.add_argument("--allow-env", metavar="NAME", action="append", default=[],
                       help="let a sandboxed script read this environment variable (NAME* for a prefix; repeatable)")
    group.add_argument("--max-memory", metavar="SIZE", type=_argtype(parse_size), default=DEFAULT_MAX_MEMORY,
                       help="Lua memory per script, e.g. 256m, 2g (default 512m; 0: no limit)")
    group.add_argument("--script-timeout", metavar="SECONDS", type=_argtype(parse_seconds), default=DEFAULT,
                       help=f"wall time per script, e.g. 300, 5m (default: none; {SANDBOX_SCRIPT_TIMEOUT:g} s "
                            "with --sandbox; 0: no limit)")


def limit_options(args: argparse.Namespace) -> dict[str, Any]:
    """``RunOptions`` keyword arguments from parsed ``herodo`` options (the watchdog on: a process)."""
    return {"policy": args.sandbox, "env_allow": tuple(args.allow_env), "max_memory": args.max_memory,
            "script_timeout": args.script_timeout, "watchdog": True}
