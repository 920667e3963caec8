"""``Stack``: many containers as one unit. ``Stack(name, spec)`` validates the whole spec at once;
``up`` brings it to that state, ``down`` removes it (by labels: from any process), ``ps``,
``logs``, ``service`` and ``exec`` look inside.

    app = Stack("shop", {"services": {"db": {...}, "web": {..., "depends_on": {"db": "healthy"}}}})
    print(app.up().changed)        # what changed; a second up() changes nothing
    app.exec("web", "wget -q -O- http://db:5432/")
    app.down()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..executor import execute_nerdctl_command
from ..validate import check_count, check_timeout, fail
from .checks import parse_spec
from .confine import Confinement
from .down import down as stack_down
from .observe import observe_containers
from .spec import StackSpec

TYPE_CHECKING = False
if TYPE_CHECKING:  # (up and the container noun load on first use: taking a stack down needs neither)
    from ..container.operations import Container
    from ..executor import CommandResult
    from .up import UpResult

__all__ = ["ServiceState", "Stack"]

ON_FAILURE = ("leave", "down")


@dataclass(frozen=True)
class ServiceState:
    """One container of the stack, as ``ps()`` reports it."""

    service: str
    replica: int
    name: str
    id: str
    state: str
    status: str
    health: str
    exit_code: int


class Stack:
    """A validated stack spec and the operations on it."""

    def __init__(self, name: str, spec: Mapping[str, Any] | StackSpec, *, base_dir: str | None = None,
                 confine: Confinement | None = None) -> None:
        """``confine``: every host path (bind sources, build contexts) must be inside its folder,
        checked at each ``up`` and ``build`` (symlinks resolved then)."""
        self.spec = spec if isinstance(spec, StackSpec) else parse_spec(name, spec, base_dir=base_dir)
        self.name = self.spec.name
        self.confine = confine

    def __repr__(self) -> str:
        return f"Stack({self.name!r}, services={list(self.spec.services)})"

    # -- state changes ---------------------------------------------------------------------

    def build(self) -> list[str]:
        """Build every service image that has a recipe (compose ``build:``); pull missing others."""
        from .images import ensure_images

        self._check_host_paths()
        return ensure_images(self.spec, build=True)

    def up(self, jobs: Any = None, on_failure: str = "leave", timeout: Any = 120) -> UpResult:
        """Bring the stack to its spec; ``jobs``: engine commands at once; ``on_failure``: ``leave``
        or ``down``; ``timeout``: seconds each condition (healthy, completed) may take."""
        if jobs is not None:
            jobs = check_count(jobs, "jobs", minimum=1)
        if on_failure not in ON_FAILURE:
            raise fail("on_failure", on_failure, "'leave' or 'down'")
        timeout = check_timeout(timeout)
        self._check_host_paths()
        from .up import up as stack_up

        return stack_up(self.spec, jobs=jobs, on_failure=on_failure, timeout=timeout)

    def _check_host_paths(self) -> None:
        """With ``confine``: refuse, before anything runs, a host path whose real path is outside its folder."""
        if self.confine is None:
            return
        for service in self.spec.services.values():
            for mount in service.mounts:
                if mount.kind == "bind" and mount.source:
                    self.confine.bind(mount.source, f"services.{service.name}.volumes bind source")
            if service.build is not None:
                self.confine.real(service.build.context, f"services.{service.name}.build.context")
                if service.build.dockerfile:
                    self.confine.real(service.build.dockerfile, f"services.{service.name}.build.dockerfile")

    def down(self, volumes: bool = False, timeout: Any = 0) -> list[str]:
        """Remove the stack's containers and networks (its volumes with ``volumes=True``)."""
        if not isinstance(volumes, bool):
            raise fail("volumes", volumes, "true or false")
        return stack_down(self.name, volumes=volumes, timeout=timeout)

    # -- looking inside --------------------------------------------------------------------

    def ps(self) -> list[ServiceState]:
        """Every container of the stack (found by labels), by service and replica."""
        return [ServiceState(o.service, o.replica, o.name, o.id, o.status.state, o.status.status,
                             o.status.health_status, o.status.exit_code)
                for o in observe_containers(self.name)]

    def _service_name(self, service: Any) -> str:
        if service not in self.spec.services:
            raise fail("service", service, f"a service of stack {self.name!r}: {', '.join(self.spec.services)}")
        return service

    def service(self, name: str) -> list[Container]:
        """Handles on the service's containers (replica order), e.g. to ``exec``, ``copy`` or ``stop``."""
        from ..container.operations import Container

        name = self._service_name(name)
        handles = []
        for observed in observe_containers(self.name):
            if observed.service == name:
                handle = Container(observed.name)
                handle.container_id = observed.id
                handle.image = self.spec.services[name].image
                handle.restart_policy = self.spec.services[name].restart
                handles.append(handle)
        return handles

    def _replica(self, service: str, replica: Any) -> Container:
        number = check_count(replica, "replica", minimum=1)
        handles = self.service(service)
        if len(handles) < number:
            raise fail("replica", replica, f"a running replica of {service!r} (it has {len(handles)})",
                       hint="bring the stack up first")
        return handles[number - 1]

    def exec(self, service: str, command: str | Sequence[str], replica: Any = 1) -> CommandResult:
        """Run ``command`` in a replica of ``service`` (a string through ``sh -c``)."""
        return self._replica(service, replica).exec(command)

    def logs(self, service: str, tail: Any = None) -> str:
        """The output of every replica of ``service``, each line prefixed with its container name."""
        args = ["logs"] + ([] if tail is None else ["--tail", str(check_count(tail, "tail"))])
        parts = []
        for handle in self.service(service):
            result = execute_nerdctl_command([*args, handle.container_id or ""], check=False)
            text = result.stdout + result.stderr
            parts += [f"{handle.name} | {line}" for line in text.splitlines()]
        return "\n".join(parts) + ("\n" if parts else "")
