"""Failure reports of ``up``: which service, which condition, its exit code and last log lines, and
the state every other service was left in."""

from __future__ import annotations

from ..errors import OtherError

__all__ = ["ServiceFailed", "StackUpFailed"]

LOG_LINES = 15


class ServiceFailed(OtherError):
    """One service did not reach a condition (created, started, healthy, completed)."""

    def __init__(self, service: str, condition: str, reason: str, *, container: str = "",
                 exit_code: int | None = None, logs: str = "", health_output: str = "",
                 cause: BaseException | None = None) -> None:
        super().__init__(f"service {service!r} failed: {condition}: {reason}")
        self.service = service
        self.condition = condition
        self.reason = reason
        self.container = container
        self.exit_code = exit_code
        self.logs = logs
        self.health_output = health_output
        self.cause = cause


class DependencyFailed(ServiceFailed):
    """A service was not started because a dependency failed."""


class StackUpFailed(OtherError):
    """``up`` failed: ``failure`` is the service that broke; ``states`` every service's state."""

    def __init__(self, stack: str, failure: ServiceFailed, states: dict[str, str], *, taken_down: bool) -> None:
        lines = [f"stack {stack!r}: service {failure.service!r} failed ({failure.condition}): {failure.reason}"]
        if failure.container:
            lines.append(f"  container: {failure.container}")
        if failure.exit_code is not None:
            lines.append(f"  exit code: {failure.exit_code}")
        if failure.health_output.strip():
            lines.append("  last health check output: " + failure.health_output.strip().replace("\n", "\n    "))
        if failure.logs.strip():
            lines.append("  last log lines:")
            lines += ["    " + line for line in failure.logs.rstrip().splitlines()[-LOG_LINES:]]
        lines.append("  services:")
        width = max(len(s) for s in states) if states else 0
        lines += [f"    {name.ljust(width)}  {state}" for name, state in states.items()]
        lines.append("  the stack was taken down again (on_failure = 'down')" if taken_down else
                     "  what started is left as it is (on_failure = 'leave'); stack:down() removes it")
        hint = ("read the log lines above; run the service's command or health check by hand with "
                "stack:exec(service, command)")
        super().__init__("\n".join(lines), hint=hint)
        self.stack = stack
        self.failure = failure
        self.service = failure.service
        self.condition = failure.condition
        self.exit_code = failure.exit_code
        self.logs = failure.logs
        self.states = states
        self.taken_down = taken_down
