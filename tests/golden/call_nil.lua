local helpers = {}
function helpers.start() return true end

helpers.start()
helpers.stop()
