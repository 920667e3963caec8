"""Input checks, run before any command. Each failure is a ``ConversionError`` naming the field,
the value and the expected form. Each check returns the value in the form the engine takes."""

from __future__ import annotations

from collections.abc import Mapping

from ..processes import BIG_DATA_HINT, MAX_ARGUMENT_BYTES
from .errors import ConversionError
from .lazy_pattern import ASCII, LazyPattern
from .units import GO_DURATION, MAX_SECONDS, MIN_MEMORY, is_finite, parse_memory

TYPE_CHECKING = False  # typing stays off herodo's start-up path (tests/unit/test_startup_imports.py)
if TYPE_CHECKING:
    from typing import Any

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_NAME_CHARS = _ALNUM + "_.-"


def is_name(value: str) -> bool:
    """``[a-zA-Z0-9][a-zA-Z0-9_.-]*`` in full, read without a pattern (a first call on a container by
    name loads no ``re``)."""
    return value != "" and value[0] in _ALNUM and not value.strip(_NAME_CHARS)


# Docker's reference grammar (distribution/reference), simplified but strict enough to refuse flags,
# spaces, upper case in the path and empty parts.
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_IMAGE = LazyPattern(
    rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?",
    ASCII,  # \w and \d as Go's regexps read them: '٣' or 'é' are no digits or tag letters
)
_IMAGE_ID = LazyPattern(r"(?:sha256:)?[0-9a-f]{12,64}")
_PORT_RANGE = LazyPattern(r"\d{1,5}(?:-\d{1,5})?", ASCII)
_RESTART = LazyPattern(r"no|always|unless-stopped|on-failure(?::(?P<n>\d+))?", ASCII)
_DECIMAL = LazyPattern(r"\d+(?:\.\d+)?", ASCII)
_BARE_NUMBER = LazyPattern(r"\d+(\.\d+)?")  # (as a hint: any digits)
_UP_TO_9_DIGITS = LazyPattern(r"[0-9]{1,9}")
_UP_TO_18_DIGITS = LazyPattern(r"[0-9]{1,18}")
_ENV_KEY = LazyPattern(r"[^=\x00\s]+")
_LABEL_KEY = LazyPattern(r"[^=\x00\s]+")  # docker refuses spaces and tabs in label keys
_VOLUME_NAME = LazyPattern(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_VOLUME_OPTIONS = frozenset({"ro", "rw", "z", "Z", "shared", "slave", "private", "rshared", "rslave",
                             "rprivate", "nocopy", "delegated", "cached", "consistent", "rro"})
_USER = LazyPattern(r"[a-zA-Z0-9_][a-zA-Z0-9_.-]*(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]*)?")
MAX_MEMORY = 2**63 - 1  # the engines hold a size in a signed 64-bit integer


def fail(field: str, value: Any, expected: str, hint: str | None = None) -> ConversionError:
    return ConversionError(field=field, value=value, expected=expected, hint=hint)


def check_text(value: Any, field: str, expected: str | None = None, *, allow_empty: bool = False) -> str:
    """A string without NUL bytes (they cannot cross into an argv) and in valid UTF-8 (the engines
    would replace other bytes); ``expected`` words the failures."""
    if not isinstance(value, str):
        raise fail(field, value, f"{expected or 'a string'}, got {_type_name(value)}")
    if not allow_empty and not value:
        raise fail(field, value, expected or "a non-empty string")
    if "\x00" in value:
        raise fail(field, value, f"{expected or 'a string'} without NUL bytes")
    if len(value) > MAX_ARGUMENT_BYTES or (  # (a character is 1 to 4 bytes)
            len(value) > MAX_ARGUMENT_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > MAX_ARGUMENT_BYTES):
        raise fail(field, value, f"{expected or 'a string'} of at most 128 KiB", hint=BIG_DATA_HINT)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a byte that is not UTF-8 (from Lua) or a lone surrogate
        code = ord(value[exc.start])
        what = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"code point U+{code:04X}"
        raise fail(field, value, f"{expected or 'a string'} in valid UTF-8",
                   hint=f"the {what} at position {exc.start + 1} is not UTF-8 text; the engines pass "
                        "text on as JSON and would replace it") from None
    return value


def _type_name(value: Any) -> str:
    return {type(None): "nil", bool: "boolean", dict: "table", list: "table"}.get(type(value), type(value).__name__)


def check_name(value: Any, field: str = "name") -> str:
    """Container (or network) name: ``[a-zA-Z0-9][a-zA-Z0-9_.-]*``."""
    expected = "letters, digits, '_', '.', '-', starting with a letter or digit (e.g. 'web-1')"
    check_text(value, field, expected)
    if not is_name(value) or len(value) > 253:
        raise fail(field, value, expected)
    return value


def check_container_ref(value: Any, field: str = "container") -> str:
    """A container name or id."""
    return check_name(value, field)


def check_image(value: Any, field: str = "image") -> str:
    """Image reference ``[registry[:port]/]path[:tag][@digest]`` or an image id."""
    expected = ("an image reference like 'nginx:1.25', 'localhost:5000/team/app:v2' "
                "or 'app@sha256:<digest>' (lower-case repository)")
    if type(value) is str and value in _GOOD_IMAGES:
        return value
    check_text(value, field, expected)
    if not (_IMAGE.fullmatch(value) or _IMAGE_ID.fullmatch(value)) or len(value) > 512:
        raise fail(field, value, expected)
    if len(_GOOD_IMAGES) >= 256:
        _GOOD_IMAGES.clear()
    _GOOD_IMAGES[value] = None
    return value


_GOOD_IMAGES: dict[str, None] = {}
"""References :func:`check_image` accepted lately: a script runs one image many times, and the reference
grammar's pattern is the widest code a ``run`` touches (each piece touched costs a call after an engine's
wait, issue 17)."""


def check_port(value: Any, field: str = "port") -> str:
    """Port mapping ``[ip:][host:]container[/tcp|udp|sctp]`` with ports 1-65535."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    expected = "'[ip:]host:container[/tcp|udp]' with ports 1-65535, e.g. '8080:80' or '127.0.0.1:53:53/udp'"
    check_text(value, field, expected)
    spec, _, proto = value.partition("/")
    if proto and proto not in ("tcp", "udp", "sctp"):
        raise fail(field, value, expected)
    ip = None
    if spec.startswith("["):  # [ipv6]:host:container
        ip, sep, spec = spec[1:].partition("]:")
        if not sep:
            raise fail(field, value, expected)
    parts = spec.split(":")
    if ip is None and len(parts) == 3:
        ip = parts.pop(0)
    if len(parts) > 2 or (ip is not None and len(parts) != 2):
        raise fail(field, value, expected)
    if ip is not None:
        import ipaddress  # here: only a port with an IP address needs it

        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise fail(field, value, expected, hint=f"{ip!r} is not an IP address") from None
    host, ctr = (parts if len(parts) == 2 else [None, parts[0]])
    if host == "" and ip is None:
        raise fail(field, value, expected)
    for part in (host, ctr):
        if part in (None, "") and part is not ctr:
            continue
        if not _PORT_RANGE.fullmatch(part or ""):
            raise fail(field, value, expected)
        bounds = [int(p) for p in part.split("-")]
        if any(not 1 <= p <= 65535 for p in bounds) or (len(bounds) == 2 and bounds[0] > bounds[1]):
            raise fail(field, value, expected)
    return value


def check_volume(value: Any, field: str = "volume") -> str:
    """Volume ``source:/container/path[:options]`` (source: absolute host path or volume name)."""
    expected = "'/host/path:/container/path[:ro]' or 'volume-name:/container/path'"
    check_text(value, field, expected)
    parts = value.split(":")
    if len(parts) == 1:
        target, source, options = parts[0], None, None
    elif len(parts) in (2, 3):
        source, target = parts[0], parts[1]
        options = parts[2] if len(parts) == 3 else None
    else:
        raise fail(field, value, expected)
    if not target.startswith("/"):
        raise fail(field, value, expected, hint="the container path must be absolute")
    if source is not None and not (source.startswith("/") or _VOLUME_NAME.fullmatch(source)):
        raise fail(field, value, expected, hint="a host path must be absolute (no './' or '~')")
    if options is not None and not all(o in _VOLUME_OPTIONS for o in options.split(",")):
        raise fail(field, value, expected, hint=f"options are among {', '.join(sorted(_VOLUME_OPTIONS))}")
    return value


def check_env_key(value: Any, field: str = "env key") -> str:
    expected = "a name without '=' or spaces, e.g. 'APP_MODE'"
    check_text(value, field, expected)
    if not _ENV_KEY.fullmatch(value):
        raise fail(field, value, expected)
    return value


def check_env_value(value: Any, field: str = "env value") -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = _number_text(value, field, "text or a finite number")
    return check_text(value, field, allow_empty=True)


def check_label_key(value: Any, field: str = "label key") -> str:
    expected = "a key without '=' or whitespace, e.g. 'com.example.role'"
    check_text(value, field, expected)
    if not _LABEL_KEY.fullmatch(value):
        raise fail(field, value, expected)
    return value


def check_size(value: Any, field: str = "memory", *, allow_unlimited: bool = False) -> str:
    """Memory size as docker reads it (``512m``, ``1g``, ``512MiB``; powers of 1024), at least 6 MiB;
    ``-1`` where unlimited is allowed."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    expected = ("a size of at least 6m like '512m', '1g' or '512MiB' (units b, k, m, g, t, p, each a power of "
                "1024, optionally followed by 'b' or 'ib': '512mb', '512 MB')")
    if allow_unlimited:
        expected += ", or '-1' for unlimited"
    check_text(value, field, expected)
    if allow_unlimited and value == "-1":
        return value
    size = parse_memory(value.strip())
    if size is None or not MIN_MEMORY <= size <= MAX_MEMORY:
        raise fail(field, value, expected)
    return value.strip()


def check_cpus(value: Any, field: str = "cpu limit") -> str:
    """CPU count as a positive decimal, e.g. '0.5' or '2'."""
    expected = "a positive number of CPUs like '0.5' or '2'"
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    text = _number_text(value, field, expected) if number else value
    check_text(text, field, expected)
    if not _DECIMAL.fullmatch(text) or not 0 < float(text) <= 1024:
        raise fail(field, value, expected)
    return text


def check_cpu_shares(value: Any, field: str = "cpu shares") -> str:
    """Relative CPU weight, an integer 2-262144 (1024 is the default weight)."""
    expected = "an integer from 2 to 262144 (1024 is the default weight)"
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    check_text(text, field, expected)
    if not _UP_TO_9_DIGITS.fullmatch(text) or not 2 <= int(text) <= 262144:
        raise fail(field, value, expected)
    return str(int(text))  # no leading zero: Go would read '0100' as octal


def check_restart_policy(value: Any, field: str = "restart policy") -> str:
    expected = "one of 'no', 'always', 'on-failure', 'on-failure:N', 'unless-stopped'"
    check_text(value, field, expected)
    if not _RESTART.fullmatch(value):
        raise fail(field, value, expected)
    return value


def check_duration(value: Any, field: str = "duration") -> str:
    """Go duration like '30s', '1m30s', '500ms'. A number (not a string) is taken as seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        expected = "a positive duration like '30s' or '1m30s' (at least 1ns)"
        if value <= 0:
            raise fail(field, value, expected)
        text = _number_text(value, field, expected)
        if "e" in text:  # repr's exponent form (1e-05): Go durations have none
            text = f"{value:.9f}".rstrip("0").rstrip(".")
            if text == "0":
                raise fail(field, value, expected)
        return text + "s"
    expected = "a duration with a unit like '30s', '1m30s' or '500ms'"
    check_text(value, field, expected)
    if not GO_DURATION.fullmatch(value):
        raise fail(field, value, expected,
                   hint="a bare number has no unit: write '30s'" if _BARE_NUMBER.fullmatch(value) else None)
    return value


def check_count(value: Any, field: str = "retries", *, minimum: int = 0) -> int:
    """A whole number >= minimum (Lua numbers like 3.0 are accepted)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _UP_TO_18_DIGITS.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise fail(field, value, f"a whole number >= {minimum}")
    return value


MAX_TIMEOUT = MAX_SECONDS


def check_timeout(value: Any, field: str = "timeout") -> float:
    """A positive number of seconds, at most ``MAX_TIMEOUT``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
        raise fail(field, value, f"a positive number of seconds up to {MAX_TIMEOUT:.0f}, e.g. 30")
    return float(value)


def check_path(value: Any, field: str = "path", *, absolute: bool = False) -> str:
    expected = "an absolute path like '/app'" if absolute else "a path"
    check_text(value, field, expected)
    if absolute and not value.startswith("/"):
        raise fail(field, value, expected)
    return value


def check_user(value: Any, field: str = "user") -> str:
    """``user``, ``uid``, ``user:group`` or ``uid:gid``."""
    expected = "'name', 'uid', 'name:group' or 'uid:gid'"
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    check_text(text, field, expected)
    if not _USER.fullmatch(text):
        raise fail(field, value, expected)
    return text


def check_copy_location(value: Any, field: str) -> str:
    """``/local/path`` or ``container:/path`` (a container side needs an absolute path)."""
    expected = "'/local/path' or 'container:/path' (not starting with '-')"
    check_text(value, field, expected)
    if value.startswith("-"):
        raise fail(field, value, expected)
    head, sep, tail = value.partition(":")
    if sep and "/" not in head and head:
        check_name(head, field + " container")
        if not tail.startswith("/"):
            raise fail(field, value, "'container:/absolute/path'")
    return value


def check_string_list(value: Any, field: str) -> list[str]:
    """A list of strings (a Lua table arrives as a list)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise fail(field, value, "a list of strings")
    for i, v in enumerate(value):
        check_text(v, f"{field}[{i + 1}]", allow_empty=True)
    return list(value)


def check_mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise fail(field, value, "a table of key = value pairs")
    return value


def _number_text(value: float | int, field: str, expected: str) -> str:
    """A finite number as text: 3 and 3.0 -> '3', 0.5 -> '0.5'; NaN and infinities are refused."""
    if isinstance(value, int):
        return str(value)
    if not is_finite(value):
        raise fail(field, value, expected)
    return str(int(value)) if value.is_integer() else repr(value)


def label_flags(labels: Mapping[str, object]) -> list[str]:
    """``--label key=value`` for each label, checked (a bad key or value is refused by its field)."""
    return [a for k, v in labels.items()
            for a in ("--label", f"{check_label_key(k)}={check_text(v, 'label value', allow_empty=True)}")]
