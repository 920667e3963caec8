-- Issue 17, herodo: N engine calls of one kind in one script. arg: OP N NAME IMAGE.
-- list: nerdctl_list(true); inspect: c:status() on NAME (looked up once); exec: `true` in NAME;
-- run: `run --name NAME-i IMAGE true` in the foreground. calls.sh makes the same engine calls.
local op, n, name, image = arg[1], tonumber(arg[2]) or 1, arg[3], arg[4]
if op == "list" then
  for _ = 1, n do nerdctl_list(true) end
elseif op == "inspect" then
  local c = nerdctl_container_new(name)
  for _ = 1, n do c:status() end
elseif op == "exec" then
  for _ = 1, n do nerdctl_exec(name, {"true"}) end
elseif op == "run" then
  for i = 1, n do nerdctl_run(image, name .. "-" .. i, false, nil, nil, {"true"}) end
else
  error("unknown op " .. tostring(op))
end
