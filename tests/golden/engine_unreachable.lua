-- golden: NERDCTL_STANDIN_FAIL=cannot access containerd socket "/run/containerd/containerd.sock": no such file or directory
for _, c in ipairs(nerdctl_list()) do print(c.name) end
