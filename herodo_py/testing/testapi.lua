-- herodo test's globals (herodo_py/testing/testapi.py documents them; the header is one line).
local type, tostring, error, pcall, next, rawget, rawequal, getmetatable, setmetatable, ipairs =
      type, tostring, error, pcall, next, rawget, rawequal, getmetatable, setmetatable, ipairs
local format, find, sub = string.format, string.find, string.sub
local concat, sort = table.concat, table.sort
local G = _G

local tests, names, before, after = {}, {}, {}, {}
local state = {running = false}
local SKIP = setmetatable({}, {__name = "herodo.skip", __tostring = function()
  return "skipped: " .. tostring(state.skip)
end})

local function check_arg(value, want, n, fname)
  if type(value) ~= want then
    error(format("bad argument #%d to '%s' (%s expected, got %s)", n, fname, want, type(value)), 3)
  end
end

function G.test(name, fn)
  check_arg(name, "string", 1, "test")
  check_arg(fn, "function", 2, "test")
  if state.running then error("test() inside a test: define tests at the top level of the file", 2) end
  if names[name] then error(format("test name %q is used twice in this file", name), 2) end
  names[name] = true
  tests[#tests + 1] = {name = name, fn = fn}
end

function G.before_each(fn) check_arg(fn, "function", 1, "before_each"); before[#before + 1] = fn end
function G.after_each(fn) check_arg(fn, "function", 1, "after_each"); after[#after + 1] = fn end

function G.skip(reason)
  state.skip = reason ~= nil and tostring(reason) or "skipped"
  error(SKIP, 0)
end

-- showing values ---------------------------------------------------------------------------
local show

local function key_text(k)
  if type(k) == "string" and find(k, "^[%a_][%w_]*$") then return "." .. k end
  return "[" .. show(k, 1) .. "]"
end

local function sorted_keys(t)
  local keys = {}
  for k in next, t do keys[#keys + 1] = k end
  sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta == "number" end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

function show(v, depth)
  local t = type(v)
  if t == "string" then
    if #v > 80 then v = sub(v, 1, 77) .. "..." end
    return format("%q", v)
  end
  if t ~= "table" then return tostring(v) end
  local mt = getmetatable(v)
  if mt ~= nil and (type(mt) ~= "table" or mt.__tostring) then return tostring(v) end  -- (a host record: protected)
  if (depth or 0) >= 2 then return "{...}" end
  local parts, n = {}, #v
  for i = 1, n do
    parts[#parts + 1] = show(rawget(v, i), (depth or 0) + 1)
    if #parts > 12 then parts[#parts + 1] = "..."; break end
  end
  for _, k in ipairs(sorted_keys(v)) do
    if not (type(k) == "number" and k >= 1 and k <= n and k % 1 == 0) then
      local label = type(k) == "string" and find(k, "^[%a_][%w_]*$") and k or "[" .. show(k, 2) .. "]"
      parts[#parts + 1] = label .. " = " .. show(rawget(v, k), (depth or 0) + 1)
    end
    if #parts > 12 then parts[#parts + 1] = "..."; break end
  end
  local text = "{" .. concat(parts, ", ") .. "}"
  if #text > 120 then text = sub(text, 1, 117) .. "...}" end
  return text
end

-- failing ----------------------------------------------------------------------------------
local function fail(name, message, detail)
  local head = name .. " failed"
  if message ~= nil then head = head .. ": " .. tostring(message) end
  -- level 3: fail <- assert_* <- the test
  error(head .. (message ~= nil and "\n  " or ": ") .. detail, 3)
end

local MAX_DIFFS = 12
-- how far assert_eq compares tables (past that it fails, saying so: a 100,000-deep pair is not walked)
local MAX_DEPTH, MAX_ENTRIES = 100, 100000

-- whether t holds more than `left` entries (counted up to there only)
local function more_than(t, left)
  for _ in next, t do left = left - 1; if left < 0 then return true end end
  return false
end

local function diff(actual, expected, path, out, seen, depth)
  if #out > MAX_DIFFS or out.unbounded then return end
  if rawequal(actual, expected) then return end
  if type(actual) == "table" and type(expected) == "table" then
    if seen[actual] == expected then return end
    seen[actual] = expected
    if depth >= MAX_DEPTH then
      out.unbounded = format("cannot compare tables nested more than %d levels deep (at %s...)", MAX_DEPTH,
                             sub(path, 1, 60))
      return
    end
    if more_than(expected, out.entries) or more_than(actual, out.entries) then
      out.unbounded = format("cannot compare tables holding more than %d entries in all", MAX_ENTRIES)
      return
    end
    for _, k in ipairs(sorted_keys(expected)) do
      out.entries = out.entries - 1
      local a = rawget(actual, k)
      if a == nil then
        out[#out + 1] = format("%s: missing, expected %s", path .. key_text(k), show(rawget(expected, k)))
      else
        diff(a, rawget(expected, k), path .. key_text(k), out, seen, depth + 1)
      end
    end
    for _, k in ipairs(sorted_keys(actual)) do
      if rawget(expected, k) == nil then
        out[#out + 1] = format("%s: unexpected %s", path .. key_text(k), show(rawget(actual, k)))
      end
    end
  elseif actual ~= expected then
    out[#out + 1] = format("%s: expected %s, got %s", path == "" and "value" or path, show(expected), show(actual))
  end
end

function G.assert_eq(actual, expected, message)
  if type(actual) == "table" and type(expected) == "table" then
    local out = {entries = MAX_ENTRIES}
    diff(actual, expected, "", out, {}, 0)
    if out.unbounded then
      fail("assert_eq", message, out.unbounded .. ": compare smaller parts of them")
    end
    if #out == 0 then return end
    if #out > MAX_DIFFS then out[MAX_DIFFS + 1] = "..." ; for i = MAX_DIFFS + 2, #out do out[i] = nil end end
    fail("assert_eq", message, "tables differ\n  " .. concat(out, "\n  ") ..
         "\n  expected: " .. show(expected) .. "\n  actual:   " .. show(actual))
  elseif actual ~= expected then
    fail("assert_eq", message, format("expected %s, got %s", show(expected), show(actual)))
  end
end

function G.assert_true(value, message)
  if not value then fail("assert_true", message, "expected a true value, got " .. show(value)) end
end

function G.assert_false(value, message)
  if value then fail("assert_false", message, "expected false or nil, got " .. show(value)) end
end

-- a Lua pattern, or the same text taken literally (so 'dry-run' matches "dry-run")
local function contains(text, pattern)
  local ok, found = pcall(find, text, pattern)
  return (ok and found ~= nil) or find(text, pattern, 1, true) ~= nil
end

function G.assert_match(text, pattern, message)
  check_arg(pattern, "string", 2, "assert_match")
  if type(text) ~= "string" then
    fail("assert_match", message, "expected a string, got " .. show(text))
  end
  if not contains(text, pattern) then
    fail("assert_match", message, format("%s does not contain %s", show(text), show(pattern)))
  end
end

function G.assert_error(fn, pattern, message)
  check_arg(fn, "function", 1, "assert_error")
  if pattern ~= nil then check_arg(pattern, "string", 2, "assert_error") end
  local ok, err = pcall(fn)
  if ok then fail("assert_error", message, "expected an error, the function returned normally") end
  if rawequal(err, SKIP) then error(SKIP, 0) end
  if pattern ~= nil and not contains(tostring(err), pattern) then
    fail("assert_error", message, format("the error does not contain %s:\n  %s", show(pattern), tostring(err)))
  end
  return err
end

return {tests = tests, before = before, after = after, state = state}
