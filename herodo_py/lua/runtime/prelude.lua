-- The Lua side of the host, run first in every runtime (herodo_py/lua/runtime/core.py documents it).
local H = ...
local G = _G
local type, tostring, error, setmetatable, rawget, next, ipairs, select, rawequal =
      type, tostring, error, setmetatable, rawget, next, ipairs, select, rawequal
local rawpcall, rawxpcall, load = pcall, xpcall, load
local concat, sort, pack = table.concat, table.sort, table.pack
local sub, format, find, gsub, math_type = string.sub, string.format, string.find, string.gsub, math.type
local sethook, gethook, getinfo = debug.sethook, debug.gethook, debug.getinfo
local gc = collectgarbage
local COUNT = H.first_count  -- a new coroutine's first poll comes soon; the host then paces it
local check, stopping, write, write_err = H.check, H.stopping, H.write, H.write_err
local error_value, error_origin = H.error_value, H.error_origin  -- error_values.lua
local rawset, dgetmt, dsetmt = rawset, debug.getmetatable, debug.setmetatable

-- metatables: the host's stay the host's ------------------------------------------------------
-- getmetatable answers PROTECTED for a metatable herodo made or owns, setmetatable cannot replace it,
-- and no script sets a __gc finalizer (finalizers run with hooks off, also at lua_close after the end).
local PROTECTED = "protected by herodo"
local host_mt = {}  -- the metatables herodo made or owns
local function protect(mt)
  rawset(mt, "__metatable", PROTECTED)
  host_mt[mt] = true
  return mt
end
protect(dgetmt(H.check))  -- lupa's object metatable: every Python object (Container, errors, bindings)
if G.io then protect(dgetmt(G.io.stdin)) end  -- Lua's file handles (their __gc closes the file)

local function allowed_metatable(mt, level)
  if host_mt[mt] then error("this metatable belongs to herodo: a script cannot give it to a value", level + 1) end
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc finalizers are not available in herodo scripts (they run where no limit can stop them): "
          .. "use a <close> variable for cleanup", level + 1)
  end
end

G.setmetatable = function(t, mt)
  allowed_metatable(mt, 2)
  return setmetatable(t, mt)
end

if G.debug then
  local debug = G.debug
  debug.getmetatable = function(v)
    local mt = dgetmt(v)
    if host_mt[mt] then return PROTECTED end
    return mt
  end
  debug.setmetatable = function(v, mt)
    if host_mt[dgetmt(v)] then error("cannot change a protected metatable", 2) end
    allowed_metatable(mt, 2)
    return dsetmt(v, mt)
  end
  debug.getregistry = function()
    error("debug.getregistry is reserved by herodo: the registry holds herodo's internals", 2)
  end
end

local NO_MEMORY = "not enough memory"
-- (error("not enough memory") would be re-raised by Lua as a memory error, which skips message handlers)
local OOM = setmetatable({}, protect({__name = "herodo.memory", __tostring = function() return NO_MEMORY end}))

-- stopping --------------------------------------------------------------------------------
-- what a <close> handler receives: kind ("interrupted", "exit", "timeout"), code, tostring; read-only
local stop_info = H.stop_info  -- kind, code, text of the stop under way
local STOP = setmetatable({}, protect({
  __name = "herodo.stop",
  __tostring = function() local _, _, text = stop_info(); return text or "script stopped" end,
  __index = function(_, key)
    local kind, code, text = stop_info()
    if key == "kind" then return kind elseif key == "code" then return code elseif key == "message" then return text end
  end,
  __newindex = function(_, key) error(format("the stop value is read-only (cannot set %s)", tostring(key)), 2) end,
}))
local soft_kb = nil  -- the soft memory limit of this run (nil: none, or already hit)
local from_hook = false  -- the error in flight was raised by the hook (hooks are off until a pcall)
local last_seen = nil  -- where the hook last saw the script under memory pressure

local describe, make_record  -- (defined below; parallel() uses them)
local running_fn = nil  -- what run() runs: while it is on the stack, the script runs (not its cleanup)
local active = {}  -- coroutines being resumed by the script

-- The innermost script frame the hook interrupted, unless the script is past its end (closing its
-- <close> variables after a failure: not where memory ran out).
local function script_position()
  local found
  for level = 3, 200 do
    local info = getinfo(level, "Slf")
    if not info then return #active > 0 and found or nil end
    if not found and sub(info.source, 1, 1) == "@" then found = info end
    if info.func == running_fn then return found end
  end
  return found
end

local function hook()
  local _, _, count = gethook()
  local state = check(count)
  if state ~= 0 then
    if state < 0 then sethook(hook, "", -state) else
      if state == 2 then sethook(hook, "", 1) end
      from_hook = true
      error(STOP, 0)
    end
  end
  if soft_kb and gc("count") > soft_kb / 2 then
    -- near the limit: poll often and remember where, for an out-of-memory error no handler sees
    if count > 10 then sethook(hook, "", 10) end
    last_seen = script_position() or last_seen
    if gc("count") > soft_kb then
      gc("collect")
      if gc("count") > soft_kb then
        soft_kb = nil  -- once: the reserve is for cleanup (the hard limit still holds)
        from_hook = true
        error(OOM, 0)
      end
    end
  end
end

-- a caught error: STOP goes on; a binding's error is handed to the script as an error value
local function pass(ok, ...)
  if ok then return ok, ... end
  if stopping() then error(STOP, 0) end
  return ok, error_value((...))
end

-- load runs a reader function protected: a stop raised in the reader comes back as load's failure
G.load = function(chunk, ...)
  local f, err = load(chunk, ...)
  if f == nil and type(chunk) ~= "string" and stopping() then error(STOP, 0) end
  return f, err
end

G.pcall = function(f, ...) from_hook = false; return pass(rawpcall(f, ...)) end
G.xpcall = function(f, handler, ...)
  from_hook = false
  local function handle(err)
    if from_hook then from_hook = false; return err end  -- hooks are off here: no script code
    return handler(error_value(err))
  end
  return pass(rawxpcall(f, handle, ...))
end

-- out of memory in one call: an error at the caller's line (with a message handler run)
local function guarded(f, name)
  return function(...)
    local ok, result = rawpcall(f, ...)
    if ok then return result end
    if result == NO_MEMORY then error(OOM, 0) end
    if type(result) ~= "string" then error(result, 0) end
    -- any other error as if the script had called f: its position, and f's name (pcall loses it)
    error((gsub(result, "^(bad argument #%d+ to )'%?'", "%1'" .. name .. "'")), 2)
  end
end
local string_rep, string_format, table_concat = string.rep, string.format, table.concat
string.rep, string.format = guarded(string_rep, "rep"), guarded(string_format, "format")
table.concat = guarded(table_concat, "concat")

-- coroutines: armed with the hook, tracked for error positions ------------------------------
local co = coroutine
local create, resume, close = co.create, co.resume, co.close

local function armed(f)
  if type(f) ~= "function" then return f end
  return function(...) sethook(hook, "", COUNT); return f(...) end
end

local function resumed(ok, ...)
  active[#active] = nil
  return pass(ok, ...)
end

local function co_resume(c, ...)
  active[#active + 1] = c
  return resumed(resume(c, ...))
end

local function unwrap(c, ok, ...)
  if ok then return ... end
  local err = ...
  if close then close(c) end
  if type(err) == "string" then error(err, 2) end
  error(err, 0)
end

co.create = function(f) return create(armed(f)) end
co.resume = co_resume
co.wrap = function(f)
  local c = create(armed(f))
  return function(...) return unwrap(c, co_resume(c, ...)) end
end
if close then co.close = function(c) return pass(close(c)) end end

-- parallel tasks: a binding that waits yields its task ----------------------------------------
-- parallel.lua (loaded on the first parallel() call) resumes one task at a time, `current_task` meanwhile.
-- A binding that waits, called by that task's own code (not by a coroutine of its own, nor through a C
-- call that cannot yield), starts in a worker thread and the task yields PENDING until the scheduler
-- resumes it with WAKE; anywhere else the binding runs in place, as outside parallel().
local running, isyieldable, yield, co_status = co.running, co.isyieldable, co.yield, co.status
local PENDING = setmetatable({}, protect({__name = "herodo.pending"}))
local WAKE = setmetatable({}, protect({__name = "herodo.wake"}))
local current_task, current_index = nil, nil
local finish = H.task_finish

local function await(index)
  local tag = yield(PENDING)
  while not rawequal(tag, WAKE) do tag = yield() end  -- resumed by another coroutine: not yet (nothing leaks)
  return finish(index)
end

-- A global binding that waits: `call` runs it in place, `start(index, ...)` in a worker.
local function waiting(call, start)
  return function(...)
    if current_task ~= nil and rawequal(running(), current_task) and isyieldable() then
      local index = current_index
      start(index, ...)
      return await(index)
    end
    return call(...)
  end
end

-- obj:method(...) and obj.method(...) for a method that waits (as lupa binds Python methods).
local function bind(invoke, obj)
  return function(...)
    if select("#", ...) > 0 and rawequal((...), obj) then return invoke(obj, select(2, ...)) end
    return invoke(obj, ...)
  end
end

local parallel_errors = setmetatable({}, {__mode = "k"})  -- the errors parallel() raised
local parallel_impl = nil
G.parallel = function(...)
  if not parallel_impl then
    local chunk = load(H.parallel_source(), "=herodo.parallel", "t")
    parallel_impl = chunk({
      H = H,
      std = {type = type, tostring = tostring, error = error, setmetatable = setmetatable, rawget = rawget,
             next = next, select = select, rawequal = rawequal, pack = pack, math_type = math_type, find = find,
             gsub = gsub, format = format, concat = concat, gc = gc},
      create = create, resume = resume, close = close, status = co_status, running = running,
      armed = armed, active = active, STOP = STOP, OOM = OOM, NO_MEMORY = NO_MEMORY, stopping = stopping,
      rawpcall = rawpcall, PENDING = PENDING, WAKE = WAKE, errors = parallel_errors,
      set_current = function(c, i) current_task, current_index = c, i end,
      describe = describe, make_record = make_record, protect = protect,
    })
  end
  return parallel_impl(...)
end

-- output through Python's streams ------------------------------------------------------------
local function joined(...)
  local args = pack(...)
  for i = 1, args.n do args[i] = tostring(args[i]) end
  return concat(args, "\t", 1, args.n)
end

G.print = function(...) write(joined(...) .. "\n") end

local function out_file(sink, name)
  local methods = {}
  function methods.write(self, ...)
    local args = pack(...)
    for i = 1, args.n do
      local v = args[i]
      local t = type(v)
      if t == "number" then
        args[i] = tostring(v)
      elseif t ~= "string" then
        error(format("bad argument #%d to 'write' (string expected, got %s)", i, t), 2)
      end
    end
    sink(concat(args, "", 1, args.n))
    return self
  end
  function methods.flush(self) return self end
  function methods.setvbuf() return true end
  function methods.close() return nil, "cannot close standard file" end
  function methods.seek() return nil, "Illegal seek", 29 end
  function methods.read() return nil, name .. " is not readable" end
  function methods.lines() error(name .. " is not readable", 2) end
  return setmetatable({}, protect({__index = methods, __name = "FILE*",
                                   __tostring = function() return "file (" .. name .. ")" end}))
end

if G.io then
  local io, open, io_type = G.io, G.io.open, G.io.type
  local stdout, stderr = out_file(write, "stdout"), out_file(write_err, "stderr")
  local current = stdout  -- where io.write goes
  io.stdout, io.stderr = stdout, stderr
  io.write = function(...) return current.write(current, ...) end
  io.output = function(file)
    if file == nil then return current end
    if type(file) == "string" then
      local f, err = open(file, "w")
      if not f then error(err, 2) end
      current = f
    elseif file == stdout or file == stderr or io_type(file) == "file" then
      current = file
    else
      error(format("bad argument #1 to 'output' (FILE* expected, got %s)", type(file)), 2)
    end
    return current
  end
  io.close = function(file) file = file or current; return file.close(file) end
  io.type = function(x)
    if x == stdout or x == stderr then return "file" end
    return io_type(x)
  end
end

-- debug: herodo's functions keep their internals (the hook, the real sethook and pcall) --------
if G.debug then
  local debug = G.debug
  local getupvalue, setupvalue, upvalueid, upvaluejoin = debug.getupvalue, debug.setupvalue, debug.upvalueid,
                                                         debug.upvaluejoin
  local getlocal, setlocal, unpack = debug.getlocal, debug.setlocal, table.unpack
  -- the standard functions the prelude replaced: found on the stack under script code (getinfo "f")
  local hidden = {}
  for _, f in ipairs({rawpcall, rawxpcall, load, sethook, gethook, create, resume, close, running,
                      string_rep, string_format, table_concat}) do hidden[f] = true end
  local function is_host(f)
    return type(f) == "function" and (hidden[f] or sub(getinfo(f, "S").source, 1, 7) == "=herodo")
  end
  local function host_only(name)
    error("debug." .. name .. " cannot reach into herodo's own functions", 3)
  end
  -- a level of the caller's stack is one deeper from inside these wrappers
  local function at(thread, level)
    if type(level) == "number" and (thread == nil or thread == running()) then return level + 1 end
    return level
  end
  -- whether the frame at the caller's ``level`` runs a host function (``depth``: frames between here and it)
  local function frame_of_host(thread, level, depth)
    if type(level) ~= "number" then return false end
    local info
    if thread == nil then info = getinfo(level + depth, "f")
    elseif thread == running() then info = getinfo(thread, level + depth, "f")
    else info = getinfo(thread, level, "f") end
    return info ~= nil and is_host(info.func)
  end

  debug.sethook = function()
    error("debug.sethook is reserved by herodo: its count hook stops scripts (Ctrl-C, --script-timeout)", 2)
  end
  debug.gethook = function() return nil end  -- (the script sets no hook: herodo's is its own)
  debug.getinfo = function(...)
    local args = pack(...)
    local info
    if type(args[1]) == "thread" then
      info = getinfo(args[1], at(args[1], args[2]), args[3])
    else
      info = getinfo(at(nil, args[1]), args[2])
    end
    if info ~= nil and is_host(info.func) then info.func = nil end
    return info
  end
  -- herodo's functions show no upvalues (as a C function without any)
  debug.getupvalue = function(f, n) if not is_host(f) then return getupvalue(f, n) end end
  debug.setupvalue = function(f, n, v) if not is_host(f) then return setupvalue(f, n, v) end end
  debug.upvalueid = function(f, n) if not is_host(f) then return upvalueid(f, n) end end
  debug.upvaluejoin = function(f1, n1, f2, n2)
    if is_host(f1) or is_host(f2) then host_only("upvaluejoin") end
    return upvaluejoin(f1, n1, f2, n2)
  end
  -- debug.getlocal and debug.setlocal, refusing herodo's frames (no tail call: the levels count this frame)
  local function frame_access(name, raw)
    return function(...)
      local args = pack(...)
      local thread = type(args[1]) == "thread" and args[1] or nil
      local i = thread and 2 or 1
      if frame_of_host(thread, args[i], 2) then host_only(name) end
      args[i] = at(thread, args[i])
      local a, b = raw(unpack(args, 1, args.n))
      return a, b
    end
  end
  debug.getlocal = frame_access("getlocal", getlocal)
  debug.setlocal = frame_access("setlocal", setlocal)
end

if G.os then
  local exit = H.exit
  G.os.exit = function(code) exit(code); error(STOP, 0) end
end

-- names: globals and records ---------------------------------------------------------------
local global_miss, record_miss = H.global_miss, H.record_miss
setmetatable(G, {__index = function(_, name)
  if type(name) == "string" and sub(name, 1, 8) == "nerdctl_" then return global_miss(name) end
end})

local function shown(v)
  if type(v) == "string" then
    if #v > 60 then v = sub(v, 1, 57) .. "..." end
    return format("%q", v)
  end
  return tostring(v)
end

local function show_record(t, name)
  local keys = {}
  for k in next, t do if type(k) == "string" then keys[#keys + 1] = k end end
  sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = k .. "=" .. shown(rawget(t, k)) end
  local count = #t > 0 and format("(%d items)", #t) or ""
  return name .. count .. "{" .. concat(parts, ", ") .. "}"
end

local record_meta = {}
function make_record(name, t)
  local mt = record_meta[name]
  if not mt then
    mt = protect({__name = name, __tostring = function(r) return show_record(r, name) end,
                  __index = function(_, k) if type(k) == "string" then return record_miss(name, k) end end})
    record_meta[name] = mt
  end
  return setmetatable(t, mt)
end

-- running ----------------------------------------------------------------------------------
local MAX_FRAMES = 30  -- innermost first; a stack overflow is 200000 deep (and getinfo walks from the top)

local function frames_of(thread, level, frames)
  while #frames < MAX_FRAMES do
    local info
    if thread then info = getinfo(thread, level, "Sln") else info = getinfo(level, "Sln") end
    if not info then return frames end
    if info.what ~= "C" then
      local name = info.name or (info.what == "main" and "main chunk") or false
      frames[#frames + 1] = {info.source, info.currentline, name}
    end
    level = level + 1
  end
  return frames
end

function describe(err)
  local t = type(err)
  if t == "string" or t == "number" then return tostring(err) end
  local mt = dgetmt(err)
  if t ~= "userdata" and not (mt and mt.__tostring) then return "(error object is a " .. t .. " value)" end
  return tostring(err)
end

-- The script's failure, for the host (read from Python: no Lua runs after the script, where a hard
-- stop's hook would fail): the message handler keeps it in `last` and returns what the script's
-- <close> handlers receive while the stack unwinds (Lua hands them the handler's result): STOP for a
-- stop, a binding's error as an error value, anything else as it was raised.
local last = {}  -- failure = {value, text, frames}; shown = what the handler returned

local function handler(err)
  from_hook = false
  err = error_origin(err)
  local ok, text = rawpcall(describe, err)
  local handed = STOP
  if not (rawequal(err, STOP) or (type(err) == "userdata" and stopping())) then handed = error_value(err) end
  last.failure = {value = err, text = ok and text or "(error object cannot be shown)", frames = frames_of(nil, 2, {})}
  last.shown = handed
  return handed
end

local function run(memory_kb, chunk, ...)
  for i = #active, 1, -1 do active[i] = nil end
  soft_kb, from_hook, last_seen, running_fn = memory_kb, false, nil, chunk
  last.failure, last.shown = nil, nil
  sethook(hook, "", COUNT)
  return rawxpcall(chunk, handler, ...)
end

local function compile(source, chunkname)
  return load(source, chunkname, "t")
end

-- Where the hook last saw the script under memory pressure: source, line (or nothing).
local function last_position()
  if last_seen then return last_seen.source, last_seen.currentline end
end

local function locate()
  local frames = {}
  for i = #active, 1, -1 do frames_of(active[i], 0, frames) end
  return frames_of(nil, 2, frames)
end

local function remove(path)
  local parent, key = G, nil
  for part in path:gmatch("[^.]+") do
    if key then parent = rawget(parent, key); if type(parent) ~= "table" then return end end
    key = part
  end
  parent[key] = nil
end

G.python = nil
if G.package then G.package.loaded.python = nil end

-- Stand-ins for the bindings' globals (groups: noun -> its names): the first call of one of a noun's asks
-- the host to load that noun (load_group(noun) -> name -> function), puts each of its real ones where its
-- stand-in still is (a script may have set the global to something else), and calls the real one (a tail
-- call: no frame of its own).
local function lazy_globals(groups, load_group)
  for group, names in next, groups do
    local stand_ins, reals = {}, nil
    for _, name in ipairs(names) do
      local function stand_in(...)
        if not reals then
          reals = load_group(group)
          for key, f in next, stand_ins do
            if rawequal(rawget(G, key), f) then rawset(G, key, reals[key]) end
          end
        end
        return reals[name](...)
      end
      stand_ins[name] = stand_in
      rawset(G, name, stand_in)
    end
  end
end

-- The failures of an error parallel() raised (nil for any other value): for the host's report.
local function parallel_failures(err)
  if type(err) == "table" and parallel_errors[err] then return rawget(err, "failures") end
end

return {compile = compile, run = run, locate = locate, last_position = last_position, make_record = make_record,
        remove = remove, waiting = waiting, bind = bind, parallel_failures = parallel_failures, last = last,
        same = rawequal, lazy_globals = lazy_globals}
