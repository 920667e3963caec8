-- a typo in a binding name
local c = nerdctl_contaner_from_image("web", "localhost/herodo-busybox:latest")
