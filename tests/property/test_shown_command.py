"""How a command is shown (``--trace``, error messages, ``CommandResult.command``): herodo quotes each
argument itself (shlex stays off the first engine call) and must quote exactly as ``shlex`` does, so
that a shown command pasted into a shell runs the same argv."""

from __future__ import annotations

import os
import shlex

from hypothesis import given
from hypothesis import strategies as st

from herodo_py.processes import shown_command

ARGS = st.lists(st.one_of(st.text(), st.sampled_from(["", "'", "a b", "$HOME", "--x=1", "é", "a'b\"c", "\n"])),
                min_size=1, max_size=6)


@given(ARGS)
def test_a_shown_command_is_shlex_join_of_its_argv(argv):
    shown = shown_command(["prog", *argv])
    assert shown == shlex.join(["prog", *argv])
    assert shlex.split(shown) == ["prog", *argv]


def test_the_program_is_shown_by_name_only_when_that_name_finds_it(tmp_path, monkeypatch):
    program = tmp_path / "engine"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shown_command([str(program), "ps", "a b"]) == "engine ps 'a b'"
    monkeypatch.setenv("PATH", os.defpath)  # another PATH: the name finds another program, or none
    assert shown_command([str(program), "ps"]) == f"{program} ps"
