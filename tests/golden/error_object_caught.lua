-- a caught engine error: tostring gives the friendly message, fields give its parts
local ok, err = pcall(nerdctl_stop, "missing-web")
print(ok, type(err))
print(err.kind, err.category, err.code, err.line, err.func)
print(err.command)
print(tostring(err))
error(err)
