-- A function that is never closed: the error points at the line that opens it.
local function deploy(name)
  local c = nerdctl_container_from_image(name, "localhost/herodo-busybox:latest")
  if c.container_id then
    print("exists")
  end

deploy("web")
