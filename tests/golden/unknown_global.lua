local name = "web"
pirnt("deploying " .. name)
