"""Ctrl-C arriving while a binding imports a module (herodo's lazy imports happen inside binding calls)
must neither be lost nor break Python's import machinery: raised inside an import, an exception leaks
the import lock (another thread's import then waits forever) or is swallowed by importlib's callbacks.
The handler holds the stop back until the import is over, then the alarm raises it into the binding."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from herodo_py.host import waits
from herodo_py.lua.runtime import Runtime
from herodo_py.lua.runtime.stop import _importing

SLOW_MODULE = """
import os, signal, time
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C reaches herodo in the middle of this import
time.sleep(0.05)  # (the handler runs here, inside importlib's frames)
COMPLETE = True
"""


def _fresh_module(tmp_path, monkeypatch, name: str, body: str) -> None:
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_importing_is_seen_from_a_module_body(tmp_path, monkeypatch):
    _fresh_module(tmp_path, monkeypatch, "hb_probe_importing",
                  "import sys\nfrom herodo_py.lua.runtime.stop import _importing\nSEEN = _importing(sys._getframe())\n")
    import hb_probe_importing

    assert hb_probe_importing.SEEN is True
    assert _importing(sys._getframe()) is False


def test_ctrl_c_inside_an_import_stops_the_binding_after_it(tmp_path, monkeypatch):
    _fresh_module(tmp_path, monkeypatch, "hb_slow_import", SLOW_MODULE)
    _fresh_module(tmp_path, monkeypatch, "hb_after_import", "VALUE = 1\n")
    waited: list[float] = []

    def sleep_after_importing(seconds: float) -> None:
        import hb_slow_import  # noqa: F401 (its body sends the SIGINT)

        started = time.monotonic()
        try:
            time.sleep(seconds)
        finally:
            waited.append(time.monotonic() - started)

    monkeypatch.setattr(waits, "sleep", sleep_after_importing)  # what the sleep() binding calls
    script = tmp_path / "stopped.lua"
    script.write_text("local guard <close> = setmetatable({}, {__close = function(_, e) print('cleanup: ' .. tostring(e)) end})\n"
                      "sleep(60)\nprint('not interrupted')\n")
    outcome = Runtime().run_file(str(script))
    assert (outcome.status, outcome.exit_code) == ("interrupted", 130), outcome
    assert sys.modules["hb_slow_import"].COMPLETE  # the import itself was not broken off
    # the held-back stop came once the import was over: before the 60 s wait began or inside it
    assert all(seconds < 30 for seconds in waited), waited
    # no import lock was left behind: another thread can still import
    done = threading.Event()
    worker = threading.Thread(target=lambda: (__import__("hb_after_import"), done.set()), daemon=True)
    worker.start()
    assert done.wait(30), "an import in another thread hangs: the import lock was leaked"
    assert os.getpid()  # (the process is still ours: no SIGINT escaped the runtime)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler



def test_ctrl_c_just_before_a_binding_counts_stops_it_before_it_waits(tmp_path, monkeypatch):
    """Ctrl-C landing after the count hook's last poll and before a binding call counts as one: the
    handler can only ask for the stop; the binding raises it on entry instead of waiting (here 20 s)."""
    runtime = Runtime()
    waited: list[float] = []
    enter = runtime._binding_call

    def ctrl_c_first(binding, step, *step_args):  # the SIGINT handler outside a binding asks, and cannot raise
        if binding.name == "sleep":
            runtime.request_stop("interrupt")
        return enter(binding, step, *step_args)

    def timed_sleep(seconds: float) -> None:
        started = time.monotonic()
        try:
            time.sleep(seconds)
        finally:
            waited.append(time.monotonic() - started)

    monkeypatch.setattr(runtime, "_binding_call", ctrl_c_first)
    monkeypatch.setattr(waits, "sleep", timed_sleep)
    script = tmp_path / "between.lua"
    script.write_text("sleep(20)\nprint('not interrupted')\n")
    outcome = runtime.run_file(str(script))
    assert (outcome.status, outcome.exit_code) == ("interrupted", 130), outcome
    assert waited == [], waited  # the wait never began
