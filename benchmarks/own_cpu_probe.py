"""Runs a Python script (herodo's entry point) as ``__main__`` and writes, when it exits, the CPU time of its
whole process: every thread, no child process (``RUSAGE_SELF``), in seconds, to the file named by
``HERODO_BENCH_CPU_FILE``. ``perf stat --no-inherit`` sees the first thread only, and a helper thread's
work (herodo's watchdog) is the process's cost too. usage: python own_cpu_probe.py SCRIPT ARGS..."""

from __future__ import annotations

import atexit
import os
import resource
import runpy
import sys

_OUT = os.environ.pop("HERODO_BENCH_CPU_FILE")


def _write() -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(_OUT, "w") as out:
        out.write(f"{usage.ru_utime + usage.ru_stime}\n")


atexit.register(_write)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
