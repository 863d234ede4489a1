"""Audit findings: what one task reported about one non-compliant resource (reference §7)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checks.catalogue import CHECKS
from .checks.outcomes import Observation
from .replies import FinalReply

#: DescribeAuditFinding returns at most this many related resources; the list operation pages through all.
DESCRIBE_RELATED_LIMIT = 10
#: For this check AWS leaves relatedResources empty in DescribeAuditFinding.
_NO_RELATED_IN_DESCRIBE = "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK"


@dataclass(frozen=True)
class Finding:
    finding_id: str
    task_id: str
    task_start_time: dt.datetime
    finding_time: dt.datetime
    observation: Observation
    #: Fixed when the finding is produced, never recomputed [M-doc isSuppressed].
    is_suppressed: bool

    @property
    def check_name(self) -> str:
        return self.observation.check_name

    @property
    def identifier(self) -> dict[str, Any]:
        return self.observation.identifier

    def describe(self, related_limit: int | None = DESCRIBE_RELATED_LIMIT) -> Mapping[str, Any]:
        """The finding as ListAuditFindings and DescribeAuditFinding show it (``related_limit=None``:
        every related resource, as a notification carries it). A finding never changes, so the
        API's form is built once, a :class:`~iot_audit_fake.replies.FinalReply` the wire writes once."""
        if related_limit == DESCRIBE_RELATED_LIMIT:
            return self._described
        return self._describe(related_limit)

    @functools.cached_property
    def _described(self) -> FinalReply:
        return FinalReply(self._describe(DESCRIBE_RELATED_LIMIT))

    def _describe(self, related_limit: int | None) -> dict[str, Any]:
        obs = self.observation
        related = list(obs.related)
        if related_limit is not None:
            related = [] if obs.check_name == _NO_RELATED_IN_DESCRIBE else related[:related_limit]
        resource: dict[str, Any] = {"resourceType": obs.resource_type, "resourceIdentifier": obs.identifier}
        if obs.additional_info:  # omitted when empty, as in AWS's published outputs (check-triggers.md §G)
            resource["additionalInfo"] = dict(obs.additional_info)
        return {
            "findingId": self.finding_id,
            "taskId": self.task_id,
            "checkName": obs.check_name,
            "taskStartTime": self.task_start_time,
            "findingTime": self.finding_time,
            "severity": CHECKS[obs.check_name].severity,
            "nonCompliantResource": resource,
            "relatedResources": related or None,
            "reasonForNonCompliance": obs.reason,
            "reasonForNonComplianceCode": obs.reason_code,
            "isSuppressed": self.is_suppressed,
        }
