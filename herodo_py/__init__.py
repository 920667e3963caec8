"""herodo_py: drive container engines (nerdctl, docker, podman) from Python and Lua scripts."""

__version__ = "0.1.0"
