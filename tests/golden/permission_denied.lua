-- golden: NERDCTL_STANDIN_FAIL=open /var/lib/nerdctl/1935db59/names/default/.lock: permission denied
nerdctl_images()
