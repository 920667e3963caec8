local function check(ok, what)
  if not ok then
    error("pre-flight check failed: " .. what)
  end
end

local function preflight()
  check(true, "disk")
  check(false, "network")
end

preflight()
