-- Small assertions for the script tests: a failure names what was checked and both values.
local check = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function check.eq(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what, show(expected), show(actual)), 2)
  end
end

function check.truthy(value, what)
  if not value then error(what .. ": expected a true value, got " .. show(value), 2) end
end

function check.contains(text, part, what)
  if type(text) ~= "string" or not text:find(part, 1, true) then
    error(string.format("%s: expected %s to contain %s", what, show(text), show(part)), 2)
  end
end

-- the error a call raises (it must raise)
function check.fails(fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error, the call succeeded", 2) end
  return err
end

-- the names the driver passes: a unique prefix, the test image, the registry, a free port, a temp dir, the engine
function check.args()
  return { prefix = arg[1], image = arg[2], registry = arg[3], port = arg[4], tmp = arg[5], engine = arg[6] }
end

return check
