"""Friendly error pieces: caret placement in chained calls, syntax hints, rendering, colour, --debug;
and the type language of the registry."""

from __future__ import annotations

import pytest

from herodo_py.lua.convert import TypeNode, parse_type
from herodo_py.lua.diagnostics import friendly
from herodo_py.lua.diagnostics.errors import ScriptError

CHAIN = [
    'local c = nerdctl_container_from_image("web", "img")',  # 1
    '  :with_port("8080:80")',  # 2
    '  :with_port("9090:90")',  # 3
    '  :build()',  # 4
    'c:build()',  # 5
]


@pytest.mark.parametrize("line, token, value, expected", [
    (1, "build", None, (4, 3, 8)),  # Lua reports the first line of a chained statement
    (1, "with_port", "9090:90", (3, 3, 12)),  # the occurrence holding the bad value
    (1, "with_port", None, (2, 3, 12)),
    (5, "build", None, (5, 2, 7)),
    (1, "absent", None, (1, 0, 52)),  # not found: the whole line
])
def test_caret_lands_on_the_call_in_the_statement(line, token, value, expected):
    assert friendly.find_token(CHAIN, line, token, value) == expected


def test_statement_ends_where_the_chain_ends():
    lines = ["local a = f(", "  1)", "print(build)"]
    assert friendly.find_token(lines, 1, "build") == (1, 0, 12)


@pytest.mark.parametrize("message, line, hint", [
    ("x.lua:2: 'then' expected near '!'", "if a != b then", "Lua writes 'not equal' as ~="),
    ("x.lua:1: syntax error near '+'", "n += 1", "Lua has no += or ++: write x = x + 1"),
    ("x.lua:1: unexpected symbol near '/'", "// comment", "Lua comments start with --"),
    ("x.lua:3: '=' expected near 'deploy'", "fucntion deploy()", "did you mean the keyword 'function'?"),
    ("x.lua:4: ')' expected (to close '(' at line 2) near 'x'", "", "add the missing ')' for the '('"),
])
def test_syntax_hints(tmp_path, message, line, hint):
    script = tmp_path / "x.lua"
    script.write_text("\n".join([line] * 4))
    failure = friendly.from_syntax_error(message.replace("x.lua", str(script)), str(script))
    assert failure.hint == hint


def test_shortened_chunk_names_map_back_to_full_paths():
    long = "/srv/" + "deep/" * 20 + "deploy.lua"
    frames = [(long, 7, None)]
    failure = friendly.from_lua_error("...p/deep/deep/deploy.lua:7: attempt to index a nil value (local 'x')",
                                      frames)
    assert (failure.file, failure.line, failure.snippets[0].token) == (long, 7, "x")


def test_render_layout_colour_and_debug(tmp_path):
    script = tmp_path / ("long-folder-name-" * 5) / "deploy.lua"
    script.parent.mkdir()
    script.write_text("local c = 1\nc:build()\n")
    try:
        raise ValueError("inner")
    except ValueError as exc:
        cause = exc
    error = ScriptError("it broke", category="NoSuchImage", hint="pull it", func="build", cause=cause)
    error.file, error.line = str(script), 2
    failure = friendly.from_script_error(error)
    plain = friendly.render(failure)
    assert plain.splitlines() == [
        f"-- NO SUCH IMAGE --- {script}:2",
        "it broke",
        "   2| c:build()",
        "        ^^^^^",
        "Hint: pull it",
    ]
    assert "\x1b[" in friendly.render(failure, color=True)
    assert "ValueError: inner" in friendly.render(failure, debug=True)
    assert "ValueError" not in plain


def test_header_fills_eighty_columns():
    header = friendly.render(friendly.Failure("SYNTAX ERROR", "x", file="a.lua", line=3)).splitlines()[0]
    assert len(header) == 80 and header.endswith(" a.lua:3")


@pytest.mark.parametrize("value, text", [(None, "nil"), (True, "true"), ("a\"b", '"a\\"b"'), ([1, "x"], '{1, "x"}'),
                                         ({"k": 2}, "{k=2}"), (1.5, "1.5")])
def test_lua_repr(value, text):
    assert friendly.lua_repr(value) == text


def test_lua_repr_shortens_a_huge_value_to_its_start_and_length():
    assert friendly.lua_repr("x" * 5_000_000, 10) == '"xxxxxxxxxx"... (5000000 characters)'
    assert friendly.lua_repr(["ab"] * 100, 12) == '{"ab", "ab",... (600 characters)'
    assert friendly.lua_repr("short", 10) == '"short"'


@pytest.mark.parametrize("spec, node", [
    ("string", TypeNode("prim", "string")),
    ("string?", TypeNode("optional", parts=(TypeNode("prim", "string"),))),
    ("string[]", TypeNode("list", parts=(TypeNode("prim", "string"),))),
    ("table<string,number>", TypeNode("map", parts=(TypeNode("prim", "string"), TypeNode("prim", "number")))),
    ("(string|string[])?", TypeNode("optional", parts=(TypeNode("union", parts=(
        TypeNode("prim", "string"), TypeNode("list", parts=(TypeNode("prim", "string"),)))),))),
    ("Container", TypeNode("named", "Container")),
])
def test_type_language(spec, node):
    assert parse_type(spec) == node


def test_type_descriptions_read_like_lua():
    assert parse_type("string|number").describe() == "string or number"
    assert parse_type("string[]?").describe() == "table"
