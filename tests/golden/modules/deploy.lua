local M = {}

function M.run(name)
  local c = nerdctl_container_from_image(name, "localhost/herodo-busybox:latest")
  c:with_memory_limit("lots")
end

return M
