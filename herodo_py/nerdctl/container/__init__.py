"""Containers: the configuration types, the builder (``with_*`` setters, ``build``), the operations of a
built container (lifecycle, exec, copy, status, waits) and the static functions (``run``, ``exec`` ... on
a name or id). ``Container`` is ``operations.Container``; the package exports nothing itself, so that
importing one module does not load the others."""
