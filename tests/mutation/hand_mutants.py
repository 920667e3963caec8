"""Hand-made mutants of the module-level tables and constants that mutmut leaves alone.

Each mutant is one textual change to one source file; it must make at least one fast test fail. Run from the
repository root: ``python tests/mutation/hand_mutants.py [--list] [N ...]`` (N: only the mutants of these numbers; a copy of the checkout under a temporary
folder is changed, never the checkout). Prints one line per mutant: KILLED (by the first failing test) or SURVIVED.
Not collected by pytest (no test_ prefix)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ERRORS = "herodo_py/nerdctl/errors.py"
VALIDATE = "herodo_py/nerdctl/validate.py"
PARSE = "herodo_py/nerdctl/parse.py"
UNITS = "herodo_py/nerdctl/units.py"
CONVERT = "herodo_py/lua/convert.py"
_PRIMITIVES = '"string", "number", "integer", "boolean", "table", "any", "nil", "function"'  # convert.PRIMITIVES
# The fast tests that read each module (a survivor is then checked against all fast tests by hand).
TESTS = {
    ERRORS: ["tests/unit/test_errors_rules.py", "tests/unit/test_errors_classify.py",
             "tests/unit/test_missing_image_classify.py", "tests/property/test_parsers_props.py"],
    VALIDATE: ["tests/unit/test_validate_boundaries.py", "tests/unit/test_validate.py", "tests/unit/test_validate_messages.py",
               "tests/unit/test_container_builder.py", "tests/property/test_validators_props.py"],
    UNITS: ["tests/unit/test_units.py", "tests/unit/test_validate_boundaries.py", "tests/unit/test_validate.py",
            "tests/unit/test_parse_cases.py", "tests/unit/test_images_parse.py"],
    PARSE: ["tests/unit/test_parse_cases.py", "tests/unit/test_parse_status_stats.py",
            "tests/unit/test_images_parse.py", "tests/unit/test_list_parse.py"],
    CONVERT: ["tests/unit/test_convert_types.py", "tests/unit/test_convert_values.py", "tests/unit/test_convert_to_lua.py",
              "tests/unit/test_lua_registry.py", "tests/unit/test_lua_runtime.py", "tests/unit/test_typegen.py",
              "tests/unit/test_startup_imports.py"],
}


def rule_alternatives() -> list[tuple[str, str, str]]:
    """Drop each alternative of each classification rule, in turn."""
    text = (ROOT / ERRORS).read_text()
    rules = text[text.index("_RULES:"):text.index("\ndef _signal_name")]
    mutants = []
    for literal in re.findall(r'r"((?:[^"\\]|\\.)*)"', rules):
        for alt in literal.split("|"):
            if alt:
                new = "|".join(a for a in literal.split("|") if a != alt) or "(?!)"
                mutants.append((ERRORS, f'r"{literal}"', f'r"{new}"'))
    return mutants


def rule_flags_and_order() -> list[tuple[str, str, str]]:
    text = (ROOT / ERRORS).read_text()
    rules = text[text.index("_RULES:"):text.index("\ndef _signal_name")]
    mutants = []
    for cls in re.findall(r"IGNORECASE\), (\w+)\)", rules):
        mutants.append((ERRORS, f"IGNORECASE), {cls})", f"0), {cls})"))
    entries = re.findall(r"    \(LazyPattern\(.*?\), \w+\),\n", rules, re.S)
    for first, second in zip(entries, entries[1:], strict=False):
        mutants.append((ERRORS, first + second, second + first))
    return mutants


CONSTANTS: list[tuple[str, str, str]] = [
    # errors: the engine-message readers and the shown length
    (ERRORS, 'if level in ("fatal", "panic")', 'if level in ("fatal",)'),
    (ERRORS, '(?P<level>FATA|ERRO|WARN|INFO|DEBU)', '(?P<level>FATA|WARN|INFO|DEBU)'),
    (ERRORS, r'"^(?:\w+: )?Error(?: response from daemon)?:', r'"^Error(?: response from daemon)?:'),
    (ERRORS, r'_N_ERRORS = LazyPattern(r"^\d+ errors?:\s*")', r'_N_ERRORS = LazyPattern(r"^\d+ errors:\s*")'),
    (ERRORS, "MAX_SHOWN = 200", "MAX_SHOWN = 201"),
    (ERRORS, 'elif level == "error" and "systemd" not in msg', 'elif level == "error"'),
    # validate
    (VALIDATE, 'value[0] in _ALNUM and', 'value[0] in _NAME_CHARS and'),
    (VALIDATE, '_NAME_CHARS = _ALNUM + "_.-"', '_NAME_CHARS = _ALNUM + "_."'),
    (VALIDATE, 'return value != "" and value[0] in _ALNUM', 'return value[:1] in _ALNUM'),
    (VALIDATE, "    ASCII,  # \\w and \\d", "    0,  # \\w and \\d"),
    (VALIDATE, r'r"(?::[\w][\w.-]{0,127})?', r'r"(?::[\w][\w.-]{0,128})?'),
    (VALIDATE, '_IMAGE_ID = LazyPattern(r"(?:sha256:)?[0-9a-f]{12,64}")', '_IMAGE_ID = LazyPattern(r"(?:sha256:)?[0-9a-f]{11,64}")'),
    (VALIDATE, r'_PORT_RANGE = LazyPattern(r"\d{1,5}(?:-\d{1,5})?", ASCII)', r'_PORT_RANGE = LazyPattern(r"\d{1,6}(?:-\d{1,5})?", ASCII)'),
    (VALIDATE, r'_RESTART = LazyPattern(r"no|always|unless-stopped|on-failure(?::(?P<n>\d+))?", ASCII)',
     r'_RESTART = LazyPattern(r"no|always|unless-stopped|on-failure(?::(?P<n>\d+))?")'),
    (VALIDATE, r'_RESTART = LazyPattern(r"no|always|unless-stopped|', r'_RESTART = LazyPattern(r"no|always|'),
    (VALIDATE, '_ENV_KEY = LazyPattern(r"[^=\\x00\\s]+")', '_ENV_KEY = LazyPattern(r"[^=\\x00]+")'),
    (VALIDATE, '_LABEL_KEY = LazyPattern(r"[^=\\x00\\s]+")', '_LABEL_KEY = LazyPattern(r"[^\\x00\\s]+")'),
    (VALIDATE, '_VOLUME_NAME = LazyPattern(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")', '_VOLUME_NAME = LazyPattern(r"[a-zA-Z0-9_.-]+")'),
    (VALIDATE, '"ro", "rw", "z", "Z",', '"ro", "rw", "z",'),
    (VALIDATE, '"rprivate", "nocopy",', '"rprivate",'),
    (VALIDATE, '_USER = LazyPattern(r"[a-zA-Z0-9_][a-zA-Z0-9_.-]*(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]*)?")',
     '_USER = LazyPattern(r"[a-zA-Z0-9_][a-zA-Z0-9_.-]*(?::[a-zA-Z0-9_.-]*)?")'),
    (VALIDATE, "MAX_ARGUMENT_BYTES = 32 * 4096 - 1", "MAX_ARGUMENT_BYTES = 32 * 4096"),
    (VALIDATE, "MAX_ARGUMENT_BYTES = 32 * 4096 - 1", "MAX_ARGUMENT_BYTES = 32 * 4096 - 2"),
    (VALIDATE, "MAX_MEMORY = 2**63 - 1", "MAX_MEMORY = 2**64"),
    (VALIDATE, "len(value) > 253", "len(value) > 254"),
    (VALIDATE, "len(value) > 512", "len(value) > 513"),
    (VALIDATE, "2 <= int(text) <= 262144", "1 <= int(text) <= 262144"),
    (VALIDATE, "2 <= int(text) <= 262144", "2 <= int(text) <= 262145"),
    (VALIDATE, "0 < float(text) <= 1024", "0 < float(text) <= 1025"),
    (VALIDATE, "not 1 <= p <= 65535", "not 1 <= p <= 65536"),
    (VALIDATE, "not 1 <= p <= 65535", "not 0 <= p <= 65535"),
    (VALIDATE, '_UP_TO_18_DIGITS = LazyPattern(r"[0-9]{1,18}")', '_UP_TO_18_DIGITS = LazyPattern(r"\\d{1,18}")'),
    (VALIDATE, '_UP_TO_9_DIGITS = LazyPattern(r"[0-9]{1,9}")', '_UP_TO_9_DIGITS = LazyPattern(r"\\d{1,9}")'),
    (VALIDATE, '_DECIMAL = LazyPattern(r"\\d+(?:\\.\\d+)?", ASCII)', '_DECIMAL = LazyPattern(r"\\d+(?:\\.\\d+)?")'),
    (VALIDATE, '_PORT_RANGE = LazyPattern(r"\\d{1,5}(?:-\\d{1,5})?", ASCII)', '_PORT_RANGE = LazyPattern(r"\\d{1,5}(?:-\\d{1,5})?")'),
    (VALIDATE, 'if proto and proto not in ("tcp", "udp", "sctp")', 'if proto and proto not in ("tcp", "udp")'),
    # units
    (UNITS, "MIN_MEMORY = 6 * MIB", "MIN_MEMORY = 6 * MIB + 1"),
    (UNITS, "MIN_MEMORY = 6 * MIB", "MIN_MEMORY = 6 * MIB - 1"),
    (UNITS, "MAX_SECONDS = 2_000_000.0", "MAX_SECONDS = 2_000_001.0"),
    (UNITS, "KIB = 1024", "KIB = 1000"),
    (UNITS, '?(?P<unit>[kmgtp]?)(?:i?b)?", IGNORECASE | ASCII)', '?(?P<unit>[kmgt]?)(?:i?b)?", IGNORECASE | ASCII)'),
    (UNITS, '?(?P<unit>[kmgtp]?)(?:i?b)?", IGNORECASE | ASCII)', '?(?P<unit>[kmgtp]?)(?:i?b?)?", IGNORECASE | ASCII)'),
    (UNITS, '?(?P<unit>[kmgtp]?)(?:i?b)?", IGNORECASE | ASCII)', '?(?P<unit>[kmgtp]?)(?:i?b)?", ASCII)'),
    (UNITS, '_MEMORY = LazyPattern(r"(?P<num>[0-9]+(?:\\.[0-9]+)?) ?', '_MEMORY = LazyPattern(r"(?P<num>\\d+(?:\\.\\d+)?) ?'),
    (UNITS, '_MEMORY = LazyPattern(r"(?P<num>[0-9]+(?:\\.[0-9]+)?) ?', '_MEMORY = LazyPattern(r"(?P<num>[0-9]+(?:\\.[0-9]+)?) *'),
    (UNITS, '"t": 4, "p": 5}', '"t": 4, "p": 4}'),
    (UNITS, '"k": 1, "m": 2', '"k": 1, "m": 3'),
    (UNITS, '"k": 1000, "kb": 1000', '"k": 1024, "kb": 1000'),
    (UNITS, '"k": 1000, "kb": 1000', '"k": 1000, "kb": 1024'),
    (UNITS, '"g": 1000**3, "gb": 1000**3', '"g": 1024**3, "gb": 1000**3'),
    (UNITS, '"t": 1000**4, "tb": 1000**4', '"t": 1000**4, "tb": 1024**4'),
    (UNITS, '"t": 1000**4, "tb": 1000**4', '"t": 1024**4, "tb": 1000**4'),
    (UNITS, '"p": 1000**5, "pb"', '"p": 1024**5, "pb"'),
    (UNITS, '"e": 1000**6', '"e": 1024**6'),
    (UNITS, '"gib": 1024**3', '"gib": 1000**3'),
    (UNITS, '"kib": 1024, ', ''),
    (UNITS, '"": 1, "b": 1,\n    "k"', '"b": 1,\n    "k"'),
    (UNITS, '_PRINTED = LazyPattern(r"\\s*(?P<num>[0-9]+', '_PRINTED = LazyPattern(r"(?P<num>[0-9]+'),
    (UNITS, '(?:ns|us|µs|ms|s|m|h))+", ASCII)', '(?:ns|us|ms|s|m|h))+", ASCII)'),
    (UNITS, '(?:ns|us|µs|ms|s|m|h))+", ASCII)', '(?:ns|us|µs|ms|s|m|h|d))+", ASCII)'),
    (UNITS, 'GO_DURATION = LazyPattern(r"(?:[0-9]+', 'GO_DURATION = LazyPattern(r"(?:\\d+'),
    (UNITS, '_SECONDS_PER = {"": 1, "s": 1, "m": 60, "h": 3600}', '_SECONDS_PER = {"": 1, "s": 1, "m": 61, "h": 3600}'),
    (UNITS, '_SECONDS_PER = {"": 1, "s": 1, "m": 60, "h": 3600}', '_SECONDS_PER = {"": 1, "s": 1, "m": 60, "h": 3601}'),
    (UNITS, '(?P<unit>[smh]?)\\s*", IGNORECASE | ASCII)', '(?P<unit>[smh]?)\\s*", ASCII)'),
    # parse
    (PARSE, 'ZERO_TIMES = frozenset({"", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000000Z"})',
     'ZERO_TIMES = frozenset({"", "0001-01-01T00:00:00Z"})'),
    (PARSE, 'str.maketrans("", "", "_./-")', 'str.maketrans("", "", "_.-")'),
    (PARSE, 'return key != "" and (rest == "" or rest.isalnum())', 'return rest == "" or rest.isalnum()'),
    (PARSE, "datetime.UTC).strftime", "None).strftime"),
    (PARSE, 'line and line != "null"', "line"),
    # convert
    *[(CONVERT, _PRIMITIVES, _PRIMITIVES.replace(f'"{name}", ', "").replace(f', "{name}"', ""))
      for name in ("string", "number", "integer", "boolean", "table", "any", "nil", "function")],
    *[(CONVERT, f"{name} = {value}", f"{name} = {changed}")
      for name, value, changes in (("MAX_NAME", "200", ("199", "201")), ("MAX_ITEMS", "100_000", ("99_999", "100_001")),
                                   ("LUA_STRING", "40", ("39", "41")), ("LUA_TABLE", "64", ("63", "65")),
                                   ("LUA_ENTRY", "80", ("79", "81")))
      for changed in changes],
    (CONVERT, "MAX_DEPTH = 100\n", "MAX_DEPTH = 99\n"),
    (CONVERT, "MAX_DEPTH = 100\n", "MAX_DEPTH = 101\n"),
    (CONVERT, "TYPE_CHECKING = False  #", "TYPE_CHECKING = True  #"),
]


def all_mutants() -> list[tuple[str, str, str]]:
    return rule_alternatives() + rule_flags_and_order() + CONSTANTS


def main() -> int:
    mutants = all_mutants()
    if "--list" in sys.argv:
        for path, old, new in mutants:
            print(f"{path}: {old!r} -> {new!r}")
        return 0
    chosen = {int(arg) for arg in sys.argv[1:] if arg.isdigit()}
    survived = 0
    with tempfile.TemporaryDirectory(prefix="hand-mutants-") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "mutants", "__pycache__", ".hypothesis"))
        for n, (path, old, new) in enumerate(mutants, 1):
            if chosen and n not in chosen:
                continue
            source = (copy / path).read_text()
            if source.count(old) != 1:
                print(f"{n:3} STALE    {path}: {old[:70]!r} (not found once: update this list)")
                survived += 1
                continue
            (copy / path).write_text(source.replace(old, new))
            try:
                run = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                      "-p", "no:randomly", *TESTS[path]], cwd=copy, capture_output=True, text=True)
            finally:
                (copy / path).write_text(source)
            failed = re.search(r"^FAILED (\S+)", run.stdout, re.M) or re.search(r"^ERROR (\S+)", run.stdout, re.M)
            if run.returncode == 0:
                survived += 1
                print(f"{n:3} SURVIVED {path}: {old[:60]!r} -> {new[:60]!r}", flush=True)
            else:
                print(f"{n:3} KILLED   {path}: {old[:60]!r} -> {new[:60]!r} by {failed[1] if failed else run.returncode}",
                      flush=True)
    tried = len(chosen & set(range(1, len(mutants) + 1))) if chosen else len(mutants)
    print(f"{tried - survived} of {tried} killed")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
