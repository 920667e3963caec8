"""A runtime's bindings load on the script's first call of one (``Runtime._load_bindings``), noun by noun
(with the nouns whose types that noun names): until then each global is a stand-in (``lazy_globals`` in the
prelude). A script cannot tell, except by speed."""

from __future__ import annotations

import pytest

from herodo_py.lua.binding_names import BINDING_GLOBALS, NOUN_GLOBALS, NOUN_NEEDS
from herodo_py.lua.bindings import nouns, type_needs
from herodo_py.lua.runtime import Runtime, default_registry


def test_the_name_list_is_what_the_bindings_modules_register():
    registered = tuple(sorted(default_registry().functions))
    assert registered == BINDING_GLOBALS
    by_noun = {noun.name: tuple(sorted(row.name for row in noun.rows if row.owner is None)) for noun in nouns()}
    assert by_noun == NOUN_GLOBALS, "herodo_py/lua/binding_names.py is stale; NOUN_GLOBALS should be:\n" + repr(by_noun)


def test_the_needs_are_the_nouns_whose_types_each_names():
    needs = type_needs(nouns())
    assert needs == NOUN_NEEDS, "herodo_py/lua/binding_names.py is stale; NOUN_NEEDS should be:\n" + repr(needs)
    assert "engine" in needs["container"]  # (the check itself: a container call returns CommandResult records)


def test_type_needs_follows_names_through_other_nouns():
    from herodo_py.lua.bindings.rows import Noun, P, TypeDef, function

    a = Noun("a", rows=(function("fa", "x", [P("b", "B")], "nil", ""),))
    b = Noun("b", types=(TypeDef("B", "record", "", fields=()),), rows=(function("fb", "x", [], "C[]", ""),))
    c = Noun("c", types=(TypeDef("C", "record", "", fields=()),))
    assert type_needs([a, b, c]) == {"a": ("b", "c"), "b": ("c",), "c": ()}


def run(source: str, **options: object):
    runtime = Runtime(**options)  # type: ignore[arg-type]
    return runtime, runtime.run_source(source, "main.lua")


def test_nothing_loads_before_a_first_call_and_every_global_is_there():
    names = ", ".join(f'"{name}"' for name in BINDING_GLOBALS)
    runtime, outcome = run(f'for _, n in ipairs({{{names}}}) do assert(type(rawget(_G, n)) == "function", n) end\n'
                           'assert(type(nerdctl_run) == "function")\n')
    assert outcome.ok, outcome.failure
    assert runtime._bindings_pending  # no call: nothing registered
    assert runtime.registry.functions == {}


def test_the_first_call_puts_the_real_functions_in_place():
    runtime, outcome = run(
        'local stand_in = which\n'
        'assert(now() > 0)\n'  # the first call: every binding loads
        'assert(which ~= stand_in, "the real which replaced its stand-in")\n'
        'assert(stand_in("sh") == which("sh"), "a stand-in kept by the script still works")\n')
    assert outcome.ok, outcome.failure
    assert set(runtime.registry.functions) == {*NOUN_GLOBALS["host"], *NOUN_GLOBALS["engine"]}  # its noun and needs
    assert runtime._bindings_pending  # the other nouns wait for a call of theirs


def test_a_first_container_call_registers_the_container_noun_and_what_it_needs_only():
    runtime, outcome = run('assert(not pcall(nerdctl_exec, "bad name!", "true"))\n'
                           'assert(nerdctl_container_new("web"))\n')  # a Container: a type of the container noun
    assert outcome.ok, outcome.failure
    expected = {name for noun in ("container", *NOUN_NEEDS["container"]) for name in NOUN_GLOBALS[noun]}
    assert set(runtime.registry.functions) == expected
    assert "Container" in runtime.registry.types and "CommandResult" in runtime.registry.types
    assert "Stack" not in runtime.registry.types


def test_a_call_of_each_noun_loads_them_all_and_stand_ins_of_loaded_nouns_still_work():
    calls = "\n".join(f'local ok_{noun} = pcall({names[0]}, {{}})' for noun, names in NOUN_GLOBALS.items())
    runtime, outcome = run('local stand_in = nerdctl_configure\n'
                           'pcall(nerdctl_exec, {})\n'  # engine registered as a need of container, not called
                           f'{calls}\n'
                           'assert(pcall(stand_in, 5) == false)\n')  # its stand-in, called after: the real one
    assert outcome.ok, outcome.failure
    assert not runtime._bindings_pending
    assert set(runtime.registry.functions) == set(BINDING_GLOBALS)


def test_a_global_the_script_replaced_stays_replaced():
    _, outcome = run('exist = function() return "mine" end\nnerdctl_list = nil\n'
                     'assert(now() > 0)\n'
                     'assert(exist("/") == "mine")\nassert(rawget(_G, "nerdctl_list") == nil)\n')
    assert outcome.ok, outcome.failure


def test_a_bad_first_call_fails_at_the_script_line_with_the_binding_named():
    _, outcome = run('local x = 1\n\nexist({})\n')
    failure = outcome.failure
    assert failure is not None and failure.line == 3
    assert "bad argument #1 to 'exist' (string expected, got table)" in failure.message


def test_a_misspelt_binding_gets_a_did_you_mean_before_any_loaded():
    runtime, outcome = run('nerdctl_lst(true)\n')
    assert outcome.failure is not None and outcome.failure.line == 1
    assert "nerdctl_list" in (outcome.failure.hint or "")
    assert runtime._bindings_pending


def test_first_calls_inside_parallel_tasks():
    _, outcome = run('local r = parallel({function() sleep(0.01); return "a" end,\n'
                     '                    function() sleep(0.01); return which("sh") end})\n'
                     'assert(r[1] == "a" and r[2] == which("sh"), tostring(r[2]))\n')
    assert outcome.ok, outcome.failure


@pytest.mark.parametrize("policy", ["sandbox", "strict"])
def test_a_sandbox_still_holds_on_a_first_call(policy, tmp_path):
    inside, outside = tmp_path / "made", tmp_path.parent / f"{tmp_path.name}-outside"
    outcome = Runtime(policy=policy).run_source(f'mkdir("{inside}")\n', str(tmp_path / "main.lua"))
    if policy == "strict":
        assert outcome.failure is not None and "--sandbox=strict removed it" in outcome.failure.message
        assert not inside.exists()
    else:
        assert outcome.ok and inside.is_dir()  # the script's own folder
    outcome = Runtime(policy=policy).run_source(f'mkdir("{outside}")\n', str(tmp_path / "main.lua"))
    assert outcome.failure is not None and not outside.exists()
