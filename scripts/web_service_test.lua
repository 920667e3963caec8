-- Tests of a web service, run by `herodo test`:
--
--   herodo test scripts/                       every *_test.lua and test_*.lua under scripts/
--   herodo test --filter page scripts/         only tests whose FILE::NAME matches "page"
--   herodo test --junit report.xml --tap scripts/web_service_test.lua
--
-- Every container made here carries the run's labels and is removed by herodo: those made at the
-- top of the file when the file ends, those made in a test when that test ends, pass or fail
-- (`--keep` leaves them for a look, and prints their names).

local PREFIX = os.getenv("HERODO_DEMO_PREFIX") or "herodo-demo"
local PORT = os.getenv("HERODO_DEMO_PORT") or "18080"
local IMAGE = "localhost/herodo-busybox:latest"

-- One web service for all the tests of this file.
local web = nerdctl_container_from_image(PREFIX .. "-web-test", IMAGE)
  :with_port("127.0.0.1:" .. PORT .. ":80")
  :with_env("GREETING", "Hello from herodo")
  :with_command([[mkdir -p /www && echo "<h1>$GREETING</h1>" > /www/index.html && exec httpd -f -p 80 -h /www]])
  :with_health_check_options({ cmd = "wget -q -O /dev/null http://127.0.0.1/", interval = "1s", retries = 3 })
  :build()
web:wait_healthy(30)

local function fetch(path)
  return web:exec({ "wget", "-q", "-O-", "http://127.0.0.1" .. path }).stdout
end

local requests = 0
after_each(function() requests = requests + 1 end)

test("serves the page", function()
  assert_eq(fetch("/"), "<h1>Hello from herodo</h1>\n")
end)

test("publishes the port on the loopback address only", function()
  assert_eq(web.ports, { "127.0.0.1:" .. PORT .. ":80" })
end)

test("reports health, state and resources", function()
  local status = web:status()
  assert_eq(status.state, "running")
  assert_eq(status.health_status, "healthy")
  assert_true(web:resources().pids_count >= 1, "httpd runs")
end)

test("a missing page is an error that names the status", function()
  local err = assert_error(function() fetch("/missing.html") end, "404")
  assert_eq(err.kind, "CommandFailed")
  assert_match(err.message, "exited with status 1")
end)

test("bad input is refused before any command runs", function()
  local err = assert_error(function() web:with_port("99999:80") end, "port")
  assert_eq(err.kind, "ConversionError")
end)

test("a container made in a test is gone after it", function()
  local probe = nerdctl_container_from_image(PREFIX .. "-probe", IMAGE):with_command("sleep 60"):build()
  assert_true(probe:status().running)
end)

test("the hooks ran", function()
  assert_eq(requests, 6)
end)

test("needs a registry", function()
  if not os.getenv("HERODO_DEMO_REGISTRY") then skip("set HERODO_DEMO_REGISTRY to run it") end
  nerdctl_image_tag(IMAGE, os.getenv("HERODO_DEMO_REGISTRY") .. "/herodo-demo/busybox:test")
end)
