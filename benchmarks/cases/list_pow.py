"""Case 2, python-on-whales: N list calls (argv[1], default 10), printing each running container's
name and state. A container that other programs remove between the list and its inspect is
skipped, as a real script on a shared engine has to."""
import os
import sys

from python_on_whales import DockerClient
from python_on_whales.exceptions import NoSuchContainer

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
docker = DockerClient(client_call=[os.environ.get("ENGINE", "docker")])
for _ in range(n):
    for c in docker.container.list():
        try:
            print(c.name, c.state.status)
        except NoSuchContainer:
            pass
