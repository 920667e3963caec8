"""Both sides of every limit the validators enforce, with the limits written out (not taken from the module), and
ASCII wherever a grammar is ASCII: an engine written in Go reads no other digits or letters."""

from __future__ import annotations

import pytest

from herodo_py.nerdctl import validate as v
from herodo_py.nerdctl.errors import ConversionError

ARABIC_8080 = "\u0668\u0660\u0668\u0660"  # '٨٠٨٠'
FULLWIDTH_80 = "\uff18\uff10"  # '８０'


def refused(check, value, *args, **kw) -> ConversionError:
    with pytest.raises(ConversionError) as info:
        check(value, *args, **kw)
    return info.value


@pytest.mark.parametrize("port, ok", [(0, False), (1, True), (65535, True), (65536, False), (99999, False)])
def test_port_bounds(port, ok):
    for value in (f"{port}", f"{port}:80", f"80:{port}", f"127.0.0.1:{port}:80", f"[::1]:{port}:80/udp", port):
        if ok:
            assert v.check_port(value) == str(value)
        else:
            assert refused(v.check_port, value).field == "port"


@pytest.mark.parametrize("value, ok", [("1-65535:1-65535", True), ("65535-65536:80", False), ("0-1:80", False),
                                       ("5-5:5", True), ("6-5:80", False), ("100000:80", False), ("8080:80/sctp", True),
                                       ("8080:80/icmp", False), ("8080:80/", True),  # docker reads an empty protocol as tcp
                                       ("8080:80/tcp/udp", False), (":80", False),
                                       ("1.2.3.4::80", True), ("[::1]80", False), ("a:b:c:d", False),
                                       ("999.1.1.1:80:80", False)])
def test_port_forms(value, ok):
    if ok:
        assert v.check_port(value) == value
    else:
        refused(v.check_port, value)


@pytest.mark.parametrize("value", [ARABIC_8080, FULLWIDTH_80, f"{ARABIC_8080}:80", f"80:{FULLWIDTH_80}",
                                   "8080:٨٠/tcp", "1-٩:80"])
def test_port_digits_are_ascii(value):
    refused(v.check_port, value)


@pytest.mark.parametrize("shares, ok", [(1, False), (2, True), (1024, True), (262144, True), (262145, False),
                                        (0, False), (-2, False)])
def test_cpu_shares_bounds(shares, ok):
    if ok:
        assert v.check_cpu_shares(shares) == str(shares) == v.check_cpu_shares(str(shares))
    else:
        assert "from 2 to 262144" in str(refused(v.check_cpu_shares, shares))


@pytest.mark.parametrize("value", ["\u0662\u0660", "１０２４", "0x400", "1e3", " 1024", "1024.0", "1234567890"])
def test_cpu_shares_form(value):
    refused(v.check_cpu_shares, value)


def test_cpu_shares_drop_leading_zeros():
    assert v.check_cpu_shares("0100") == "100"


@pytest.mark.parametrize("cpus, ok", [("0", False), ("0.0", False), ("0.001", True), ("1024", True),
                                      ("1024.0", True), ("1024.001", False), ("1025", False), (1024, True),
                                      (1024.5, False), (0.5, True), (-1, False), (float("nan"), False),
                                      (float("inf"), False), (True, False), ("٢", False), ("２", False),
                                      (".5", False), ("1.", False), ("1e2", False)])
def test_cpu_limit_bounds(cpus, ok):
    if ok:
        assert v.check_cpus(cpus) == (cpus if isinstance(cpus, str) else str(cpus).removesuffix(".0"))
    else:
        assert refused(v.check_cpus, cpus).field == "cpu limit"


def test_name_length():
    assert v.check_name("a" * 253) == "a" * 253
    assert refused(v.check_name, "a" * 254).field == "name"


@pytest.mark.parametrize("value", ["wéb", "web\u0661", "ｗｅｂ", "web\u200b"])
def test_name_is_ascii(value):
    refused(v.check_name, value)


def test_image_reference_length():
    assert v.check_image("a" * 512) == "a" * 512
    refused(v.check_image, "a" * 513)
    assert v.check_image("r/" + "a" * 508) == "r/" + "a" * 508
    refused(v.check_image, "r/" + "a" * 511)


@pytest.mark.parametrize("value", ["app:\u0661", "app:tagé", "ａｐｐ", "app@sha256:" + "\u0661" * 64])
def test_image_is_ascii(value):
    refused(v.check_image, value)


@pytest.mark.parametrize("seconds, ok", [(2_000_000, True), (2_000_000.0, True), (2_000_000.001, False),
                                         (2_000_001, False), (1e-9, True), (0, False), (-1, False),
                                         (float("inf"), False), (float("nan"), False), ("30", False), (True, False)])
def test_longest_timeout(seconds, ok):
    if ok:
        assert v.check_timeout(seconds) == float(seconds)
    else:
        assert "up to 2000000" in str(refused(v.check_timeout, seconds))


def test_argument_size_off_by_one():
    limit = 32 * 4096 - 1  # Linux's MAX_ARG_STRLEN is 32 pages, its NUL included
    assert v.check_text("x" * limit, "f") == "x" * limit
    assert refused(v.check_text, "x" * (limit + 1), "f").hint.startswith("one command-line argument")
    # counted in UTF-8 bytes: 2-byte 'é' and 4-byte '😀'
    assert v.check_text("é" * (limit // 2), "f")
    refused(v.check_text, "é" * (limit // 2) + "éx", "f")
    assert v.check_text("😀" * (limit // 4) + "xxx", "f")
    refused(v.check_text, "😀" * (limit // 4 + 1), "f")
    refused(v.check_env_value, "x" * (limit + 1))


@pytest.mark.parametrize("seconds, text", [(1e-05, "0.00001s"), (1e-09, "0.000000001s"), (2.5e-07, "0.00000025s"),
                                           (1e16, "10000000000000000s"), (30, "30s"), (1.5, "1.5s"), (3.0, "3s")])
def test_number_durations_without_exponent(seconds, text):
    assert v.check_duration(seconds) == text


@pytest.mark.parametrize("value", [1e-10, 4e-10, 0, -1, float("nan"), float("inf"), "1e-05s", "30", "1d", "٣s", ""])
def test_durations_refused(value):
    refused(v.check_duration, value)


def test_bare_number_duration_hint():
    assert refused(v.check_duration, "30").hint == "a bare number has no unit: write '30s'"
    assert refused(v.check_duration, "30x").hint is None


@pytest.mark.parametrize("value, ok", [("6m", True), ("6291456", True), ("6291455", False), ("6143k", False),
                                       ("6144k", True), ("1p", True), ("8191p", True), ("8192p", False),
                                       ("1t", True), ("512 MB", True), ("512MiB", True), ("512mb", True),
                                       ("100", False), ("0", False), ("٥١٢m", False), ("５１２m", False),
                                       ("512mi", False), ("512  m", False)])
def test_memory_bounds(value, ok):
    if ok:
        assert v.check_size(value) == value
    else:
        err = refused(v.check_size, value, "memory limit")
        assert err.field == "memory limit" and "at least 6m" in err.expected
        assert "t, p" in err.expected and "'512 MB'" in err.expected  # the message lists every accepted form


def test_memory_unlimited_only_as_minus_one():
    assert v.check_size("-1", allow_unlimited=True) == "-1"
    assert "'-1' for unlimited" in refused(v.check_size, "-2", allow_unlimited=True).expected
    refused(v.check_size, -1)


def test_argv_items_may_be_empty_but_not_other_types():
    assert v.check_string_list(["sh", "-c", ""], "command") == ["sh", "-c", ""]
    assert v.check_string_list([], "command") == []
    assert refused(v.check_string_list, ["a", 3], "command").field == "command[2]"
    assert refused(v.check_string_list, ["a", "b\x00"], "command").field == "command[2]"
    refused(v.check_string_list, "sh -c x", "command")
    refused(v.check_string_list, {"a": 1}, "command")


@pytest.mark.parametrize("value, ok", [("/tmp/x", True), ("./rel/x", True), ("rel", True), ("web:/etc/hosts", True),
                                       ("web:etc/hosts", False), ("web:", False), ("web:./x", False),
                                       ("-rf", False), ("we b:/x", False), ("C:/x", True), ("a/b:c", True)])
def test_copy_locations(value, ok):
    if ok:
        assert v.check_copy_location(value, "source") == value
    else:
        refused(v.check_copy_location, value, "source")


def test_relative_copy_path_message():
    assert refused(v.check_copy_location, "web:etc", "dest").expected == "'container:/absolute/path'"


def test_absolute_paths():
    assert v.check_path("/app", absolute=True) == "/app"
    refused(v.check_path, "app", absolute=True)
    assert v.check_path("app") == "app"


@pytest.mark.parametrize("value, minimum, out", [(0, 0, 0), (1, 1, 1), (3.0, 0, 3), ("7", 0, 7),
                                                 ("999999999999999999", 0, 999999999999999999)])
def test_count_accepted(value, minimum, out):
    assert v.check_count(value, minimum=minimum) == out


@pytest.mark.parametrize("value, minimum", [(-1, 0), (0, 1), (1, 2), (3.5, 0), (True, 0), ("٣", 0), ("３", 0),
                                            ("1000000000000000000", 0), ("-1", 0), (None, 0), ("", 0)])
def test_count_refused(value, minimum):
    assert f">= {minimum}" in refused(v.check_count, value, minimum=minimum).expected


@pytest.mark.parametrize("value, ok", [("no", True), ("always", True), ("unless-stopped", True), ("on-failure", True),
                                       ("on-failure:0", True), ("on-failure:10", True), ("on-failure:", False),
                                       ("on-failure:٣", False), ("on-failure:３", False), ("Always", False),
                                       ("on-failure:-1", False)])
def test_restart_policies(value, ok):
    if ok:
        assert v.check_restart_policy(value) == value
    else:
        refused(v.check_restart_policy, value)


@pytest.mark.parametrize("value, ok", [("1000", True), ("1000:1000", True), ("app:grp", True), (1000, True),
                                       ("\u0661\u0660\u0660\u0660", False), ("usér", False), ("a:b:c", False),
                                       ("-u", False)])
def test_users_are_ascii(value, ok):
    if ok:
        assert v.check_user(value) == str(value)
    else:
        refused(v.check_user, value)


def test_image_tag_length():
    assert v.check_image("app:" + "t" * 128) == "app:" + "t" * 128  # Go's reference grammar: at most 128 characters
    refused(v.check_image, "app:" + "t" * 129)


VOLUME_OPTIONS = ["ro", "rw", "z", "Z", "shared", "slave", "private", "rshared", "rslave", "rprivate", "nocopy",
                  "delegated", "cached", "consistent", "rro"]


@pytest.mark.parametrize("option", VOLUME_OPTIONS)
def test_each_volume_option(option):
    assert v.check_volume(f"/src:/dst:{option}") == f"/src:/dst:{option}"
    assert v.check_volume(f"data:/dst:ro,{option}") == f"data:/dst:ro,{option}"


@pytest.mark.parametrize("value, ok", [("data:/dst", True), ("d1:/dst", True), ("d:/dst", False), ("_data:/dst", False),
                                       (".data:/dst", False), ("-data:/dst", False), ("data:/dst:RO", False),
                                       ("data:/dst:ro,", False), ("data:/dst:exec", False), ("./src:/dst", False),
                                       ("~/src:/dst", False), ("/src:dst", False), ("/dst", True), ("a:/b:ro:x", False),
                                       ("dätä:/dst", False)])
def test_volume_forms(value, ok):
    if ok:
        assert v.check_volume(value) == value
    else:
        refused(v.check_volume, value)


@pytest.mark.parametrize("value", ["app:.grp", "app:-grp", ".app", "app:", ":grp"])
def test_user_parts_start_with_a_name_character(value):
    refused(v.check_user, value)


def test_a_text_over_the_argument_size_keeps_its_value_on_the_error():
    value = "x" * (32 * 4096)
    with pytest.raises(ConversionError) as info:
        v.check_text(value, "command")
    assert (info.value.value, info.value.expected) == (value, "a string of at most 128 KiB")


@pytest.mark.parametrize("value, what", [
    ("a\udc80", "byte 0x80"), ("a\udcff", "byte 0xff"),  # bytes Lua gave that are not UTF-8 (surrogateescape)
    ("a\udd00", "code point U+DD00"), ("a\ud800", "code point U+D800"),  # lone surrogates that are no byte
], ids=["dc80", "dcff", "dd00", "d800"])
def test_text_that_is_not_utf8_names_the_byte_or_code_point(value, what):
    with pytest.raises(ConversionError) as info:
        v.check_text(value, "command")
    assert info.value.hint.startswith(f"the {what} at position 2 is not UTF-8 text"), info.value.hint


@pytest.mark.parametrize("value", [{}, [], {"a": 1}], ids=["empty-dict", "list", "dict"])
def test_a_table_is_named_a_table(value):
    with pytest.raises(ConversionError) as info:
        v.check_text(value, "command")
    assert info.value.expected == "a string, got table"


def test_a_container_reference_is_a_checked_name():
    assert v.check_container_ref("web-1") == "web-1"
    with pytest.raises(ConversionError) as info:
        v.check_container_ref("-web", "target")
    assert (info.value.field, info.value.value) == ("target", "-web")
