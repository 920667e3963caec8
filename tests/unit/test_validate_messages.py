"""Every validator's refusal, whole: the field, the expected form and the hint a user reads (the message is a
product feature; a changed word is a changed product)."""

from __future__ import annotations

import pytest

from herodo_py.nerdctl import validate as v
from herodo_py.nerdctl.errors import ConversionError

VOLUME = "'/host/path:/container/path[:ro]' or 'volume-name:/container/path'"
SIZE = ("a size of at least 6m like '512m', '1g' or '512MiB' (units b, k, m, g, t, p, each a power of 1024, "
        "optionally followed by 'b' or 'ib': '512mb', '512 MB')")
PORT = "'[ip:]host:container[/tcp|udp]' with ports 1-65535, e.g. '8080:80' or '127.0.0.1:53:53/udp'"
NAME = "letters, digits, '_', '.', '-', starting with a letter or digit (e.g. 'web-1')"
NOT_UTF8 = "is not UTF-8 text; the engines pass text on as JSON and would replace it"

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
]


@pytest.mark.parametrize("check, args, kw, field, expected, hint", REFUSALS,
                         ids=[f"{n}-{r[0]}" for n, r in enumerate(REFUSALS)])
def test_refusal_names_field_expected_form_and_hint(check, args, kw, field, expected, hint):
    with pytest.raises(ConversionError) as info:
        getattr(v, check)(*args, **kw)
    err = info.value
    assert (err.field, err.expected, err.hint) == (field, expected, hint)
    assert err.message.startswith(f"invalid {field}: ") and err.message.endswith(f" (expected {expected})")


def test_largest_memory_size_is_the_engines_int64():
    # sizes are read as floats (as go-units does): the largest below 2**63 is 2**63 - 1024
    assert v.check_size(str(2**63 - 1024)) == str(2**63 - 1024)
    for too_big in (str(2**63 - 1), str(2**63), "8192p"):
        with pytest.raises(ConversionError):
            v.check_size(too_big)
