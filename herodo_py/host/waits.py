"""Time on the host: ``sleep``, ``now``, and waits for a TCP port or an HTTP answer.

Every wait returns within its timeout plus one attempt's bound (each attempt gets at most the time
that is left) or raises :class:`~.errors.WaitTimeout` naming what it waited for and the last answer.
Sleeping and waiting block in the OS, where a signal handler that raises (Ctrl-C, the script's time
limit) interrupts them at once.

With ``loopback_only`` (a sandbox) waits reach loopback addresses only (``localhost``, ``127.0.0.0/8``,
``::1``), where containers publish their ports, and HTTP redirects are not followed: a script cannot
probe the network around the host or fetch pages from it. In trusted mode any host is allowed.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import time
from dataclasses import dataclass
from typing import Any

from . import policy
from .errors import BadHostInput, HostRefused, WaitTimeout
from .process import check_timeout

MAX_BODY = 1024 * 1024  # bytes of an HTTP body wait_http returns
RETRY_GAPS = (0.05, 0.1, 0.2, 0.5)  # seconds between attempts, the last one repeated
DEFAULT_TIMEOUT = 30.0


def now() -> float:
    """Wall-clock time in seconds since the epoch, with sub-second precision."""
    return time.time()


def sleep(seconds: float) -> None:
    """Pause for ``seconds`` (a number, 0 allowed; fractions are fine)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 2_000_000 \
            or math.isnan(seconds):
        raise BadHostInput(f"invalid seconds: {seconds!r}", field="seconds", value=seconds,
                           expected="a number of seconds from 0 to 2000000, e.g. 0.5")
    time.sleep(seconds)


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _reachable(host: str, func: str) -> None:
    if policy.current().loopback_only and not _loopback(host):
        raise HostRefused(f"{func}: host {host!r} is refused in the sandbox", field="host", value=host,
                          hint="a sandboxed script waits for loopback addresses only (localhost, 127.0.0.1, ::1), "
                               "where containers publish their ports")


class _Attempts:
    """Deadline and pacing of a wait."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.count = 0

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def pause(self) -> bool:
        """Sleep before the next attempt; ``False`` when no time is left for one."""
        gap = RETRY_GAPS[min(self.count, len(RETRY_GAPS) - 1)]
        self.count += 1
        left = self.left()
        if left <= 0:
            return False
        time.sleep(min(gap, left))
        return self.left() > 0


def wait_port(host: str, port: int, timeout: float | None = None) -> float:
    """Wait until ``host:port`` accepts a TCP connection; the seconds it took."""
    if not isinstance(host, str) or not host or "\0" in host:
        raise BadHostInput(f"invalid host: {host!r}", field="host", value=host, expected="a host name or address")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise BadHostInput(f"invalid port: {port!r}", field="port", value=port, expected="an integer 1-65535")
    timeout = check_timeout(timeout if timeout is not None else DEFAULT_TIMEOUT)
    assert timeout is not None
    _reachable(host, "wait_port")
    attempts = _Attempts(timeout)
    last = "no attempt"
    while True:
        try:
            with socket.create_connection((host.strip("[]"), port), timeout=max(attempts.left(), 0.001)):
                return time.monotonic() - attempts.started
        except OSError as exc:
            last = exc.strerror or str(exc) or type(exc).__name__
        if not attempts.pause():
            raise WaitTimeout(f"{host}:{port} did not accept a TCP connection within {timeout:g}s "
                              f"(last attempt: {last})", field="port", value=port,
                              hint="check that the service listens on that address and port (and is published "
                                   "with with_port), or give it more time")


@dataclass
class HttpAnswer:
    """What ``wait_http`` got: the ``status``, the start of the ``body`` (at most 1 MiB), the final ``url``."""

    status: int
    body: str
    url: str


def _check_url(url: str) -> str:
    from urllib.parse import urlsplit

    if not isinstance(url, str) or "\0" in url:
        raise BadHostInput(f"invalid url: {url!r}", field="url", value=url, expected="an http:// or https:// URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadHostInput(f"invalid url: {url!r}", field="url", value=url,
                           expected="an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080/health")
    return parts.hostname


def wait_http(url: str, status: int = 200, timeout: float | None = None) -> HttpAnswer:
    """Wait until ``url`` answers with ``status`` (a GET); the answer."""
    host = _check_url(url)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise BadHostInput(f"invalid status: {status!r}", field="status", value=status,
                           expected="an HTTP status code 100-599, e.g. 200")
    timeout = check_timeout(timeout if timeout is not None else DEFAULT_TIMEOUT)
    assert timeout is not None
    _reachable(host, "wait_http")
    opener = _opener(follow_redirects=not policy.current().loopback_only)
    attempts = _Attempts(timeout)
    last = "no attempt"
    while True:
        answer, last = _get(opener, url, max(attempts.left(), 0.001))
        if answer is not None and answer.status == status:
            return answer
        if not attempts.pause():
            raise WaitTimeout(f"{url} did not answer with status {status} within {timeout:g}s (last answer: {last})",
                              field="url", value=url,
                              hint="check the URL and that the service is up (logs()), or give it more time")


def _opener(*, follow_redirects: bool) -> Any:
    import urllib.request

    handlers: list[Any] = [urllib.request.ProxyHandler({})]  # a local service: never through a proxy
    if not follow_redirects:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def _get(opener: Any, url: str, timeout: float) -> tuple[HttpAnswer | None, str]:
    import http.client
    import urllib.error

    try:
        with opener.open(url, timeout=timeout) as response:
            body = response.read(MAX_BODY)
            answer = HttpAnswer(response.status, body.decode("utf-8", "surrogateescape"), response.geturl())
            return answer, f"status {answer.status}"
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_BODY) if exc.fp is not None else b""
        return HttpAnswer(exc.code, body.decode("utf-8", "surrogateescape"), exc.geturl()), f"status {exc.code}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, getattr(reason, "strerror", None) or str(reason) or type(exc).__name__


__all__ = ["DEFAULT_TIMEOUT", "HttpAnswer", "now", "sleep", "wait_http", "wait_port"]
