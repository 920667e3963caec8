-- Case 8, herodo: ten independent container lifecycles (run, inspect, exec, logs, stop, rm), one after the
-- other or as ten parallel() tasks. arg[1]: "sequential" or "parallel", arg[2]: name prefix, arg[3]: image.
local mode = arg[1] or "parallel"
local prefix = arg[2] or "hb-bench-par"
local image = arg[3] or "localhost/herodo-busybox:latest"

local function lifecycle(i)
  return function()
    local c = nerdctl_container_from_image(prefix .. "-" .. i, image)
      :with_label("herodo-bench", "1")
      :with_command("trap 'exit 0' TERM; sleep 300 & wait")
    c:build()
    local state = c:status().state
    local out = c:exec("echo hi").stdout
    c:logs()
    c:stop()
    c:remove()
    return state .. " " .. out
  end
end

local tasks = {}
for i = 1, 10 do tasks[i] = lifecycle(i) end
if mode == "parallel" then
  local results = parallel(tasks)
  for i = 1, 10 do io.write(i, "\t", results[i]) end
else
  for i = 1, 10 do io.write(i, "\t", tasks[i]()) end
end
