-- Case 4, herodo as a process: one list of every container, reading each name and state.
local n = 0
for _, c in ipairs(nerdctl_list(true)) do
  if c.name ~= "" and c.state ~= "" then n = n + 1 end
end
print(n)
