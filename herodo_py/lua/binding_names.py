"""The name of every global the bindings modules (:mod:`herodo_py.lua.bindings`) define, by noun, and the
nouns whose types each needs, known without importing them: a runtime installs a stand-in for each global
and, on a script's first call of one, registers that global's noun (with the nouns it needs) only, so a
script that calls none skips their import and registration, and a first ``nerdctl_list`` loads neither
the host's nor the stack's bindings. ``tests/unit/test_lazy_bindings.py`` keeps these tables equal to what
the modules declare (its failure prints the new tables).
"""

NOUN_GLOBALS: dict[str, tuple[str, ...]] = {
    "container": (
        "nerdctl_container_from_image", "nerdctl_container_new", "nerdctl_copy", "nerdctl_exec", "nerdctl_inspect",
        "nerdctl_kill", "nerdctl_list", "nerdctl_logs", "nerdctl_pause", "nerdctl_port", "nerdctl_remove",
        "nerdctl_restart", "nerdctl_run", "nerdctl_run_with_name", "nerdctl_run_with_port", "nerdctl_stop",
        "nerdctl_unpause", "nerdctl_wait"
    ),
    "desired": (
        "nerdctl_image_ensure", "nerdctl_image_ensure_absent", "nerdctl_network_ensure",
        "nerdctl_network_ensure_absent", "nerdctl_volume_ensure", "nerdctl_volume_ensure_absent"
    ),
    "engine": (
        "nerdctl_configure", "nerdctl_engine"
    ),
    "host": (
        "exist", "file_read", "file_write", "mkdir", "now", "run", "sleep", "temp_dir", "wait_http", "wait_port",
        "which"
    ),
    "image": (
        "nerdctl_image_build", "nerdctl_image_commit", "nerdctl_image_exists", "nerdctl_image_import",
        "nerdctl_image_inspect", "nerdctl_image_load", "nerdctl_image_pull", "nerdctl_image_push",
        "nerdctl_image_remove", "nerdctl_image_save", "nerdctl_image_tag", "nerdctl_images"
    ),
    "network": (
        "nerdctl_network_connect", "nerdctl_network_create", "nerdctl_network_disconnect", "nerdctl_network_exists",
        "nerdctl_network_inspect", "nerdctl_network_list", "nerdctl_network_remove"
    ),
    "stack": (
        "nerdctl_compose_load", "nerdctl_stack"
    ),
    "volume": (
        "nerdctl_volume_create", "nerdctl_volume_exists", "nerdctl_volume_inspect", "nerdctl_volume_list",
        "nerdctl_volume_remove"
    ),
}

NOUN_NEEDS: dict[str, tuple[str, ...]] = {
    "container": ("desired", "engine"),
    "desired": (),
    "engine": (),
    "host": ("engine",),
    "image": ("engine",),
    "network": ("engine",),
    "stack": ("container", "desired", "engine"),
    "volume": ("engine",),
}

BINDING_GLOBALS: tuple[str, ...] = tuple(sorted(name for names in NOUN_GLOBALS.values() for name in names))
