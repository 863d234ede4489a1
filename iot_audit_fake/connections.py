"""Device connection history, which AWS observes on its MQTT broker and moto cannot.

Tests and scenarios record connections with :meth:`AuditBackend.record_connection`;
CONFLICTING_CLIENT_IDS_CHECK and DEVICE_CERTIFICATE_SHARED_CHECK read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Connection:
    client_id: str
    certificate_id: str | None
    thing_name: str | None
    connected_at: dt.datetime
    disconnected_at: dt.datetime | None = None

    def overlaps(self, other: Connection) -> bool:
        """Whether the two sessions were open at the same moment (an open session never ends)."""
        far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
        return (self.connected_at < (other.disconnected_at or far)
                and other.connected_at < (self.disconnected_at or far))
