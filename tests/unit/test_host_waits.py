"""herodo_py.host.waits against real local servers: a port that opens later, an HTTP service whose
status changes, timeouts that name what was awaited and return within their bound (the bound is
generous: it checks the wait ends, not its speed), bad input, and the sandbox's loopback rule."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from herodo_py.host import policy, waits
from herodo_py.host.errors import BadHostInput, HostRefused, WaitTimeout


@pytest.fixture
def http_service():
    """A loopback HTTP server answering 503 until ``state['status']`` changes."""
    state = {"status": 503, "hits": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state["hits"] += 1
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://10.255.255.1/")
                self.end_headers()
                return
            self.send_response(state["status"])
            self.end_headers()
            self.wfile.write(b"body of " + str(state["status"]).encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


def test_wait_port_waits_for_a_listener():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    timer = threading.Timer(0.3, probe.listen)
    timer.start()
    try:
        assert waits.wait_port("127.0.0.1", port, 30) >= 0
    finally:
        timer.cancel()
        probe.close()


def test_wait_port_times_out_naming_the_address():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    try:
        with pytest.raises(WaitTimeout, match=rf"127.0.0.1:{port} did not accept .* within 0.5s") as info:
            waits.wait_port("127.0.0.1", port, 0.5)
    finally:
        probe.close()
    assert info.value.timed_out and "refused" in info.value.message.lower()


def test_wait_http_waits_for_the_status(http_service):
    url, state = http_service
    threading.Timer(0.3, state.update, kwargs={"status": 200}).start()
    answer = waits.wait_http(url + "/health", timeout=30)
    assert (answer.status, answer.body) == (200, "body of 200") and state["hits"] >= 1
    assert waits.wait_http(url, status=200).status == 200


def test_wait_http_times_out_with_the_last_answer(http_service):
    url, _ = http_service
    with pytest.raises(WaitTimeout, match=r"did not answer with status 200 within 0.5s \(last answer: status 503\)"):
        waits.wait_http(url, timeout=0.5)
    assert waits.wait_http(url, status=503, timeout=5).body == "body of 503"


@pytest.mark.parametrize("call", [
    lambda: waits.wait_port("", 80), lambda: waits.wait_port("h", 0), lambda: waits.wait_port("h", 70000),
    lambda: waits.wait_port("h", 80, -1), lambda: waits.wait_http("file:///etc/passwd"),
    lambda: waits.wait_http("ftp://x/"), lambda: waits.wait_http("http://x/", status=42),
    lambda: waits.sleep(-1), lambda: waits.sleep(float("nan")),
])
def test_bad_input_is_refused(call):
    with pytest.raises(BadHostInput):
        call()


def test_the_sandbox_waits_for_loopback_only_and_follows_no_redirect(http_service):
    url, _ = http_service
    with policy.HostPolicy.sandboxed("/tmp").active():
        for call in (lambda: waits.wait_port("10.255.255.1", 80, 1), lambda: waits.wait_http("http://169.254.169.254/"),
                     lambda: waits.wait_http("http://example.com/")):
            with pytest.raises(HostRefused, match="refused in the sandbox"):
                call()
        assert waits.wait_http(url + "/redirect", status=302, timeout=5).status == 302
        assert waits.wait_http(url.replace("127.0.0.1", "localhost"), status=503, timeout=5).status == 503
