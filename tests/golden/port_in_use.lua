-- golden: NERDCTL_STANDIN_FAIL_RUN=failed to create shim task: OCI runtime create failed: bind: address already in use
nerdctl_container_from_image("web", "localhost/herodo-busybox:latest"):with_port("8080:80"):build()
