"""The name of every global the bindings modules (:mod:`herodo_py.lua.bindings`) define, known without
importing them: a runtime installs a stand-in for each and loads the modules on a script's first call of
one, so a script that calls none (and every ``herodo test`` test that calls none) skips their import and
registration. ``tests/unit/test_binding_names.py`` keeps this list equal to what the modules register
(its failure prints the new list).
"""

BINDING_GLOBALS: tuple[str, ...] = (
    "exist", "file_read", "file_write", "mkdir", "nerdctl_compose_load", "nerdctl_configure",
    "nerdctl_container_from_image", "nerdctl_container_new", "nerdctl_copy", "nerdctl_engine", "nerdctl_exec",
    "nerdctl_image_build", "nerdctl_image_commit", "nerdctl_image_ensure", "nerdctl_image_ensure_absent",
    "nerdctl_image_exists", "nerdctl_image_import", "nerdctl_image_inspect", "nerdctl_image_load",
    "nerdctl_image_pull", "nerdctl_image_push", "nerdctl_image_remove", "nerdctl_image_save", "nerdctl_image_tag",
    "nerdctl_images", "nerdctl_inspect", "nerdctl_kill", "nerdctl_list", "nerdctl_logs", "nerdctl_network_connect",
    "nerdctl_network_create", "nerdctl_network_disconnect", "nerdctl_network_ensure",
    "nerdctl_network_ensure_absent", "nerdctl_network_exists", "nerdctl_network_inspect", "nerdctl_network_list",
    "nerdctl_network_remove", "nerdctl_pause", "nerdctl_port", "nerdctl_remove", "nerdctl_restart", "nerdctl_run",
    "nerdctl_run_with_name", "nerdctl_run_with_port", "nerdctl_stack", "nerdctl_stop", "nerdctl_unpause",
    "nerdctl_volume_create", "nerdctl_volume_ensure", "nerdctl_volume_ensure_absent", "nerdctl_volume_exists",
    "nerdctl_volume_inspect", "nerdctl_volume_list", "nerdctl_volume_remove", "nerdctl_wait", "now", "run", "sleep",
    "temp_dir", "wait_http", "wait_port", "which",
)
