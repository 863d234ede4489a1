"""Checks over recorded device connections: conflicting client ids and shared certificates.

AWS sees connections on its broker; here they come from
:meth:`AuditBackend.record_connection`. Both checks see the sessions as they were
at the instant the check runs (a later connect is not there yet, a later
disconnect leaves the session open) and only the events of their observation
window (check-triggers.md, checks 5 and 9; :meth:`..engine.Context.window`):

* CONFLICTING_CLIENT_IDS_CHECK: the 31 days before the task on demand; a scheduled
  run, since the previous run of its audit. A client id is non-compliant when a
  connection under it knocked off a session that was still live, i.e. connected
  while that session was open (boundaries included [INF]); the takeover (the later
  connect) must fall in the window. A takeover by the same principal counts [INF,
  as the reference recommends]. Related resources: the certificates of the sessions
  involved, newest connection first, with CONNECTION_TIME and DISCONNECTION_TIME.
* DEVICE_CERTIFICATE_SHARED_CHECK: the window ends two hours before the check runs
  (before a scheduled run's start, from two hours before the previous run). A
  certificate is non-compliant when a session with a connect or disconnect in the
  window overlaps a session of the same certificate under a different client id
  (boundaries included). Related resources: one CLIENT_ID per session with an event
  in the window, newest connection first; an open session has no DISCONNECTION_TIME.

totalResourcesCount is the number of client ids (certificates) with an event in the window.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from ...connections import Connection
from ..catalogue import CHECKS
from ..engine import Context, Observation, Outcome, evaluator

#: Shared-certificate windows end this long before the check runs (check-triggers.md 9).
SHARED_LAG = dt.timedelta(hours=2)


def _ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _times(connection: Connection) -> dict[str, str]:
    info = {"CONNECTION_TIME": _ms(connection.connected_at)}
    if connection.disconnected_at is not None:
        info["DISCONNECTION_TIME"] = _ms(connection.disconnected_at)
    return info


def _sessions(ctx: Context, by: Callable[[Connection], str | None]) -> dict[str, list[Connection]]:
    """Every session as of ``ctx.now``, grouped by ``by`` (sessions without a key left out)."""
    groups: dict[str, list[Connection]] = defaultdict(list)
    for recorded in ctx.audited.connections:
        key = by(recorded)
        seen = recorded.as_of(ctx.now) if key is not None else None
        if key is not None and seen is not None:
            groups[key].append(seen)
    return groups


def _overlaps(sessions: list[Connection]) -> Iterator[tuple[Connection, Connection]]:
    """(older, newer) for every two sessions open at a common moment, the newer connecting while the
    older was open (boundaries included): a sweep over connect times, so sessions that never overlap
    cost nothing more than the sort."""
    ordered = sorted(sessions, key=lambda s: (s.connected_at, s.ends))
    live: list[tuple[dt.datetime, int]] = []  # (end, index) of the sessions still open
    for i, newer in enumerate(ordered):
        while live and live[0][0] < newer.connected_at:
            heapq.heappop(live)
        for _, j in live:
            yield ordered[j], newer
        heapq.heappush(live, (newer.ends, i))


def _newest_first(sessions: list[Connection]) -> list[Connection]:
    return sorted(sessions, key=lambda s: (s.connected_at, s.ends), reverse=True)


@evaluator("CONFLICTING_CLIENT_IDS_CHECK")
def conflicting_client_ids(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    start, end = ctx.window(check)
    outcome = Outcome()
    for client_id, sessions in sorted(_sessions(ctx, lambda c: c.client_id).items()):
        if not any(s.has_event_in(start, end) for s in sessions):
            continue
        outcome.total += 1
        # A takeover: a session connecting (inside the window) while an older one is still open.
        involved = {id(s): s for pair in _overlaps(sessions) if start <= pair[1].connected_at <= end for s in pair}
        if not involved:
            continue
        unique = list(involved.values())
        related: tuple[dict[str, Any], ...] = tuple(
            {"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": {"deviceCertificateId": s.certificate_id},
             "additionalInfo": _times(s)}
            for s in _newest_first(unique) if s.certificate_id
        )
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {"clientId": client_id}, "DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS",
            "Multiple connections used the same client ID, disconnecting an already connected client.",
            related=related,
        ))
    return outcome


@evaluator("DEVICE_CERTIFICATE_SHARED_CHECK")
def shared_certificates(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    start, end = ctx.window(check, SHARED_LAG)
    outcome = Outcome()
    for certificate_id, sessions in sorted(_sessions(ctx, lambda c: c.certificate_id).items()):
        listed = [s for s in sessions if s.has_event_in(start, end)]
        if not listed:
            continue
        outcome.total += 1
        in_window = {id(s) for s in listed}
        shared = any(a.client_id != b.client_id and (id(a) in in_window or id(b) in in_window)
                     for a, b in _overlaps(sessions))
        if not shared:
            continue
        related = tuple({"resourceType": "CLIENT_ID", "resourceIdentifier": {"clientId": s.client_id},
                         "additionalInfo": _times(s)} for s in _newest_first(listed))
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {"deviceCertificateId": certificate_id},
            "CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES", "Certificate shared by one or more devices.", related=related,
        ))
    return outcome
