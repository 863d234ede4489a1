"""Device connection history, which AWS observes on its MQTT broker and moto cannot.

Tests and scenarios record connections with :meth:`AuditBackend.record_connection`;
CONFLICTING_CLIENT_IDS_CHECK and DEVICE_CERTIFICATE_SHARED_CHECK read them, and the
two Cognito checks read which identity pools devices connected through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

FAR = dt.datetime.max.replace(tzinfo=dt.timezone.utc)

CONFLICTING_CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"
SHARED_CERTIFICATE = "DEVICE_CERTIFICATE_SHARED_CHECK"
COGNITO_CHECKS = ("AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
                  "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK")


@dataclass(frozen=True)
class Connection:
    client_id: str
    certificate_id: str | None
    thing_name: str | None
    connected_at: dt.datetime
    disconnected_at: dt.datetime | None = None
    #: The Cognito identity pool whose identity connected (what the Cognito checks read).
    identity_pool_id: str | None = None

    @property
    def ends(self) -> dt.datetime:
        return self.disconnected_at or FAR

    def as_of(self, moment: dt.datetime) -> Connection | None:
        """The session as the broker knew it at ``moment``: None before it connected, still open if
        it disconnected later. A run evaluated as of its own instant sees nothing newer."""
        if self.connected_at > moment:
            return None
        if self.disconnected_at is not None and self.disconnected_at > moment:
            return replace(self, disconnected_at=None)
        return self

    def has_event_in(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether the session connected or disconnected within [start, end]."""
        return start <= self.connected_at <= end or (
            self.disconnected_at is not None and start <= self.disconnected_at <= end)

    def open_during(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.connected_at <= end and self.ends >= start

    def overlaps(self, other: Connection) -> bool:
        """Whether the two sessions were open at a common moment (boundaries included)."""
        return self.connected_at <= other.ends and other.connected_at <= self.ends

    def readers(self) -> set[str]:
        """The checks this record was collected for: disabling all of them deletes it."""
        checks = {CONFLICTING_CLIENT_IDS}
        if self.certificate_id:
            checks.add(SHARED_CERTIFICATE)
        if self.identity_pool_id:
            checks.update(COGNITO_CHECKS)
        return checks
