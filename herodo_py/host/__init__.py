"""The host a playbook runs on: commands, files, clocks and waits (no Lua, no engine).

- :mod:`.process`: ``run(cmd, ...)`` with captured output, timeout (the whole process group killed),
  env, cwd and stdin; ``which(name)``; ``execute`` and :class:`~.process.PipeFile` behind Lua's
  ``os.execute`` and ``io.popen``. Listeners (``--trace``) and ``dry_run`` like the engine executor's.
- :mod:`.files`: ``exist``, ``mkdir`` (-p), ``file_read``, ``file_write`` (atomic), ``temp_dir``;
  confined to root folders (openat2 ``RESOLVE_BENEATH``) when the policy says so.
- :mod:`.waits`: ``sleep``, ``now``, ``wait_port``, ``wait_http``.
- :mod:`.policy`: what the running script may do on the host (commands, folders, addresses).
- :mod:`.errors`: :class:`~.errors.HostError` and its categories.

A bottom layer beside :mod:`herodo_py.nerdctl`: it imports nothing from the Lua host, the test runner or the CLI.
"""
