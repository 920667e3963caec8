"""Lua sources shipped as package data: each ``.lua`` file sits beside the Python module that runs it
(``runtime/prelude.lua``, ``sandbox.lua``, ``testing/testapi.lua``) and is read once per process."""

from __future__ import annotations

import functools
import os


@functools.cache
def lua_source(module_file: str, name: str) -> bytes:
    """The bytes of ``name`` in the folder of ``module_file`` (a module's ``__file__``)."""
    with open(os.path.join(os.path.dirname(module_file), name), "rb") as f:
        return f.read()


__all__ = ["lua_source"]
