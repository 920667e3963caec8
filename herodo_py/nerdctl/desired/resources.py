"""Ensure networks, volumes and images: present (as configured) or absent, each returning an
:class:`Outcome` the way ``Container.ensure()`` does.

- a network: its driver compared; on drift ``recreate`` (default; fails while containers use it),
  ``fail`` or ``leave``;
- a volume: driver and labels compared; on drift ``leave`` by default (recreating a volume deletes
  its data: only with ``policy="recreate"``);
- an image: ``pull`` ``missing`` (default: pull when not present), ``always`` (pull; changed when the
  reference now names another image), ``never`` (fail when not present).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import NerdctlError, NoSuchImage
from ..image import image_pull, image_remove
from ..network import network_create, network_remove
from ..validate import check_image, check_label_key, check_mapping, check_name, check_text, fail
from ..volume import check_volume_name, volume_create, volume_remove
from . import reads
from .compare import POLICIES, ConfigurationDrift, short
from .diff import FieldChange, map_changes
from .outcome import Outcome, checking, record

PULL_POLICIES = ("missing", "always", "never")
DEFAULT_DRIVER = {"network": "bridge", "volume": "local"}


def _recorded(kind: str, name: str, work: Callable[[], Outcome]) -> Outcome:
    """Run ``work``; record its outcome, or a failed one before re-raising its error."""
    try:
        outcome = work()
    except NerdctlError as exc:
        record(Outcome(kind, name, "failed", diff=getattr(exc, "diff", []), reason=str(exc).splitlines()[0],
                       error=type(exc).__name__))
        raise
    return record(outcome)


def _field(record_: dict[str, Any], key: str) -> Any:
    """A field of a docker (``Driver``) or podman (``driver``) network/volume record."""
    return record_.get(key, record_.get(key.lower()))


def _labels(values: Mapping[str, Any] | None) -> dict[str, str]:
    if values is None:
        return {}
    return {check_label_key(k): check_text(str(v), "label value", allow_empty=True)
            for k, v in check_mapping(values, "labels").items()}


def _on_drift(kind: str, name: str, policy: str, changes: list[FieldChange], recreate: Callable[[], None]) -> Outcome:
    why = "; ".join(c.render() for c in changes)
    if policy == "fail":
        raise ConfigurationDrift(f"{kind} {name!r} differs from its configuration: {why}", changes)
    if policy == "leave":
        return Outcome(kind, name, "left", changes, f"drift left as it is: {why}")
    recreate()
    return Outcome(kind, name, "recreated", changes, why)


def _absent(kind: str, name: str, read: Callable[[str], Any], remove: Callable[[], Any]) -> Outcome:
    """Remove ``name`` when ``read`` finds it: ``removed``, else ``absent``."""

    def work() -> Outcome:
        if read(name) is None:
            return Outcome(kind, name, "absent")
        remove()
        return Outcome(kind, name, "removed")

    return _recorded(kind, name, work)


# --- networks -----------------------------------------------------------------------------


def network_ensure(name: str, driver: str | None = None, policy: str = "recreate") -> Outcome:
    """Make the network ``name`` exist with ``driver`` (default ``bridge``)."""
    check_name(name, "network name")
    if driver is not None:
        check_name(driver, "network driver")
    if policy not in POLICIES:
        raise fail("policy", policy, "'recreate', 'fail' or 'leave'")
    wanted = driver or DEFAULT_DRIVER["network"]

    def work() -> Outcome:
        found = reads.network(name)
        if found is None:
            network_create(name, driver)
            return Outcome("network", name, "created", reason="it did not exist")
        have = str(_field(found, "Driver") or DEFAULT_DRIVER["network"])
        if have == wanted:
            return Outcome("network", name, "unchanged")

        def recreate() -> None:
            network_remove(name)
            network_create(name, driver)
        return _on_drift("network", name, policy, [FieldChange("driver", have, wanted)], recreate)

    return _recorded("network", name, work)


def network_ensure_absent(name: str) -> Outcome:
    """Make sure no network ``name`` exists (fails while containers use it)."""
    check_name(name, "network name")
    return _absent("network", name, reads.network, lambda: network_remove(name))


# --- volumes ------------------------------------------------------------------------------


def volume_ensure(name: str, driver: str | None = None, labels: Mapping[str, Any] | None = None,
                  policy: str = "leave") -> Outcome:
    """Make the volume ``name`` exist with ``driver`` (default ``local``) and ``labels``. A volume
    that differs is left as it is by default (recreating deletes its data)."""
    check_volume_name(name)
    if driver is not None:
        check_name(driver, "volume driver")
    if policy not in POLICIES:
        raise fail("policy", policy, "'leave', 'fail' or 'recreate' (which deletes the volume's data)")
    wanted_labels = _labels(labels)
    wanted = driver or DEFAULT_DRIVER["volume"]

    def work() -> Outcome:
        found = reads.volume(name)
        if found is None:
            volume_create(name, wanted_labels, driver)
            return Outcome("volume", name, "created", reason="it did not exist")
        have = str(_field(found, "Driver") or DEFAULT_DRIVER["volume"])
        have_labels = {str(k): str(v) for k, v in (_field(found, "Labels") or {}).items()}
        changes = [FieldChange("driver", have, wanted)] if have != wanted else []
        changes += map_changes("labels", {k: v for k, v in have_labels.items() if k in wanted_labels}, wanted_labels)
        if not changes:
            return Outcome("volume", name, "unchanged")

        def recreate() -> None:
            volume_remove(name)
            volume_create(name, wanted_labels, driver)
        return _on_drift("volume", name, policy, changes, recreate)

    return _recorded("volume", name, work)


def volume_ensure_absent(name: str) -> Outcome:
    """Make sure no volume ``name`` exists (fails while a container uses it)."""
    check_volume_name(name)
    return _absent("volume", name, reads.volume, lambda: volume_remove(name))


# --- images -------------------------------------------------------------------------------


def image_ensure(reference: str, pull: str = "missing") -> Outcome:
    """Make the image ``reference`` present locally, by the ``pull`` policy."""
    check_image(reference)
    if pull not in PULL_POLICIES:
        raise fail("pull", pull, "'missing', 'always' or 'never'")

    def work() -> Outcome:
        before = reads.image_id(reads.image(reference))
        if before is not None and pull != "always":
            return Outcome("image", reference, "unchanged", reason=f"present, {short(before)}")
        if before is None and pull == "never":
            raise NoSuchImage(f"image {reference!r} is not present and the pull policy is 'never'",
                              hint="pull it first, or use pull 'missing'")
        image_pull(reference)
        if checking():
            return Outcome("image", reference, "pulled" if before is None else "unchanged",
                           reason="not present" if before is None else "would pull to check for a newer image")
        after = reads.image_id(reads.image(reference))
        if before is None:
            return Outcome("image", reference, "pulled", reason=f"it was not present; now {short(after)}")
        if after != before:
            return Outcome("image", reference, "updated", [FieldChange("image", short(before), short(after))],
                           reason="the registry has a newer image")
        return Outcome("image", reference, "unchanged", reason=f"up to date, {short(after)}")

    return _recorded("image", reference, work)


def image_ensure_absent(reference: str) -> Outcome:
    """Make sure the reference ``reference`` is not present (untagged or removed)."""
    check_image(reference)
    return _absent("image", reference, reads.image, lambda: image_remove(reference))
