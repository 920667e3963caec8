"""Engine-output parsing cases: label values holding '=' and ',', null label values, null and blank lines between
JSON lines, times converted in UTC whatever the local zone, percentages and pairs."""

from __future__ import annotations

import os
import time

import pytest

from herodo_py.nerdctl import parse
from herodo_py.nerdctl.errors import JsonParseError


@pytest.mark.parametrize("text, labels", [
    ("a=b=c", {"a": "b=c"}),
    ("a=b=c,d=e", {"a": "b=c", "d": "e"}),
    ("url=http://x/?q=1&r=2,role=web", {"url": "http://x/?q=1&r=2", "role": "web"}),
    ('cfg={"a":1,"b":2},role=web', {"cfg": '{"a":1,"b":2}', "role": "web"}),
    ("a=x,y,b=z", {"a": "x,y", "b": "z"}),
    ("a=,b=", {"a": "", "b": ""}),
    ("a=1,a=2", {"a": "2"}),
    ("nerdctl/platform=linux/amd64,com.example.v=1", {"nerdctl/platform": "linux/amd64", "com.example.v": "1"}),
    (",a=1", {"a": "1"}),
    ("junk,a=1", {"a": "1"}),
    ("a=1,,b=2", {"a": "1,", "b": "2"}),
    ("a=1,=x", {"a": "1,=x"}),  # a piece with no key continues the value
    ("a b=1,c=2", {"c": "2"}),  # a piece without a key (docker refuses spaces in keys) and nothing before it
    ("", {}),
])
def test_label_strings(text, labels):
    assert parse.parse_labels(text) == labels


def test_label_dict_null_value_is_empty_not_none():
    assert parse.parse_labels({"a": None, "b": "x", "c": 3, 4: "k"}) == {"a": "", "b": "x", "c": "3", "4": "k"}
    assert parse.parse_labels(None) == {} and parse.parse_labels(["a=b"]) == {}


def test_null_and_blank_lines_between_json_lines():
    text = '\n{"a": 1}\n\nnull\n   \n{"b": 2}\nnull\n\n'
    assert parse.load_records(text, "ps") == [{"a": 1}, {"b": 2}]
    assert parse.load_records("null\n\nnull\n", "ps") == []
    assert parse.load_records("  \n\n", "ps") == []


def test_bad_json_line_is_named():
    with pytest.raises(JsonParseError) as info:
        parse.load_records('{"a": 1}\nnot json\n{"b": 2}', "ps")
    assert info.value.text == "not json" and "expected one JSON object per line" in info.value.message
    with pytest.raises(JsonParseError) as info:
        parse.load_records('{"a": 1}\n{"b": 2', "ps")
    assert info.value.text == '{"b": 2'


def test_arrays_must_hold_objects():
    assert parse.load_records('[{"a": 1}, {"b": 2}]', "ps") == [{"a": 1}, {"b": 2}]
    assert parse.load_records('{"a": 1}', "ps") == [{"a": 1}]
    for text in ("[null]", "[1, 2]", '["a"]', "[[{}]]"):
        with pytest.raises(JsonParseError, match="expected JSON objects"):
            parse.load_records(text, "ps")


@pytest.fixture
def tokyo():
    """Local time 9 hours ahead of UTC (a conversion that forgot UTC shows up)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    assert time.localtime(0).tm_hour == 9
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("seconds, text", [(0, "1970-01-01T00:00:00Z"), (1764344431, "2025-11-28T15:40:31Z"),
                                           (1764344431.9, "2025-11-28T15:40:31Z"), (86399, "1970-01-01T23:59:59Z")])
def test_unix_times_are_utc(tokyo, seconds, text):
    assert parse.normalize_time(seconds) == text


@pytest.mark.parametrize("value", [-62135596800, -1, float("nan"), float("inf"), 10**20, True, None, [],
                                   "", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000000Z",
                                   "0001-01-01T00:00:00+00:00"])
def test_zero_and_impossible_times_are_empty(tokyo, value):
    assert parse.normalize_time(value) == ""


def test_text_times_stay_as_given(tokyo):
    assert parse.normalize_time("2025-11-28T16:40:31+01:00") == "2025-11-28T16:40:31+01:00"


@pytest.mark.parametrize("value, out", [("15.33%", 15.33), (" 0.50% ", 0.5), ("100%", 100.0), (3, 3.0),
                                        (2.5, 2.5), ("--", None), ("", None), (True, None), (None, None),
                                        (float("inf"), None), (1e308, None), (-1e308, None), (1e307, 1e307),
                                        ("1.5X%", None), ("1.5%%", 1.5)])  # only '%' signs are dropped
def test_percentages(value, out):
    assert parse.parse_percent(value) == out


@pytest.mark.parametrize("value, pair", [("1.17kB / 542B", ("1.17kB", "542B")), ("1B/2B", ("1B", "2B")),
                                         ("1B", ("1B", "")), ("", ("", "")), (None, ("", "")),
                                         ("a / b / c", ("a", "b / c"))])
def test_pairs(value, pair):
    assert parse.split_pair(value) == pair


def test_first_present_value():
    record = {"a": None, "b": 0, "c": "x"}
    assert parse.first(record, "a", "b", "c") == 0
    assert parse.first(record, "a", "z", default="d") == "d"
    assert parse.first(record, "z") is None


def test_zero_times_constant():
    assert {"", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000000Z"} == parse.ZERO_TIMES


def test_podman_exact_memory_limit_wins_over_its_rounded_text():
    from herodo_py.nerdctl.container.operations import PODMAN_STATS_FORMAT, STATS_FORMAT
    from herodo_py.nerdctl.container.types import ResourceUsage

    assert STATS_FORMAT[:-1] + ',"MemLimit":{{json .MemLimit}}}' == PODMAN_STATS_FORMAT
    podman = ResourceUsage.from_stats({"MemUsage": "520.2kB / 67.11MB", "MemLimit": 67108864})
    assert (podman.memory_limit, podman.memory_limit_bytes, podman.memory_usage_bytes) == ("67.11MB", 67108864, 520200)
    docker = ResourceUsage.from_stats({"MemUsage": "1.59MiB / 64MiB"})
    assert (docker.memory_limit_bytes, docker.memory_usage_bytes) == (67108864, 1667236)


@pytest.mark.parametrize("text, message, shown", [
    ("x", "could not parse ps as JSON (expected one JSON object per line): 'x'", "x"),
    ('{"a":1}\nnope', "could not parse ps as JSON (expected one JSON object per line): 'nope'", "nope"),
    ("[1]", "could not parse ps as JSON (expected JSON objects): '1'", "1"),
    ('{"a":1}\n{"b"', "could not parse ps as JSON (Expecting ':' delimiter): '{\"b\"'", '{"b"'),
    ("[1,", "could not parse ps as JSON (Expecting value): '[1,'", "[1,"),
    ("{" * 100_000, None, None),
    ("[" + "9" * 5000 + "]", None, None),
])
def test_json_error_messages_exactly(text, message, shown):
    with pytest.raises(JsonParseError) as info:
        parse.load_records(text, "ps")
    assert info.value.kind == "JsonParseError" and info.value.message.startswith("could not parse ps as JSON")
    if message is not None:
        assert (info.value.message, info.value.text) == (message, shown)


def test_load_json_names_what_it_parsed():
    assert parse.load_json('{"a": [1, 2]}', "inspect") == {"a": [1, 2]}
    with pytest.raises(JsonParseError) as info:
        parse.load_json("{", "inspect")
    assert info.value.message.startswith("could not parse inspect as JSON (") and info.value.text == "{"


def test_json_lines_parse_each_line_when_one_is_bad():
    # well-formed lines are read all at once; one bad line is named, the good ones before it do not hide it
    assert parse.load_records('{"a": 1}\n{"b": [2]}\n', "ps") == [{"a": 1}, {"b": [2]}]
    assert parse.load_records(' {"a": 1} \n\t{"b": 2}\t', "ps") == [{"a": 1}, {"b": 2}]
    with pytest.raises(JsonParseError) as info:
        parse.load_records('{"a": 1}\n{"b": 2}x\n{"c": 3}', "ps")
    assert info.value.text == '{"b": 2}x'
