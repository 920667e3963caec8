-- A small web service: busybox httpd in a container, with a published port, an environment
-- variable, a health check; wait until healthy, fetch the page, print status and resources, clean up.
--
--   bash scripts/engines-up.sh && herodo scripts/web_service.lua
--   herodo scripts/web_service.lua -- 8081 my-web          (host port, container name)
--   herodo --dry-run scripts/web_service.lua                (show what it would do)
--   herodo --trace scripts/web_service.lua                  (show every engine command)

local PORT = arg[1] or "8080"
local NAME = arg[2] or "herodo-web"
local IMAGE = "localhost/herodo-busybox:latest"

local web = nerdctl_container_from_image(NAME, IMAGE)
if web.container_id then
  print("a container named " .. NAME .. " exists from an earlier run: replacing it")
  web:reset()
end

-- Whatever happens below (an error, Ctrl-C, os.exit), the container is removed on the way out.
local cleanup <close> = setmetatable({}, { __close = function()
  if web.container_id then
    web:remove(true)
    print("removed " .. NAME)
  end
end })

web:with_port("127.0.0.1:" .. PORT .. ":80")
   :with_env("GREETING", "Hello from herodo")
   :with_command("mkdir -p /www && exec httpd -f -v -p 80 -h /www")
   :with_health_check_options({ cmd = "wget -q -O /dev/null http://127.0.0.1/index.html",
                                interval = "1s", retries = 3 })
   :build()
print(string.format("started %s (%s) from %s, port %s", NAME, web.container_id:sub(1, 12), IMAGE, PORT))

-- The page: written inside the container, from its environment (the health check needs it).
web:exec([[echo "<h1>$GREETING</h1>" > /www/index.html]])

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

print("it was published on http://127.0.0.1:" .. PORT .. "/ (127.0.0.1 only)")
