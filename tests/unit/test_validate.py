"""Validators: good values pass (in the engine's form), bad ones name field, value and expected form."""

import pytest

from herodo_py.nerdctl import validate as v
from herodo_py.nerdctl.errors import ConversionError


@pytest.mark.parametrize("value", ["80", "8080:80", "127.0.0.1:8080:80", "8080:80/udp", "[::1]:53:53/udp",
                                   "8000-8010:8000-8010", "127.0.0.1::80", 8080])
def test_good_ports(value):
    assert v.check_port(value) == str(value)


@pytest.mark.parametrize("value", ["", "abc", "8080:", ":80", "70000:80", "8080:0", "8080:80/icmp",
                                   "999.1.1.1:80:80", "10-5:10-5", "-p", "8080:80; rm -rf /", "1:2:3:4"])
def test_bad_ports(value):
    with pytest.raises(ConversionError) as info:
        v.check_port(value)
    err = info.value
    assert err.field == "port" and err.value == value
    assert "host:container" in err.message and repr(value) in err.message


@pytest.mark.parametrize("value", ["/data:/data", "/data:/data:ro", "named:/var/lib/x", "/anon",
                                   "/a:/b:ro,z"])
def test_good_volumes(value):
    assert v.check_volume(value) == value


@pytest.mark.parametrize("value", ["data", "./rel:/x", "~/x:/y", "/a:rel", "/a:/b:bogus", "/a:/b:ro:x", ""])
def test_bad_volumes(value):
    with pytest.raises(ConversionError, match="volume"):
        v.check_volume(value)


@pytest.mark.parametrize("value", ["nginx", "nginx:1.25", "localhost:5000/team/app:v2", "localhost/herodo-busybox:latest",
                                   "ghcr.io/org/app@sha256:" + "a" * 64, "sha256:" + "b" * 64, "0123456789ab"])
def test_good_images(value):
    assert v.check_image(value) == value


@pytest.mark.parametrize("value", ["", "-it", "Nginx", "nginx:", "a b", "nginx:latest; rm", "x\x00y", "--privileged"])
def test_bad_images(value):
    with pytest.raises(ConversionError) as info:
        v.check_image(value)
    assert info.value.field == "image"


def test_image_references_accepted_are_remembered_and_only_they(monkeypatch):
    """A script runs one image many times: a reference accepted once is not matched again (the memory is bounded);
    a refused one is refused every time, and a value that is no string is never looked up."""
    monkeypatch.setattr(v, "_GOOD_IMAGES", {})
    matched: list[str] = []
    pattern = v._IMAGE

    class Counting:
        def fullmatch(self, value):
            matched.append(value)
            return pattern.fullmatch(value)
    monkeypatch.setattr(v, "_IMAGE", Counting())
    assert v.check_image("nginx:1.25") == v.check_image("nginx:1.25") == "nginx:1.25"
    assert matched == ["nginx:1.25"]
    for _ in range(2):
        with pytest.raises(ConversionError):
            v.check_image("Nginx")
    assert matched == ["nginx:1.25", "Nginx", "Nginx"]
    with pytest.raises(ConversionError):
        v.check_image(["nginx:1.25"])  # (not a string: never looked up)
    for i in range(300):
        v.check_image(f"app{i}")
    assert len(v._GOOD_IMAGES) <= 256


@pytest.mark.parametrize("value", ["web", "web-1", "a.b_c", "1x"])
def test_good_names(value):
    assert v.check_name(value) == value


@pytest.mark.parametrize("value", ["", "-rm", "_x", "a b", "a/b", "a;b", None, 3])
def test_bad_names(value):
    with pytest.raises(ConversionError, match="name"):
        v.check_name(value)


@pytest.mark.parametrize("value,out", [("512m", "512m"), ("1g", "1g"), ("1.5G", "1.5G"), (6291456, "6291456"),
                                       ("64MiB", "64MiB"), ("1t", "1t"), ("512 MB", "512 MB")])
def test_sizes(value, out):
    assert v.check_size(value) == out


@pytest.mark.parametrize("value", ["", "lots", "-5m", "0", "100", "5m", "12 parsecs", "512mi"])
def test_bad_sizes(value):
    with pytest.raises(ConversionError, match="512m"):
        v.check_size(value)


def test_swap_allows_unlimited_only_where_asked():
    assert v.check_size("-1", "memory swap", allow_unlimited=True) == "-1"
    with pytest.raises(ConversionError):
        v.check_size("-1")


@pytest.mark.parametrize("value,out", [("0.5", "0.5"), ("2", "2"), (1.5, "1.5"), (2, "2")])
def test_cpus(value, out):
    assert v.check_cpus(value) == out


@pytest.mark.parametrize("value", ["0", "-1", "half", "1e3", "", True])
def test_bad_cpus(value):
    with pytest.raises(ConversionError, match="CPUs"):
        v.check_cpus(value)


def test_cpu_shares():
    assert v.check_cpu_shares(512) == "512"
    for bad in ("1", "abc", 300000, -5):
        with pytest.raises(ConversionError, match="262144"):
            v.check_cpu_shares(bad)


@pytest.mark.parametrize("value", ["no", "always", "on-failure", "on-failure:3", "unless-stopped"])
def test_restart_policies(value):
    assert v.check_restart_policy(value) == value


@pytest.mark.parametrize("value", ["sometimes", "on-failure:", "on-failure:x", "Always", ""])
def test_bad_restart_policies(value):
    with pytest.raises(ConversionError, match="unless-stopped"):
        v.check_restart_policy(value)


@pytest.mark.parametrize("value,out", [("30s", "30s"), ("1m30s", "1m30s"), ("500ms", "500ms"), (5, "5s"),
                                       (1.5, "1.5s")])
def test_durations(value, out):
    assert v.check_duration(value) == out


def test_bare_number_string_duration_gets_a_hint():
    with pytest.raises(ConversionError) as info:
        v.check_duration("30")
    assert info.value.hint == "a bare number has no unit: write '30s'"
    for bad in ("", "soon", "5 s", "-5s", 0, -1):
        with pytest.raises(ConversionError):
            v.check_duration(bad)


def test_counts_and_timeouts():
    assert v.check_count(3.0) == 3 and v.check_count("4") == 4
    for bad in (-1, 2.5, "x", True, None):
        with pytest.raises(ConversionError):
            v.check_count(bad)
    assert v.check_timeout(2) == 2.0
    for bad in (0, -1, "10", None, True):
        with pytest.raises(ConversionError, match="seconds"):
            v.check_timeout(bad)


def test_env_and_labels():
    assert v.check_env_key("APP_MODE") == "APP_MODE"
    assert v.check_env_value("") == "" and v.check_env_value(3) == "3" and v.check_env_value("a b;$(x)") == "a b;$(x)"
    for bad in ("A=B", "", "A B", "x\x00"):
        with pytest.raises(ConversionError, match="env key"):
            v.check_env_key(bad)
    with pytest.raises(ConversionError, match="NUL"):
        v.check_env_value("a\x00b")
    assert v.check_label_key("com.example.role") == "com.example.role"
    with pytest.raises(ConversionError):
        v.check_label_key("a=b")


def test_users_paths_and_copy_locations():
    assert v.check_user("nobody") == "nobody" and v.check_user(1000) == "1000" and v.check_user("1:1") == "1:1"
    with pytest.raises(ConversionError):
        v.check_user("a b")
    assert v.check_path("/app", absolute=True) == "/app"
    with pytest.raises(ConversionError, match="absolute"):
        v.check_path("app", absolute=True)
    assert v.check_copy_location("web:/etc/hosts", "source") == "web:/etc/hosts"
    assert v.check_copy_location("/tmp/x", "dest") == "/tmp/x"
    for bad in ("-a", "web:rel"):
        with pytest.raises(ConversionError):
            v.check_copy_location(bad, "source")


def test_lists_and_mappings():
    assert v.check_string_list(["a", "b"], "command") == ["a", "b"]
    with pytest.raises(ConversionError, match=r"command\[2\]"):
        v.check_string_list(["a", 3], "command")
    with pytest.raises(ConversionError, match="list of strings"):
        v.check_string_list("a b", "command")
    with pytest.raises(ConversionError, match="key = value"):
        v.check_mapping(["a"], "envs")


def test_a_value_longer_than_one_argument_can_hold_is_refused_by_its_field():
    limit = 32 * 4096 - 1  # Linux's MAX_ARG_STRLEN (32 pages) less the NUL, written out: not the constant under test
    assert limit == v.MAX_ARGUMENT_BYTES
    assert v.check_env_value("x" * limit) == "x" * limit
    for value in ("x" * (limit + 1), "é" * (limit // 2 + 1)):  # (bytes count, not characters)
        with pytest.raises(ConversionError) as info:
            v.check_env_value(value)
        assert info.value.field == "env value" and "at most 128 KiB" in str(info.value)
        assert len(str(info.value)) < 300 and "in a file" in info.value.hint
    with pytest.raises(ConversionError, match="invalid command"):
        v.check_text("y" * (limit + 1), "command")
