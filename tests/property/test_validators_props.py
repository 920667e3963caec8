"""Every validator, fed random and hostile values: the answer is a value in the engine's form or a
ConversionError naming the field, never another exception. Accepted values are safe to put into
an argv (text, no NUL, valid UTF-8, idempotent) and the grammar-checked ones are plain ASCII;
well-formed values are never refused."""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from typing import Any

import pytest
from hostile import any_value, hostile_text
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from herodo_py.nerdctl import validate as v
from herodo_py.nerdctl.container.builder import shell_command
from herodo_py.nerdctl.container.health import prepare_health_check_command
from herodo_py.nerdctl.errors import ConversionError

# (validator, field it names, the accepted result is ASCII, it is a positional argv word)
TEXT_VALIDATORS: dict[str, tuple[Callable[[Any], Any], str, bool, bool]] = {
    "name": (v.check_name, "name", True, True),
    "container_ref": (v.check_container_ref, "container", True, True),
    "image": (v.check_image, "image", True, True),
    "port": (v.check_port, "port", False, False),  # an IPv6 scope id may be any text
    "volume": (v.check_volume, "volume", False, False),
    "env_key": (v.check_env_key, "env key", False, False),
    "env_value": (v.check_env_value, "env value", False, False),
    "label_key": (v.check_label_key, "label key", False, False),
    "size": (v.check_size, "memory", True, False),
    "size_unlimited": (lambda x: v.check_size(x, allow_unlimited=True), "memory", True, False),
    "cpus": (v.check_cpus, "cpu limit", True, False),
    "cpu_shares": (v.check_cpu_shares, "cpu shares", True, False),
    "restart": (v.check_restart_policy, "restart policy", True, False),
    "duration": (v.check_duration, "duration", True, False),
    "path": (v.check_path, "path", False, False),
    "abs_path": (lambda x: v.check_path(x, absolute=True), "path", False, False),
    "user": (v.check_user, "user", True, False),
    "copy_location": (lambda x: v.check_copy_location(x, "source"), "source", False, True),
    "text": (lambda x: v.check_text(x, "text"), "text", False, False),
    "health": (prepare_health_check_command, "health check command", False, False),
}


def outcome(check: Callable[[Any], Any], value: Any) -> tuple[Any, ConversionError | None]:
    try:
        return check(value), None
    except ConversionError as exc:
        return None, exc


def assert_argv_safe(result: str) -> None:
    assert isinstance(result, str)
    assert "\x00" not in result
    result.encode("utf-8")  # strict: no lone surrogates, no smuggled non-UTF-8 bytes


@pytest.mark.parametrize("kind", sorted(TEXT_VALIDATORS))
@settings(max_examples=50)  # x 20 validators
@given(value=st.one_of(any_value, hostile_text))
def test_text_validators_answer_a_value_or_a_conversion_error(kind: str, value: Any) -> None:
    check, field, ascii_only, positional = TEXT_VALIDATORS[kind]
    result, error = outcome(check, value)
    if error is not None:
        assert error.field.startswith(field) and error.kind == "ConversionError"  # "source container"
        assert field in error.message and error.expected
        assert len(error.message) < 2000, "a huge value is shown shortened"
        return
    assert_argv_safe(result)
    assert outcome(check, result) == (result, None), "accepting is idempotent"
    if ascii_only:
        assert result.isascii(), f"{kind} accepted non-ASCII {result!r}"
    if positional:
        assert not result.startswith("-"), f"{kind} accepted a flag-like {result!r}"


NUMBER_VALIDATORS: dict[str, tuple[Callable[[Any], Any], type]] = {
    "count": (v.check_count, int),
    "count_min1": (lambda x: v.check_count(x, minimum=1), int),
    "timeout": (v.check_timeout, float),
}


@pytest.mark.parametrize("kind", sorted(NUMBER_VALIDATORS))
@given(value=any_value)
def test_number_validators_answer_a_number_or_a_conversion_error(kind: str, value: Any) -> None:
    check, kind_type = NUMBER_VALIDATORS[kind]
    result, error = outcome(check, value)
    if error is not None:
        assert error.expected and len(error.message) < 2000
        return
    assert type(result) is kind_type
    assert result > 0 or (kind == "count" and result == 0)
    assert isinstance(result, int) or math.isfinite(result), "no NaN or infinity"


@given(value=any_value)
def test_lists_and_mappings(value: Any) -> None:
    result, error = outcome(lambda x: v.check_string_list(x, "command"), value)
    if error is None:
        assert isinstance(result, list)
        for item in result:
            assert_argv_safe(item)
    result, error = outcome(lambda x: v.check_mapping(x, "envs"), value)
    assert (error is None) == isinstance(value, dict)


@given(value=st.one_of(any_value, st.lists(hostile_text, max_size=4)))
def test_shell_command(value: Any) -> None:
    result, error = outcome(shell_command, value)
    if error is not None:
        return
    assert isinstance(result, list) and result and result[0]
    for item in result:
        assert_argv_safe(item)
    if isinstance(value, str):
        assert result[:2] == ["sh", "-c"] and result[-1] == value
        # the string is the shell's command, never taken as one of sh's own options
        assert not result[2].startswith("-") or result[2] == "--"
    else:
        assert result == list(value)


# --- well-formed values are accepted --------------------------------------------------------

ports = st.integers(1, 65535)
names = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}", fullmatch=True)
lower = string.ascii_lowercase + string.digits


@given(host=st.one_of(st.none(), ports), ctr=ports, ip=st.sampled_from([None, "127.0.0.1", "0.0.0.0", "[::1]"]),
       proto=st.sampled_from(["", "/tcp", "/udp", "/sctp"]), as_int=st.booleans())
def test_good_ports_pass(host, ctr, ip, proto, as_int) -> None:
    if as_int and host is None and ip is None and not proto:
        assert v.check_port(ctr) == str(ctr)
        return
    spec = str(ctr) if host is None else f"{host}:{ctr}"
    if ip is not None:
        spec = f"{ip}:{'' if host is None else host}:{ctr}"
    assert v.check_port(spec + proto) == spec + proto


@given(name=names)
def test_good_names_pass(name: str) -> None:
    assert v.check_name(name) == name


@given(registry=st.sampled_from(["", "localhost/", "localhost:5000/", "127.0.0.1:5000/", "ghcr.io/", "a-b.c:1/"]),
       parts=st.lists(st.text(alphabet=lower, min_size=1, max_size=8), min_size=1, max_size=3),
       sep=st.sampled_from([".", "_", "__", "-", "--"]),
       tag=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)),
       digest=st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)))
def test_good_images_pass(registry, parts, sep, tag, digest) -> None:
    path = "/".join(p + sep + p for p in parts)
    ref = registry + path + (f":{tag}" if tag else "") + (f"@sha256:{digest}" if digest else "")
    assert v.check_image(ref) == ref


@given(number=st.integers(6, 10**6), unit=st.sampled_from(["m", "g", "t", "M", "G", "mb", "mib", " MB", "MiB"]))
def test_good_sizes_pass(number: int, unit: str) -> None:
    """Sizes of at least docker's 6 MiB minimum, in the units docker reads."""
    assert v.check_size(f"{number}{unit}") == f"{number}{unit}"


@given(parts=st.lists(st.tuples(st.integers(0, 10**4), st.sampled_from(["ns", "us", "ms", "s", "m", "h"])),
                      min_size=1, max_size=3),
       seconds=st.one_of(st.integers(1, 10**6), st.floats(0.001, 10**6)))
def test_good_durations_pass(parts, seconds) -> None:
    text = "".join(f"{n}{u}" for n, u in parts)
    assert v.check_duration(text) == text
    assert v.check_duration(seconds).endswith("s")


@given(key=st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=20), value=st.text(max_size=40))
def test_env_and_labels_keep_any_text(key: str, value: str) -> None:
    assume("\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value))
    assert v.check_env_key(key) == key and v.check_label_key(key) == key
    assert v.check_env_value(value) == value


@given(user=st.one_of(st.integers(0, 2**31), names.filter(lambda n: not n.startswith(("-", "."))),
                      st.tuples(st.integers(0, 65535), st.integers(0, 65535)).map(lambda t: f"{t[0]}:{t[1]}")))
def test_good_users_pass(user) -> None:
    assert v.check_user(user) == str(user)


@given(value=st.one_of(st.text(alphabet=st.sampled_from("aZ09_.-é٣ \n\x00/"), max_size=10), st.text(max_size=10)))
def test_names_read_as_the_pattern(value: str) -> None:
    """Names are read without re: as ``[a-zA-Z0-9][a-zA-Z0-9_.-]*`` in full."""
    import re

    from herodo_py.nerdctl.validate import is_name

    assert is_name(value) == bool(re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", value))
