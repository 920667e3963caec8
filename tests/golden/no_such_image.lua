nerdctl_image_tag("missing-image:1", "web:1")
