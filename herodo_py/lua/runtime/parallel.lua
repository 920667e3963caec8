-- parallel(tasks [, options]): the scheduler of herodo's tasks (herodo_py/lua/runtime/tasks.py documents it).
-- Loaded by the prelude on the first call, with its internals; it reads no global (_ENV is nil below),
-- so nothing a script redefines reaches it.
local I = ...
local H, std = I.H, I.std
local type, tostring, error, setmetatable, rawget, rawequal, next, select, pack, math_type, find, gsub, format,
      concat = std.type, std.tostring, std.error, std.setmetatable, std.rawget, std.rawequal, std.next, std.select,
      std.pack, std.math_type, std.find, std.gsub, std.format, std.concat
local gc = std.gc
local create, resume, close, status, armed, active = I.create, I.resume, I.close, I.status, I.armed, I.active
local STOP, OOM, NO_MEMORY, PENDING, WAKE = I.STOP, I.OOM, I.NO_MEMORY, I.PENDING, I.WAKE
local stopping, rawpcall, set_current, describe, make_record = I.stopping, I.rawpcall, I.set_current, I.describe,
                                                                I.make_record
local tasks_open, tasks_poll, tasks_wait, tasks_cancel, tasks_discard, tasks_close, max_jobs =
      H.tasks_open, H.tasks_poll, H.tasks_wait, H.tasks_cancel, H.tasks_discard, H.tasks_close, H.max_jobs
local errors = I.errors
local _ENV = nil  -- luacheck: ignore 211
local MAX_NAME = 64
local OPTIONS = {jobs = true, fail_fast = true, raise = true}
local TASK_FORM = "a function, or {name = 'web', function() ... end}"

local function bad(n, message)  -- (levels: bad, checked_*, parallel, the script's call)
  error(format("bad argument #%d to 'parallel' (%s)", n, message), 4)
end

-- The tasks as {fn, name, label}, checked whole before any runs.
local function checked_tasks(tasks)
  if type(tasks) ~= "table" then bad(1, format("tasks must be a list of functions, got %s", type(tasks))) end
  local n = #tasks
  for k in next, tasks do
    if math_type(k) ~= "integer" or k < 1 or k > n then
      bad(1, format("tasks must be a list (keys 1..%d), found the key %s", n, tostring(k)))
    end
  end
  local list = {}
  for i = 1, n do
    local t, fn, name = tasks[i], nil, nil
    if type(t) == "function" then
      fn = t
    elseif type(t) == "table" then
      fn, name = rawget(t, 1), rawget(t, "name")
      for k in next, t do
        if k ~= 1 and k ~= "name" then
          bad(1, format("task %d has a field %s (expected %s)", i, tostring(k), TASK_FORM))
        end
      end
      if type(fn) ~= "function" then bad(1, format("task %d has no function (expected %s)", i, TASK_FORM)) end
      if type(name) ~= "string" or #name == 0 or #name > MAX_NAME or find(name, "%c") then
        bad(1, format("task %d: name must be a string of 1 to %d characters without control characters, got %s",
                      i, MAX_NAME, type(name) == "string" and format("%q", name) or type(name)))
      end
    else
      bad(1, format("task %d is a %s (expected %s)", i, type(t), TASK_FORM))
    end
    list[i] = {fn = fn, name = name, label = name and format("task %d: %s", i, name) or format("task %d", i)}
  end
  return list
end

local function checked_options(options)
  if options == nil then return nil, false, true end
  if type(options) ~= "table" then bad(2, format("options must be a table {jobs=, fail_fast=, raise=}, got %s",
                                                type(options))) end
  for k in next, options do
    if not OPTIONS[k] then
      bad(2, format("unknown option %s (expected jobs, fail_fast or raise)", type(k) == "string" and format("%q", k)
                                                                               or tostring(k)))
    end
  end
  local jobs, fail_fast, raise = rawget(options, "jobs"), rawget(options, "fail_fast"), rawget(options, "raise")
  if jobs ~= nil and (math_type(jobs) ~= "integer" and not (math_type(jobs) == "float" and jobs == jobs // 1)
                      or jobs < 1 or jobs > max_jobs) then
    bad(2, format("options.jobs must be a whole number from 1 to %d, got %s", max_jobs, tostring(jobs)))
  end
  for name, v in next, {fail_fast = fail_fast, raise = raise} do
    if v ~= nil and type(v) ~= "boolean" then
      bad(2, format("options.%s must be true or false, got %s", name, type(v)))
    end
  end
  return jobs and jobs // 1, fail_fast == true, raise ~= false
end

local function shown(err)
  local ok, text = rawpcall(describe, err)
  return ok and type(text) == "string" and text or "(error object cannot be shown)"
end

local error_meta = I.protect{__name = "ParallelError", __tostring = function(e) return rawget(e, "message") end,
                    __index = function(_, k)
                      error(format("ParallelError has no field %s (its fields: message, failures, results)",
                                   tostring(k)), 2)
                    end}

return function(tasks, options)
  local list = checked_tasks(tasks)
  local jobs, fail_fast, raise = checked_options(options)
  local n = #list
  local results = {n = n}
  if n == 0 then return results end
  local labels = {}
  for i = 1, n do labels[i] = list[i].label end
  tasks_open(jobs, labels)  -- refuses a parallel() inside a task's parallel()

  local cos, state, failed = {}, {}, {}  -- state: ready, waiting, yielded, done, failed, cancelled
  local queue, head, tail = {}, 1, 0
  local live, fatal, first_failure = n, nil, nil
  local function push(i) tail = tail + 1; queue[tail] = i end
  for i = 1, n do cos[i] = create(armed(list[i].fn)); state[i] = "ready"; push(i) end

  local function ended(i, how, value)
    state[i], live = how, live - 1
    if how == "failed" then
      failed[i] = value
      first_failure = first_failure or i
    end
  end

  local function step(i)
    local c = cos[i]
    if status(c) == "dead" then  -- ended by another task's coroutine.resume or coroutine.close
      return ended(i, "failed", format("%s was ended by another task (coroutine.resume or coroutine.close)",
                                       list[i].label))
    end
    local wake = state[i] == "waiting" and WAKE or nil
    state[i] = "running"
    set_current(c, i)
    active[#active + 1] = c
    local r = pack(resume(c, wake))
    active[#active] = nil
    set_current(nil, nil)
    if r[1] then
      if status(c) == "dead" then
        results[i] = r[2]
        return ended(i, "done")
      end
      state[i] = rawequal(r[2], PENDING) and "waiting" or "yielded"  -- (raw: an error's __eq runs no code here)
      if state[i] == "yielded" then push(i) end  -- a plain coroutine.yield(): the others go first
      return
    end
    local err = r[2]
    local no_memory = rawequal(err, OOM) or rawequal(err, NO_MEMORY)
    if rawequal(err, STOP) or no_memory or stopping() then
      fatal = no_memory and err or STOP
    end
    -- a coroutine that failed keeps its stack: closing it runs its <close> variables (and frees its data)
    local _, close_err = close(c)
    if close_err ~= nil and not rawequal(close_err, err) and not fatal then err = close_err end
    if no_memory then gc("collect") end  -- room for the other tasks' cleanup
    ended(i, "failed", err)
  end

  local function woken(...)
    for k = 1, select("#", ...) do
      local i = (select(k, ...))
      if state[i] == "waiting" then
        if status(cos[i]) == "dead" then tasks_discard(i) end
        push(i)
      end
    end
  end

  local function loop()
    while live > 0 and not fatal and not (fail_fast and first_failure) do
      if head <= tail then
        local i = queue[head]
        queue[head], head = nil, head + 1
        if state[i] == "ready" or state[i] == "yielded" or state[i] == "waiting" then step(i) end
        if not fatal then woken(tasks_poll()) end
      else
        woken(tasks_wait())  -- raises when the script is stopped (Ctrl-C, time limit)
      end
    end
  end

  local ok, err = rawpcall(loop)
  if not ok and (rawequal(err, STOP) or stopping()) then fatal = STOP elseif not ok then fatal = fatal or err end
  -- every task still going is cancelled: its engine command killed, then its <close> variables closed
  local cancelled = 0
  if live > 0 then
    tasks_cancel(fatal and "the script was stopped" or format("cancelled: %s failed", list[first_failure].label))
    for i = 1, n do
      if state[i] ~= "done" and state[i] ~= "failed" then
        local closed, close_err = close(cos[i])
        if closed then
          state[i], cancelled = "cancelled", cancelled + 1
        else
          ended(i, "failed", close_err)
        end
      end
    end
  end
  tasks_close()
  if fatal then error(fatal, 0) end

  local failures, texts = {}, {}
  for i = 1, n do
    local label = list[i].label
    if state[i] == "failed" then
      local text = shown(failed[i])
      failures[#failures + 1] = make_record("TaskFailure", {index = i, name = list[i].name, message = text,
                                                            error = failed[i], cancelled = false})
      texts[#texts + 1] = format("  %s: %s", label, (gsub(text, "\n", "\n    ")))
    elseif state[i] == "cancelled" then
      local why = format("cancelled after %s failed", list[first_failure].label)
      failures[#failures + 1] = make_record("TaskFailure", {index = i, name = list[i].name, message = why,
                                                            cancelled = true})
    end
  end
  if #failures == 0 then return results end
  if not raise then return results, failures end
  local count = #texts
  local message = format("%d of %d tasks failed%s:\n%s", count, n,
                         cancelled > 0 and format(" (%d cancelled)", cancelled) or "", concat(texts, "\n"))
  local e = setmetatable({message = message, failures = failures, results = results}, error_meta)
  errors[e] = true
  error(e, 2)
end
