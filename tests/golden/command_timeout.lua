-- golden: --timeout 0.5
-- golden: NERDCTL_STANDIN_SLEEP=5
local list = nerdctl_list(true)
