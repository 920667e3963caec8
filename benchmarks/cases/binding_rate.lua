-- Case 5, herodo: Lua -> Python binding calls of a cheap builder method. arg[1]: how many calls.
local n = tonumber(arg[1]) or 100000
local c = nerdctl_container_from_image("hb-bench-rate", "localhost/herodo-busybox:latest")
local started = os.clock()
for _ = 1, n do
  c:with_env("K", "V")
end
local elapsed = os.clock() - started
print(string.format("calls=%d seconds=%.6f rate=%.0f", n, elapsed, n / math.max(elapsed, 1e-9)))
