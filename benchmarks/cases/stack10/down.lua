-- Case 9: the ten-service stack down (containers killed at once, networks removed).
-- herodo down.lua -- COMPOSE_FILE PROJECT
local path, name = arg[1], arg[2]
nerdctl_compose_load(path, {name = name}):down()
