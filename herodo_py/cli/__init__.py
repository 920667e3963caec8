"""The ``herodo`` command: run Lua 5.4 scripts that drive nerdctl, docker or podman.

Usage::

    herodo [OPTIONS] FILE.lua [-- ARGS...]   run one script (ARGS become arg[1..n] and ...)
    herodo [OPTIONS] DIR                     run every .lua under DIR, sorted, each in a fresh runtime;
                                             stop at the first failure unless --keep-going
    herodo run ...                           the same, spelled out (for a script named like a subcommand)
    herodo test [PATH...]                    run the tests of *_test.lua and test_*.lua files (herodo_py.testing.runner)
    herodo types [--out DIR]                 write LuaCATS editor definitions (herodo_py.cli.typegen)

Options: ``--engine NAME_OR_PATH``, ``--namespace NS`` (nerdctl), ``--address ADDR`` (nerdctl
``--address``, docker ``--host``, podman ``--url``), ``--timeout SECONDS`` (per engine command),
``--debug`` (Python tracebacks), ``--no-color`` (also ``NO_COLOR``; colours only on a terminal),
``--keep-going``, ``--version``, ``--trace`` (each engine command on stderr), ``--dry-run``
(state-changing commands printed, not run; herodo_py.cli.trace), ``--check``, ``--diff``, ``--recap``,
``--recap-json FILE`` (what ensures did or would do; herodo_py.cli.recap), ``--sandbox`` and
``--sandbox=strict`` (herodo_py.lua.sandbox), ``--allow-env NAME``, ``--max-memory SIZE``,
``--script-timeout SECONDS`` (herodo_py.lua.limits), ``--hosts INVENTORY`` and ``--forks N`` (one playbook,
many hosts: herodo_py.cli.hosts).

Exit codes: :mod:`herodo_py.lua.exit_codes` (``herodo --help`` prints them).

Subcommands are dispatched from :data:`SUBCOMMANDS`; a first argument that is none of them means
``run``. Each subcommand adds its own options (:mod:`herodo_py.cli.options`; the engine options are shared).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .. import __version__
from ..lua.exit_codes import EXIT_INTERRUPTED, EXIT_USAGE
from .options import FLEET_OPTIONS, add_run_options, add_test_options, add_types_options, limit_options, use_color
from .quick_parse import Parsed, parse
from .recap import recapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import NoReturn


@contextmanager
def engine_options(args: argparse.Namespace) -> Iterator[None]:
    """The command's engine options on an executor of its own, current for the block (every script's
    runtime starts from its settings)."""
    changes = {key: getattr(args, key) for key in ("engine", "namespace", "address", "timeout")
               if getattr(args, key, None) is not None}
    if not changes:
        yield
        return
    from ..nerdctl.executor import Executor  # here: without engine options an empty script never loads the library

    executor = Executor()
    executor.configure(**changes)
    with executor.active():
        yield


@contextmanager
def observed(trace: bool, dry_run: bool = False) -> Iterator[None]:
    """``--trace``/``--dry-run`` for the block (:mod:`herodo_py.cli.trace`)."""
    if not (trace or dry_run):
        yield
        return
    from .trace import observing  # here: without --trace or --dry-run the module (and shlex) is not loaded

    with observing(trace=trace, dry_run=dry_run):
        yield


_COMMAND = False  # this process is the herodo command (run()), not a caller of main()
YOUNG_THRESHOLD = 2000  # objects made between automatic collections, as CPython 3.13 has it (3.11: 700)


def settle(*, lua: bool = True) -> None:
    """In the herodo command, once the modules every run needs are loaded (``lua``: with lupa's, which the
    runtime loads next): hand what exists to the collector's permanent generation (``gc.freeze``) and resume
    the automatic collection ``bin/herodo`` held off during start-up. Those objects live until the exit: the
    passes during start-up, the run and the collection at exit (which closes the Lua states) need not look at
    them (~2 ms a run). A larger young generation spares the first engine call's library load passes over
    objects that live until the exit too."""
    if _COMMAND:
        import gc  # (built in)

        if lua:
            import lupa.lua54  # noqa: F401 - loaded now, its objects join the frozen ones
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        gc.enable()


def command_run(args: argparse.Namespace) -> int:
    from ..lua.runner import RunOptions, run_folder, run_script  # here and below: each subcommand loads its own

    settle()

    options = RunOptions(debug=args.debug, color=use_color(args), keep_going=args.keep_going, **limit_options(args))
    with recapping(check=args.check, diff=args.diff, always=args.recap, json_path=args.recap_json), \
            engine_options(args), observed(args.trace, args.dry_run or args.check):
        if os.path.isdir(args.path):
            return run_folder(args.path, args.script_args, options)
        return run_script(args.path, args.script_args, options).exit_code


def command_test(args: argparse.Namespace) -> int:
    from ..lua.runner import RunOptions  # (herodo test only)
    from ..testing.runner import TestOptions, run_tests

    settle()

    options = TestOptions(filter=args.filter, fail_fast=args.fail_fast, keep=args.keep, capture=not args.no_capture,
                          tap=args.tap, junit=args.junit)
    run_options = RunOptions(debug=args.debug, color=use_color(args) and sys.stdout.isatty(), **limit_options(args))
    with recapping(diff=args.diff, always=args.recap, json_path=args.recap_json), engine_options(args), \
            observed(args.trace):
        return run_tests(args.paths, options, run_options)


def command_types(args: argparse.Namespace) -> int:
    from .typegen import write_types  # (herodo types only)

    return write_types(args.out)


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "run": ("run a script or a folder of scripts (the default)", add_run_options, command_run),
    "test": ("run the tests of *_test.lua and test_*.lua files", add_test_options, command_test),
    "types": ("write LuaCATS definitions of herodo's globals for editors", add_types_options, command_types),
}


def build_parser() -> argparse.ArgumentParser:
    import argparse  # here: the common command lines need no argparse (.quick_parse)

    from ..lua.exit_codes import exit_code_table

    parser = argparse.ArgumentParser(
        prog="herodo", description="Run Lua scripts that drive nerdctl, docker or podman.",
        epilog="A first argument that is not a subcommand means `run`: herodo deploy.lua -- ARGS\n\n"
               + exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"herodo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_options, handler) in SUBCOMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text, epilog=exit_code_table(),
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        add_options(child)
        child.set_defaults(handler=handler)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace | Parsed:
    """The command line (subcommand first): the common ones by :mod:`.quick_parse`, the rest, help
    and errors by argparse (its messages and exit codes)."""
    if argv == ["--version"]:
        sys.stdout.write(f"herodo {__version__}\n")  # what argparse's version action prints
        raise SystemExit(0)
    args = parse(argv)
    if args is not None:
        args.handler = SUBCOMMANDS[args.command][2]
        return args
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:  # nothing to run: the top-level help, as a usage error
        build_parser().print_help(sys.stderr)
        return EXIT_USAGE
    if (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "run")
    try:
        if argv[0] == "run" and any(word.partition("=")[0] in FLEET_OPTIONS for word in argv):
            from .hosts import fleet_main  # here: one playbook, many hosts (a herodo process per host)

            settle(lua=False)
            code = fleet_main(argv, build_parser().parse_args)
            if code is not None:
                return code
        args = parse_args(argv)
        return args.handler(args)
    except KeyboardInterrupt:
        sys.stderr.write("herodo: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bad setting (e.g. an unsupported --namespace) before any script ran
        from ..nerdctl.errors import NerdctlError  # (loaded: only a library setting fails here)

        if not isinstance(exc, NerdctlError):
            raise
        sys.stderr.write(f"herodo: {exc}\n" + (f"hint: {exc.hint}\n" if exc.hint else ""))
        return EXIT_USAGE


def exit_process(code: int) -> NoReturn:
    """End the process with ``code`` without the interpreter's teardown (freeing every module and object:
    2-4 ms on every run), after doing what of it matters: the Lua states are closed (a file a script left
    open is flushed), atexit handlers run, the standard streams are flushed. While other threads run, or
    when a stream cannot be flushed (a reader that went away), the ordinary ``sys.exit`` does it all."""
    import gc  # (built in)

    gc.collect()  # a runtime and its Lua state form a cycle: this closes the state
    threading = sys.modules.get("threading")
    if threading is None or threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # (OSError, a closed or missing stream): sys.exit reports it as Python always does
            pass
        else:
            import atexit  # (built in)

            atexit._run_exitfuncs()  # (each runs once: they are cleared)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    sys.exit(code)


def run() -> NoReturn:
    """The ``herodo`` command (``bin/herodo``, ``python -m herodo_py.cli``)."""
    global _COMMAND
    _COMMAND = True
    try:
        code = main()
    finally:
        import gc  # (built in)

        gc.enable()  # (held off by bin/herodo until settle(), which a short subcommand never reaches)
    exit_process(code)


if __name__ == "__main__":
    run()
