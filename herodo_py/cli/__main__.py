"""``python -m herodo_py.cli``: the ``herodo`` command from a checkout."""

from . import run

run()
