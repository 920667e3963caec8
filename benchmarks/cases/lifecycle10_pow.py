"""Case 3, python-on-whales: run, inspect, exec, logs, stop, rm, ten times.
argv[1]: name prefix, argv[2]: image."""
import os
import sys

from python_on_whales import DockerClient

prefix = sys.argv[1] if len(sys.argv) > 1 else "hb-bench-pow"
image = sys.argv[2] if len(sys.argv) > 2 else "localhost/herodo-busybox:latest"
docker = DockerClient(client_call=[os.environ.get("ENGINE", "docker")])
for i in range(1, 11):
    c = docker.run(image, ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"], detach=True,
                   name=f"{prefix}-{i}", labels={"herodo-bench": "1"})
    state = c.state.status
    out = c.execute(["sh", "-c", "echo hi"])
    c.logs()
    c.stop()
    c.remove()
    print(i, state, out)
