"""herodo_py.host.files: the file helpers, trusted and confined (a sandbox policy): '..', absolute
paths, symlinks out, NUL bytes and a symlink swapped in while the helpers run cannot reach outside
the script's folder; writes are atomic and dry runs change nothing."""

from __future__ import annotations

import os
import threading

import pytest

from herodo_py.host import files, policy
from herodo_py.host.errors import BadHostInput, FileError, HostRefused
from herodo_py.nerdctl.executor import Executor


def test_trusted_helpers(tmp_path):
    target = tmp_path / "a" / "b"
    assert files.mkdir(str(target)) and target.is_dir() and files.mkdir(str(target))
    assert files.file_write(str(target / "f.txt"), "héllo") == len("héllo".encode())
    assert files.file_read(str(target / "f.txt")) == "héllo"
    assert files.exist(str(target / "f.txt")) and not files.exist(str(tmp_path / "nope"))
    assert os.listdir(target) == ["f.txt"]  # no temporary file left
    with pytest.raises(FileError, match="No such file"):
        files.file_read(str(tmp_path / "nope"))


def test_bytes_that_are_not_utf8_survive(tmp_path):
    raw = b"\xff\xfe binary \x00"
    (tmp_path / "bin").write_bytes(raw)
    files.file_write(str(tmp_path / "copy"), files.file_read(str(tmp_path / "bin")))
    assert (tmp_path / "copy").read_bytes() == raw


def test_a_write_replaces_a_symlink_not_its_target(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "link").symlink_to(victim)
    files.file_write(str(tmp_path / "link"), "new")
    assert victim.read_text() == "keep" and (tmp_path / "link").read_text() == "new"
    assert not (tmp_path / "link").is_symlink()


def test_temp_dir_is_private_and_goes_with_its_policy():
    rules = policy.HostPolicy()
    with rules.active():
        path = files.temp_dir()
        files.file_write(os.path.join(path, "x"), "1")
    assert os.stat(path).st_mode & 0o777 == 0o700
    rules.remove_temp_dirs()
    assert not os.path.exists(path)


def test_dry_run_changes_nothing(tmp_path):
    seen: list[list[str]] = []
    def listener(event, argv, result):
        return seen.append([event, *argv])
    executor = Executor()  # the watcher a Lua runtime gives: its engine executor (--dry-run, --trace)
    executor.settings.dry_run = True
    executor.add_listener(listener)
    with policy.HostPolicy(watcher=lambda: executor).active():
        files.mkdir(str(tmp_path / "d"))
        files.file_write(str(tmp_path / "f"), "abc")
    assert os.listdir(tmp_path) == []
    assert seen == [["skip", "mkdir", "-p", str(tmp_path / "d")], ["skip", "file_write", str(tmp_path / "f"), "(3 bytes)"]]


@pytest.fixture
def box(tmp_path):
    """A script folder with a secret next to it, and a sandbox policy on that folder."""
    folder = tmp_path / "script"
    folder.mkdir()
    (tmp_path / "secret").write_text("SECRET")
    (folder / "inside.txt").write_text("ok")
    (folder / "sub").mkdir()
    with policy.HostPolicy.sandboxed(str(folder)).active():
        yield folder


def test_confined_paths_inside_work_relative_to_the_script_folder(box):
    assert files.file_read("inside.txt") == "ok" and files.exist("sub")
    assert files.mkdir("sub/new/deeper") and (box / "sub" / "new" / "deeper").is_dir()
    files.file_write("sub/out.txt", "data")
    assert (box / "sub" / "out.txt").read_text() == "data"
    (box / "inner").symlink_to("sub")  # a relative symlink that stays inside is followed
    assert files.file_read("inner/out.txt") == "data"
    (box / "absolute").symlink_to(box / "sub")  # an absolute one is refused (openat2 RESOLVE_BENEATH)
    with pytest.raises(HostRefused):
        files.file_read("absolute/out.txt")
    assert files.file_read(str(box / "sub" / ".." / "inside.txt")) == "ok"


@pytest.mark.parametrize("path", ["../secret", "sub/../../secret", "/etc/passwd", "outlink/secret",
                                  "abslink", "/proc/self/root/etc/passwd"])
def test_confined_paths_cannot_leave_the_folder(box, path):
    (box / "outlink").symlink_to(box.parent)
    (box / "abslink").symlink_to(box.parent / "secret")
    for call in (lambda: files.file_read(path), lambda: files.exist(path),
                 lambda: files.file_write(path + "/written", "x"), lambda: files.mkdir(path + "/dir")):
        with pytest.raises(HostRefused, match="refused"):
            call()
    assert sorted(os.listdir(box.parent)) == ["script", "secret"]


def test_nul_bytes_are_refused(box):
    with pytest.raises(BadHostInput, match="NUL"):
        files.file_read("inside.txt\0../../secret")


def test_a_temp_dir_is_reachable_in_the_sandbox(box):
    path = files.temp_dir()
    files.file_write(os.path.join(path, "t"), "1")
    assert files.file_read(os.path.join(path, "t")) == "1"
    policy.current().remove_temp_dirs()


def test_a_symlink_swapped_in_meanwhile_never_leads_out(box):
    """A hostile script's race: 'sub' flips between a folder and a symlink to the parent while the
    helpers read and write through it. Nothing outside is ever read or written."""
    stop = threading.Event()
    (box.parent / "secret").write_text("SECRET")

    def flip() -> None:
        real, link = box / "sub", box / "sub-link"
        real_saved = box / "sub-real"
        while not stop.is_set():
            try:
                os.rename(real, real_saved)
                os.symlink(box.parent, link)
                os.rename(link, real)
                os.unlink(real)
                os.rename(real_saved, real)
            except OSError:
                pass

    thread = threading.Thread(target=flip, daemon=True)
    current = policy.current()
    thread.start()
    reads = refused = 0
    try:
        with current.active():
            for i in range(400):
                try:
                    assert files.file_read("sub/secret") != "SECRET"
                    reads += 1
                except (HostRefused, FileError):
                    refused += 1
                try:
                    files.file_write("sub/written", str(i))
                except (HostRefused, FileError):
                    refused += 1
    finally:
        stop.set()
        thread.join()
    assert not (box.parent / "written").exists() and (box.parent / "secret").read_text() == "SECRET"
    assert refused > 0  # the race was really run
