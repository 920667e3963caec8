"""The engine runs as root: container options that hand a container the host (its network, its
namespaces) are refused under ``--sandbox`` (README "Threat model"). Effect: a secret served on the
host's loopback must not reach the script through a container."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest


@pytest.fixture
def loopback_secret(box) -> Iterator[int]:
    """An HTTP server on the host's 127.0.0.1 answering the box's secret; yields its port."""
    secret = box.secret_text.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(secret)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("how", ["with_network", "nerdctl_network_create host driver",
                                 "nerdctl_network_ensure host driver", "host network id prefix"])
def test_a_container_cannot_join_the_host_network(engine, test_image, unique_name, box, hostile, loopback_secret, how):
    name = unique_name()
    network = {"with_network": '"host"',
               "nerdctl_network_create host driver": f'(pcall(nerdctl_network_create, "{name}-net", "host") and '
                                                     f'"{name}-net" or "host")',
               "nerdctl_network_ensure host driver": f'(pcall(nerdctl_network_ensure, "{name}-net", '
                                                     f'{{driver = "host"}}) and "{name}-net" or "host")',
               "host network id prefix": '(function() for _, n in ipairs(nerdctl_network_list()) do '
                                         'if n.name == "host" and n.id ~= "" then return n.id:sub(1, 6) end end '
                                         'return "host" end)()'}[how]
    run = hostile(f"""
local c = nerdctl_container_from_image("{name}", "localhost/herodo-busybox:latest"):with_detach(false)
  :with_command({{"sh", "-c", "wget -q -O- http://127.0.0.1:{loopback_secret}/ 2>&1"}})
local ok, e = pcall(function() return c:with_network({network}) end)
print("network", ok)
local built, r = pcall(c.build, c)
if built then print(r:logs().stdout) end
pcall(c.remove, c, true)
pcall(nerdctl_network_remove, "{name}-net")
""", engine=engine.name)
    run.ended()
    assert box.secret_text not in run.text, run
