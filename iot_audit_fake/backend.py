"""The audit backend: every operation group over one account's audit state, per account and region.

``audit_backends[account_id][region]`` follows moto's ``BackendDict`` conventions,
so moto's reset (the end of the outermost mock, ``/moto-api/reset``) clears it too.
"""

from __future__ import annotations

from moto.core.base_backend import BackendDict

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
):
    """One account's Device Defender Audit state in one region."""


audit_backends: BackendDict[AuditBackend] = BackendDict(AuditBackend, "iot")
