"""Where a script's ``print`` and ``io.write`` go: Python's ``sys.stdout``/``sys.stderr`` (so tests and
``herodo test`` capture them), ending quietly when the reader closed the pipe."""

from __future__ import annotations

import os
import sys
from typing import Any

from ..convert import text
from ..exit_codes import EXIT_BROKEN_PIPE


class Output:
    """The output writers of the Runtime (a part of :class:`~herodo_py.lua.runtime.Runtime`)."""


    def _writer(self, stream: str) -> Any:
        def write(data: bytes) -> None:
            out = getattr(sys, stream)
            try:
                buffer = getattr(out, "buffer", None)
                if buffer is not None:
                    out.flush()
                    buffer.write(data)
                    buffer.flush()
                else:
                    out.write(text(data))
                    out.flush()
            except BrokenPipeError:  # the reader went away (`herodo x.lua | head`): end quietly, as Unix tools do
                os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
                self._exit(EXIT_BROKEN_PIPE)
        return write
