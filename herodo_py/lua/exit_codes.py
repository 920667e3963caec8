"""herodo's exit codes: the one table (``herodo --help`` prints it; README's table says the same).

The numbers follow conventions a shell user knows: 69 and 70 are sysexits' EX_UNAVAILABLE and
EX_SOFTWARE, 124 is ``timeout(1)``'s, 128 + N a death by signal N (130 Ctrl-C, 141 a closed pipe).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69
EXIT_INTERNAL = 70
EXIT_TIMEOUT = 124
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the output was closed by its reader

EXIT_CODES: tuple[tuple[str, str], ...] = (
    (str(EXIT_OK), "every script succeeded"),
    (str(EXIT_FAILED), "a script failed (an error, a failed engine command, bad input, `return false`)"),
    (str(EXIT_USAGE), "usage error, or a script that cannot be read"),
    (str(EXIT_UNAVAILABLE), "engine not found, could not start, or unreachable"),
    (str(EXIT_INTERNAL), "internal error (a herodo bug: run with --debug and report it)"),
    (str(EXIT_TIMEOUT), "a timeout: an engine command, a wait_*, or --script-timeout"),
    (str(EXIT_INTERRUPTED), "interrupted (Ctrl-C)"),
    (str(EXIT_BROKEN_PIPE), "the output was closed by its reader (herodo x.lua | head)"),
    ("n", "the script called os.exit(n)"),
)
"""(code, meaning) rows, in order."""


def exit_code_table() -> str:
    """The table as ``herodo --help`` shows it."""
    return "exit codes:\n" + "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES)


__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_UNAVAILABLE", "EXIT_INTERNAL", "EXIT_TIMEOUT",
           "EXIT_INTERRUPTED", "EXIT_BROKEN_PIPE", "EXIT_CODES", "exit_code_table"]
