-- Case 2, herodo: ten list calls, printing each running container's name and state.
for _ = 1, 10 do
  for _, c in ipairs(nerdctl_list()) do
    print(c.name, c.state)
  end
end
