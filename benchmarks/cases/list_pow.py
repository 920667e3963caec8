"""Case 2, python-on-whales: N list calls (argv[1], default 10), printing each running container's
name and state."""
import os
import sys

from python_on_whales import DockerClient

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
docker = DockerClient(client_call=[os.environ.get("ENGINE", "docker")])
for _ in range(n):
    for c in docker.container.list():
        print(c.name, c.state.status)
