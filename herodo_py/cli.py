"""The ``herodo`` command: run Lua 5.4 scripts that drive nerdctl, docker or podman.

Usage::

    herodo [OPTIONS] FILE.lua [-- ARGS...]   run one script (ARGS become arg[1..n] and ...)
    herodo [OPTIONS] DIR                     run every .lua under DIR, sorted, each in a fresh runtime;
                                             stop at the first failure unless --keep-going
    herodo run ...                           the same, spelled out (for a script named like a subcommand)
    herodo test [PATH...]                    run the tests of *_test.lua and test_*.lua files (herodo_py.lua.testing)
    herodo types [--out DIR]                 write LuaCATS editor definitions (herodo_py.lua.typegen)

Options: ``--engine NAME_OR_PATH``, ``--namespace NS`` (nerdctl), ``--address ADDR`` (nerdctl
``--address``, docker ``--host``, podman ``--url``), ``--timeout SECONDS`` (per engine command),
``--debug`` (Python tracebacks), ``--no-color`` (also ``NO_COLOR``; colours only on a terminal),
``--keep-going``, ``--version``, ``--trace`` (each engine command on stderr), ``--dry-run``
(state-changing commands printed, not run; herodo_py.lua.trace), ``--sandbox`` and
``--sandbox=strict`` (herodo_py.lua.sandbox), ``--allow-env NAME``, ``--max-memory SIZE``,
``--script-timeout SECONDS`` (herodo_py.lua.limits).

Exit codes:

====  ==========================================================================================
0     every script succeeded
1     a script failed (a Lua error, a failed engine command, bad input, ``return false``)
2     usage error, or a script that cannot be read
69    the engine cannot be found, started or reached
70    internal error (a bug in herodo: run with --debug and report it)
124   a timeout: an engine command or a wait ran out of time
130   interrupted (Ctrl-C)
n     the script called ``os.exit(n)``
====  ==========================================================================================

Subcommands are dispatched from :data:`SUBCOMMANDS`; a first argument that is none of them means
``run``. Each subcommand adds its own options (``add_engine_options`` are shared).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from .lua.errors import EXIT_INTERRUPTED, EXIT_USAGE
from .lua.limits import add_limit_options, limit_options


EXIT_CODES = """exit codes:
  0    every script succeeded          69   engine not found or unreachable
  1    a script failed                 70   internal error (a herodo bug)
  2    usage error, unreadable script  124  timeout (engine command or wait)
  130  interrupted (Ctrl-C)            n    the script called os.exit(n)
  141  output closed by its reader (herodo x.lua | head)"""


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
    group.add_argument("--address", metavar="ADDR", help="engine socket: nerdctl --address, docker --host, podman --url")
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
    """``--hosts``/``--forks`` are taken from the command line before parsing (herodo_py.hosts); one that
    reaches the parser was abbreviated."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        parser.error(f"write {self.option_strings[0]} in full")


def add_fleet_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("many hosts (see herodo_py.hosts)")
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
    add_engine_options(parser)
    add_fleet_options(parser)


def use_color(args: argparse.Namespace) -> bool:
    return not args.no_color and not os.environ.get("NO_COLOR") and sys.stderr.isatty()


def apply_engine_options(args: argparse.Namespace) -> None:
    changes = {key: getattr(args, key) for key in ("engine", "namespace", "address", "timeout")
               if getattr(args, key, None) is not None}
    if changes:
        from .nerdctl.cmd import configure

        configure(**changes)


def command_run(args: argparse.Namespace) -> int:
    from .lua.runner import RunOptions, run_folder, run_script
    from .lua.trace import observing

    apply_engine_options(args)
    options = RunOptions(debug=args.debug, color=use_color(args), keep_going=args.keep_going, **limit_options(args))
    with observing(trace=args.trace, dry_run=args.dry_run):
        if os.path.isdir(args.path):
            return run_folder(args.path, args.script_args, options)
        return run_script(args.path, args.script_args, options).exit_code


def add_test_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", metavar="PATH", nargs="*", help="test files or folders (default: the current folder)")
    parser.add_argument("--filter", metavar="PATTERN", help="only tests whose FILE::NAME matches this regular expression")
    parser.add_argument("--fail-fast", action="store_true", help="stop after the first failing test")
    parser.add_argument("--keep", action="store_true", help="leave the tests' containers for debugging; print their names")
    parser.add_argument("--tap", action="store_true", help="write TAP version 13 on stdout")
    parser.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    parser.add_argument("--no-capture", action="store_true", help="show what tests print as they run")
    add_engine_options(parser)


def command_test(args: argparse.Namespace) -> int:
    from .lua.runner import RunOptions
    from .lua.testing import TestOptions, run_tests
    from .lua.trace import observing

    apply_engine_options(args)
    options = TestOptions(filter=args.filter, fail_fast=args.fail_fast, keep=args.keep, capture=not args.no_capture,
                          tap=args.tap, junit=args.junit)
    run_options = RunOptions(debug=args.debug, color=use_color(args) and sys.stdout.isatty(), **limit_options(args))
    with observing(trace=args.trace):
        return run_tests(args.paths, options, run_options)


def add_types_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", default="types",
                        help="folder to write herodo.lua into (default: ./types); - writes to stdout")


def command_types(args: argparse.Namespace) -> int:
    from .lua.typegen import write_types

    return write_types(args.out)


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "run": ("run a script or a folder of scripts (the default)", add_run_options, command_run),
    "test": ("run the tests of *_test.lua and test_*.lua files", add_test_options, command_test),
    "types": ("write LuaCATS definitions of herodo's globals for editors", add_types_options, command_types),
}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="herodo", description="Run Lua scripts that drive nerdctl, docker or podman.",
        epilog="A first argument that is not a subcommand means `run`: herodo deploy.lua -- ARGS\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"herodo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_options, handler) in SUBCOMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text, epilog=EXIT_CODES,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        add_options(child)
        child.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "run")
    try:
        if argv[0] == "run" and any(word.partition("=")[0] in FLEET_OPTIONS for word in argv):
            from .hosts import fleet_main  # one playbook, many hosts: a herodo process per host

            code = fleet_main(argv, build_parser().parse_args)
            if code is not None:
                return code
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except KeyboardInterrupt:
        sys.stderr.write("herodo: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bad setting (e.g. an unsupported --namespace) before any script ran
        from .nerdctl.errors import NerdctlError

        if not isinstance(exc, NerdctlError):
            raise
        sys.stderr.write(f"herodo: {exc}\n" + (f"hint: {exc.hint}\n" if exc.hint else ""))
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
