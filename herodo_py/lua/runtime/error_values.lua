-- Error values as scripts see them (herodo_py/lua/runtime/error_values.py documents them).
-- A binding's error reaches a pcall/xpcall/coroutine as a Python object; `value` turns it into a
-- read-only proxy table that behaves like its message; `origin` gives the host the object back.
local H = ...
local type, next, rawequal, setmetatable, error, tostring = type, next, rawequal, setmetatable, error, tostring
local rawpcall, format = pcall, string.format
local fields_of = H.fields_of  -- a ScriptError -> its fields (a table), its friendly text; else nothing
local known, unknown = H.known, H.unknown  -- the field names (a set); raises "no field" at the script's line

local origins = setmetatable({}, {__mode = "k"})  -- proxy -> the Python error
local fields = setmetatable({}, {__mode = "k"})   -- proxy -> its fields
local texts = setmetatable({}, {__mode = "k"})    -- proxy -> tostring(proxy)

local function text_of(x)
  local t = texts[x]
  if t ~= nil then return t end
  return x
end

-- string methods, captured now (a script changing the string table changes only its own calls)
local string_methods = {}
for name, f in next, string do
  if type(f) == "function" and name ~= "dump" then
    string_methods[name] = function(self, ...) return f(text_of(self), ...) end
  end
end

local meta = {
  __metatable = "herodo error value (read-only)",
  __name = "error",
  __index = function(proxy, key)
    local v = fields[proxy][key]
    if v ~= nil then return v end
    v = string_methods[key]
    if v ~= nil or known[key] then return v end
    return unknown(key)
  end,
  __newindex = function(_, key)
    error(format("an error value is read-only (cannot set %s)", tostring(key)), 2)
  end,
  __tostring = function(proxy) return texts[proxy] end,
  __concat = function(a, b) return text_of(a) .. text_of(b) end,
  __len = function(proxy) return #texts[proxy] end,
  __eq = function(a, b) return origins[a] ~= nil and rawequal(origins[a], origins[b]) end,
  __lt = function(a, b) return text_of(a) < text_of(b) end,
  __le = function(a, b) return text_of(a) <= text_of(b) end,
  __pairs = function(proxy) return next, fields[proxy], nil end,
}

-- The script's view of a caught error: a proxy for a binding's error, anything else as it is.
local function value(err)
  if type(err) ~= "userdata" then return err end
  local ok, f, t = rawpcall(fields_of, err)
  if not ok or f == nil then return err end
  local proxy = setmetatable({}, meta)
  origins[proxy], fields[proxy], texts[proxy] = err, f, t
  return proxy
end

-- The error behind a proxy (for the host), anything else as it is.
local function origin(err)
  if type(err) == "table" then
    local o = origins[err]
    if o ~= nil then return o end
  end
  return err
end

local function is_value(x) return type(x) == "table" and origins[x] ~= nil end

return {value = value, origin = origin, is_value = is_value}
