local c = nerdctl_container_from_image("web", "localhost/herodo-busybox:latest")
c:with_health_check_options{cmd = "wget -q -O- localhost", interval = "5s", retry = 3}
