local c = nerdctl_container_from_image("web", "localhost/herodo-busybox:latest")
  :with_port("8080:80")
  :with_port("99999:80")
  :with_restart_policy("always")
