"""Helpers shared by test folders (``tests/`` is on the import path through tests/conftest.py)."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable

import pytest


def unusable(reason: str) -> None:
    """What this machine cannot do (a missing engine, image, registry, daemon): a skip here, a failure in CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def recap_line(err: str, name: str) -> str:
    """The one line of ``herodo --hosts``'s recap (on stderr ``err``) about host ``name``."""
    lines = [line for line in err.splitlines() if re.match(rf"  {re.escape(name)} +\S", line)]
    assert len(lines) == 1, err
    return lines[0]


def interrupt_when(ready: Callable[[], bool], timeout: float = 60) -> threading.Thread:
    """A started thread that sends SIGINT to this process once ``ready()`` (polled; or after ``timeout``)."""
    def watch() -> None:
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)
    watcher = threading.Thread(target=watch)
    watcher.start()
    return watcher
