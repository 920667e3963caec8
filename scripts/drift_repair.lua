-- Drift, and how ensure repairs it: a container is changed behind herodo's back, and ensure() puts it
-- back, saying field by field what differed. Run it with --diff to see the diffs as they are found.
--
--   bash scripts/engines-up.sh && herodo --diff scripts/drift_repair.lua
--   herodo scripts/drift_repair.lua -- my-name keep        (leave the container running at the end)

local NAME = arg[1] or "herodo-drift"
local IMAGE = "localhost/herodo-busybox:latest"
local SERVE = { "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done" }

local function desired(mode)
  return nerdctl_container_from_image(NAME, IMAGE):with_env("MODE", mode):with_label("app", "drift-demo")
    :with_command(SERVE)
end

local function report(step, c)
  local o = c:outcome()
  local why = (#o.diff_lines == 0 and o.reason ~= "") and (" (" .. o.reason .. ")") or ""
  print(string.format("%s: %s%s", step, o.action, why))
  for _, line in ipairs(o.diff_lines) do print("  " .. line) end
end

-- However the script ends, the container goes (unless asked to keep it).
local cleanup <close> = setmetatable({}, { __close = function()
  if arg[2] ~= "keep" then print("cleanup: " .. desired("prod"):ensure_absent():outcome().action) end
end })

report("deploy", desired("prod"):ensure())

-- 1. Someone replaces it by hand, with the engine's plain run: no MODE, no label.
nerdctl_remove(NAME, true)
nerdctl_run(IMAGE, NAME, true, nil, nil, SERVE)
report("after a manual run", desired("prod"):ensure())

-- 2. Someone stops it.
nerdctl_stop(NAME, 1)
report("after a manual stop", desired("prod"):ensure())

-- 3. The playbook itself changes: MODE staging. (policy "fail" would raise with the diff instead.)
local ok, err = pcall(function() desired("staging"):ensure("fail") end)
print("with policy fail: " .. (ok and "no error" or tostring(err.message or err):match("[^\n]*")))
report("staging", desired("staging"):ensure())

-- 4. Nothing left to do.
report("again", desired("staging"):ensure())
