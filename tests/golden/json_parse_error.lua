-- golden: NERDCTL_STANDIN_STDOUT_IMAGES=<html>502 Bad Gateway</html>
local images = nerdctl_images()
