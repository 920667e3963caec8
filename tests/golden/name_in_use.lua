local c = nerdctl_container_from_image("taken-web", "localhost/herodo-busybox:latest")
  :with_port("8080:80")
  :build()
