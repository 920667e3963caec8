-- Builder options read back from inside the container, copy both ways, foreground run, reset,
-- commit and export.
local check = require("lib.check")
local t = check.args()
local name = t.prefix .. "-cfg"

local shared = t.tmp .. "/shared"
os.execute("mkdir -p " .. shared)
local f = assert(io.open(shared .. "/from-host.txt", "w"))
f:write("from the host\n")
f:close()

local c = nerdctl_container_from_image(name, t.image)
  :with_volume(shared .. ":/shared")
  :with_volumes({})
  :with_workdir("/tmp")
  :with_user("1000:1000")
  :with_cpu_limit(0.5)
  :with_memory_limit("64m")
  :with_memory_swap_limit("128m")
  :with_health_check("true")
  :with_network_aliases({})
  :with_cpu_shares(512)
  :with_labels({ team = "ops", tier = "test" })
  :with_ports({})
  :with_network("bridge")
  :with_command("sleep 300")
check.eq(c.health_check.cmd, "true", "health check field")
check.eq(c.memory_swap_limit, "128m", "swap field")
c:build()
check.eq(c:exec("pwd").stdout, "/tmp\n", "workdir")
check.eq(c:exec("id -u").stdout, "1000\n", "user")
check.eq(c:exec("cat /shared/from-host.txt").stdout, "from the host\n", "volume")

c:copy(t.tmp .. "/shared/from-host.txt", name .. ":/tmp/copied.txt")
check.eq(c:exec("cat /tmp/copied.txt").stdout, "from the host\n", "copy into the container")
c:exec("echo made inside > /tmp/out.txt")
nerdctl_copy(name .. ":/tmp/out.txt", t.tmp .. "/out.txt")
local out = assert(io.open(t.tmp .. "/out.txt")):read("a")
check.eq(out, "made inside\n", "copy out of the container")

local image = "localhost/" .. t.prefix .. "-committed:1"
c:commit(image)
local image2 = "localhost/" .. t.prefix .. "-committed:2"
nerdctl_image_commit(name, image2)
nerdctl_image_remove(image2)
local tarball = t.tmp .. "/export.tar"
c:export(tarball)
check.truthy(io.open(tarball):seek("end") > 1000, "exported tarball")
c:remove(true)

-- the committed image runs, in the foreground, and reset() clears a container of that name
local fg = nerdctl_container_from_image(name, image):with_detach(false):with_entrypoint("sh")
  :with_command({ "-c", "cat /tmp/copied.txt" })
fg:build()
check.eq(fg.result.stdout, "from the host\n", "foreground output from the committed image")
check.eq(check.fails(fg.build, fg).category, "NameInUse", "build() refuses an existing name")
fg:reset()
check.eq(fg.container_id, nil, "reset() forgets the id")
check.eq(fg.image, image, "reset() keeps the image")
nerdctl_image_remove(image)
print("ok")
