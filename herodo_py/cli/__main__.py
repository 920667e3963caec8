"""``python -m herodo_py.cli``: the ``herodo`` command from a checkout."""

import sys

from . import main

sys.exit(main())
