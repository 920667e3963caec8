"""What ``herodo test`` makes (containers, networks): labelled with the run's id, removed after each test.

While a test runs, its runtime's executor settings carry the labels ``herodo.test.run=<run id>``,
``herodo.test.scope=<run id>/<n>`` (one per test; one per file for what its top level makes, removed
when the file ends) and ``herodo.test.name=<file>::<test>``; the library puts them on everything it
makes. The janitor listens to the run's executor (the parent of every test file's): when a test starts
a command that makes a labelled object (a binding noun's ``creates``), it notes the noun and the
target (engine, namespace, address: read from the command line). When the scope ends it sweeps each
noun noted there with the noun's ``sweep`` (containers before networks), on an executor of its own.
The run ends with a sweep of the run label. With ``keep`` it removes nothing and remembers the
containers' names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..lua.registry import NamedFields

TYPE_CHECKING = False  # typing and the engine library stay off the path of tests that make nothing
if TYPE_CHECKING:
    from typing import Any

    from ..lua.runtime import Runtime
    from ..nerdctl.executor import Executor

RUN_LABEL = "herodo.test.run"
SCOPE_LABEL = "herodo.test.scope"
NAME_LABEL = "herodo.test.name"
SCOPE_LABELS = (RUN_LABEL, SCOPE_LABEL, NAME_LABEL)

GLOBAL_VALUE_FLAGS = frozenset({"--namespace", "--address", "--snapshotter", "--host", "--url"})
CLEANUP_TIMEOUT = 60.0  # seconds per cleanup command


def _label_text(name: str) -> str:
    """``name`` as a label value: printable ASCII (anything else becomes ``?``), at most 200 characters."""
    return "".join(c if " " <= c <= "~" else "?" for c in name[:200])


class Target(NamedFields):
    """Where containers were made: the engine binary and the global flags that chose a namespace."""

    __slots__ = ()
    _fields = ("engine", "namespace", "address")
    engine: str
    namespace: str | None
    address: str | None

    def __new__(cls, engine: str, namespace: str | None, address: str | None) -> Target:
        return tuple.__new__(cls, (engine, namespace, address))

    @classmethod
    def of_command(cls, argv: list[str]) -> Target:
        """The target of a command line: its engine and its global ``--namespace``/``--address``
        (``--host`` on docker, ``--url`` on podman)."""
        flags: dict[str, str] = {}
        rest = argv[1:]
        while rest and rest[0] in GLOBAL_VALUE_FLAGS and len(rest) > 1:
            flags[rest[0]] = rest[1]
            rest = rest[2:]
        address = flags.get("--address") or flags.get("--host") or flags.get("--url")
        return cls(argv[0], flags.get("--namespace"), address)


def command_words(argv: list[str]) -> list[str]:
    """The argv after the engine and its global flags (``[nerdctl, --namespace, x, run, ...]`` -> ``[run, ...]``)."""
    rest = argv[1:]
    while rest and rest[0] in GLOBAL_VALUE_FLAGS:
        rest = rest[2:]
    return rest


class Janitor:
    """Labels and cleanup for one ``herodo test`` run (see the module doc)."""

    def __init__(self, run_id: str, *, keep: bool = False, executor: Executor | None = None) -> None:
        """``executor``: the run's (default: the current one, when a test first needs one: tests that run
        no command never load the engine library): the janitor hears its commands and those of its
        children, and its listeners hear the janitor's own."""
        self._executor = executor
        self._listening = False
        self._labels: list[dict[str, str]] = []  # the open scopes' labels (innermost last)
        self.run_id = run_id
        self.keep = keep
        self.targets: dict[Target, set[str]] = {}  # where -> kinds made there ("container", "network")
        self._touched: list[dict[Target, set[str]]] = []  # the same, per open scope (innermost last)
        self.kept: list[str] = []
        self.errors: list[str] = []
        self._scope = 0

    @property
    def executor(self) -> Executor:
        """The run's executor (made current-or-given on first use; heard while :meth:`listening`)."""
        if self._executor is None:
            from ..nerdctl.executor import current_executor  # here: the first test that runs a command

            self._executor = current_executor()
            if self._listening:
                self._executor.add_listener(self)
        return self._executor

    def test_executor(self) -> Executor:
        """A new executor for a test file's runtime (a child of the run's), labelled for the open scope:
        the runtime makes it when its script first calls a binding (``Runtime(make_executor=...)``)."""
        executor = self.executor.child()
        if self._labels:
            executor.settings.labels = {**executor.settings.labels, **self._labels[-1]}
        return executor

    # -- listening ---------------------------------------------------------------------------

    def __call__(self, event: str, argv: list[str], result: Any) -> None:
        if event != "start":
            return
        from ..lua.bindings import nouns  # here: only a test that runs a command is heard

        words = command_words(argv)
        kind = next((noun.name for noun in nouns() for prefix in noun.creates if words[:len(prefix)] == list(prefix)),
                    None)
        if kind is None:
            return
        target = Target.of_command(argv)
        # what is made carries the innermost scope's label: that scope's sweep finds it
        for touched in (self.targets, *self._touched[-1:]):
            touched.setdefault(target, set()).add(kind)

    @contextmanager
    def listening(self) -> Iterator[None]:
        self._listening = True
        if self._executor is not None:
            self._executor.add_listener(self)
        try:
            yield
        finally:
            self._listening = False
            if self._executor is not None:
                self._executor.remove_listener(self)

    # -- labelling ---------------------------------------------------------------------------

    @contextmanager
    def scope(self, name: str, runtime: Runtime) -> Iterator[str]:
        """Label what ``runtime``'s executor makes inside the block with a scope of its own (an executor
        the runtime makes inside it too: :meth:`test_executor`); clean it up afterwards. Scopes nest (a
        file's, then each test's inside it)."""
        self._scope += 1
        scope = f"{self.run_id}/{self._scope}"
        labels = {RUN_LABEL: self.run_id, SCOPE_LABEL: scope, NAME_LABEL: _label_text(name)}
        self._labels.append(labels)
        _relabel(runtime.executor_made, labels)
        self._touched.append({})
        try:
            yield scope
        finally:
            self._labels.pop()
            _relabel(runtime.executor_made, self._labels[-1] if self._labels else {})
            self.sweep(f"{SCOPE_LABEL}={scope}", self._touched.pop())

    # -- removing ----------------------------------------------------------------------------

    def sweep(self, label: str | None = None, targets: dict[Target, set[str]] | None = None) -> list[str]:
        """Remove (or with ``keep``, list) the containers and networks carrying ``label`` (default:
        the run's) on ``targets`` (default: every engine of the run). Ctrl-C waits until it is done.
        Returns the container names found."""
        label = label or f"{RUN_LABEL}={self.run_id}"
        targets = self.targets if targets is None else targets
        found: list[str] = []
        if not targets:
            return found
        with _sigint_deferred():
            for target, kinds in targets.items():
                try:
                    found += self._sweep_target(target, kinds, label)
                except Exception as exc:  # report, go on with the other targets
                    self.errors.append(f"{target.engine}: could not remove what carries {label}: {exc}")
        return found

    def _sweep_target(self, target: Target, kinds: set[str], label: str) -> list[str]:
        # its own executor: the target's engine and namespace, no labels, no dry run; --trace hears it
        from ..lua.bindings import nouns  # here and below: only a run that made something sweeps
        from ..nerdctl.engine_settings import EngineSettings
        from ..nerdctl.executor import Executor

        settings = EngineSettings(engine=target.engine, namespace=target.namespace, address=target.address,
                                  timeout=CLEANUP_TIMEOUT)
        listed: list[str] = []
        with Executor(settings, parent=self.executor).active():
            for noun in sorted(nouns(), key=lambda n: n.sweep_rank):
                if noun.sweep is None or noun.name not in kinds:
                    continue
                swept = noun.sweeper()(label, keep=self.keep)
                if swept.left:
                    self.errors.append(f"{target.engine}: {swept.left} {noun.name}(s) with {label} "
                                       "could not be removed")
                if noun.listed_by_keep:
                    listed += swept.names
                    if self.keep:
                        self.kept += [n for n in swept.names if n not in self.kept]
        return listed


def _relabel(executor: Executor | None, labels: dict[str, str]) -> None:
    """Set the scope labels of ``executor`` (if made) to ``labels`` (none: its labels without them)."""
    if executor is not None:
        kept = {k: v for k, v in executor.settings.labels.items() if k not in SCOPE_LABELS}
        executor.settings.labels = {**kept, **labels}


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C while cleaning up (main thread only); it is raised afterwards."""
    import signal  # here: only a sweep that runs commands holds Ctrl-C
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        pending.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt


__all__ = ["Janitor", "RUN_LABEL", "SCOPE_LABEL", "NAME_LABEL", "command_words"]
