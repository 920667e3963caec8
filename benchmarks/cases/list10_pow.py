"""Case 2, python-on-whales: ten list calls, printing each running container's name and state."""
import os

from python_on_whales import DockerClient

docker = DockerClient(client_call=[os.environ.get("ENGINE", "docker")])
for _ in range(10):
    for c in docker.container.list():
        print(c.name, c.state.status)
