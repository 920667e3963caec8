-- An image's way through a registry: build it from a Dockerfile (FROM the offline test image), tag it
-- for a registry, push it, remove the local copies, pull it back and run it once.
--
--   bash scripts/engines-up.sh && herodo scripts/image_workflow.lua
--   herodo scripts/image_workflow.lua -- 127.0.0.1:5000 team/app     (registry, repository)
--
-- The build context is scripts/image_workflow/ (a Dockerfile and motd.txt).

local REGISTRY = arg[1] or "127.0.0.1:5000"
local REPO = arg[2] or "herodo-demo/app"
local HERE = arg[0]:match("^(.*)/[^/]*$") or "."
local CONTEXT = HERE .. "/image_workflow"
local LOCAL = "localhost/" .. REPO .. ":1" -- fully qualified: podman would add localhost/ itself
local REMOTE = REGISTRY .. "/" .. REPO .. ":1"
local RUN_NAME = (REPO:gsub("[^%w_.-]", "-")) .. "-once"

local function present(reference)
  for _, image in ipairs(nerdctl_images()) do
    if image.reference == reference then return true end
  end
  return false
end

-- However the script ends, the images and the container it made are removed.
local cleanup <close> = setmetatable({}, { __close = function()
  pcall(nerdctl_remove, RUN_NAME, true)
  for _, reference in ipairs({ REMOTE, LOCAL }) do
    if present(reference) then
      nerdctl_image_remove(reference, true)
      print("removed image " .. reference)
    end
  end
end })

nerdctl_image_build(LOCAL, CONTEXT)
print("built " .. LOCAL .. " from " .. CONTEXT .. " (present: " .. tostring(present(LOCAL)) .. ")")

nerdctl_image_tag(LOCAL, REMOTE)
print("tagged " .. REMOTE)

nerdctl_image_push(REMOTE)
print("pushed " .. REMOTE)

nerdctl_image_remove(REMOTE)
nerdctl_image_remove(LOCAL)
print("removed the local copies (present: " .. tostring(present(LOCAL) or present(REMOTE)) .. ")")

nerdctl_image_pull(REMOTE)
print("pulled " .. REMOTE .. " (present: " .. tostring(present(REMOTE)) .. ")")

local output = nerdctl_run(REMOTE, RUN_NAME, false)
for line in output:gmatch("[^\n]+") do print("run: " .. line) end
