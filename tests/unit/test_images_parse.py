"""``images`` output of every engine -> Image records; bad JSON -> JsonParseError showing the text."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from herodo_py.nerdctl.errors import JsonParseError
from herodo_py.nerdctl.executor import CommandResult

images_mod = importlib.import_module("herodo_py.nerdctl.image")
Image, ImageList, parse_images = images_mod.Image, images_mod.ImageList, images_mod.parse_images

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_docker_json_lines():
    rows = parse_images(fixture("docker/images-json.jsonl"))
    assert [i.reference for i in rows] == ["localhost:5000/busybox:t1", "localhost/busybox:latest"]
    first = rows[0]
    assert (first.id, first.repository, first.tag, first.size) == ("2d00496c01a8", "localhost:5000/busybox", "t1", "1.98MB")
    assert first.size_bytes == 1_980_000
    assert first.digest == ""  # docker writes "<none>"
    assert first.created == ""  # "0001-01-01 00:00:00 +0000 UTC" is the zero time


def test_nerdctl_json_lines():
    (image,) = parse_images(fixture("nerdctl/images-json.jsonl"))
    assert image == Image(
        id="09369da6b103", repository="nginx", tag="latest", size="211.9MB",
        created="2025-04-12 00:33:33 +0900 JST",
        digest="sha256:09369da6b10306312cd908661320086bf87fbae1b6b0c49a1f50ba531fef2eab",
        size_bytes=211_900_000, created_since="About an hour ago",
    )
    assert image.reference == "nginx:latest"


def test_podman_array_one_row_per_name():
    # podman's {{json .}} repeats the whole record once per name, without saying which row is which tag
    rows = parse_images(fixture("podman/images-json-format-json-dot.json"))
    assert [(i.repository, i.tag) for i in rows] == [("localhost:5000/busybox", "t1"), ("localhost/busybox", "latest")]
    for image in rows:
        assert image.id == "2d00496c01a8"  # 12 digits like the other engines
        assert image.size == "2.03MB" and image.size_bytes == 2_029_261
        assert image.created == "2026-11-28T15:50:31Z"
        assert image.digest.startswith("sha256:fdd222aa")


def test_podman_array_untagged_and_numeric_created():
    text = '[{"Id": "sha256:' + "ab" * 32 + '", "Names": null, "Size": 1500, "Created": 1795881031}]'
    (image,) = parse_images(text)
    assert (image.repository, image.tag, image.reference) == ("<none>", "<none>", "ab" * 6)
    assert image.created == "2026-11-28T15:50:31Z" and image.size == "1.5kB"


# What `images --format <IMAGE_FORMAT>` printed here (docker 28.2.2 / podman 4.3.1), dangling rows included.
EXPLICIT = {
    "docker": [
        '{"ID":"bdc85ed3da50","Repository":"localhost/herodo-t-dang","Tag":"1","Digest":"<none>","Size":"1.98MB",'
        '"CreatedAt":"2026-11-28 16:26:20 +0000 UTC","CreatedSince":"Less than a second ago"}',
        '{"ID":"af3c4dff2d9c","Repository":"<none>","Tag":"<none>","Digest":"<none>","Size":"1.98MB",'
        '"CreatedAt":"2026-11-28 16:26:20 +0000 UTC","CreatedSince":"Less than a second ago"}',
    ],
    "podman": [
        '{"ID":"d4d865915307","Repository":"localhost/herodo-t-dang","Tag":"1","Digest":"sha256:671e72","Size":"2.14 MB",'
        '"CreatedAt":"2026-11-28 16:26:21 +0000 UTC","CreatedSince":"Less than a second ago"}',
        '{"ID":"f2de0bb93e21","Repository":"<none>","Tag":"<none>","Digest":"sha256:9d6f27","Size":"2.14 MB",'
        '"CreatedAt":"2026-11-28 16:26:21 +0000 UTC","CreatedSince":"Less than a second ago"}',
    ],
}


@pytest.mark.parametrize("engine", sorted(EXPLICIT))
def test_explicit_format_with_dangling_image(engine):
    tagged, dangling = parse_images("\n".join(EXPLICIT[engine]) + "\n")
    assert tagged.reference == "localhost/herodo-t-dang:1"
    assert tagged.created == f"2026-11-28 16:26:2{0 if engine == 'docker' else 1} +0000 UTC"
    assert tagged.size_bytes in (1_980_000, 2_140_000)
    assert (dangling.repository, dangling.tag) == ("<none>", "<none>")
    assert dangling.reference == dangling.id and len(dangling.id) == 12


def test_repository_without_tag_is_referenced_by_id():
    (image,) = parse_images('{"ID":"0123456789ab","Repository":"app","Tag":"<none>"}')
    assert image.reference == "0123456789ab"


def test_blank_output_is_no_images():
    assert parse_images("") == [] and parse_images("\n  \n") == []


@pytest.mark.parametrize("text, shown", [
    ('{"ID":"abc","Repository":', '{"ID":"abc","Repository":'),  # truncated line
    ('[{"Id": "abc", "Names": ["a:1"]}', '[{"Id": "abc", "Names": ["a:1"]}'),  # truncated array
    ("REPOSITORY TAG IMAGE ID\nnginx latest 0123", "REPOSITORY TAG IMAGE ID"),  # a table, not JSON
    ('{"ID":"a"}\n["not", "an", "object"]', '["not", "an", "object"]'),
])
def test_malformed_json_shows_the_offending_text(text, shown):
    with pytest.raises(JsonParseError) as info:
        parse_images(text)
    assert "`images` output" in info.value.message
    assert shown in info.value.message


def test_long_malformed_output_is_cut():
    text = '{"ID":"' + "x" * 5000
    with pytest.raises(JsonParseError) as info:
        parse_images(text)
    message = info.value.message
    assert len(message) < 400 and "(5007 chars)" in message
    assert info.value.text == text  # the whole text stays reachable


def test_image_list_carries_the_command_result():
    result = CommandResult(stdout=EXPLICIT["docker"][0], stderr="warn", code=0, argv=["docker", "images"])
    listing = ImageList(parse_images(result.stdout), result)
    assert isinstance(listing, list) and len(listing) == 1
    assert listing[0].tag == "1"
    assert (listing.stdout, listing.stderr, listing.success, listing.code) == (result.stdout, "warn", True, 0)
    assert listing.result is result


@pytest.mark.parametrize("ref, loopback", [
    ("127.0.0.1:5000/app:1", True), ("localhost:5000/app", True), ("localhost/app:1", True),
    ("[::1]:5000/app", True), ("127.1.2.3/app", True),
    ("registry.example.com:5000/app", False), ("10.0.0.1:5000/app", False), ("app:1", False),
    ("library/app", False), ("docker.io/library/nginx", False),
])
def test_loopback_registry_detection(ref, loopback):
    assert images_mod.is_loopback_registry(ref) is loopback
