"""One Lua 5.4 runtime per script (:class:`Runtime`), split by job:

- ``core``: state set-up (the Lua state, prelude, globals, sandbox, executor) and running a script;
- ``outcome``: how a run ended (:class:`Outcome`) and the friendly failure of a Lua error;
- ``stop``: the stop protocol (Ctrl-C, time limit, ``os.exit``, the count hook's pacing, signals);
  ``watchdog``: the last resort when a stopped script is stuck in C;
- ``dispatch``: binding calls; ``attributes``: the per-type attribute whitelist; ``output``: the writers;
- ``error_values`` (+ ``error_values.lua``): a caught binding error as the script sees it (acts like its message);
- ``policies``: what each mode leaves of the standard library; ``prelude.lua``: the Lua side of the host.
"""

from .core import Runtime, prepare_source
from .outcome import Outcome
from .policies import POLICIES, StdlibPolicy, base_registry, default_registry

__all__ = ["Runtime", "Outcome", "StdlibPolicy", "POLICIES", "base_registry", "default_registry", "prepare_source"]
