"""Applying a validated scenario: each account and region's sections, in order, all or nothing.

Loading is atomic: an undo journal (journal.py) records what the moto and audit
backends hold first and puts it back if anything fails, so a scenario with an error
changes nothing. Errors raised while applying name the entry (or the reference inside
it) that caused them, with its file position.

One region's part is applied by a :class:`RegionLoader`: the sections are mixins over
:class:`.loader.SectionLoader`, one module per family (``sections_iot``,
``sections_certificates``, ``sections_iam``, ``sections_audit``, ``sections_history``).
IoT resources go to moto's IoT backend directly rather than through boto3: a request
through botocore and moto's dispatcher costs milliseconds, which made a fleet of 1,000
devices take over ten seconds. moto's own rules still hold (a policy or role alias name,
a certificate registered twice are refused), and the loader adds the ones moto lacks.
IAM roles, which are few, still go through boto3 and moto's IAM validation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .. import clock
from ..accounts import DEFAULT_REGION, default_account
from ..backend import audit_backends
from . import certgen
from .loader import KeyPath, Step
from .sections_audit import AuditSections
from .sections_certificates import CertificateSections
from .sections_history import HistorySections
from .sections_iam import IamSections
from .sections_iot import IotSections
from .source import ScenarioError, Source, key_path, schema
from .times import resolve

__all__ = ["KeyPath", "RegionLoader", "Step", "apply", "regions", "snapshot"]


def regions(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str, str, dict[str, Any]]]:
    """(key path, account, region, state) for the top level (when it holds any state) and every
    entry of ``accounts``."""
    default_account_id = default_account()
    if any(key in data for key in schema()["$defs"]["region_state"]["properties"]):
        yield (), data.get("account", default_account_id), data.get("region", DEFAULT_REGION), data
    for i, entry in enumerate(data.get("accounts", [])):
        yield ("accounts", i), entry["account"], entry.get("region", DEFAULT_REGION), entry


class RegionLoader(AuditSections, IotSections, CertificateSections, IamSections, HistorySections):
    """Applies one account/region's part of a scenario."""

    def sections(self) -> dict[str, Callable[[Any, KeyPath], None]]:
        """Section key -> what applies one entry of it (the whole value, for the two mappings)."""
        return {
            "audit_configuration": self.audit_configuration, "logging": self.logging,
            "thing_groups": self.thing_group, "things": self.thing, "policies": self.policy,
            "ca_certificates": lambda entry, path: self.certificate(entry, path, ca=True),
            "certificates": lambda entry, path: self.certificate(entry, path, ca=False),
            "revocations": self.revocation, "iam_roles": self.iam_role, "role_aliases": self.role_alias,
            "service_usage": self.service_usage, "connections": self.connection,
            "suppressions": self.suppression, "scheduled_audits": self.scheduled_audit,
            "mitigation_actions": self.mitigation_action, "seeded": self.seeded, "audit_tasks": self.audit_task,
            "mitigation_tasks": self.mitigation_task,
        }

    def apply(self, state: dict[str, Any]) -> None:
        """Apply the sections in the schema's order (the documented one: dependencies first)."""
        sections = self.sections()
        for key, node in schema()["$defs"]["region_state"]["properties"].items():
            if key not in state:
                continue
            if node.get("type") == "array":
                self.each(state, key, sections[key])
            else:
                path = (*self.path, key)
                with self.at(path):
                    sections[key](state[key], path)


def apply(source: Source) -> None:
    """Apply every region's state; on any failure restore what was there and raise ScenarioError."""
    data = source.data
    try:
        now = resolve(data["clock"], clock.now()) if "clock" in data else clock.now()
    except ValueError as error:
        raise ScenarioError([source.error(("clock",), str(error))]) from None
    places: dict[tuple[str, str], KeyPath] = {}
    for path, account, region, _ in regions(data):
        if (account, region) in places:
            other = key_path(places[account, region]) if places[account, region] else "the top level"
            raise ScenarioError([source.error(path, f"account {account} in {region} is already described "
                                                    f"by {other}; describe each account and region once")])
        places[account, region] = path
    from .. import faults
    from ..entry import LOCK

    # The lock every request takes: no call interleaves with the load, nor is undone by its rollback.
    with LOCK:
        # Upkeep before the journal starts: scheduled runs that fell due are not part of the load, and
        # a rollback must not drop them (their schedule has moved past them, so they would never return).
        for _, account, region, _ in regions(data):
            existing = dict.get(audit_backends, account)
            backend = dict.get(existing, region) if existing is not None else None
            if backend is not None:
                backend.catch_up()
        with snapshot():
            try:
                keys = certgen.KeyRing()
                for path, account, region, state in regions(data):
                    loader = RegionLoader(path, account, region, now, keys)
                    loader.backend.catch_up()
                    loader.apply(state)
                for i, fault in enumerate(data.get("faults", [])):
                    try:
                        faults.check_fault(**fault)
                    except (ValueError, RuntimeError) as error:
                        raise Step(("faults", i), str(error)) from None
            except Step as step:
                raise ScenarioError([source.error(step.path, step.message)]) from None
            for fault in data.get("faults", []):  # last, once nothing else can fail
                faults.inject_fault(**fault)


@contextmanager
def snapshot() -> Iterator[None]:
    """Put every backend the loader touches back as it was if the block raises: an undo journal
    (see journal.py), which records what the backends hold by reference instead of deep-copying them."""
    from .journal import recorded

    with recorded():
        yield
