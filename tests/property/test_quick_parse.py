"""herodo's light command-line parser (herodo_py.cli.quick_parse) against argparse: on every command
line it accepts it must give exactly what argparse gives; everything else goes to argparse."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herodo_py.cli import build_parser
from herodo_py.cli.options import FLEET_OPTIONS
from herodo_py.cli.quick_parse import FLAGS, SANDBOX, VALUES, parse

WORDS = sorted({*FLAGS["common"], *FLAGS["run"], *FLAGS["test"], *VALUES["common"], *VALUES["run"], *VALUES["test"],
                *SANDBOX, "--", "-h", "--help", "--keep", "--deb", "--timeout=5", "--timeout=0", "--max-memory=2g",
                "--max-memory=1k", "--script-timeout=5m", "--engine=", "--sandbox=other", "--debug=1", "-x", "-"})
VALUES_TEXT = ["x.lua", "dir", "a", "", "5", "0", "-1", "2g", "none", "abc", "a b", "-z", "1.5", "inf", "nan"]


def argparse_result(argv: list[str]) -> dict[str, object] | str:
    """argparse's Namespace as a dict, or "exit N" when it exits (usage error, --help)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return f"exit {exc.code}"
    values = vars(args)
    values.pop("handler")
    return values


def quick_result(argv: list[str]) -> dict[str, object] | None:
    parsed = parse(argv)
    return None if parsed is None else vars(parsed)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["run", "test"]),
       st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(VALUES_TEXT)), max_size=7))
def test_quick_parse_agrees_with_argparse(command, words):
    argv = [command, *words]
    quick = quick_result(argv)
    if quick is not None:
        assert quick == argparse_result(argv), argv


@pytest.mark.parametrize("argv", [
    ["run", "x.lua"], ["run", "--debug", "x.lua", "--", "a", "-b", "--c"], ["run", "x.lua", "--trace"],
    ["run", "--trace", "x.lua", "exec", "1", "name with space", ""],
    ["run", "--engine", "docker", "--timeout=2.5", "--sandbox=strict", "--allow-env", "A", "--allow-env=B", "d"],
    ["run", "--max-memory", "256m", "--script-timeout", "5m", "--namespace=ns", "--address", "unix:///x", "x.lua"],
    ["test"], ["test", "--tap", "--junit", "out.xml", "--filter", "web", "a_test.lua", "b"],
    ["test", "--fail-fast", "--keep", "--no-capture", "--no-color", "--sandbox"],
])
def test_the_common_command_lines_take_the_quick_path(argv):
    quick = quick_result(argv)
    assert quick is not None, argv
    assert quick == argparse_result(argv)


@pytest.mark.parametrize("argv", [
    ["run", "-h"], ["run", "--deb", "x.lua"], ["run", "x.lua", "a", "--trace"], ["run", "x.lua", "--debug", "--", "a"],
    ["run", "--timeout", "0", "x.lua"], ["run", "--max-memory", "1k", "x.lua"], ["run", "x.lua", "--", "a", "--", "b"],
    ["test", "a", "--tap"], ["test", "--", "a"], ["types"], ["run", "--engine", "-x", "x.lua"],
    ["run", "--keep", "x.lua"], ["test", "--keep-going"], ["run"],
])
def test_help_errors_and_odd_lines_go_to_argparse(argv):
    assert parse(argv) is None


def test_the_tables_name_only_options_argparse_knows():
    """A renamed or dropped option must leave the quick tables too (else the two would disagree)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in ("run", "test"):
        known = {s for a in sub.choices[command]._actions for s in a.option_strings}
        quick = {*FLAGS["common"], *FLAGS[command], *VALUES["common"], *VALUES[command], *SANDBOX}
        assert quick <= known, quick - known
        # every other option takes the quick path (--hosts/--forks lines are cli.hosts' before any parsing)
        assert known - quick <= {"-h", "--help", *FLEET_OPTIONS}, known - quick
