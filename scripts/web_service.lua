-- A small web service: busybox httpd in a container, with a published port, an environment variable
-- and a health check. A deploy: it makes the service exist exactly as configured (ensure), waits until
-- it is healthy, fetches the page and prints status and resources; the service stays up. Safe to run
-- again: a second run changes nothing (the recap on stderr says "0 changed").
--
--   bash scripts/engines-up.sh && herodo scripts/web_service.lua
--   herodo scripts/web_service.lua -- 8081 my-web          (host port, container name)
--   herodo scripts/web_service.lua -- 8081 my-web down     (remove it)
--   herodo --check --diff scripts/web_service.lua          (what a run would change, and why)
--   herodo --trace scripts/web_service.lua                 (show every engine command)

local PORT = arg[1] or "8080"
local NAME = arg[2] or "herodo-web"
local IMAGE = "localhost/herodo-busybox:latest"

local web = nerdctl_container_from_image(NAME, IMAGE)
if arg[3] == "down" then
  print(NAME .. ": " .. web:ensure_absent():outcome().action)
  return
end

-- An error or Ctrl-C removes the container when this run made or changed it: an interrupted deploy
-- leaves nothing half-done. A run that ends normally leaves the service running.
local cleanup <close> = setmetatable({}, { __close = function(_, err)
  if err ~= nil and web:outcome() and web:outcome().changed then
    web:ensure_absent()
    print("removed " .. NAME)
  end
end })

-- The page is written by the container's own command, from its environment: a restart or a
-- recreated container serves it again without a step of ours.
web:with_port("127.0.0.1:" .. PORT .. ":80")
   :with_env("GREETING", "Hello from herodo")
   :with_command([[mkdir -p /www && echo "<h1>$GREETING</h1>" > /www/index.html && exec httpd -f -v -p 80 -h /www]])
   :with_health_check_options({ cmd = "wget -q -O /dev/null http://127.0.0.1/index.html",
                                interval = "1s", retries = 3 })
   :ensure()
local done = web:outcome()
print(string.format("%s %s (%s) from %s, port %s%s", done.action, NAME, web.container_id:sub(1, 12), IMAGE, PORT,
                    done.reason ~= "" and (": " .. done.reason) or ""))

local healthy = web:wait_healthy(30)
print("health: " .. healthy.health_status)

-- Fetched the way the health check does it, from inside the container (busybox wget).
local page = web:exec({ "wget", "-q", "-O-", "http://127.0.0.1/index.html" })
print("page: " .. page.stdout:gsub("%s+$", ""))

local status = web:status()
print(string.format("status: %s, started %s, restarts %d", status.status, status.started, status.restart_count))

local usage = web:resources()
print(string.format("resources: cpu %s, memory %s of %s, pids %s",
                    usage.cpu_usage, usage.memory_usage, usage.memory_limit, usage.pids))

local log = web:logs(3)
for line in (log.stdout .. log.stderr):gmatch("[^\n]+") do print("log: " .. line) end

print("serving on http://127.0.0.1:" .. PORT .. "/ (127.0.0.1 only); remove it with: -- " .. PORT .. " " .. NAME
      .. " down")
