"""The binding registry: every Lua name of DESIGN.md exists, matches the Python API, and its types
parse; records resolve their fields; did-you-mean and annotation mapping."""

from __future__ import annotations

from typing import Any

import pytest

from herodo_py.lua.convert import parse_type
from herodo_py.lua.registry import Registry, did_you_mean, lua_type_of_annotation, resolve_class
from herodo_py.lua.runtime import default_registry

GLOBALS = [
    "nerdctl_container_new", "nerdctl_container_from_image", "nerdctl_run", "nerdctl_run_with_name",
    "nerdctl_run_with_port", "nerdctl_exec", "nerdctl_copy", "nerdctl_stop", "nerdctl_remove", "nerdctl_list",
    "nerdctl_logs", "nerdctl_images", "nerdctl_image_remove", "nerdctl_image_push", "nerdctl_image_tag",
    "nerdctl_image_pull", "nerdctl_image_commit", "nerdctl_image_build", "nerdctl_engine", "nerdctl_configure",
    "nerdctl_network_create", "nerdctl_network_remove",
    # host (herodo_py.lua.bindings.host)
    "run", "which", "exist", "mkdir", "file_read", "file_write", "temp_dir", "sleep", "now", "wait_port", "wait_http",
    # container control, networks, volumes, image tarballs
    "nerdctl_restart", "nerdctl_kill", "nerdctl_pause", "nerdctl_unpause", "nerdctl_wait", "nerdctl_inspect",
    "nerdctl_port", "nerdctl_network_list", "nerdctl_network_inspect", "nerdctl_network_exists",
    "nerdctl_network_connect", "nerdctl_network_disconnect", "nerdctl_volume_create", "nerdctl_volume_remove",
    "nerdctl_volume_list", "nerdctl_volume_inspect", "nerdctl_volume_exists", "nerdctl_image_exists",
    "nerdctl_image_inspect", "nerdctl_image_save", "nerdctl_image_load", "nerdctl_image_import",
    "nerdctl_stack", "nerdctl_compose_load",
    # desired state (issue #14)
    "nerdctl_network_ensure", "nerdctl_network_ensure_absent", "nerdctl_volume_ensure", "nerdctl_volume_ensure_absent",
    "nerdctl_image_ensure", "nerdctl_image_ensure_absent",
]
BUILDER = [
    "reset", "with_port", "with_ports", "with_volume", "with_volumes", "with_env", "with_envs", "with_network",
    "with_network_alias", "with_network_aliases", "with_cpu_limit", "with_memory_limit", "with_memory_swap_limit",
    "with_cpu_shares", "with_restart_policy", "with_health_check", "with_health_check_options", "with_snapshotter",
    "with_detach", "with_command", "with_entrypoint", "with_workdir", "with_user", "with_label", "with_labels",
]
ACTIONS = ["build", "start", "stop", "remove", "exec", "copy", "status", "health_status", "logs", "resources",
           "commit", "export", "wait_running", "wait_healthy",
           "restart", "kill", "pause", "unpause", "wait", "inspect", "port", "copy_to", "copy_from",
           "ensure", "ensure_absent", "outcome"]
READERS = {"outcome"}  # a Python attribute that Lua reads through a method (c:outcome())
FIELDS = ["name", "container_id", "image", "ports", "volumes", "detach", "env_vars", "labels", "health_check"]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


def test_every_design_name_is_registered_and_nothing_else(registry):
    assert sorted(registry.functions) == sorted(GLOBALS)
    assert sorted(registry.types["Container"].methods) == sorted(BUILDER + ACTIONS)


def test_builder_methods_return_self_and_actions_name_their_results(registry):
    methods = registry.types["Container"].methods
    assert all(methods[name].returns == "self" for name in BUILDER)
    assert methods["build"].returns == "self"
    assert methods["status"].returns == "ContainerStatus"


def test_container_fields_come_from_the_python_class(registry):
    container = registry.types["Container"]
    fields = registry.fields_of(container)
    assert set(FIELDS) <= set(fields)
    assert fields["ports"].type == "string[]"
    assert fields["container_id"].type == "string?"
    assert fields["health_check"].type == "HealthCheck?"


def test_every_binding_matches_the_python_api(registry):
    """The Python methods and functions the bindings call exist (the API may not drift away)."""
    import importlib
    import inspect

    import herodo_py.nerdctl as api
    from herodo_py.lua.bindings import nouns

    container = resolve_class(registry.types["Container"].python[0])
    for name in registry.types["Container"].methods:
        assert callable(getattr(container, name)) or (name in READERS and hasattr(container, name)), name
    rows = [row for noun in nouns() for row in noun.rows if isinstance(row.call, str)]
    assert len(rows) >= 18
    for lua_name, py_name, params in ((row.name, row.call, row.params) for row in rows):
        module, _, function = py_name.rpartition(":")  # "herodo_py.host.files:exist", or a name in the api
        signature = inspect.signature(getattr(importlib.import_module(module) if module else api, function))
        assert len(params) <= len(signature.parameters), lua_name
        assert [p.name for p in params] == list(signature.parameters)[:len(params)], lua_name


def test_every_type_in_a_signature_parses_and_names_a_registered_type(registry):
    def named(node: Any) -> list[str]:
        own = [node.name] if node.kind == "named" else []
        return own + [n for part in node.parts for n in named(part)]

    for binding in registry.all_bindings():
        for spec in [p.type for p in binding.params] + [binding.returns]:
            for name in named(parse_type(spec)):
                assert name in registry.types or name == "self", (binding.qualified_name, spec)


@pytest.mark.parametrize("name", ["ContainerStatus", "ResourceUsage", "HealthCheck", "Image", "ImageList",
                                  "ContainerSummary", "ContainerList", "CommandResult", "EngineInfo"])
def test_record_fields_exist_on_their_classes(registry, name):
    ltype = registry.types[name]
    cls = resolve_class(ltype.python[0])
    fields = registry.fields_of(ltype)
    assert fields
    known = (set(dir(cls)) | set(getattr(cls, "__dataclass_fields__", {})) | set(getattr(cls, "FIELD_NAMES", ()))
             | {f.name for f in getattr(cls, "FIELDS", ())})
    assert set(fields) <= known, set(fields) - known


@pytest.mark.parametrize("name", ["Container", "ContainerSummary", "ContainerStatus", "ResourceUsage",
                                  "HealthCheck"])
def test_declared_record_fields_match_their_class_annotations(registry, name):
    """Records whose fields are declared in the bindings (so that no dataclass or typing look-up runs on a
    script's first call) declare exactly the class's annotated fields, in order, with their Lua types."""
    import typing

    ltype = registry.types[name]
    assert ltype.fields is not None, f"{name}: declare its fields in the bindings"
    cls = resolve_class(ltype.python[0])
    hints = typing.get_type_hints(cls)
    names = registry.lua_names()
    derived = {field: lua_type_of_annotation(hint, names) for field, hint in hints.items()
               if not field.startswith("_")}
    assert {f.name: f.type for f in ltype.fields.values()} == derived
    assert list(ltype.fields) == list(derived)


def test_state_changing_bindings_are_marked(registry):
    assert registry.functions["nerdctl_run"].changes_state
    assert not registry.functions["nerdctl_images"].changes_state
    methods = registry.types["Container"].methods
    assert methods["build"].changes_state and not methods["status"].changes_state


@pytest.mark.parametrize("name, candidates, expected", [
    ("with_prot", ["with_port", "with_ports"], "with_port"),
    ("pirnt", ["print", "pairs"], "print"),
    ("repo", ["repository", "tag"], "repository"),
    ("STATE", ["state"], "state"),
    ("zzz", ["print"], None),
])
def test_did_you_mean(name, candidates, expected):
    assert did_you_mean(name, candidates) == expected


def test_python_annotations_map_to_luacats():
    from herodo_py.nerdctl.container.types import HealthCheck

    names = {"herodo_py.nerdctl.container.types:HealthCheck": "HealthCheck"}
    assert lua_type_of_annotation(str) == "string"
    assert lua_type_of_annotation(int | None) == "integer?"
    assert lua_type_of_annotation(list[str]) == "string[]"
    assert lua_type_of_annotation(dict[str, float]) == "table<string,number>"
    assert lua_type_of_annotation(str | list[str]) == "string|string[]"
    assert lua_type_of_annotation(HealthCheck | None, names) == "HealthCheck?"
    assert lua_type_of_annotation(object) == "any"


def test_a_name_cannot_be_registered_twice():
    r = Registry()
    r.function("f")(lambda: None)
    with pytest.raises(ValueError):
        r.function("f")(lambda: None)
