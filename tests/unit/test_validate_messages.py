"""Every validator's refusal, whole: the field, the expected form and the hint a user reads (the message is a
product feature; a changed word is a changed product)."""

from __future__ import annotations

import pytest

from herodo_py.nerdctl import validate as v
from herodo_py.nerdctl.errors import ConversionError, shown_value

VOLUME = "'/host/path:/container/path[:ro]' or 'volume-name:/container/path'"
SIZE = ("a size of at least 6m like '512m', '1g' or '512MiB' (units b, k, m, g, t, p, each a power of 1024, "
        "optionally followed by 'b' or 'ib': '512mb', '512 MB')")
PORT = "'[ip:]host:container[/tcp|udp]' with ports 1-65535, e.g. '8080:80' or '127.0.0.1:53:53/udp'"
NAME = "letters, digits, '_', '.', '-', starting with a letter or digit (e.g. 'web-1')"
NOT_UTF8 = "is not UTF-8 text; the engines pass text on as JSON and would replace it"
SIZE_OR_UNLIMITED = SIZE + ", or '-1' for unlimited"
CPUS = "a positive number of CPUs like '0.5' or '2'"
SHARES = "an integer from 2 to 262144 (1024 is the default weight)"
NUMBER_DURATION = "a positive duration like '30s' or '1m30s' (at least 1ns)"
TEXT_DURATION = "a duration with a unit like '30s', '1m30s' or '500ms'"
USER = "'name', 'uid', 'name:group' or 'uid:gid'"
COPY = "'/local/path' or 'container:/path' (not starting with '-')"

REFUSALS = [
    ('check_volume', ('a:b:c:d',), {}, 'volume', VOLUME, None),
    ('check_volume', ('/src:dst',), {}, 'volume', VOLUME, 'the container path must be absolute'),
    ('check_volume', ('./src:/dst',), {}, 'volume', VOLUME, "a host path must be absolute (no './' or '~')"),
    ('check_volume', ('/src:/dst:exec',), {}, 'volume', VOLUME, 'options are among Z, cached, consistent, delegated, nocopy, private, ro, rprivate, rro, rshared, rslave, rw, shared, slave, z'),
    ('check_volume', (3,), {}, 'volume', "'/host/path:/container/path[:ro]' or 'volume-name:/container/path', got int", None),
    ('check_size', ('100',), {}, 'memory', "a size of at least 6m like '512m', '1g' or '512MiB' (units b, k, m, g, t, p, each a power of 1024, optionally followed by 'b' or 'ib': '512mb', '512 MB')", None),
    ('check_size', ('-2',), {'allow_unlimited': True}, 'memory', "a size of at least 6m like '512m', '1g' or '512MiB' (units b, k, m, g, t, p, each a power of 1024, optionally followed by 'b' or 'ib': '512mb', '512 MB'), or '-1' for unlimited", None),
    ('check_cpu_shares', ('1',), {}, 'cpu shares', 'an integer from 2 to 262144 (1024 is the default weight)', None),
    ('check_cpus', ('0',), {}, 'cpu limit', "a positive number of CPUs like '0.5' or '2'", None),
    ('check_restart_policy', ('sometimes',), {}, 'restart policy', "one of 'no', 'always', 'on-failure', 'on-failure:N', 'unless-stopped'", None),
    ('check_copy_location', ('-x', 'source'), {}, 'source', "'/local/path' or 'container:/path' (not starting with '-')", None),
    ('check_copy_location', ('web:etc', 'dest'), {}, 'dest', "'container:/absolute/path'", None),
    ('check_copy_location', ('we b:/x', 'dest'), {}, 'dest container', "letters, digits, '_', '.', '-', starting with a letter or digit (e.g. 'web-1')", None),
    ('check_port', ('80:99999',), {}, 'port', "'[ip:]host:container[/tcp|udp]' with ports 1-65535, e.g. '8080:80' or '127.0.0.1:53:53/udp'", None),
    ('check_port', ('1.2.3:80:80',), {}, 'port', "'[ip:]host:container[/tcp|udp]' with ports 1-65535, e.g. '8080:80' or '127.0.0.1:53:53/udp'", "'1.2.3' is not an IP address"),
    ('check_port', ('80/icmp',), {}, 'port', "'[ip:]host:container[/tcp|udp]' with ports 1-65535, e.g. '8080:80' or '127.0.0.1:53:53/udp'", None),
    ('check_name', ('-x',), {}, 'name', "letters, digits, '_', '.', '-', starting with a letter or digit (e.g. 'web-1')", None),
    ('check_image', ('UPPER',), {}, 'image', "an image reference like 'nginx:1.25', 'localhost:5000/team/app:v2' or 'app@sha256:<digest>' (lower-case repository)", None),
    ('check_duration', ('30',), {}, 'duration', "a duration with a unit like '30s', '1m30s' or '500ms'", "a bare number has no unit: write '30s'"),
    ('check_duration', (0,), {}, 'duration', "a positive duration like '30s' or '1m30s' (at least 1ns)", None),
    ('check_count', (-1,), {}, 'retries', 'a whole number >= 0', None),
    ('check_timeout', (0,), {}, 'timeout', 'a positive number of seconds up to 2000000, e.g. 30', None),
    ('check_user', ('a:b:c',), {}, 'user', "'name', 'uid', 'name:group' or 'uid:gid'", None),
    ('check_env_key', ('A B',), {}, 'env key', "a name without '=' or spaces, e.g. 'APP_MODE'", None),
    ('check_label_key', ('a=b',), {}, 'label key', "a key without '=' or whitespace, e.g. 'com.example.role'", None),
    ('check_path', ('rel',), {'absolute': True}, 'path', "an absolute path like '/app'", None),
    ('check_string_list', ('x', 'command'), {}, 'command', 'a list of strings', None),
    ('check_mapping', ([], 'envs'), {}, 'envs', 'a table of key = value pairs', None),
    ('check_text', (None, 'f'), {}, 'f', 'a string, got nil', None),
    ('check_text', ('', 'f'), {}, 'f', 'a non-empty string', None),
    ('check_text', ('a\x00', 'f'), {}, 'f', 'a string without NUL bytes', None),
    ('check_text', ('\udc80', 'f'), {}, 'f', 'a string in valid UTF-8', 'the byte 0x80 at position 1 is not UTF-8 text; the engines pass text on as JSON and would replace it'),
    ('check_text', ('\ud800', 'f'), {}, 'f', 'a string in valid UTF-8', 'the code point U+D800 at position 1 is not UTF-8 text; the engines pass text on as JSON and would replace it'),
    ('check_env_value', (float('nan'),), {}, 'env value', 'text or a finite number', None),
    # a value of the wrong type is named by its Lua type, never turned into text first
    ('check_port', (True,), {}, 'port', PORT + ', got boolean', None),
    ('check_port', (None,), {}, 'port', PORT + ', got nil', None),
    ('check_size', (None,), {}, 'memory', SIZE + ', got nil', None),
    ('check_cpu_shares', (None,), {}, 'cpu shares', SHARES + ', got nil', None),
    ('check_cpus', (None,), {}, 'cpu limit', CPUS + ', got nil', None),
    ('check_duration', (None,), {}, 'duration', TEXT_DURATION + ', got nil', None),
    ('check_path', (None,), {}, 'path', 'a path, got nil', None),
    ('check_path', (None,), {'absolute': True}, 'path', "an absolute path like '/app', got nil", None),
    ('check_user', (None,), {}, 'user', USER + ', got nil', None),
    ('check_env_key', (None,), {}, 'env key', "a name without '=' or spaces, e.g. 'APP_MODE', got nil", None),
    ('check_label_key', (None,), {}, 'label key', "a key without '=' or whitespace, e.g. 'com.example.role', got nil",
     None),
    ('check_name', (None,), {}, 'name', NAME + ', got nil', None),
    ('check_image', (None,), {}, 'image', "an image reference like 'nginx:1.25', 'localhost:5000/team/app:v2' or 'app@sha256:<digest>' (lower-case repository), got nil", None),
    ('check_env_value', (None,), {}, 'env value', 'a string, got nil', None),
    ('check_env_key', ('',), {}, 'env key', "a name without '=' or spaces, e.g. 'APP_MODE'", None),
    ('check_copy_location', (None, 'source'), {}, 'source', COPY + ', got nil', None),
    ('check_restart_policy', (None,), {}, 'restart policy',
     "one of 'no', 'always', 'on-failure', 'on-failure:N', 'unless-stopped', got nil", None),
    # numbers that are not finite, or round to no time at all
    ('check_cpus', (float('nan'),), {}, 'cpu limit', CPUS, None),
    ('check_duration', (float('nan'),), {}, 'duration', NUMBER_DURATION, None),
    ('check_duration', (1e-10,), {}, 'duration', NUMBER_DURATION, None),
    ('check_duration', (-1,), {}, 'duration', NUMBER_DURATION, None),
    ('check_duration', ('1d',), {}, 'duration', TEXT_DURATION, None),
    # every other refusal site
    ('check_port', ('[::1]80',), {}, 'port', PORT, None),
    ('check_port', ('[::1]:80]:80',), {}, 'port', PORT, None),
    ('check_port', ('[::1]:1]:80:80',), {}, 'port', PORT, None),  # the IP ends at the first ']:'
    ('check_port', (':80',), {}, 'port', PORT, None),
    ('check_port', ('6-5:80',), {}, 'port', PORT, None),
    ('check_size', ('-1',), {}, 'memory', SIZE, None),
    ('check_size', ('5m',), {'allow_unlimited': True}, 'memory', SIZE_OR_UNLIMITED, None),
    ('check_cpus', ('1025',), {}, 'cpu limit', CPUS, None),
    ('check_cpu_shares', (262145,), {}, 'cpu shares', SHARES, None),
    ('check_copy_location', ('web:a:/b', 'source'), {}, 'source', "'container:/absolute/path'", None),
    ('check_user', ('.x',), {}, 'user', USER, None),
    ('check_image', ('a' * 513,), {}, 'image', "an image reference like 'nginx:1.25', 'localhost:5000/team/app:v2' or 'app@sha256:<digest>' (lower-case repository)", None),
    ('check_name', ('a' * 254,), {}, 'name', NAME, None),
    ('check_count', (0,), {'minimum': 1}, 'retries', 'a whole number >= 1', None),
]


@pytest.mark.parametrize("check, args, kw, field, expected, hint", REFUSALS,
                         ids=[f"{n}-{r[0]}" for n, r in enumerate(REFUSALS)])
def test_refusal_names_field_expected_form_and_hint(check, args, kw, field, expected, hint):
    with pytest.raises(ConversionError) as info:
        getattr(v, check)(*args, **kw)
    err = info.value
    value = args[0].partition(":")[0] if field.endswith(" container") else args[0]  # the container part refused
    assert (err.field, err.expected, err.hint) == (field, expected, hint)
    assert err.value is value or err.value == value  # the value as the script gave it (NaN is itself only)
    assert err.message == f"invalid {field}: {shown_value(value)} (expected {expected})"


def test_whole_floats_are_written_as_integers():
    """Lua 5.4 hands 3.0 for a script's 3.0: the engines get '3', as for the integer."""
    assert v.check_env_value(3.0) == "3" and v.check_cpus(2.0) == "2" and v.check_duration(3.0) == "3s"
    assert v.check_env_value(0.5) == "0.5" and v.check_cpus(0.25) == "0.25"


def test_largest_memory_size_is_the_engines_int64():
    # sizes are read as floats (as go-units does): the largest below 2**63 is 2**63 - 1024
    assert v.check_size(str(2**63 - 1024)) == str(2**63 - 1024)
    for too_big in (str(2**63 - 1), str(2**63), "8192p"):
        with pytest.raises(ConversionError):
            v.check_size(too_big)
