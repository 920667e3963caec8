"""herodo's exit codes are defined once (herodo_py.lua.exit_codes); README's table and --help say the same."""

from __future__ import annotations

import re
from pathlib import Path

from herodo_py.cli import build_parser
from herodo_py.lua.exit_codes import EXIT_CODES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_exit_code_in_order():
    table = README.read_text().split("| exit code | meaning |", 1)[1].split("\n\n", 1)[0]
    codes = re.findall(r"^\| (\S+) \|", table, re.M)
    assert codes[1:] == [code for code, _ in EXIT_CODES]  # (the first row is the table's rule)


def test_help_prints_the_table():
    text = build_parser().format_help()
    for code, meaning in EXIT_CODES:
        assert re.search(rf"^  {re.escape(code)} +{re.escape(meaning)}$", text, re.M), code
