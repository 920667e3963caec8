-- golden: HERODO_ENGINE=/nonexistent/nerdctl
local images = nerdctl_images()
