"""The Lua side of the host, run once in every fresh runtime before the script (chunk ``=herodo``).

It receives the host's Python helpers (``H``), captures what it needs before a policy strips the
standard library (``debug.sethook``, ``debug.getinfo``, ``load``), and installs:

- a count hook that asks the host whether to stop (Ctrl-C, limits), re-armed in every coroutine;
- ``STOP``, the error that ends the script: ``pcall``, ``xpcall``, ``coroutine.resume``/``wrap`` pass
  it on instead of catching it, so ``os.exit`` and Ctrl-C end the script (``<close>`` variables
  still run). Once the host says "hard", the hook fails on every instruction;
- ``print``, ``io.write``, ``io.stdout`` and ``io.stderr`` writing through Python's streams;
- ``os.exit(code)`` ending the script through the host;
- a ``_G`` metatable: reading an undefined ``nerdctl_*`` global raises with a did-you-mean
  (other undefined globals read as ``nil``, as in plain Lua; probe with ``rawget(_G, name)``);
- record metatables (unknown fields raise; ``tostring`` shows the fields).

It returns the functions the host calls: ``compile``, ``run``, ``locate``, ``make_record``, ``remove``.
"""

PRELUDE = rb"""
local H = ...
local G = _G
local type, select, tostring, error, setmetatable, getmetatable, rawget, rawequal, next, ipairs =
      type, select, tostring, error, setmetatable, getmetatable, rawget, rawequal, next, ipairs
local rawpcall, rawxpcall, load = pcall, xpcall, load
local concat, sort, pack = table.concat, table.sort, table.pack
local sub, format = string.sub, string.format
local sethook, getinfo = debug.sethook, debug.getinfo
local COUNT = H.hook_count
local check, stopping, write, write_err = H.check, H.stopping, H.write, H.write_err

-- stopping --------------------------------------------------------------------------------
local STOP = setmetatable({}, {__name = "herodo.stop", __tostring = function() return "script stopped" end})

local function hook()
  local state = check()
  if state ~= 0 then
    if state == 2 then sethook(hook, "", 1) end
    error(STOP, 0)
  end
end

local function pass(ok, ...)
  if not ok and stopping() then error(STOP, 0) end
  return ok, ...
end

G.pcall = function(f, ...) return pass(rawpcall(f, ...)) end
G.xpcall = function(f, handler, ...) return pass(rawxpcall(f, handler, ...)) end

-- coroutines: armed with the hook, tracked for error positions ------------------------------
local co = coroutine
local create, resume, close = co.create, co.resume, co.close
local active = {}

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
  return setmetatable({}, {__index = methods, __name = "FILE*",
                           __tostring = function() return "file (" .. name .. ")" end})
end

if G.io then
  local stdout = out_file(write, "stdout")
  G.io.stdout = stdout
  G.io.stderr = out_file(write_err, "stderr")
  G.io.write = function(...) return stdout.write(stdout, ...) end
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

local function show_record(t)
  local keys = {}
  for k in next, t do if type(k) == "string" then keys[#keys + 1] = k end end
  sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = k .. "=" .. shown(rawget(t, k)) end
  local mt = getmetatable(t)
  local count = #t > 0 and format("(%d items)", #t) or ""
  return mt.__name .. count .. "{" .. concat(parts, ", ") .. "}"
end

local record_meta = {}
local function make_record(name, t)
  local mt = record_meta[name]
  if not mt then
    mt = {__name = name, __tostring = show_record,
          __index = function(_, k) if type(k) == "string" then return record_miss(name, k) end end}
    record_meta[name] = mt
  end
  return setmetatable(t, mt)
end

-- running ----------------------------------------------------------------------------------
local function frames_of(thread, level, frames)
  while true do
    local info
    if thread then info = getinfo(thread, level, "Sln") else info = getinfo(level, "Sln") end
    if not info then return frames end
    if info.what ~= "C" then
      local name = info.name or (info.what == "main" and "main chunk") or false
      frames[#frames + 1] = {info.source, info.currentline, name}
    end
    level = level + 1
  end
end

local function describe(err)
  local t = type(err)
  if t == "string" or t == "number" then return tostring(err) end
  local mt = getmetatable(err)
  if t ~= "userdata" and not (mt and mt.__tostring) then return "(error object is a " .. t .. " value)" end
  return tostring(err)
end

local function handler(err)
  local ok, text = rawpcall(describe, err)
  return {value = err, text = ok and text or "(error object cannot be shown)", frames = frames_of(nil, 2, {})}
end

local function run(chunk, ...)
  sethook(hook, "", COUNT)
  return rawxpcall(chunk, handler, ...)
end

local function compile(source, chunkname)
  return load(source, chunkname, "t")
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

return {compile = compile, run = run, locate = locate, make_record = make_record, remove = remove}
"""
