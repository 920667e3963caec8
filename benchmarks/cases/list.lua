-- Case 2, herodo: N list calls (default 10), printing each running container's name and state.
local n = tonumber(arg[1]) or 10
for _ = 1, n do
  for _, c in ipairs(nerdctl_list()) do
    print(c.name, c.state)
  end
end
