-- luacheck over herodo's Lua: the host's sources (herodo_py/**/*.lua), the playbooks (scripts/) and the
-- test scripts (tests/). tests/unit/test_lint.py runs it and checks that `read_globals` below is the
-- binding registry's list (regenerate it with: python tests/unit/test_lint.py).
std = "lua54"
max_line_length = 120
ignore = {
  "211/cleanup",  -- `local cleanup <close> = ...`: a to-be-closed variable is used by being closed
}
exclude_files = {
  "tests/golden/*.lua",  -- scripts with deliberate mistakes: the golden files are their friendly errors
  "tests/fixtures/**",
}

-- herodo's globals (generated from the binding registry and the test API: do not edit by hand)
read_globals = {
  -- BEGIN GENERATED
  "after_each",
  "assert_eq",
  "assert_error",
  "assert_false",
  "assert_match",
  "assert_true",
  "before_each",
  "exist",
  "file_read",
  "file_write",
  "mkdir",
  "nerdctl_compose_load",
  "nerdctl_configure",
  "nerdctl_container_from_image",
  "nerdctl_container_new",
  "nerdctl_copy",
  "nerdctl_engine",
  "nerdctl_exec",
  "nerdctl_image_build",
  "nerdctl_image_commit",
  "nerdctl_image_ensure",
  "nerdctl_image_ensure_absent",
  "nerdctl_image_exists",
  "nerdctl_image_import",
  "nerdctl_image_inspect",
  "nerdctl_image_load",
  "nerdctl_image_pull",
  "nerdctl_image_push",
  "nerdctl_image_remove",
  "nerdctl_image_save",
  "nerdctl_image_tag",
  "nerdctl_images",
  "nerdctl_inspect",
  "nerdctl_kill",
  "nerdctl_list",
  "nerdctl_logs",
  "nerdctl_network_connect",
  "nerdctl_network_create",
  "nerdctl_network_disconnect",
  "nerdctl_network_ensure",
  "nerdctl_network_ensure_absent",
  "nerdctl_network_exists",
  "nerdctl_network_inspect",
  "nerdctl_network_list",
  "nerdctl_network_remove",
  "nerdctl_pause",
  "nerdctl_port",
  "nerdctl_remove",
  "nerdctl_restart",
  "nerdctl_run",
  "nerdctl_run_with_name",
  "nerdctl_run_with_port",
  "nerdctl_stack",
  "nerdctl_stop",
  "nerdctl_unpause",
  "nerdctl_volume_create",
  "nerdctl_volume_ensure",
  "nerdctl_volume_ensure_absent",
  "nerdctl_volume_exists",
  "nerdctl_volume_inspect",
  "nerdctl_volume_list",
  "nerdctl_volume_remove",
  "nerdctl_wait",
  "now",
  "parallel",
  "run",
  "skip",
  "sleep",
  "temp_dir",
  "test",
  "wait_http",
  "wait_port",
  "which",
  -- END GENERATED
}

-- The prelude replaces standard functions on purpose (pcall, coroutine.*, string.rep...: a stop passes them).
files["herodo_py/lua/runtime/prelude.lua"] = { ignore = { "122" } }
