-- The sandbox's Lua side (herodo_py/lua/sandbox.py runs it after the prelude; the header is one line).
local S = ...
local G = _G
local type, error, select, ipairs, pairs, rawget, setmetatable, getmetatable, format =
      type, error, select, ipairs, pairs, rawget, setmetatable, getmetatable, string.format
local load = load
local removed, find_module, getenv = S.removed, S.find_module, S.getenv

-- Tables are changed in place: package.loaded holds the same ones (require("io") gives this io).
-- A removed function becomes a stub that fails when called (pcall(os.remove, p) is false, a
-- friendly error); a removed value (package.path) fails when read.
local function forbid(tbl, prefix, names)
  local set = {}
  for _, name in ipairs(names) do
    if type(rawget(tbl, name)) == "function" then
      local full = prefix .. name
      tbl[name] = function() return removed(full) end
    else
      tbl[name] = nil
      set[name] = true
    end
  end
  local mt = getmetatable(tbl) or {}
  local previous = mt.__index
  mt.__index = function(t, key)
    if set[key] then return removed(prefix .. key) end
    if type(previous) == "function" then return previous(t, key) end
    if previous ~= nil then return previous[key] end
  end
  setmetatable(tbl, mt)
end

local function keep_only(tbl, prefix, keep)
  local names = {}
  for key in pairs(tbl) do if not keep[key] then names[#names + 1] = key end end
  forbid(tbl, prefix, names)
end

local function named(list) local set = {} for _, k in ipairs(list) do set[k] = true end return set end

-- os ------------------------------------------------------------------------------------------
forbid(G.os, "os.", {"execute", "remove", "rename", "tmpname", "setlocale"})
G.os.getenv = function(name)
  if type(name) ~= "string" then
    error(format("bad argument #1 to 'getenv' (string expected, got %s)", type(name)), 2)
  end
  return getenv(name)
end

-- io: the output path only ----------------------------------------------------------------------
local io = G.io
local stdout, stderr, output = io.stdout, io.stderr, io.output
keep_only(io, "io.", named{"write", "stdout", "stderr", "type", "output"})
io.output = function(file)
  if file == nil or file == stdout or file == stderr then return output(file) end
  return removed("io.output(file)")
end

-- loading ---------------------------------------------------------------------------------------
forbid(G, "", {"dofile", "loadfile"})
forbid(G.string, "string.", {"dump"})
G.load = function(chunk, name, _mode, ...)  -- the mode is always "t"
  if select("#", ...) > 0 then return load(chunk, name, "t", (...)) end
  return load(chunk, name, "t")
end

local setmt = setmetatable
G.setmetatable = function(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then return removed("__gc") end
  return setmt(t, mt)
end

keep_only(G.debug, "debug.", named{"traceback"})  -- lupa's error tracebacks use it

local package = G.package
local loaded, preload = package.loaded, package.preload
keep_only(package, "package.", named{"loaded", "preload", "config"})

G.require = function(name)
  if type(name) ~= "string" then
    error(format("bad argument #1 to 'require' (string expected, got %s)", type(name)), 2)
  end
  local value = loaded[name]
  if value ~= nil then return value end
  local path
  local opener = preload[name]
  if opener ~= nil then
    path = ":preload:"
    value = opener(name, path)
  else
    local source
    source, path = find_module(name)
    local chunk, err = load(source, "@" .. path, "t")
    if not chunk then error(format("error loading module '%s' from file '%s':\n\t%s", name, path, err), 2) end
    value = chunk(name, path)
  end
  if value ~= nil then loaded[name] = value end
  if loaded[name] == nil then loaded[name] = true end
  return loaded[name], path
end
