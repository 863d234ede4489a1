"""The audit backend: every operation group over one account's audit state, per account and region.

``audit_backends[account_id][region]`` follows moto's ``BackendDict`` conventions,
so moto's reset (the end of the outermost mock, ``/moto-api/reset``) clears it too.

An :class:`AuditBackend` is a thin moto backend: it holds the explicit
:class:`~iot_audit_fake.state.AuditState` (``backend.state``) that its operation mixins
(:mod:`iot_audit_fake.operations`, typed against ``operations/base.py``'s declaring base) work on,
and names the upkeep ``refresh``. The state's collections are also readable as the backend's
attributes (``backend.tasks``, ``backend.configuration``, ...), the names tests, scenarios and the
dashboard use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from moto.core.base_backend import BackendDict, BaseBackend

from . import clock, upkeep
from .checks.outcomes import Observation
from .configuration import AuditConfiguration
from .connections import Connection
from .findings import Finding
from .logging_options import LoggingOptions
from .mitigation_actions import MitigationAction
from .mitigation_tasks import MitigationTask
from .operations.configuration import ConfigurationOperations
from .operations.findings import FindingOperations
from .operations.logging import LoggingOperations
from .operations.mitigation_actions import MitigationActionOperations
from .operations.mitigation_tasks import MitigationTaskOperations
from .operations.observations import ObservationOperations
from .operations.scheduled_audits import ScheduledAuditOperations
from .operations.suppressions import SuppressionOperations
from .operations.tagging import TaggingOperations
from .operations.tasks import TaskOperations
from .schedules import ScheduledAudit
from .state import AuditState
from .suppressions import Key as SuppressionKey
from .suppressions import Suppression
from .tasks import AuditTask
from .timeline import Timeline


class AuditBackend(
    ConfigurationOperations,
    MitigationActionOperations,
    MitigationTaskOperations,
    ScheduledAuditOperations,
    FindingOperations,
    TaskOperations,
    SuppressionOperations,
    TaggingOperations,
    LoggingOperations,
    ObservationOperations,
    BaseBackend,
):
    """One account's Device Defender Audit state in one region, and the API's operations on it."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.state = AuditState(account_id, region_name, self.partition)

    def refresh(self) -> None:
        """Catch the state up with the clock (``upkeep.catch_up``): drop expired data, run scheduled
        audits that fell due, finish tasks whose time has come. The request entry runs it before
        every call, as do the ``record_*`` calls; it is a write by design (there is no background
        thread), named ``refresh`` for the callers that know it so."""
        upkeep.catch_up(self.state, clock.now())

    # -- the state's collections, under the names tests, scenarios and the dashboard read ----------

    @property
    def configuration(self) -> AuditConfiguration:
        return self.state.configuration

    @property
    def logging(self) -> LoggingOptions:
        return self.state.logging

    @property
    def tasks(self) -> Timeline[AuditTask]:
        return self.state.tasks

    @property
    def running(self) -> Mapping[str, AuditTask]:
        return self.state.running

    @property
    def findings(self) -> Timeline[Finding]:
        return self.state.findings

    @property
    def seeded_observations(self) -> dict[str, list[Observation]]:
        return self.state.seeded_observations

    @property
    def connections(self) -> list[Connection]:
        return self.state.connections

    @property
    def service_usage(self) -> dict[str, dict[str, dt.datetime]]:
        return self.state.service_usage

    @property
    def collection_delays(self) -> dict[str, dt.timedelta]:
        return self.state.collection_delays

    @property
    def revoked_serials(self) -> set[tuple[str, str]]:
        return self.state.revoked_serials

    @property
    def suppressions(self) -> dict[SuppressionKey, Suppression]:
        return self.state.suppressions

    @property
    def scheduled_audits(self) -> dict[str, ScheduledAudit]:
        return self.state.scheduled_audits

    @property
    def tags(self) -> dict[str, dict[str, str]]:
        return self.state.tags

    @property
    def mitigation_actions(self) -> dict[str, MitigationAction]:
        return self.state.mitigation_actions

    @property
    def mitigation_tasks(self) -> Timeline[MitigationTask]:
        return self.state.mitigation_tasks

    @property
    def running_mitigations(self) -> Mapping[str, MitigationTask]:
        return self.state.running_mitigations


audit_backends: BackendDict[AuditBackend] = BackendDict(AuditBackend, "iot")

