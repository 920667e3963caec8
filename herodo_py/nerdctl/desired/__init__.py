"""Desired state: ``ensure`` a container, network, volume or image is as configured, changing only
what differs, and report what was done (or, in a check run, what would be) and why.

- ``canonical``: the canonical form of a container's configuration (what is compared and recorded);
- ``observed``: comparison with a container herodo did not make (from its inspect document);
- ``diff``: field-level differences and how they print;
- ``compare``: what differs between a container and its configuration (recorded or observed);
- ``resources``: ensure networks, volumes and images; ``outcome``: what an ensure did, and the recap;
- ``reads``: the engine reads they need.

``Container.ensure()`` itself is ``nerdctl/container/ensure.py``; the record labels are ``labels.py``.
"""
