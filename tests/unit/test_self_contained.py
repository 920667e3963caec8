"""The repository stands alone: no tracked file refers to a folder beside it or to one machine's paths.

A user's clone has nothing beside it, so a test, script or document that reads a sibling folder (the team's
notebook beside the checkout, say) or an absolute path of the machine it was written on works only there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Spelled in pieces so that this file does not match itself.
_DOT2 = r"\.\."
FORBIDDEN = [
    (re.compile(_DOT2 + r"/(?:shared|main|\.library)\b"), "a folder beside the repository"),
    (re.compile(r"\.parent\s*/\s*[\"'](?:shared|\.library)[\"']"), "a folder beside the repository"),
    (re.compile(r"parents\[\d+\]\s*/\s*[\"']shared[\"']"), "a folder beside the repository"),
    (re.compile(r"(?<![\w.~-])/" + r"work/"), "an absolute path of one machine"),
    (re.compile(r"(?<![\w.~-])/" + r"home/[a-z_][\w-]*/"), "an absolute path of one machine"),
    (re.compile(r"(?<![\w.~-])/" + r"root/(?!\.)\w"), "an absolute path of one machine"),
    (re.compile(r"(?<![\w.~-])/" + r"Users/\w"), "an absolute path of one machine"),
]


def tracked_files(root: Path) -> list[Path]:
    """The files git tracks under ``root`` (every file when it is not a git checkout)."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True).stdout
        return [root / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def references(root: Path, files: list[Path]) -> list[str]:
    """Every line of ``files`` that points outside the repository, as ``path:line: what (text)``."""
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary or unreadable: not a text reference
        for number, line in enumerate(text.splitlines(), 1):
            for pattern, what in FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {what} ({line.strip()[:100]})")
    return found


def test_no_tracked_file_refers_outside_the_repository():
    found = references(ROOT, [p for p in tracked_files(ROOT) if p.exists()])
    assert found == [], "tracked files refer outside the repository:\n" + "\n".join(found)


@pytest.mark.parametrize("planted", [
    'FIXTURES = ROOT.parent / "sh' + 'ared" / "fixtures"\n',
    "see " + ".." + "/shared/DESIGN.md\n",
    'data = Path("/' + 'work/sh' + 'ared/fix' + 'tures/x.json")\n',
    'FIXTURES = Path(__file__).parents[3] / "sh' + 'ared"\n',
    "cd /" + "home/alice/herodo && make\n",
    "cp /" + "root/notes.txt .\n",
])
def test_a_planted_reference_is_found(tmp_path, planted):
    (tmp_path / "ok.py").write_text('TMP = "/tmp/x"\nSOCK = "/var/run/docker.sock"\n')
    (tmp_path / "bad.py").write_text("x = 1\n" + planted)
    found = references(tmp_path, [tmp_path / "ok.py", tmp_path / "bad.py"])
    assert len(found) == 1 and found[0].startswith("bad.py:2: "), found


def test_fixtures_live_in_the_repository_with_their_sources():
    for engine in ("nerdctl", "docker", "podman"):
        folder = ROOT / "tests" / "fixtures" / engine
        samples = sorted(p.name for p in folder.iterdir() if p.name != "SOURCES.md")
        sources = (folder / "SOURCES.md").read_text()
        assert samples, engine
        missing = [name for name in samples if name not in sources]
        assert missing == [], f"{engine} samples with no provenance in SOURCES.md: {missing}"
