"""The memory-limit check agrees with the engines (docker's 6 MiB minimum, sizes as they read them), and
``resources().memory_limit_bytes`` is the exact limit on every engine (podman prints it rounded: "67.11MB")."""

from __future__ import annotations

import pytest

from herodo_py.nerdctl.container.operations import Container
from herodo_py.nerdctl.errors import ConversionError

MIB = 1024 * 1024


@pytest.mark.parametrize("limit, expected", [("64m", 64 * MIB), ("6m", 6 * MIB), ("100 MB", 100 * MIB),
                                             ("96MiB", 96 * MIB)])
def test_memory_limit_bytes_is_exact(engine, test_image, unique_name, limit, expected) -> None:
    c = Container.from_image(unique_name(), test_image).with_memory_limit(limit).with_command(["sleep", "60"])
    c.build()
    try:
        assert engine.run("container", "inspect", "--format", "{{.HostConfig.Memory}}", c.name).stdout.strip() \
            == str(expected)
        assert c.resources().memory_limit_bytes == expected
    finally:
        c.remove(force=True)


def test_below_the_engines_minimum_is_refused_before_running(engine, test_image, unique_name) -> None:
    name = unique_name()
    with pytest.raises(ConversionError, match="at least 6m"):
        Container.from_image(name, test_image).with_memory_limit(str(6 * MIB - 1))
    assert engine.run("container", "inspect", name).returncode != 0
    # docker itself refuses the same value: the check is not stricter than the engine
    if engine.name == "docker":
        result = engine.run("create", "--memory", str(6 * MIB - 1), test_image, "true")
        assert result.returncode != 0 and "Minimum memory limit allowed is 6MB" in result.stderr
