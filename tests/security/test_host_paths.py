"""Classes 1, 2 and 7 (NUL) of issue 12: host paths under ``--sandbox``.

A sandboxed script may hand the engine host paths inside its folder only, at the moment the engine
uses them, symlinks included. Each probe tries to make the engine use a path outside the folder and
checks the effect: no canary appears in ``box.outside``, the secret beside the folder is never printed.
Bind mounts of host paths are refused in the sandbox (the engine resolves them too late); the paths of
copy, export, save and build are pinned: ``swapping`` swaps them at the worst moment, every run.
"""

from __future__ import annotations

import pytest

IMAGE = "localhost/herodo-busybox:latest"

CONTAINER = """
local IMAGE = "localhost/herodo-busybox:latest"
local NAME = {name!r}
local made = {{}}
local function ctr(suffix)
  local c = nerdctl_container_from_image(NAME .. suffix, IMAGE)
  made[#made + 1] = c
  return c
end
local cleanup <close> = setmetatable({{}}, {{__close = function()
  for _, c in ipairs(made) do pcall(c.remove, c, true) end
end}})
"""


def _swap(link: str, target: str) -> str:
    """Lua: a container with the folder mounted turns FOLDER/<link> into a symlink to ``target``."""
    return f"""
local swapper = ctr("-swap"):with_volume(FOLDER .. ":/box"):with_detach(false)
  :with_command({{"sh", "-c", "rm -rf /box/{link} && ln -s " .. {target} .. " /box/{link}"}})
print("swap", pcall(swapper.build, swapper))
"""


def test_a_volume_checked_then_swapped_by_a_container_with_the_folder_mounted(engine, test_image, unique_name,
                                                                             box, hostile):
    (box.folder / "d").mkdir()
    source = CONTAINER.format(name=unique_name()) + """
local victim = ctr("-victim"):with_volume(FOLDER .. "/d:/mnt"):with_detach(false)
  :with_command({"sh", "-c", "touch /mnt/canary-volume"})
""" + _swap("d", "OUTSIDE") + """
print("victim", pcall(victim.build, victim))
"""
    run = hostile(source, engine=engine.name)
    run.ended()
    assert box.canaries() == [], run
    assert "SANDBOX REFUSED" in run.err and "bind mount" in run.err, run  # refused: no host path is mounted


def test_a_volume_path_that_did_not_exist_when_checked_is_planted_by_copy(engine, test_image, unique_name,
                                                                          box, hostile):
    source = CONTAINER.format(name=unique_name()) + """
local victim = ctr("-victim"):with_volumes({FOLDER .. "/planted:/mnt"}):with_detach(false)
  :with_command({"sh", "-c", "touch /mnt/canary-planted"})
local source = ctr("-src"):with_command({"sh", "-c", "ln -s " .. OUTSIDE .. " /planted && sleep 60"})
print("source", pcall(source.build, source))
print("copy", pcall(nerdctl_copy, NAME .. "-src:/planted", FOLDER .. "/planted"))
print("victim", pcall(victim.build, victim))
"""
    run = hostile(source, engine=engine.name)
    run.ended()
    assert box.canaries() == [], run


def test_a_read_only_volume_swapped_to_the_secret_folder_does_not_show_the_secret(engine, test_image, unique_name,
                                                                                 box, hostile):
    (box.folder / "ro").mkdir()
    source = CONTAINER.format(name=unique_name()) + """
local victim = ctr("-victim"):with_volume(FOLDER .. "/ro:/mnt:ro"):with_detach(false)
  :with_command({"sh", "-c", "cat /mnt/secret.txt"})
""" + _swap("ro", 'SECRET:match("^(.*)/")') + """
local ok, c = pcall(victim.build, victim)
print("victim", ok)
if ok then print(c:logs().stdout) end
"""
    run = hostile(source, engine=engine.name)
    run.ended()
    assert box.secret_text not in run.text, run


@pytest.fixture
def swapping(engine, box, tmp_path):
    """An engine CLI named like ``engine`` that, on the first ``cp``, ``export``, ``save`` or ``build``
    it is given, renames FOLDER/d to FOLDER/d.checked and puts a symlink to OUTSIDE in its place, then
    runs the real engine: a racer winning at the worst moment, every time (between herodo's check
    and the engine's use). Returns the wrapper's path (the ``--engine``/``HERODO_ENGINE`` to use)."""
    folder = tmp_path / "wrapper"
    folder.mkdir()
    wrapper = folder / engine.name
    d, marker = box.folder / "d", folder / "swapped"
    wrapper.write_text(f"""#!/bin/sh
for a in "$@"; do
  case "$a" in cp|export|save|build)
    if [ ! -e '{marker}' ]; then : > '{marker}'; mv '{d}' '{d}.checked' && ln -s '{box.outside}' '{d}'; fi
    break;;
  esac
done
exec '{engine.cli}' "$@"
""")
    wrapper.chmod(0o755)
    return str(wrapper)


SWAPPED_WRITES = {
    "copy to host": 'nerdctl_copy(NAME .. "-target:/etc/hostname", FOLDER .. "/d/canary")',
    "copy method to host": 'target:copy(NAME .. "-target:/etc/hostname", FOLDER .. "/d/canary")',
    "copy_from": 'target:copy_from("/etc/hostname", FOLDER .. "/d/canary")',
    "export": 'target:export(FOLDER .. "/d/canary")',
    "image save": f'nerdctl_image_save("{IMAGE}", FOLDER .. "/d/canary")',
}


@pytest.mark.parametrize("use", list(SWAPPED_WRITES))
def test_a_folder_swapped_for_a_symlink_after_the_check_does_not_redirect_a_write(
        engine, test_image, unique_name, box, hostile, swapping, use):
    (box.folder / "d").mkdir()
    source = CONTAINER.format(name=unique_name()) + f"""
local target = ctr("-target"):with_command("sleep 120")
print("target", pcall(target.build, target))
print("write", pcall(function() return {SWAPPED_WRITES[use]} end))
"""
    run = hostile(source, engine=swapping)
    run.ended()
    assert (box.folder / "d").is_symlink(), run  # the racer did swap it
    assert box.canaries() == [], run
    assert (box.folder / "d.checked" / "canary").exists(), run  # written where herodo checked


SWAPPED_READS = {
    "copy to container": 'nerdctl_copy(FOLDER .. "/d/in", NAME .. "-target:/in")',
    "copy method to container": 'target:copy(FOLDER .. "/d/in", NAME .. "-target:/in")',
    "copy_to": 'target:copy_to(FOLDER .. "/d/in", "/in")',
}


@pytest.mark.parametrize("use", list(SWAPPED_READS))
def test_a_folder_swapped_for_a_symlink_after_the_check_does_not_redirect_a_read(
        engine, test_image, unique_name, box, hostile, swapping, use):
    (box.folder / "d").mkdir()
    (box.folder / "d" / "in").write_text("harmless-s12\n")
    (box.outside / "in").write_text(box.secret_text + "\n")
    source = CONTAINER.format(name=unique_name()) + f"""
local target = ctr("-target"):with_command("sleep 120")
print("target", pcall(target.build, target))
print("read", pcall(function() return {SWAPPED_READS[use]} end))
print(target:exec({{"cat", "/in"}}).stdout)
"""
    run = hostile(source, engine=swapping)
    run.ended()
    assert (box.folder / "d").is_symlink(), run
    assert box.secret_text not in run.text, run
    assert "harmless-s12" in run.out, run  # read from the folder herodo checked


@pytest.mark.parametrize("dockerfile", ["none", "relative", "absolute"])
def test_a_build_context_swapped_for_a_symlink_after_the_check_builds_from_the_checked_folder(
        engine, test_image, unique_name, box, hostile, swapping, dockerfile):
    for folder, content in ((box.folder / "d", "harmless-s12"), (box.outside, box.secret_text)):
        folder.mkdir(exist_ok=True)
        (folder / "Dockerfile").write_text(f"FROM {test_image}\nCOPY in /in\n")
        (folder / "in").write_text(content + "\n")
    tag = engine.track_image(f"{unique_name()}:swap")
    argument = {"none": "", "relative": ', "Dockerfile"', "absolute": ', FOLDER .. "/d/Dockerfile"'}[dockerfile]
    source = CONTAINER.format(name=unique_name()) + f"""
print("build", pcall(nerdctl_image_build, {tag!r}, FOLDER .. "/d"{argument}))
local c = nerdctl_container_from_image(NAME .. "-run", {tag!r}):with_detach(false):with_command("cat /in")
made[#made + 1] = c
local built, r = pcall(c.build, c)
print("run", built, built and r:logs().stdout or tostring(r))
"""
    run = hostile(source, engine=swapping, bound=240)
    run.ended()
    assert (box.folder / "d").is_symlink(), run
    assert box.secret_text not in run.text.upper(), run
    assert "harmless-s12" in run.out, run  # built from the folder herodo checked


# --- class 2: contexts that look like URLs ----------------------------------------------------------


@pytest.mark.parametrize("context", ["x://sub", "http://sub", "git@sub"])
def test_a_local_context_spelled_like_a_url_does_not_read_a_dockerfile_outside(engine, test_image, unique_name,
                                                                             box, hostile, context):
    local = box.folder / context.replace("//", "/")  # the folder the engine reads: FOLDER/x:/sub
    local.mkdir(parents=True)
    (local / "Dockerfile").write_text(f"FROM {test_image}\n")
    (box.outside / "Dockerfile").write_text(f"FROM {test_image}\nRUN true\n")
    tag = engine.track_image(f"{unique_name()}:url")
    prefix = "" if context.startswith("git@") else 'FOLDER .. "/" .. '  # git@... only as a relative path
    source = f"""
for _, dockerfile in ipairs({{SECRET, "../secret.txt", OUTSIDE .. "/Dockerfile"}}) do
  local ok, e = pcall(nerdctl_image_build, {tag!r}, {prefix}{context!r}, dockerfile)
  print(ok and "BUILT-FROM-OUTSIDE" or "refused", tostring(e))
end
"""
    run = hostile(source, engine=engine.name)
    run.ended()
    assert box.secret_text not in run.text.upper(), run  # (docker prints the first line upper-cased)
    assert "BUILT-FROM-OUTSIDE" not in run.text, run


def test_a_url_context_cannot_take_a_dockerfile_from_outside(engine, box, hostile):
    """A real remote context with a host Dockerfile outside the folder: refused before any command
    (the engine would read the host file; --dry-run prints the command it would have been given)."""
    run = hostile("""
local ok, e = pcall(nerdctl_image_build, "t:1", "https://example.invalid/repo.git", SECRET)
print(ok, tostring(e))
""", "--dry-run", engine=engine.name)
    run.ended()
    assert "SANDBOX REFUSED" in run.text or "outside the script's folder" in run.text, run
    assert f"--file {box.secret}" not in run.text, run


# --- class 7: NUL in a host path --------------------------------------------------------------------

NUL_CALLS = {
    "volume": 'nerdctl_container_from_image("c", "i"):with_volume(FOLDER .. "/a\\0b:/x")',
    "volumes": 'nerdctl_container_from_image("c", "i"):with_volumes({FOLDER .. "/a\\0b:/x"})',
    "copy": 'nerdctl_copy(FOLDER .. "/a\\0b", "c:/x")',
    "export": 'nerdctl_container_new("c"):export(FOLDER .. "/a\\0b.tar")',
    "build context": 'nerdctl_image_build("t:1", FOLDER .. "/a\\0b")',
    "dockerfile": 'nerdctl_image_build("t:1", FOLDER, FOLDER .. "/a\\0b")',
    "require": 'require("a\\0b")',
}


@pytest.mark.parametrize("call", list(NUL_CALLS))
def test_a_nul_in_a_host_path_is_a_friendly_refusal(box, hostile, call):
    run = hostile(f"""
local ok, e = pcall(function() return {NUL_CALLS[call]} end)
print("caught", ok, e ~= nil)
{NUL_CALLS[call]}
""")
    run.ended()
    assert run.code == 1, run
    assert "caught\tfalse\ttrue" in run.out, run
    assert "INTERNAL ERROR" not in run.text, run

