-- The original's usage: a container from an image with a port, env, restart policy and a health check,
-- built, its status read, exec, logs, resources, stop, start, remove.
local check = require("lib.check")
local t = check.args()
local name = t.prefix .. "-web"

local c = nerdctl_container_from_image(name, t.image)
  :with_port("127.0.0.1:" .. t.port .. ":80")
  :with_env("GREETING", "hello")
  :with_envs({ MODE = "test" })
  :with_restart_policy("unless-stopped")
  :with_label("herodo.test", "web")
  :with_command({ "sh", "-c",
    "mkdir -p /www && echo \"$GREETING from $MODE\" > /www/index.html && exec httpd -f -v -p 80 -h /www" })
c.with_health_check_options{ cmd = "wget -q -O /dev/null http://127.0.0.1/index.html", interval = "1s", retries = 3 }
check.eq(c.container_id, nil, "id before build")
check.eq(c.ports[1], "127.0.0.1:" .. t.port .. ":80", "ports field")
check.eq(c.restart_policy, "unless-stopped", "restart policy field")
check.eq(c.health_check.retries, 3, "health check retries")

local built = c:build()
check.eq(#built.container_id, 64, "full container id")

local running = c:wait_running(20)
check.eq(running.state, "running", "state after wait_running")
local healthy = c:wait_healthy(30)
check.eq(healthy.health_status, "healthy", "health after wait_healthy")
check.eq(c:health_status(), "healthy", "health_status()")

local status = c:status()
check.eq(status.running, true, "status.running")
check.eq(status.name, name, "status.name")
check.eq(status.id, c.container_id, "status.id")
print("status:", status.state, status.status)

local page = c:exec("wget -q -O- http://127.0.0.1/index.html")
check.eq(page.stdout, "hello from test\n", "page served")
check.eq(page.success, true, "exec success")
check.eq(page.code, 0, "exec code")
check.eq(c:exec({ "sh", "-c", "echo $GREETING" }).stdout, "hello\n", "exec with an argv list")
local err = check.fails(c.exec, c, "exit 7")
check.eq(err.code, 7, "exit code of a failing exec")

local logs = c:logs()
check.contains(logs.stdout .. logs.stderr, "response:200", "httpd logs")

local usage = c:resources()
check.truthy(usage.memory_usage_bytes and usage.memory_usage_bytes > 0, "memory usage")
check.truthy(usage.pids_count and usage.pids_count >= 1, "pids")
print("resources:", usage.cpu_usage, usage.memory_usage)

local listed = nerdctl_list()
local found
for _, summary in ipairs(listed) do
  if summary.name == name then found = summary end
end
check.truthy(found, "the container in nerdctl_list()")
check.eq(found.state, "running", "listed state")
check.eq(found.labels["herodo.test"], "web", "listed label")

local attached = nerdctl_container_new(name)
check.eq(attached.container_id, c.container_id, "nerdctl_container_new takes the existing id")

c:stop(1)
check.eq(c:status().running, false, "stopped")
c:start()
check.eq(c:wait_running(20).running, true, "running again after start()")
c:stop(1)
c:remove()
check.eq(c.container_id, nil, "id forgotten after remove")
check.eq(check.fails(c.status, c).category, "ContainerNotBuilt", "status() after remove")
print("ok")
