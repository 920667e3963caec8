local c = nerdctl_container_from_image("new-web", "localhost/herodo-busybox:latest")
print(c:status().state)
