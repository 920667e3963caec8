"""herodo ends without the interpreter's teardown (``herodo_py.cli.exit_process``): what that teardown
did and matters still happens. Each case would fail if the exit skipped it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from herodo_process import HERODO, herodo, herodo_env

from herodo_py.lua.exit_codes import EXIT_BROKEN_PIPE


def _script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "main.lua"
    path.write_text(text)
    return path


def test_a_file_the_script_left_open_is_flushed(tmp_path):
    out = tmp_path / "left-open.txt"
    path = _script(tmp_path, f'local f = io.open("{out}", "w")\nf:write(string.rep("x", 100) .. "end")\n'
                             f'keep = f\n')  # a global: still open when the script ends
    result = herodo(str(path))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == "x" * 100 + "end"


def test_output_in_a_pipe_is_whole_and_the_exit_code_kept(tmp_path):
    path = _script(tmp_path, 'for i = 1, 20000 do io.write(i, "\\n") end\n'
                             'io.stderr:write("last words\\n")\nos.exit(7)\n')
    result = herodo(str(path))
    assert result.returncode == 7
    assert result.stdout.splitlines() == [str(i) for i in range(1, 20001)]
    assert result.stderr == "last words\n"


def test_a_closed_pipe_still_ends_quietly(tmp_path):
    path = _script(tmp_path, 'for i = 1, 200000 do print("line " .. i) end\n')
    proc = subprocess.Popen([*HERODO, str(path)], env=herodo_env("docker"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away (`herodo x.lua | head -1`)
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first == b"line 1\n"
    assert proc.returncode == EXIT_BROKEN_PIPE, err  # as Unix tools end (141)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err


def test_the_temporary_folder_of_a_script_is_removed_at_exit(tmp_path):
    path = _script(tmp_path, 'local dir = temp_dir()\nfile_write(dir .. "/inside.txt", "x")\nprint(dir)\n')
    result = herodo(str(path))
    assert result.returncode == 0, result.stderr
    made = Path(result.stdout.strip())
    assert made.name and not made.exists()


def test_only_the_herodo_command_hands_its_start_up_objects_to_the_permanent_generation(monkeypatch):
    """``cli.settle``: in the herodo command (run()) gc.freeze, the young generation made larger and the
    automatic collection (held off by bin/herodo) resumed; a caller of main() keeps its collector as it was."""
    import gc

    from herodo_py import cli

    before, threshold = gc.get_freeze_count(), gc.get_threshold()
    gc.disable()
    try:
        cli.settle()
        assert gc.get_freeze_count() == before and gc.get_threshold() == threshold and not gc.isenabled()
        monkeypatch.setattr(cli, "_COMMAND", True)
        cli.settle()
        assert gc.get_freeze_count() > before and gc.isenabled()
        assert gc.get_threshold() == (cli.YOUNG_THRESHOLD, *threshold[1:]) != threshold
        assert "lupa.lua54" in sys.modules
    finally:
        gc.enable()
        gc.set_threshold(*threshold)
        gc.unfreeze()
