-- Case 3, herodo: run, inspect, exec, logs, stop, rm, ten times. arg[1]: name prefix, arg[2]: image.
local prefix = arg[1] or "hb-bench-lua"
local image = arg[2] or "localhost/herodo-busybox:latest"
for i = 1, 10 do
  local c = nerdctl_container_from_image(prefix .. "-" .. i, image)
    :with_label("herodo-bench", "1")
    :with_command("trap 'exit 0' TERM; sleep 300 & wait")
  c:build()
  local state = c:status().state
  local out = c:exec("echo hi").stdout
  c:logs()
  c:stop()
  c:remove()
  print(i, state, out)
end
