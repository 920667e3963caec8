nerdctl_stop("missing-web")
