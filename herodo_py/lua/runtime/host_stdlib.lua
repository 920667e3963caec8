-- os.execute, io.popen, retry and the JSON globals (herodo_py/lua/runtime/host_stdlib.py documents them).
local H = ...
local G = _G
local type, error, tostring, tonumber, select, setmetatable, next =
      type, error, tostring, tonumber, select, setmetatable, next
local format, sub = string.format, string.sub
local mtype, tointeger = math.type, math.tointeger
local pack, unpack = table.pack, table.unpack
local pcall = pcall  -- herodo's: a stop passes through it
local sleep = H.sleep

-- os.execute --------------------------------------------------------------------------------
if G.os then
  local execute = H.execute
  G.os.execute = function(cmd)
    if cmd == nil then return true end
    local r = execute(cmd)
    return r[1], r[2], r[3]
  end
end

-- io.popen ----------------------------------------------------------------------------------
if G.io then
  local io = G.io
  local start, read_line, read_all, read_count, read_number, write, flush, close =
        H.popen, H.read_line, H.read_all, H.read_count, H.read_number, H.write, H.flush, H.close
  local pipes = setmetatable({}, {__mode = "k"})   -- file -> its process (until closed)
  local modes = setmetatable({}, {__mode = "k"})   -- file -> "r" | "w" (every file made here)
  local methods = {}
  local meta = {__name = "FILE*", __index = methods}
  local EBADF = {nil, "Bad file descriptor", 9}

  local function pipe_of(f, name)
    if modes[f] == nil then
      error(format("bad argument #1 to '%s' (FILE* expected, got %s)", name, type(f)), 3)
    end
    local p = pipes[f]
    if p == nil then error("attempt to use a closed file", 3) end
    return p
  end

  local function read_one(p, fmt, i)
    if type(fmt) == "number" then
      local n = tointeger(fmt)
      if n == nil then error(format("bad argument #%d to 'read' (number has no integer representation)", i), 4) end
      return read_count(p, n)
    end
    if type(fmt) ~= "string" then
      error(format("bad argument #%d to 'read' (invalid format)", i), 4)
    end
    if sub(fmt, 1, 1) == "*" then fmt = sub(fmt, 2) end
    local c = sub(fmt, 1, 1)
    if c == "l" then return read_line(p, false)
    elseif c == "L" then return read_line(p, true)
    elseif c == "a" then return read_all(p)
    elseif c == "n" then
      local s = read_number(p)
      return s and tonumber(s) or nil
    end
    error(format("bad argument #%d to 'read' (invalid format)", i), 4)
  end

  local function read(f, ...)
    local p = pipe_of(f, "read")
    if modes[f] ~= "r" then return unpack(EBADF, 1, 3) end
    local n = select("#", ...)
    if n == 0 then return read_line(p, false) end
    local out = {}
    for i = 1, n do
      local v = read_one(p, (select(i, ...)), i)
      out[i] = v
      if v == nil then return unpack(out, 1, i) end
    end
    return unpack(out, 1, n)
  end
  methods.read = read

  function methods.lines(f, ...)
    pipe_of(f, "lines")
    local formats = pack(...)
    return function()
      if pipes[f] == nil then error("file is already closed", 2) end
      return read(f, unpack(formats, 1, formats.n))
    end
  end

  function methods.write(f, ...)
    local p = pipe_of(f, "write")
    local n = select("#", ...)
    local parts = {}
    for i = 1, n do
      local v = select(i, ...)
      local t = type(v)
      if t == "number" then
        parts[i] = mtype(v) == "integer" and format("%d", v) or format("%.14g", v)
      elseif t == "string" then
        parts[i] = v
      else
        error(format("bad argument #%d to 'write' (string expected, got %s)", i, t), 2)
      end
    end
    if modes[f] ~= "w" then return unpack(EBADF, 1, 3) end
    local r = write(p, table.concat(parts, "", 1, n))
    if r[1] then return f end
    return nil, r[2], r[3]
  end

  function methods.flush(f)
    local r = flush(pipe_of(f, "flush"))
    if r[1] then return true end
    return nil, r[2], r[3]
  end

  function methods.close(f)
    local p = pipe_of(f, "close")
    pipes[f] = nil
    local r = close(p)
    return r[1], r[2], r[3]
  end

  function methods.setvbuf(f) pipe_of(f, "setvbuf"); return true end
  function methods.seek(f) pipe_of(f, "seek"); return nil, "Illegal seek", 29 end

  meta.__close = function(f) if pipes[f] ~= nil then methods.close(f) end end
  meta.__tostring = function(f)
    if pipes[f] == nil then return "file (closed)" end
    return format("file (%p)", f)
  end

  io.popen = function(prog, mode)
    if mode == nil then mode = "r" end
    if mode ~= "r" and mode ~= "w" then
      if type(mode) ~= "string" and type(mode) ~= "number" then
        error(format("bad argument #2 to 'io.popen' (string expected, got %s)", type(mode)), 2)
      end
      error("bad argument #2 to 'io.popen' (invalid mode)", 2)
    end
    local f = setmetatable({}, meta)
    pipes[f] = start(prog, mode)
    modes[f] = mode
    return f
  end

  local io_type = io.type
  io.type = function(x)
    if modes[x] ~= nil then return pipes[x] ~= nil and "file" or "closed file" end
    return io_type(x)
  end
end

-- retry -------------------------------------------------------------------------------------
local retry_failed = H.retry_failed
local error_origin = H.error_origin
local RETRY = {times = true, delay = true, backoff = true}

G.retry = function(fn, options)
  if type(fn) ~= "function" then
    error(format("bad argument #1 to 'retry' (function expected, got %s)", type(fn)), 2)
  end
  local times, delay, backoff = 3, 1, 1
  if options ~= nil then
    if type(options) ~= "table" then
      error(format("bad argument #2 to 'retry' (table expected, got %s)", type(options)), 2)
    end
    for k in next, options do
      if not RETRY[k] then
        error(format("bad argument #2 to 'retry' (unknown option %s; known: times, delay, backoff)", tostring(k)), 2)
      end
    end
    times, delay, backoff = options.times or times, options.delay or delay, options.backoff or backoff
    if mtype(times) ~= "integer" and not (type(times) == "number" and tointeger(times)) or times < 1 then
      error("bad argument #2 to 'retry' (option 'times': an integer of at least 1 expected, got "
            .. tostring(times) .. ")", 2)
    end
    if type(delay) ~= "number" or delay < 0 or delay ~= delay then
      error("bad argument #2 to 'retry' (option 'delay': seconds, a number of at least 0 expected, got "
            .. tostring(delay) .. ")", 2)
    end
    if type(backoff) ~= "number" or backoff < 1 or backoff ~= backoff then
      error("bad argument #2 to 'retry' (option 'backoff': a factor of at least 1 expected, got "
            .. tostring(backoff) .. ")", 2)
    end
  end
  for attempt = 1, times do
    local r = pack(pcall(fn, attempt))
    if r[1] then return unpack(r, 2, r.n) end
    if attempt == times then
      local err = error_origin(r[2])  -- a binding's error: the host's, to add the attempts to
      if type(err) == "string" or type(err) == "userdata" then return retry_failed(times, err) end
      error(err, 0)  -- a table or other value: raised as it was
    end
    if delay > 0 then sleep(delay) end
    delay = delay * backoff
  end
end

-- JSON --------------------------------------------------------------------------------------
local json = H.json
G.json_encode, G.json_array, G.json_null = json.encode, json.array, json.null
G.json_decode = H.json_decode
