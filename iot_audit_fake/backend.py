"""The audit backend: every operation group over one account's audit state, per account and region.

``audit_backends[account_id][region]`` follows moto's ``BackendDict`` conventions,
so moto's reset (the end of the outermost mock, ``/moto-api/reset``) clears it too.

An :class:`AuditBackend` is a thin moto backend: the API's operations and the documented
``record_*`` calls (the operation mixins of :mod:`iot_audit_fake.operations`, typed against
``operations/base.py``'s declaring base) over the explicit :class:`~iot_audit_fake.state.AuditState`
it holds as ``backend.state``, where tests, scenarios and the dashboard read the data
(``backend.state.tasks``, ``backend.state.connections``, ...), and :meth:`AuditBackend.catch_up`.
"""

from __future__ import annotations

from moto.core.base_backend import BackendDict, BaseBackend

from . import clock, upkeep
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
from .state import AuditState


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

    def catch_up(self) -> None:
        """Bring the state up to the clock (``upkeep.catch_up``): drop data past the retention, run the
        scheduled audits that fell due, settle the running tasks. It writes, by design: there is no
        background thread, so the request entry calls it before every audit call (and before moto
        handles what a check reads), as do the ``record_*`` calls, scenario loads and the dashboard."""
        if not upkeep.idle(self.state, clock.epoch()):  # the common case: a few comparisons
            upkeep.catch_up(self.state, clock.now())


audit_backends: BackendDict[AuditBackend] = BackendDict(AuditBackend, "iot")
