"""``herodo --hosts`` as a process, on the nerdctl stand-in (each host an address the stand-in accepts):
per-host settings and identity (also under --sandbox), prefixed whole lines on the right stream, the recap
and the exit code, --forks bounds (recorded by the hosts themselves, no timing), bad inventories refused
before anything runs, Ctrl-C forwarded to every host (each runs its cleanup, exit 130), and a hanging host
bounded by --script-timeout. Real engines and transports: tests/live/test_hosts_live.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from herodo_process import HERODO, STANDIN, herodo, herodo_env
from support import recap_line


def inventory_file(tmp_path: Path) -> Path:
    """Three hosts; b names its engine (the stand-in, by its path), the others take HERODO_ENGINE's."""
    path = tmp_path / "fleet.txt"
    path.write_text(f"alpha unix:///run/alpha.sock\nb /run/b.sock {STANDIN}  # a comment\n\n"
                    "gamma-3\tunix:///run/gamma.sock\n")
    return path

IDENTITY = """
local host = os.getenv("HERODO_HOST")
print("host " .. host .. " address " .. os.getenv("HERODO_HOST_ADDRESS") .. " engine "
      .. tostring(os.getenv("HERODO_HOST_ENGINE")))
print("settings " .. nerdctl_engine().address .. " " .. nerdctl_engine().name)
io.stderr:write("to stderr from " .. host .. "\\n")
print("containers " .. #nerdctl_list(true))
io.write("no newline at the end from " .. host)
if host == "b" then error("b does not work") end
"""


def test_each_host_runs_with_its_own_settings_and_output_is_prefixed(tmp_path: Path) -> None:
    play = tmp_path / "play.lua"
    play.write_text(IDENTITY + 'print("arg " .. tostring(arg[1]))\n')
    result = herodo("--hosts", str(inventory_file(tmp_path)), "--sandbox", str(play), "--", "x y")
    assert result.returncode == 1, result.stderr
    out_lines, err_lines = result.stdout.splitlines(), result.stderr.splitlines()
    width = len("gamma-3")
    for name, address, engine in (("alpha", "unix:///run/alpha.sock", "nil"), ("b", "/run/b.sock", str(STANDIN)),
                                  ("gamma-3", "unix:///run/gamma.sock", "nil")):
        prefix = f"{name:<{width}} | "
        mine = [line[len(prefix):] for line in out_lines if line.startswith(prefix)]
        assert mine[:3] == [f"host {name} address {address} engine {engine}", f"settings {address} nerdctl",
                            "containers 1"], result.stdout
        assert mine[3].startswith(f"no newline at the end from {name}")  # completed into a line of its own
        assert f"{prefix}to stderr from {name}" in err_lines  # stderr stays on stderr
        assert not any(f"to stderr from {name}" in line for line in out_lines)
    # every line of both streams carries a prefix, up to the recap
    recap_at = next(i for i, line in enumerate(err_lines) if line.startswith("herodo: recap"))
    assert all(re.match(r"(alpha  |b      |gamma-3) \| ", line) for line in out_lines + err_lines[:recap_at])
    assert "b       | " in result.stderr and "b does not work" in result.stderr  # b's friendly error, prefixed
    assert [line for line in out_lines if line.endswith("arg x y")] != []  # script arguments passed through
    assert f"recap of {play}: 3 hosts, forks 5" in err_lines[recap_at]
    assert re.match(r"  alpha +ok +exit 0 +\d+\.\d\ds$", recap_line(result.stderr, "alpha"))
    assert re.match(r"  b +failed +exit 1 +\d+\.\d\ds$", recap_line(result.stderr, "b"))
    assert re.match(r"  gamma-3 +ok +exit 0 ", recap_line(result.stderr, "gamma-3"))
    assert err_lines[-1] == "herodo: 1 of 3 hosts failed: b"


def test_all_hosts_ok_exit_0_and_options_pass_through(tmp_path: Path) -> None:
    play = tmp_path / "play.lua"
    play.write_text('nerdctl_run_with_name("localhost/herodo-busybox:latest", "web")\nprint("done")\n')
    inventory = tmp_path / "fleet.txt"
    inventory.write_text(f"# two hosts\none unix:///run/one.sock\n\ntwo  /run/two.sock  {STANDIN}\n")
    result = herodo("--dry-run", "--trace", "--hosts", str(inventory), str(play))
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["one | done", "two | done"]
    # --dry-run reached each host's herodo: the run was reported, with that host's address
    assert re.search(r"^one \| .*--address unix:///run/one.sock .*run -d", result.stderr, re.M), result.stderr
    assert re.search(r"^two \| .*--address /run/two.sock .*run -d", result.stderr, re.M), result.stderr
    assert result.stderr.splitlines()[-1] == "herodo: all 2 hosts ok"


FORKS_PLAY = """
local log, want = arg[1], tonumber(arg[2])
local function append(line)
  local f = assert(io.open(log, "a")); f:write(line, "\\n"); f:close()
end
local function starts()
  local n = 0
  for line in io.lines(log) do if line:match("^start") then n = n + 1 end end
  return n
end
append("start " .. os.getenv("HERODO_HOST"))
-- a barrier: wait (bounded) until `want` hosts have started
local deadline = os.time() + 60
while starts() < want and os.time() < deadline do os.execute("sleep 0.05") end
append("end " .. os.getenv("HERODO_HOST"))
assert(starts() >= want, "only " .. starts() .. " hosts started together")
"""


def most_at_once(log: Path) -> int:
    running = top = 0
    for line in log.read_text().splitlines():
        running += 1 if line.startswith("start") else -1
        top = max(top, running)
    return top


def test_forks_bound_how_many_hosts_run_at_once(tmp_path: Path) -> None:
    play = tmp_path / "forks.lua"
    play.write_text(FORKS_PLAY)
    hosts = ",".join(f"h{i}=unix:///run/h{i}.sock" for i in range(4))
    serial = tmp_path / "serial.log"
    serial.touch()
    result = herodo("--hosts", hosts, "--forks", "1", str(play), "--", str(serial), "1")
    assert result.returncode == 0, result.stderr
    assert most_at_once(serial) == 1 and serial.read_text().count("start") == 4
    assert [line.split()[1] for line in serial.read_text().splitlines()[::2]] == ["h0", "h1", "h2", "h3"]
    # three at once: each of the first three waits for the other two, which works only when they overlap
    together = tmp_path / "together.log"
    together.touch()
    result = herodo("--hosts", hosts, "--forks=3", str(play), "--", str(together), "3")
    assert result.returncode == 0, result.stderr
    assert most_at_once(together) == 3 and together.read_text().count("start") == 4
    assert "forks 3" in result.stderr


def test_bad_inventories_and_options_are_refused_before_anything_runs(tmp_path: Path) -> None:
    play = tmp_path / "play.lua"
    marker = tmp_path / "ran"
    play.write_text(f'io.open("{marker}", "w"):close()\n')
    inventory = tmp_path / "fleet.txt"
    inventory.write_text("good unix:///run/good.sock\n# fine\nbad host unix:///x docker\n")
    result = herodo("--hosts", str(inventory), str(play))
    assert result.returncode == 2
    assert f"{inventory}:3: 4 fields in 'bad host unix:///x docker' (expected NAME ADDRESS [ENGINE]" in result.stderr
    for args, message in (
        (["--hosts", "a=unix:///a", "--address", "unix:///b", str(play)], "--address does not go with --hosts"),
        (["--hosts", "a=unix:///a", "--engine", "docker", str(play)], "--engine does not go with --hosts"),
        (["--hosts", "a=unix:///a", str(tmp_path / "missing.lua")], "no such playbook"),
        (["--hosts", "a\x07=unix:///a", str(play)], "control character"),
        (["--hosts", "a=unix:///a", "--forks", "0", str(play)], "--forks: invalid value '0'"),
        (["--host", "a=unix:///a", str(play)], "write --hosts in full"),
        (["--hosts", "a=unix:///a", "--max-memory", "lots", str(play)], "--max-memory"),
    ):
        result = herodo(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert result.stdout == ""
    assert not marker.exists()


def test_a_hanging_host_is_bounded_by_the_script_timeout(tmp_path: Path) -> None:
    play = tmp_path / "hang.lua"
    play.write_text('if os.getenv("HERODO_HOST") == "stuck" then while true do end end\nprint("fine")\n')
    result = herodo("--hosts", "stuck=unix:///s,fine=unix:///f", "--script-timeout", "2", str(play))
    assert result.returncode == 1, result.stderr
    assert re.match(r"  stuck +timeout +exit 124 ", recap_line(result.stderr, "stuck"))
    assert re.match(r"  fine +ok +exit 0 ", recap_line(result.stderr, "fine"))
    assert "stuck | " in result.stderr and "SCRIPT TIMEOUT" in result.stderr


INTERRUPT_PLAY = """
local done = arg[1] .. "/" .. os.getenv("HERODO_HOST")
local guard <close> = setmetatable({}, {__close = function()
  local f = assert(io.open(done, "w")); f:write("cleaned up"); f:close()
end})
print("ready")
while true do end
"""


def host_processes(marker: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_stops_every_host_each_runs_its_cleanup(tmp_path: Path, signum: int, code: int) -> None:
    play = tmp_path / "loop.lua"
    play.write_text(INTERRUPT_PLAY)
    marker = f"hosts-interrupt-{uuid.uuid4().hex}"
    proc = subprocess.Popen([*HERODO, "--hosts", "one=unix:///1,two=unix:///2,three=unix:///3", "--forks", "2",
                             str(play), "--", str(tmp_path)],
                            env=herodo_env(str(STANDIN), HERODO_TEST_MARKER=marker), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        ready: set[str] = set()
        deadline = time.monotonic() + 120
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.rstrip().endswith("| ready"):
                ready.add(line.split()[0])
            if len(ready) == 2 or time.monotonic() > deadline:
                break
        assert ready == {"one", "two"}
        proc.send_signal(signum)  # to the fleet runner only: the hosts are in sessions of their own
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    for name in ("one", "two"):
        assert (tmp_path / name).read_text() == "cleaned up"
        assert re.match(rf"  {name} +interrupted +exit 130 ", recap_line(err, name))
    assert not (tmp_path / "three").exists()
    assert re.match(r"  three +not run", recap_line(err, "three"))
    assert host_processes(marker) == []


def test_a_huge_line_comes_out_in_prefixed_pieces_and_no_line_escapes_its_prefix(tmp_path: Path) -> None:
    play = tmp_path / "loud.lua"
    # 3 MiB without a newline, then a line pretending to come from another host
    play.write_text('io.write(string.rep("x", 3 * 1024 * 1024))\nprint()\nprint("other | forged")\n')
    result = herodo("--hosts", "me=unix:///m,other=unix:///o", "--sandbox", str(play))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")[:-1]
    mine = [line for line in lines if line.startswith("me    | ")]
    assert len(mine) == len(lines) // 2 and all(line.startswith(("me    | ", "other | ")) for line in lines)
    pieces = [line for line in mine if "x" * 100 in line]
    assert len(pieces) == 3 and sum(len(p) - len("me    | ") for p in pieces) == 3 * 1024 * 1024
    assert "me    | other | forged" in lines
