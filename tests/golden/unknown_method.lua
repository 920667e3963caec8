local c = nerdctl_container_from_image("web", "localhost/herodo-busybox:latest")
c:with_env("MODE", "prod")
 :with_prot("8080:80")
