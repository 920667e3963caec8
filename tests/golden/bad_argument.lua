local ports = { web = "8080:80" }
local c = nerdctl_container_from_image("web", "localhost/herodo-busybox:latest")
c:with_port(ports.api)
