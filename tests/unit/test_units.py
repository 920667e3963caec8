"""Sizes and durations (herodo_py.nerdctl.units): the sizes a user writes (docker's --memory grammar, every unit a
power of 1024), the sizes engines print (kB/MB decimal, KiB/MiB binary), seconds, Go durations; ASCII only."""

from __future__ import annotations

import pytest

from herodo_py.lua import limits
from herodo_py.nerdctl import parse, units

K, M, G = 1024, 1024**2, 1024**3


@pytest.mark.parametrize("text, size", [
    ("0", 0), ("1", 1), ("512", 512), ("1b", 1), ("1B", 1),
    ("1k", K), ("1kb", K), ("1kib", K), ("1KiB", K), ("1K", K),
    ("512m", 512 * M), ("512M", 512 * M), ("512mb", 512 * M), ("512MB", 512 * M), ("512 MB", 512 * M),
    ("512MiB", 512 * M), ("512 mib", 512 * M), ("1.5g", int(1.5 * G)), ("2G", 2 * G), ("2gb", 2 * G),
    ("1t", 1024**4), ("1TB", 1024**4), ("1tib", 1024**4), ("1p", 1024**5), ("1P", 1024**5), ("1pib", 1024**5),
    ("0.5k", 512),
])
def test_memory_sizes_as_docker_reads_them(text, size):
    assert units.parse_memory(text) == size


@pytest.mark.parametrize("text", ["", "m", "lots", "512  MB", " 512m", "512m ", "512mi", "512i", "1e", "1e9",
                                  "1.5.2m", ".5m", "5.m", "-5m", "+5m", "5x", "512 m b", "1eb", "٥m", "５m", "5ｍ",
                                  "5m\n", "1_000"])
def test_memory_sizes_refused(text):
    assert units.parse_memory(text) is None


def test_memory_size_of_a_huge_number_is_finite():
    assert units.parse_memory("9" * 400 + "p") is None  # float overflow: not a size
    assert units.parse_memory("8192p") == 2**63


@pytest.mark.parametrize("text, size", [
    ("1.59MiB", 1667236), ("12.1kB", 12100), ("67.11MB", 67110000), ("1.5GiB", 1610612736), ("542B", 542),
    ("512", 512), ("1k", 1000), ("1K", 1000), ("2g", 2 * 10**9), ("1GB", 10**9), ("1t", 10**12), ("1tb", 10**12),
    ("1TB", 10**12), ("1tib", 1024**4), ("1gib", 1024**3), ("1p", 10**15), ("1e", 10**18), ("1eib", 1024**6),
    ("1kib", 1024), ("1mb", 10**6), ("1m", 10**6), (" 1.5 kB ", 1500), ("0B", 0), ("0.4B", 0), ("0.6B", 1),
    (0, 0), (7, 7), (2.9, 2),
])
def test_printed_sizes(text, size):
    assert units.parse_size(text) == size
    assert parse.parse_size(text) == size  # the engine-output parsers read sizes through units


@pytest.mark.parametrize("value", ["", "--", "N/A", "1x", "1zb", "1.5.5MB", "٥MB", "5 M B", None, True, False,
                                   float("inf"), float("nan"), [], "1" * 400 + "EB"])
def test_printed_sizes_unknown(value):
    assert units.parse_size(value) is None


@pytest.mark.parametrize("text, seconds", [("90", 90.0), ("90s", 90.0), ("90S", 90.0), ("1.5m", 90.0),
                                           ("1M", 60.0), ("1h", 3600.0), ("2H", 7200.0), (" 5 s ", 5.0),
                                           ("0", 0.0), ("0.25", 0.25)])
def test_seconds(text, seconds):
    assert units.parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "s", "1d", "1ms", "-5", "1e3", "٩٠", "９０s", "inf", "nan", "1.s"])
def test_seconds_refused(text):
    assert units.parse_seconds(text) is None


@pytest.mark.parametrize("text, ok", [("30s", True), ("1m30s", True), ("1.5h", True), ("500ms", True),
                                      ("10us", True), ("10µs", True), ("7ns", True), ("1h2m3s4ms5us6ns", True),
                                      ("30", False), ("s", False), ("-1s", False), ("1e3s", False), ("1d", False),
                                      ("٣s", False), ("1.s", False), ("", False), ("1S", False)])
def test_go_duration(text, ok):
    assert bool(units.GO_DURATION.fullmatch(text)) is ok


def test_constants():
    assert (units.KIB, units.MIB) == (1024, 1048576)
    assert units.MIN_MEMORY == 6291456  # docker: "Minimum memory limit allowed is 6MB" (6 * 1024 * 1024)
    assert units.MAX_SECONDS == 2_000_000.0  # under 2**31-1 ms, the longest wait the OS takes at once
    assert 2_000_000 * 1000 < 2**31 - 1


# --- herodo's --max-memory and --script-timeout read sizes and seconds through units ----------------


@pytest.mark.parametrize("text, size", [("1m", M), ("1048576", M), ("512 MB", 512 * M), (" 2g ", 2 * G),
                                        ("1t", 1024**4), ("OFF", 0), ("unlimited", 0), ("None", 0)])
def test_max_memory_option(text, size):
    assert limits.parse_size(text) == size


@pytest.mark.parametrize("text", ["1048575", "1023k", "0.5m", "512mi", "٥١٢m"])
def test_max_memory_option_refused(text):
    with pytest.raises(ValueError, match=repr(text).replace("\\", "\\\\")):
        limits.parse_size(text)


@pytest.mark.parametrize("text, seconds", [("2000000", 2_000_000.0), ("2000000s", 2_000_000.0),
                                           ("0.001", 0.001), ("OFF", None)])
def test_script_timeout_option_bounds(text, seconds):
    assert limits.parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["2000000.001", "33334m", "556h", "٩٠"])
def test_script_timeout_option_refused(text):
    with pytest.raises(ValueError, match="expected seconds"):
        limits.parse_seconds(text)
