-- JSON encoding in Lua (herodo_py/lua/json_codec.py documents it); H: fail, max_depth.
local H = ...
local type, next, tostring, setmetatable, rawget = type, next, tostring, setmetatable, rawget
local format, gsub, byte, match, rep = string.format, string.gsub, string.byte, string.match, string.rep
local concat, sort = table.concat, table.sort
local mtype, ulen, huge, tonumber = math.type, utf8.len, math.huge, tonumber
local fail = H.fail
local MAX_DEPTH = H.max_depth

local null = setmetatable({}, {
  __name = "json_null", __tostring = function() return "json_null" end, __metatable = false,
  __newindex = function() error("json_null is read-only", 2) end,
})
local arrays = setmetatable({}, {__mode = "k"})  -- tables that are JSON arrays (decoded, or json_array)

local function mark(t) arrays[t] = true; return t end

local ESC = {['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r',
             ['\t'] = '\\t'}
local function escape(c) return ESC[c] or format("\\u%04x", byte(c)) end

local function step(path, key)
  if type(key) == "number" then return path .. "[" .. key .. "]" end
  if match(key, "^[%a_][%w_]*$") then return path .. "." .. key end
  return path .. format("[%q]", key)
end

local function quote(s, path)
  if not ulen(s) then fail(path, "the string is not valid UTF-8 (JSON text is UTF-8)") end
  return '"' .. gsub(s, '[%c"\\]', escape) .. '"'
end

local function number(v, path)
  if mtype(v) == "integer" then return tostring(v) end
  if v ~= v or v == huge or v == -huge then fail(path, "NaN and infinities have no JSON form") end
  local s
  for digits = 14, 17 do
    s = format("%." .. digits .. "g", v)
    if tonumber(s) == v then break end
  end
  if not match(s, "[%.eEn]") then s = s .. ".0" end
  return s
end

local function shape(t, path)
  -- "array", n | "object", sorted-or-not string keys
  local n, count, ints, strings = 0, 0, nil, nil
  for k in next, t do
    count = count + 1
    if mtype(k) == "integer" and k >= 1 then
      ints = ints or k
      if k > n then n = k end
    elseif type(k) == "string" then
      strings = strings or k
    else
      local what = mtype(k) or type(k)
      fail(step(path, type(k) == "number" and k or tostring(k)),
           (what == "integer" and "an " or "a ") .. what .. " key (" .. tostring(k) ..
           ") cannot be a JSON key: use string keys (an object) or 1..n (an array)")
    end
  end
  if ints and strings then
    fail(path, format("the table mixes array index %d and object key %q: JSON has arrays or objects, not both",
                      ints, strings))
  end
  if strings then
    if arrays[t] then
      fail(step(path, strings), "a table marked as a JSON array has the key " .. format("%q", strings))
    end
    return "object"
  end
  if count == 0 then return arrays[t] and "array" or "object", 0 end
  if n ~= count then
    for i = 1, n do
      if rawget(t, i) == nil then
        fail(step(path, i), "the array has a hole here (nil): write json_null for a JSON null")
      end
    end
  end
  return "array", n
end

local function encoder(sort_keys, indent)
  local out, size = {}, 0
  local open = {}  -- tables being written: seeing one again is a cycle
  local function put(s) size = size + 1; out[size] = s end
  local function newline(depth)
    if indent then put("\n" .. rep(" ", indent * depth)) end
  end
  local value
  function value(v, path, depth)
    local t = type(v)
    if t == "string" then put(quote(v, path))
    elseif t == "number" then put(number(v, path))
    elseif t == "boolean" then put(v and "true" or "false")
    elseif v == nil or v == null then put("null")
    elseif t == "table" then
      if depth >= MAX_DEPTH then fail(path, "nested deeper than " .. MAX_DEPTH .. " levels") end
      if open[v] then fail(path, "a cycle: this table contains itself") end
      open[v] = true
      local kind, n = shape(v, path)
      if kind == "array" then
        if n == 0 then put("[]") else
          put("[")
          for i = 1, n do
            if i > 1 then put(",") end
            newline(depth + 1)
            value(v[i], step(path, i), depth + 1)
          end
          newline(depth)
          put("]")
        end
      else
        local keys, count = {}, 0
        for k in next, v do count = count + 1; keys[count] = k end
        if count == 0 then put("{}") else
          if sort_keys then sort(keys) end
          put("{")
          for i = 1, count do
            local k = keys[i]
            if i > 1 then put(",") end
            newline(depth + 1)
            put(quote(k, step(path, k)))
            put(indent and ": " or ":")
            value(v[k], step(path, k), depth + 1)
          end
          newline(depth)
          put("}")
        end
      end
      open[v] = nil
    else
      fail(path, "a " .. t .. " value has no JSON form")
    end
  end
  return value, function() return concat(out, "", 1, size) end
end

local OPTIONS = {sort_keys = "boolean", indent = "number"}

local function json_encode(v, options)
  local sort_keys, indent = true, nil
  if options ~= nil then
    if type(options) ~= "table" then
      error(format("bad argument #2 to 'json_encode' (table expected, got %s)", type(options)), 2)
    end
    for k, o in next, options do
      if OPTIONS[k] == nil then
        error(format("bad argument #2 to 'json_encode' (unknown option %s; known: sort_keys, indent)", tostring(k)), 2)
      end
      if type(o) ~= OPTIONS[k] then
        error(format("bad argument #2 to 'json_encode' (option '%s': %s expected, got %s)", k, OPTIONS[k], type(o)), 2)
      end
    end
    if options.sort_keys ~= nil then sort_keys = options.sort_keys end
    indent = options.indent
    if indent ~= nil and (mtype(indent) ~= "integer" or indent < 0 or indent > 16) then
      error("bad argument #2 to 'json_encode' (option 'indent': an integer 0-16 expected, got "
            .. tostring(indent) .. ")", 2)
    end
  end
  local write, result = encoder(sort_keys, indent)
  write(v, "value", 0)
  return result()
end

local function json_array(t)
  if t == nil then t = {} end
  if type(t) ~= "table" then error(format("bad argument #1 to 'json_array' (table expected, got %s)", type(t)), 2) end
  return mark(t)
end

return {encode = json_encode, array = json_array, null = null, mark = mark}
