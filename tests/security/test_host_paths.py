"""Classes 1, 2 and 7 (NUL) of issue 12: host paths under ``--sandbox``.

A sandboxed script may hand the engine host paths inside its folder only, at the moment the engine
uses them, symlinks included. Each probe tries to make the engine use a path outside the folder and
checks the effect: no canary appears in ``box.outside``, the secret beside the folder is never printed.
"""

from __future__ import annotations

import pytest

XFAIL_LATE_CHECK = pytest.mark.xfail(strict=True, reason="issue 12 class 1: a host path is checked when "
                                     "given and used later by the engine (a symlink swapped in between)")
RACE = pytest.mark.xfail(strict=False, reason="issue 12 class 1: a race between the check and the engine "
                         "(a container flipping a folder into a symlink); it wins in some runs")
XFAIL_URL = pytest.mark.xfail(strict=True, reason="issue 12 class 2: a local path that looks like a URL "
                              "skips every check, its Dockerfile too")
XFAIL_NUL = pytest.mark.xfail(strict=True, reason="issue 12 class 7: a NUL in a host path is an INTERNAL ERROR")

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


@XFAIL_LATE_CHECK
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


@pytest.mark.parametrize("engine", [pytest.param("docker", marks=XFAIL_LATE_CHECK), "podman"], indirect=True)
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


@XFAIL_LATE_CHECK
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


def _flipping(name: str) -> str:
    """Lua: a container that flips FOLDER/d between a folder and a symlink to OUTSIDE, as fast as it can."""
    return CONTAINER.format(name=name) + """
local flipper = ctr("-flip"):with_volume(FOLDER .. ":/box"):with_command({"sh", "-c",
  "while true; do rm -rf /box/d; mkdir /box/d; touch /box/d/Dockerfile /box/d/in; rm -rf /box/d; ln -s "
  .. OUTSIDE .. " /box/d; done"})
print("flipper", pcall(flipper.build, flipper))
local target = ctr("-target"):with_command("sleep 120")
print("target", pcall(target.build, target))
"""


@RACE
@pytest.mark.parametrize("use", ["copy to host", "copy method to host", "export"])
def test_a_path_flipping_between_a_folder_and_a_symlink_never_lets_the_engine_write_outside(
        engine, test_image, unique_name, box, hostile, use):
    call = {"copy to host": 'nerdctl_copy(NAME .. "-target:/etc/hostname", FOLDER .. "/d/canary-copy" .. i)',
            "copy method to host": 'target:copy(NAME .. "-target:/etc/hostname", FOLDER .. "/d/canary-m" .. i)',
            "export": 'target:export(FOLDER .. "/d/canary-export" .. i .. ".tar")'}[use]
    source = _flipping(unique_name()) + f"""
local passed = 0
for i = 1, 60 do
  if pcall(function() return {call} end) then passed = passed + 1 end
end
print("passed", passed)
"""
    run = hostile(source, engine=engine.name, bound=240)
    run.ended()
    assert box.canaries() == [], run


@RACE
def test_a_build_context_flipping_to_a_symlink_never_builds_from_outside(engine, test_image, unique_name, box,
                                                                        hostile):
    (box.outside / "Dockerfile").write_text(f"FROM {test_image}\nCOPY secret /secret\n")
    (box.outside / "secret").write_text(box.secret_text + "\n")
    tag = f"{unique_name()}:flip"
    engine.track_image(tag)
    source = _flipping(unique_name()) + f"""
for i = 1, 30 do
  local ok = pcall(nerdctl_image_build, {tag!r}, FOLDER .. "/d")
  if ok then
    local c = ctr("-run" .. i):with_detach(false):with_command("cat /secret 2>/dev/null")
    local built, r = pcall(c.build, c)
    if built then print(r:logs().stdout) end
  end
end
"""
    run = hostile(source, engine=engine.name, bound=300)
    run.ended()
    assert box.secret_text not in run.text, run


# --- class 2: contexts that look like URLs ----------------------------------------------------------


@XFAIL_URL
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


@XFAIL_URL
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


@pytest.mark.parametrize("call", [pytest.param(c, marks=[] if c in ("dockerfile", "require") else XFAIL_NUL)
                                  for c in NUL_CALLS])
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

