local deploy = require("modules.deploy")
deploy.run("web")
