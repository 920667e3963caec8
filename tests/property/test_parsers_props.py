"""Every parser of engine output, fed random, truncated and type-confused JSON derived from the
real fixtures of nerdctl, docker and podman: the answer is a typed record or a NerdctlError kind
(JsonParseError), never another exception."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hostile import (
    JSON_SPIKES,
    any_value,
    engine_output,
    engine_stderr,
    fixture_records,
    hostile_text,
    json_values,
    odd_records,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herodo_py import nerdctl as n
from herodo_py.nerdctl import parse
from herodo_py.nerdctl.container.functions import (
    ContainerSummary,
    parse_containers,
    state_from_status,
)
from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.container.types import ContainerStatus, ResourceUsage
from herodo_py.nerdctl.errors import (
    CommandFailed,
    JsonParseError,
    NerdctlError,
    NoSuchContainer,
    OtherError,
    classify_failure,
    engine_message,
)
from herodo_py.nerdctl.image import Image, parse_images

INSPECT = fixture_records("inspect-*.json")
STATS = fixture_records("stats-*.json*")
PS = fixture_records("ps-*.json*")
IMAGES = fixture_records("images-*.json*")
ALL = INSPECT + STATS + PS + IMAGES

any_text = st.one_of(hostile_text, engine_output(ALL), st.sampled_from(JSON_SPIKES))


def parsed_or_json_error(fn, *args: Any) -> Any:
    try:
        return fn(*args)
    except JsonParseError as exc:
        assert exc.kind == "JsonParseError" and len(exc.message) < 1000
        return None


# --- the shared helpers ----------------------------------------------------------------------


@given(text=any_text)
def test_load_json_and_records(text: str) -> None:
    parsed_or_json_error(parse.load_json, text, "output")
    records = parsed_or_json_error(parse.load_records, text, "output")
    if records is not None:
        assert isinstance(records, list) and all(isinstance(r, dict) for r in records)


@given(value=st.one_of(any_value, json_values, st.sampled_from(["1.59MiB", "8EiB", "9" * 400 + "kB", "1e999B",
                                                                  "--", "12.1kB / 542B", "15.33%"])))
def test_value_helpers(value: Any) -> None:
    size = parse.parse_size(value)
    assert size is None or isinstance(size, int)
    percent = parse.parse_percent(value)
    assert percent is None or isinstance(percent, float)
    left, right = parse.split_pair(value)
    assert isinstance(left, str) and isinstance(right, str)
    labels = parse.parse_labels(value)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
    assert isinstance(parse.normalize_time(value), str)
    if isinstance(value, str):
        assert isinstance(state_from_status(value), str)


@given(record=st.dictionaries(hostile_text, json_values, max_size=4), keys=st.lists(hostile_text, max_size=3))
def test_first(record: dict, keys: list[str]) -> None:
    found = parse.first(record, *keys, default="d")
    assert found == "d" or found in record.values()


# --- records ---------------------------------------------------------------------------------


def assert_status(status: ContainerStatus) -> None:
    for name in ("state", "status", "created", "started", "finished", "health_status", "health_output",
                 "error", "id", "name", "image"):
        assert isinstance(getattr(status, name), str), name
    for name in ("exit_code", "pid", "restart_count"):
        assert type(getattr(status, name)) is int, name
    assert type(status.running) is bool


@given(record=st.one_of(odd_records(INSPECT), st.dictionaries(st.sampled_from(["State", "Config", "Created", "Id",
                                                                              "Name", "RestartCount"]),
                                                             json_values, max_size=4)))
def test_container_status_from_inspect(record: dict) -> None:
    assert_status(ContainerStatus.from_inspect(record))
    state = record.get("State")
    if isinstance(state, dict):
        assert_status(ContainerStatus.from_inspect(state))  # inspect --format '{{json .State}}'


@given(record=odd_records(STATS))
def test_resource_usage_from_stats(record: dict) -> None:
    usage = ResourceUsage.from_stats(record)
    for name in ("cpu_percent", "memory_percent"):
        assert getattr(usage, name) is None or isinstance(getattr(usage, name), float)
    for name in ("memory_usage_bytes", "memory_limit_bytes", "network_input_bytes", "network_output_bytes",
                 "block_input_bytes", "block_output_bytes", "pids_count"):
        assert getattr(usage, name) is None or type(getattr(usage, name)) is int, name
    assert isinstance(usage.memory_usage, str) and isinstance(usage.pids, str)


@settings(max_examples=100)
@given(text=st.one_of(engine_output(PS), engine_output(ALL)))
def test_ps_records(text: str) -> None:
    rows = parsed_or_json_error(parse_containers, text)
    for row in rows or []:
        assert isinstance(row, ContainerSummary)
        assert all(isinstance(x, str) for x in (row.id, row.name, row.image, row.command, row.created,
                                                row.status, row.state))
        assert all(isinstance(p, str) for p in row.ports) and all(isinstance(n, str) for n in row.names)


@settings(max_examples=100)
@given(text=st.one_of(engine_output(IMAGES), engine_output(ALL)))
def test_image_records(text: str) -> None:
    rows = parsed_or_json_error(parse_images, text)
    for row in rows or []:
        assert isinstance(row, Image)
        assert all(isinstance(x, str) for x in (row.id, row.repository, row.tag, row.size, row.created,
                                                row.digest, row.reference))
        assert row.size_bytes is None or type(row.size_bytes) is int


def test_fixtures_themselves_parse() -> None:
    """The unmutated fixtures give full records (the strategies start from real data)."""
    assert all(ContainerStatus.from_inspect(r).state for r in INSPECT)
    assert all(ResourceUsage.from_stats(r).cpu_percent is not None for r in STATS)
    assert all(parse_containers(json.dumps(r))[0].id for r in PS)
    assert all(parse_images(json.dumps(r))[0].id for r in IMAGES)


# --- error texts -----------------------------------------------------------------------------


@given(stderr=engine_stderr, stdout=st.one_of(st.text(max_size=60), engine_stderr),
       argv=st.lists(hostile_text, min_size=1, max_size=4),
       code=st.one_of(st.none(), st.integers(-(2**31), 2**31)))
def test_engine_message_and_classify(stderr: str, stdout: str, argv: list[str], code: int | None) -> None:
    words = engine_message(stderr, stdout)
    assert isinstance(words, str)
    error = classify_failure(argv, code, stdout, stderr)
    assert isinstance(error, CommandFailed)
    assert error.kind == "CommandFailed" and error.code == code and isinstance(error.message, str)
    assert isinstance(error.engine_message, str) and isinstance(error.command, str)


def test_spikes_are_json_errors_not_crashes() -> None:
    """The worst raw inputs, each on its own (hypothesis mixes them in; this pins them)."""
    for spike in JSON_SPIKES:
        for text in (spike, f'{{"State": {spike}}}', f"[{spike}]"):
            records = parsed_or_json_error(parse.load_records, text, "output")
            for record in records or []:
                assert_status(ContainerStatus.from_inspect(record))
    assert parse.parse_size(math.inf) is None and parse.parse_size(math.nan) is None
    assert parse.normalize_time(1e300) == ""  # past the year 9999


# --- the same outputs through the library's readers -------------------------------------------

READERS = {
    "Container.new (ps)": (lambda: Container.new("web"), PS),
    "status (inspect)": (lambda: Container("web", container_id="f" * 64).status(), INSPECT),
    "resources (stats)": (lambda: Container("web", container_id="f" * 64).resources(), STATS),
    "images": (lambda: n.images(), IMAGES),
    "list": (lambda: n.list(True), PS),
}


READ_TYPES = {"Container.new (ps)": Container, "status (inspect)": ContainerStatus,
              "resources (stats)": ResourceUsage, "images": list, "list": list}


@pytest.fixture
def echo_engine(tmp_path, use_engine):
    """A minimal engine named nerdctl that prints the file ``out`` whatever it is asked (a real
    process, 100 times cheaper to start than the stand-in)."""
    out = tmp_path / "out"
    script = tmp_path / "nerdctl"
    script.write_text(f"#!/bin/sh\nexec cat {out}\n")
    script.chmod(0o755)
    use_engine(str(script))
    return out


@pytest.mark.parametrize("name", sorted(READERS))
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])  # x 5 readers
@given(data=st.data())
def test_readers_over_odd_engine_output(name: str, data: st.DataObject, echo_engine) -> None:
    read, records = READERS[name]
    echo_engine.write_text(data.draw(st.one_of(engine_output(records), engine_output(ALL)), label="output"))
    try:
        result = read()
    except NerdctlError as err:  # odd output is refused as the engine's fault, never a crash
        assert isinstance(err, (JsonParseError, OtherError, NoSuchContainer)), repr(err)  # (empty inspect)
        assert err.message
    else:
        assert isinstance(result, READ_TYPES[name]), type(result)


# --- nerdctl's State from its Status text, read without patterns ----------------------------------

_STATUS_PATTERNS = ((r"^up\b.*\(paused\)", "paused"), (r"^up\b", "running"), (r"^exited\b", "exited"),
                    (r"^created\b", "created"), (r"^paused\b", "paused"), (r"^restarting\b", "restarting"),
                    (r"^remov", "removing"), (r"^dead\b", "dead"))


def _state_by_patterns(status: str) -> str:
    """The reading spelled as regular expressions (what the engines' Status words mean)."""
    import re

    for pattern, state in _STATUS_PATTERNS:
        if re.search(pattern, status.strip(), re.I):
            return state
    words = status.strip().split()
    return words[0].lower() if words else ""


_status_words = st.sampled_from(["Up", "up", "UP", "Exited", "Created", "Paused", "Restarting", "Removal",
                                 "Removing", "Dead", "Upgrading", "Exitedx", "Up_", "Up-", "Upé", "Up1", "(Paused)",
                                 "(paused)", " ", "\t", "(0)", "5", "minutes", "Pausing"])


@given(status=st.one_of(st.lists(_status_words, max_size=5).map("".join),
                        st.lists(_status_words, max_size=5).map(" ".join), hostile_text))
def test_state_from_status_reads_as_the_patterns(status: str) -> None:
    assert state_from_status(status) == _state_by_patterns(status)


_key_text = st.one_of(hostile_text, st.text(alphabet=st.sampled_from("aZ09_./-=é٣ ,\x00\t"), max_size=12))


@given(value=_key_text)
def test_label_keys_read_as_the_pattern(value: str) -> None:
    """Label keys are read without re: as ``[\\w./-]+=`` matched at the start of each piece."""
    import re

    expected: dict[str, str] = {}
    key = None
    for piece in value.split(","):
        if "=" in piece and re.match(r"[\w./-]+=", piece):
            key, _, val = piece.partition("=")
            expected[key] = val
        elif key is not None:
            expected[key] += "," + piece
    assert parse.parse_labels(value) == expected


@given(value=st.one_of(st.text(alphabet=st.sampled_from("0123456789 ٣²-+x"), max_size=20), hostile_text))
def test_a_pids_count_reads_as_the_pattern(value: str) -> None:
    """Container stats' PIDs are read without re: as ``[0-9]{1,18}`` in full."""
    import re

    from herodo_py.nerdctl.container.types import _is_count

    assert _is_count(value) == bool(re.fullmatch(r"[0-9]{1,18}", value))
