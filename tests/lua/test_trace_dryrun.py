"""``herodo --trace`` and ``herodo --dry-run``: through the nerdctl stand-in (exact argv, order with the
script's output, what really ran) and against docker and podman (nothing is created by a dry run;
a traced command line runs as it is when pasted into a shell)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

from herodo_process import IMAGE, herodo

TRACED = f"""
print("one")
local c = nerdctl_container_from_image("web", "{IMAGE}"):with_port("8080:80")
c:build()
print("two", #c.container_id)
local ok = pcall(nerdctl_image_tag, "missing-image", "x:1")
print("three", ok)
"""

DRY = f"""
local name = arg[1] or "web"
local c = nerdctl_container_from_image(name, "{IMAGE}"):with_command("sleep 60")
c:build()
print("id", c.container_id)
print("state", c:status().state)
c:exec("echo hi")
print("listed", type(nerdctl_list(true)))
nerdctl_image_tag("{IMAGE}", "localhost/dry-tag:1")
c:stop(1)
c:remove()
print("done")
"""

END = re.compile(r"^  exit (\d+) in \d+\.\d\ds$")


def write(tmp_path: Path, text: str, name: str = "main.lua") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def logged_calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_trace_prints_each_command_between_the_scripts_own_lines(tmp_path):
    log = tmp_path / "calls.jsonl"
    result = herodo("--trace", write(tmp_path, TRACED), merged=True, NERDCTL_STANDIN_LOG=str(log))
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    commands = [shlex.split(line[2:]) for line in lines if line.startswith("+ ")]
    # each traced line is the exact argv the engine received (copy-pasteable)
    assert commands == logged_calls(log)
    assert [c[1] for c in commands] == ["ps", "run", "tag"]
    shape = ["one", "+ ps", "end 0", "+ run", "end 0", "two\t64", "+ tag", "end 1", "three\tfalse"]
    seen = []
    for line in lines:
        if line.startswith("+ "):
            seen.append("+ " + shlex.split(line[2:])[1])
        elif END.match(line):
            seen.append("end " + END.match(line)[1])
        else:
            seen.append(line)
    assert seen == shape


def test_without_trace_nothing_is_added(tmp_path):
    result = herodo(write(tmp_path, TRACED))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "one\ntwo\t64\nthree\tfalse\n"


def test_dry_run_runs_only_read_only_commands_and_counts_the_others(tmp_path):
    log = tmp_path / "calls.jsonl"
    result = herodo("--dry-run", write(tmp_path, DRY), NERDCTL_STANDIN_LOG=str(log))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "id\tdry-run:web\nstate\trunning\nlisted\ttable\ndone\n"
    ran = [call[1] for call in logged_calls(log)]
    assert ran == ["ps", "ps"]  # the name lookup of nerdctl_container_from_image, and nerdctl_list
    skipped = [line[len("would run: "):] for line in result.stderr.splitlines() if line.startswith("would run: ")]
    words = [shlex.split(line) for line in skipped]
    assert [w[1] for w in words] == ["run", "exec", "tag", "stop", "rm"]
    assert words[0][1:] == ["run", "-d", "--name", "web", IMAGE, "sh", "-c", "sleep 60"]
    assert words[1][2] == "web"  # the placeholder id is shown as the container's name
    assert result.stderr.splitlines()[-1] == "herodo: dry run: 5 state-changing commands not run (2 read-only ran)"


def test_dry_run_and_trace_together(tmp_path):
    result = herodo("--dry-run", "--trace", write(tmp_path, DRY), merged=True)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert sum(line.startswith("+ ") for line in lines) == 2
    assert sum(line.startswith("would run: ") for line in lines) == 5
    assert lines.index("done") < len(lines) - 1 and lines[-1].startswith("herodo: dry run: 5 ")


def test_dry_run_summary_is_written_when_the_script_fails(tmp_path):
    result = herodo("--dry-run", write(tmp_path, f'nerdctl_run("{IMAGE}", "x")\nerror("boom")'))
    assert result.returncode == 1
    assert "SCRIPT ERROR" in result.stderr
    assert result.stderr.splitlines()[-1] == "herodo: dry run: 1 state-changing command not run (0 read-only ran)"


def test_dry_run_on_a_real_engine_creates_nothing(engine, test_image, unique_name, tmp_path):
    name = unique_name()
    result = herodo("--dry-run", "--trace", write(tmp_path, DRY), "--", name, engine=engine.name, merged=True)
    assert result.returncode == 0, result.stdout
    assert f"would run: {engine.name} run -d --name {name} " in result.stdout
    assert "state\trunning" in result.stdout
    assert engine.run("ps", "-a", "--filter", f"name={name}", "--format", "{{.Names}}").stdout.strip() == ""
    assert engine.run("image", "inspect", "localhost/dry-tag:1").returncode != 0


def test_traced_lines_run_as_they_are_in_a_shell(engine, test_image, unique_name, tmp_path):
    name = unique_name()
    script = f"""
local c = nerdctl_container_from_image("{name}", "{test_image}"):with_command("sleep 30")
c:build()
print("status", c:status().state)
c:remove(true)
"""
    result = herodo("--trace", write(tmp_path, script), engine=engine.name, merged=True)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    traced = [line[2:] for line in lines if line.startswith("+ ")]
    assert [shlex.split(t)[:2] for t in traced] == [[engine.name, "ps"], [engine.name, "run"],
                                                     [engine.name, "container"], [engine.name, "rm"]]
    assert all(END.match(lines[lines.index("+ " + t) + 1]) for t in traced)
    assert lines.index("status\trunning") == lines.index("+ " + traced[2]) + 2
    # pasted into a shell, the ps line runs and answers like herodo's
    pasted = subprocess.run(["sh", "-c", traced[0]], capture_output=True, text=True, timeout=60)
    assert pasted.returncode == 0, pasted.stderr


HOST = """
local here = arg[1]
run({"touch", here .. "/ran"})
os.execute("touch '" .. here .. "/executed'")
local p = io.popen("touch '" .. here .. "/popened'"); p:close()
mkdir(here .. "/made")
file_write(here .. "/written", "x")
print(exist(here .. "/ran"), exist(here .. "/written"))
"""


def test_dry_run_runs_no_host_command_and_changes_no_file(tmp_path):
    """Host helpers obey --dry-run through the runtime's executor, and are counted with engine commands."""
    folder = tmp_path / "out"
    folder.mkdir()
    result = herodo("--dry-run", write(tmp_path, HOST), "--", str(folder))
    assert (result.returncode, result.stdout) == (0, "false\tfalse\n"), result.stderr
    assert list(folder.iterdir()) == []
    skipped = [line for line in result.stderr.splitlines() if line.startswith("would run: ")]
    assert skipped == [f"would run: touch {folder}/ran", f"would run: /bin/sh -c 'touch '\"'\"'{folder}/executed'\"'\"''",
                       f"would run: /bin/sh -c 'touch '\"'\"'{folder}/popened'\"'\"''",
                       f"would run: mkdir -p {folder}/made", f"would run: file_write {folder}/written '(1 bytes)'"]
    assert result.stderr.splitlines()[-1] == "herodo: dry run: 5 state-changing commands not run (0 read-only ran)"


def test_trace_shows_host_commands(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    result = herodo("--trace", write(tmp_path, HOST), "--", str(folder))
    assert result.returncode == 0, result.stderr
    assert f"+ touch {folder}/ran" in result.stderr.splitlines()
    assert sorted(p.name for p in folder.iterdir()) == ["executed", "made", "popened", "ran", "written"]
