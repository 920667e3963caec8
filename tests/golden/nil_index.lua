local config = { web = { port = "8080:80" } }

local function port_of(service)
  return config[service].port
end

print(port_of("web"))
print(port_of("db"))
