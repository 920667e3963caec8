-- Two containers on a user network: a web server, and a client that reaches it by its name. A deploy:
-- the network and both containers are ensured (made or repaired, never needlessly recreated) and stay
-- up; a second run changes nothing.
--
--   bash scripts/engines-up.sh && herodo scripts/two_containers.lua
--   herodo scripts/two_containers.lua -- my-prefix        (names: PREFIX-net, PREFIX-web, PREFIX-client)
--   herodo scripts/two_containers.lua -- my-prefix down   (remove them: containers first, then the network)

local PREFIX = arg[1] or "herodo-demo"
local IMAGE = "localhost/herodo-busybox:latest"
local NETWORK, SERVER, CLIENT = PREFIX .. "-net", PREFIX .. "-web", PREFIX .. "-client"

local web = nerdctl_container_from_image(SERVER, IMAGE)
local client = nerdctl_container_from_image(CLIENT, IMAGE)
if arg[2] == "down" then
  print(CLIENT .. ": " .. client:ensure_absent():outcome().action)
  print(SERVER .. ": " .. web:ensure_absent():outcome().action)
  print(NETWORK .. ": " .. nerdctl_network_ensure_absent(NETWORK).action)
  return
end

print("network " .. NETWORK .. ": " .. nerdctl_network_ensure(NETWORK).action)

web:with_network(NETWORK)
   :with_env("GREETING", "hello from " .. SERVER)
   :with_command([[mkdir -p /www && echo "$GREETING" > /www/index.html && exec httpd -f -p 80 -h /www]])
   :with_health_check_options({ cmd = "wget -q -O /dev/null http://127.0.0.1/", interval = "1s", retries = 3 })
   :ensure()
print("server " .. SERVER .. ": " .. web:outcome().action .. ", " .. web:wait_healthy(30).health_status)

client:with_network(NETWORK):with_command("sleep 3600"):ensure()
print("client " .. CLIENT .. ": " .. client:outcome().action)
client:wait_running(20)

-- The client knows the server only by its name: the network's DNS answers it.
local reply = client:exec({ "wget", "-q", "-O-", "http://" .. SERVER .. "/" })
print("client " .. CLIENT .. " fetched http://" .. SERVER .. "/: " .. reply.stdout:gsub("%s+$", ""))
