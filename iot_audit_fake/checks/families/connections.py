"""Checks over recorded device connections: conflicting client ids and shared certificates.

AWS sees connections on its broker; here they come from
:meth:`AuditBackend.record_connection`. Both checks look at sessions within the
last 30 days before the audit runs [INF: AWS gives no look-back period] and
flag *overlapping* sessions, which is when the broker drops one device for
another.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations

from ...connections import Connection
from ..catalogue import CHECKS
from ..engine import Context, Observation, Outcome, evaluator

LOOK_BACK = dt.timedelta(days=30)


def _ms(moment: dt.datetime | None) -> str | None:
    return str(int(moment.timestamp() * 1000)) if moment else None


def _times(connection: Connection) -> dict[str, str]:
    info = {"CONNECTION_TIME": _ms(connection.connected_at), "DISCONNECTION_TIME": _ms(connection.disconnected_at)}
    return {k: v for k, v in info.items() if v is not None}


def _groups(ctx: Context, by: Callable[[Connection], str | None]) -> dict[str, list[Connection]]:
    since = ctx.now - LOOK_BACK
    groups: dict[str, list[Connection]] = defaultdict(list)
    for connection in ctx.backend.connections:
        key = by(connection)
        if key is not None and connection.connected_at <= ctx.now and (
            connection.disconnected_at is None or connection.disconnected_at >= since
        ):
            groups[key].append(connection)
    return groups


def _conflicting(sessions: list[Connection], same_device: Callable[[Connection, Connection], bool]) -> bool:
    return any(a.overlaps(b) and not same_device(a, b) for a, b in combinations(sessions, 2))


@evaluator("CONFLICTING_CLIENT_IDS_CHECK")
def conflicting_client_ids(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    groups = _groups(ctx, lambda c: c.client_id)
    outcome = Outcome(total=len(groups))
    for client_id, sessions in sorted(groups.items()):
        # Two overlapping sessions under one client id are two devices, whatever certificate they use.
        if not _conflicting(sessions, lambda a, b: False):
            continue
        related = tuple(
            {"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": {"deviceCertificateId": s.certificate_id},
             "additionalInfo": _times(s)}
            for s in sessions if s.certificate_id
        )
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {"clientId": client_id}, "DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS",
            "Multiple connections used the same client ID at the same time.", related=related,
        ))
    return outcome


@evaluator("DEVICE_CERTIFICATE_SHARED_CHECK")
def shared_certificates(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    groups = _groups(ctx, lambda c: c.certificate_id)
    outcome = Outcome(total=len(groups))
    for certificate_id, sessions in sorted(groups.items()):
        # The same certificate in overlapping sessions under different client ids: several devices.
        if not _conflicting(sessions, lambda a, b: a.client_id == b.client_id):
            continue
        related = tuple(
            {"resourceType": "CLIENT_ID", "resourceIdentifier": {"clientId": s.client_id},
             "additionalInfo": _times(s)}
            for s in sessions
        )
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {"deviceCertificateId": certificate_id},
            "CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES", "Certificate shared by one or more devices.", related=related,
        ))
    return outcome
