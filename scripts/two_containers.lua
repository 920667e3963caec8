-- Two containers on a user network: a web server, and a client that reaches it by its name.
--
--   bash scripts/engines-up.sh && herodo scripts/two_containers.lua
--   herodo scripts/two_containers.lua -- my-prefix        (names: PREFIX-net, PREFIX-web, PREFIX-client)

local PREFIX = arg[1] or "herodo-demo"
local IMAGE = "localhost/herodo-busybox:latest"
local NETWORK, SERVER, CLIENT = PREFIX .. "-net", PREFIX .. "-web", PREFIX .. "-client"

local made = {}
-- However the script ends: the containers first, then the network they were on.
local cleanup <close> = setmetatable({}, { __close = function()
  for i = #made, 1, -1 do
    local ok, err = pcall(made[i])
    if not ok then print("cleanup: " .. tostring(err)) end
  end
end })

nerdctl_network_create(NETWORK)
made[#made + 1] = function() nerdctl_network_remove(NETWORK); print("removed network " .. NETWORK) end
print("network " .. NETWORK)

local web = nerdctl_container_from_image(SERVER, IMAGE)
  :with_network(NETWORK)
  :with_env("GREETING", "hello from " .. SERVER)
  :with_command([[mkdir -p /www && echo "$GREETING" > /www/index.html && exec httpd -f -p 80 -h /www]])
  :with_health_check_options({ cmd = "wget -q -O /dev/null http://127.0.0.1/", interval = "1s", retries = 3 })
web:build()
made[#made + 1] = function() web:remove(true); print("removed " .. SERVER) end
print("server " .. SERVER .. ": " .. web:wait_healthy(30).health_status)

local client = nerdctl_container_from_image(CLIENT, IMAGE):with_network(NETWORK):with_command("sleep 300")
client:build()
made[#made + 1] = function() client:remove(true); print("removed " .. CLIENT) end
client:wait_running(20)

-- The client knows the server only by its name: the network's DNS answers it.
local reply = client:exec({ "wget", "-q", "-O-", "http://" .. SERVER .. "/" })
print("client " .. CLIENT .. " fetched http://" .. SERVER .. "/: " .. reply.stdout:gsub("%s+$", ""))
