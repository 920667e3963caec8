-- Case 7, herodo --hosts: the same playbook on each host (run, exec, stop, rm, three times).
-- arg[1]: image. The host's name (HERODO_HOST) makes the container names.
local image = arg[1] or "localhost/herodo-busybox:latest"
local host = os.getenv("HERODO_HOST") or "local"
for i = 1, 3 do
  local c = nerdctl_container_from_image("hb-bench-hosts-" .. host .. "-" .. i, image)
    :with_label("herodo-bench", "1")
    :with_command("trap 'exit 0' TERM; sleep 300 & wait")
  c:build()
  local out = c:exec("echo hi").stdout
  c:stop()
  c:remove()
  print(host, i, out)
end
