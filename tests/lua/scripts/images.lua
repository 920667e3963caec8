-- Images: listed, built from a Dockerfile, tagged, pushed to the local registry, removed, pulled back.
local check = require("lib.check")
local t = check.args()

local function find(ref)
  for _, img in ipairs(nerdctl_images()) do
    if img.reference == ref then return img end
  end
end

local images = nerdctl_images()
check.eq(images.success, true, "images() success")
check.contains(images.stdout, "herodo-busybox", "images().stdout like the original's")
check.truthy(find(t.image), "the test image is listed")
check.eq(find(t.image).repository .. ":" .. find(t.image).tag, t.image, "repository and tag")

local context = t.tmp .. "/ctx"
os.execute("mkdir -p " .. context)
local dockerfile = assert(io.open(context .. "/Dockerfile", "w"))
dockerfile:write("FROM " .. t.image .. "\nARG MESSAGE=none\nRUN echo \"$MESSAGE\" > /message\n")
dockerfile:close()
local built = "localhost/" .. t.prefix .. "-built:1"
nerdctl_image_build(built, context, nil, { MESSAGE = "built by herodo" })
check.truthy(find(built), "built image listed")

local tagged = "localhost/" .. t.prefix .. "-tagged:2"
nerdctl_image_tag(built, tagged)
check.truthy(find(tagged), "tagged image listed")

local remote = t.registry .. "/" .. t.prefix .. "-pushed:3"
nerdctl_image_push(tagged, remote)
nerdctl_image_remove(remote)
check.eq(find(remote), nil, "removed after push")
nerdctl_image_pull(remote)
check.truthy(find(remote), "pulled back from the registry")

local c = nerdctl_container_from_image(t.prefix .. "-img", remote):with_command("cat /message"):with_detach(false)
c:build()
check.eq(c.result.stdout, "built by herodo\n", "the pulled image runs")
c:remove()

for _, ref in ipairs({ remote, tagged, built }) do nerdctl_image_remove(ref) end
check.eq(find(built), nil, "built image removed")
print("ok")
