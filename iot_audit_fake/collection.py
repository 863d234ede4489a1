"""Data collection: what a check collects from the moment it is enabled, and when its first results come.

Some checks read data that AWS gathers over time rather than resources it can list:
device connections (CONFLICTING_CLIENT_IDS_CHECK, DEVICE_CERTIFICATE_SHARED_CHECK and,
for the identity pool they came through, the two Cognito checks) and a role's
service usage (the two role-alias checks). Three rules follow the model's
documentation of ``auditCheckConfigurations`` and the reference (check-triggers.md §G):

* Collection starts when a check is enabled; a check that reads connections sees only
  events at or after its latest enable time [INF, as the reference recommends]. Service
  usage is IAM's own record, read at run time, so it is not cut at the enable time [INF].
* Disabling a check deletes the data collected for it: the connections, usage records
  and seeded observations that no still-enabled check reads. Re-enabling starts empty.
* A check enabled more recently than its *collection delay* reports
  WAITING_FOR_DATA_COLLECTION and keeps its task IN_PROGRESS. By default only
  DEVICE_CERTIFICATE_SHARED_CHECK waits, two hours (the only documented delay); tests
  set any check's delay with ``set_data_collection_delay`` (docs/observations.md).

A check whose enable time is unknown (enabled by a scenario without ``enabled_at``)
counts as enabled long ago: it waits for nothing and sees every recorded event.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .connections import COGNITO_CHECKS, CONFLICTING_CLIENT_IDS, SHARED_CERTIFICATE

if TYPE_CHECKING:
    from .checks.audited_account import AuditedAccount

#: Delays AWS documents: no results from DEVICE_CERTIFICATE_SHARED_CHECK for two hours after enabling.
DEFAULT_DELAYS: dict[str, dt.timedelta] = {SHARED_CERTIFICATE: dt.timedelta(hours=2)}

ROLE_ALIAS_CHECKS = ("IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK", "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK")
#: Checks that read recorded connections (and so only see what was collected since they were enabled).
CONNECTION_CHECKS = frozenset({CONFLICTING_CLIENT_IDS, SHARED_CERTIFICATE, *COGNITO_CHECKS})
#: Checks whose collected data disabling deletes.
DATA_DRIVEN = CONNECTION_CHECKS | frozenset(ROLE_ALIAS_CHECKS)


def delay(state: AuditedAccount, check: str) -> dt.timedelta:
    return state.collection_delays.get(check, DEFAULT_DELAYS.get(check, dt.timedelta(0)))


def ready_at(state: AuditedAccount, check: str) -> dt.datetime | None:
    """When an enabled check's collected data is ready: its enable time plus its delay (None: long ago)."""
    if not state.configuration.is_enabled(check):
        return None
    enabled = state.configuration.enabled_at.get(check)
    wait = delay(state, check)
    return enabled + wait if enabled is not None and wait else None


def collected_since(state: AuditedAccount, check: str) -> dt.datetime | None:
    """The oldest connection event a check may see: its latest enable time (None: no limit)."""
    return state.configuration.enabled_at.get(check) if check in CONNECTION_CHECKS else None


def forget(state: AuditedAccount, disabled: set[str]) -> None:
    """Delete what was collected for checks that were just disabled and that no enabled check reads."""
    if not disabled:
        return
    enabled = {check for check in DATA_DRIVEN if state.configuration.is_enabled(check)}
    state.connections = [c for c in state.connections if c.readers() & enabled]
    if not enabled.intersection(ROLE_ALIAS_CHECKS):
        state.service_usage.clear()
    for check in disabled:
        state.seeded_observations.pop(check, None)
