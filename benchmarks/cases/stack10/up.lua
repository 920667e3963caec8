-- Case 9: the ten-service stack up, as a playbook does it.
-- herodo up.lua -- COMPOSE_FILE PROJECT [JOBS]
local path, name, jobs = arg[1], arg[2], arg[3]
nerdctl_compose_load(path, {name = name}):up{jobs = jobs and tonumber(jobs) or nil}
