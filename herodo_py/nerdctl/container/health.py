"""Health check commands.

The engines store ``--health-cmd`` as ``CMD-SHELL`` and run it with ``/bin/sh -c`` inside the
container, so a multi-line script works as it is. (The original wrote multi-line scripts to a host
file that the container could not see; we write no file.)
"""

from __future__ import annotations

from ..validate import check_text, fail

TYPE_CHECKING = False  # typing stays off a first run() (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any


def prepare_health_check_command(cmd: Any, container_name: str | None = None) -> str:
    """The health check command to pass to ``--health-cmd``: line endings normalized to ``\\n``,
    surrounding blank lines removed. Refuses empty commands and NUL bytes.
    ``container_name`` is accepted for the original's signature and not used."""
    check_text(cmd, "health check command")
    text = cmd.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        raise fail("health check command", cmd, "a shell command like 'wget -q -O- http://127.0.0.1/ || exit 1'")
    return text
