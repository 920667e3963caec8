-- Classified errors on a real engine, caught with pcall; engine settings from a script.
local check = require("lib.check")
local t = check.args()

local engine = nerdctl_engine()
check.eq(engine.kind, t.engine, "engine kind")
check.eq(engine.name, t.engine, "engine name")
check.eq(nerdctl_configure{ timeout = 45 }.timeout, 45.0, "configure timeout")
check.eq(nerdctl_engine().timeout, 45.0, "timeout kept")

local err = check.fails(nerdctl_stop, t.prefix .. "-missing")
check.eq(err.kind, "CommandFailed", "missing container kind")
check.eq(err.category, "NoSuchContainer", "missing container category")
check.truthy(err.code ~= 0 and err.command:find("stop", 1, true), "code and command of the failure")
local _, direct = pcall(nerdctl_stop, t.prefix .. "-missing")
check.contains(tostring(direct), "errors_and_settings.lua:15:", "tostring names the script line")

err = check.fails(nerdctl_image_remove, "localhost/" .. t.prefix .. "-missing:1")
check.eq(err.category, "NoSuchImage", "missing image")

local name = t.prefix .. "-twice"
nerdctl_container_from_image(name, t.image):with_command("sleep 300"):build()
err = check.fails(function() nerdctl_container_from_image(name, t.image):with_command("sleep 300"):build() end)
check.eq(err.category, "NameInUse", "name in use")
nerdctl_remove(name, true)

err = check.fails(function() nerdctl_container_from_image(name, t.image):with_port("99999:80") end)
check.eq(err.kind, "ConversionError", "bad port kind")
check.eq(err.field, "port", "bad port field")
err = check.fails(function() nerdctl_container_from_image(name, t.image):with_port(nil) end)
check.eq(err.message, "bad argument #1 to 'with_port' (string expected, got nil)", "bad argument message")
err = check.fails(function() nerdctl_container_from_image(name, t.image):with_snapshotter("overlayfs"):build() end)
check.eq(err.category, "UnsupportedByEngine", "a snapshotter on " .. t.engine)
local aliased = nerdctl_container_from_image(name, t.image):with_network_alias("db"):with_network_aliases({ "cache" })
check.eq(aliased.network_aliases[2], "cache", "aliases recorded")
print("ok")
