"""What AWS observes and moto cannot, as one account's audit state keeps it, with its rules.

Device connections on the broker, IAM's service-last-accessed data, the issuers' CRL
entries, observations seeded per check, and the data-collection delays a test sets.
:class:`ObservedData` holds them and is the only code that changes them (besides
``collection.forget``, which deletes what a disabled check collected, by the collection
rules); :class:`iot_audit_fake.state.AuditState` is one. The backend's ``record_*`` calls
(``operations/observations.py``) validate what a test hands over and call these methods.
"""

from __future__ import annotations

import datetime as dt

from .checks.outcomes import Observation
from .connections import Connection


class ObservedData:
    """Recorded observations of one account in one region."""

    def __init__(self) -> None:
        #: Non-compliant observations seeded per check without building resources.
        self.seeded_observations: dict[str, list[Observation]] = {}
        #: Device connections recorded by tests (AWS sees them on its broker; moto cannot).
        self.connections: list[Connection] = []
        #: IAM service last-accessed data per role ARN: service prefix -> last access (record_service_usage).
        self.service_usage: dict[str, dict[str, dt.datetime]] = {}
        #: Data-collection delays set by tests, per check (collection.py has the defaults).
        self.collection_delays: dict[str, dt.timedelta] = {}
        #: Certificates their issuer revoked (its CRL, which AWS reads and moto has not):
        #: (issuer as RFC 4514 text, serial in hex).
        self.revoked_serials: set[tuple[str, str]] = set()

    def add_connection(self, connection: Connection) -> None:
        self.connections.append(connection)

    def add_revocation(self, entry: tuple[str, str]) -> None:
        """A CRL entry: (issuer as RFC 4514 text, serial in hex), as ``checks.revocations.normalize`` gives it."""
        self.revoked_serials.add(entry)

    def record_usage(self, role_arn: str, service: str, when: dt.datetime) -> None:
        """The role used ``service`` at ``when``: IAM keeps the last access, so an earlier time changes nothing."""
        usage = self.service_usage.setdefault(role_arn, {})
        if service not in usage or usage[service] < when:
            usage[service] = when

    def set_collection_delay(self, check: str, delay: dt.timedelta | None) -> None:
        """How long ``check`` collects data after being enabled; None: its default (collection.py)."""
        if delay is None:
            self.collection_delays.pop(check, None)
        else:
            self.collection_delays[check] = delay

    def seed(self, observation: Observation) -> None:
        """An observation every later run of its check reports."""
        self.seeded_observations.setdefault(observation.check_name, []).append(observation)

    def clear_seeded(self, check: str | None = None) -> None:
        """Forget the observations seeded for ``check`` (None: for every check)."""
        if check is None:
            self.seeded_observations.clear()
        else:
            self.seeded_observations.pop(check, None)
