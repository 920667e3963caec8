-- Case 5, reference: the same loop on a pure-Lua builder in plain lua5.4 (no binding).
local n = tonumber(arg[1]) or 100000
local Builder = {}
Builder.__index = Builder
function Builder:with_env(key, value)
  if type(key) ~= "string" or not key:match("^[%a_][%w_]*$") then error("bad env key") end
  self.env[key] = tostring(value)
  return self
end
local c = setmetatable({ env = {} }, Builder)
local started = os.clock()
for _ = 1, n do
  c:with_env("K", "V")
end
local elapsed = os.clock() - started
print(string.format("calls=%d seconds=%.6f rate=%.0f", n, elapsed, n / math.max(elapsed, 1e-9)))
