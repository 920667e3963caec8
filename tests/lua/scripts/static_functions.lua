-- The direct functions: run (three forms), exec, copy, logs, list, stop, remove.
local check = require("lib.check")
local t = check.args()

local id = nerdctl_run(t.image, t.prefix .. "-run", true, { "127.0.0.1:" .. t.port .. ":80" }, nil,
                       { "sh", "-c", "echo started; exec sleep 300" })
check.eq(#id, 64, "nerdctl_run returns the id")
local named = nerdctl_run_with_name(t.image, t.prefix .. "-named")  -- the image's `sh` exits at once
local ported = nerdctl_run_with_port(t.image, t.prefix .. "-ported", "127.0.0.1::80")
check.truthy(#named == 64 and #ported == 64, "ids of run_with_name/run_with_port")

local out = nerdctl_exec(t.prefix .. "-run", "echo hi; echo err >&2")
check.eq(out.stdout, "hi\n", "exec stdout")
check.contains(out.stderr, "err", "exec stderr")
nerdctl_exec(t.prefix .. "-run", { "sh", "-c", "echo inside > /tmp/f" })
nerdctl_copy(t.prefix .. "-run:/tmp/f", t.tmp .. "/f")
check.eq(assert(io.open(t.tmp .. "/f")):read("a"), "inside\n", "copied file")
check.contains(nerdctl_logs(t.prefix .. "-run").stdout, "started", "logs")

local running = nerdctl_list()
check.eq(running.success, true, "list success")
check.eq(running.code, 0, "list code")
check.truthy(#running >= 1, "our container runs")
check.contains(running.stdout, t.prefix .. "-run", "list stdout carries the raw output")

for _, suffix in ipairs({ "-run", "-named", "-ported" }) do
  nerdctl_stop(t.prefix .. suffix, 1)
end
local function state_of(n)
  for _, c in ipairs(nerdctl_list(true)) do if c.name == n then return c.state end end
end
check.eq(state_of(t.prefix .. "-named"), "exited", "stopped container in list(true)")
for _, suffix in ipairs({ "-run", "-named", "-ported" }) do
  nerdctl_remove(t.prefix .. suffix)
end
check.eq(state_of(t.prefix .. "-run"), nil, "removed container gone from list(true)")
print("ok")
