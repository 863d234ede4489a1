"""What the checks and data collection read of one account's audit state, declared, not implemented.

:class:`AuditedAccount` names the attributes of :class:`iot_audit_fake.state.AuditState` that
an evaluator (through ``Context.audited``) and collection.py read or trim. Typing them against
this declaration keeps the checks below the state they read: upkeep.py, which runs them, imports the checks,
never the other way round.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..configuration import AuditConfiguration
    from ..connections import Connection
    from ..logging_options import LoggingOptions
    from .outcomes import Observation


class AuditedAccount(Protocol):
    """The audit state of one account in one region, as the checks see it."""

    account_id: str
    region_name: str
    configuration: AuditConfiguration
    logging: LoggingOptions
    #: check name -> observations every audit of it reports (tests and scenarios seed them)
    seeded_observations: dict[str, list[Observation]]
    #: device connections the broker saw
    connections: list[Connection]
    #: role ARN -> service prefix -> when the role last used it
    service_usage: dict[str, dict[str, dt.datetime]]
    #: (issuer name, serial in hex) of certificates their issuer revoked
    revoked_serials: set[tuple[str, str]]
    #: check name -> how long its data collection takes after enabling
    collection_delays: dict[str, dt.timedelta]
