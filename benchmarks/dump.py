"""A large ``ps --format '{{json .}}'`` dump in docker's shape, made from the real fixture row."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "docker" / "ps-json.jsonl"
_VARIANTS = (
    ("running", "Up 5 seconds (healthy)", "0.0.0.0:8080->80/tcp, :::8080->80/tcp"),
    ("exited", "Exited (0) 2 minutes ago", ""),
    ("created", "Created", ""),
    ("running", "Up 3 hours", "127.0.0.1:5432->5432/tcp"),
)


def fixture_row(path: Path = FIXTURE) -> dict:
    """The first record of the docker ``ps`` fixture."""
    return json.loads(path.read_text().splitlines()[0])


def make_dump(count: int = 1000, row: dict | None = None) -> str:
    """``count`` JSON lines: the fixture row with distinct ids, names, states, ports and labels."""
    base = row if row is not None else fixture_row()
    lines = []
    for i in range(count):
        state, status, ports = _VARIANTS[i % len(_VARIANTS)]
        record = dict(base)
        record.update(
            ID=hashlib.sha256(str(i).encode()).hexdigest(),
            Names=f"bench-{i}",
            State=state,
            Status=status,
            Ports=ports,
            Labels=f"herodo-bench=1,com.example.index={i},com.example.tier=web",
        )
        lines.append(json.dumps(record, separators=(",", ":")))
    return "\n".join(lines) + "\n"
