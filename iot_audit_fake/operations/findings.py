"""List and describe audit findings and their related resources."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..errors import InvalidRequestException, ResourceNotFoundException
from ..findings import Finding
from ..listing_index import finding_filter, task_finding_positions
from ..pagination import decode_token, take_page
from .base import OperationsBase
from .tasks import check_window


class FindingOperations(OperationsBase):
    def list_audit_findings(
        self,
        task_id: str | None = None,
        check_name: str | None = None,
        resource_identifier: dict[str, Any] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        start_time: dt.datetime | None = None,
        end_time: dt.datetime | None = None,
        list_suppressed_findings: bool | None = None,
    ) -> dict[str, Any]:
        has_window = start_time is not None or end_time is not None
        if (task_id is None) == (not has_window) or (has_window and (start_time is None or end_time is None)):
            raise InvalidRequestException("Specify either taskId or both startTime and endTime, but not both.")
        query = ["ListAuditFindings", task_id, check_name, resource_identifier, list_suppressed_findings,
                 start_time and start_time.timestamp(), end_time and end_time.timestamp()]
        position = decode_token(next_token, query)
        where = finding_filter(check_name, resource_identifier, list_suppressed_findings)
        matching: Iterable[tuple[Any, Finding]]
        if task_id is not None:
            task = self.state.tasks.get(task_id)
            if task is None:
                # ResourceNotFound is not modeled for this operation.
                raise InvalidRequestException(f"Audit task {task_id} does not exist.")
            positions = task_finding_positions(task, where)
            # Tokens hold a position in the task's findings: resume after it.
            start = bisect.bisect_right(positions, position) if position is not None else 0
            matching = ((positions[i], task.findings[positions[i]]) for i in range(start, len(positions)))
        else:
            assert start_time is not None and end_time is not None
            begin = check_window(start_time, end_time)
            matching = self.state.findings.newest_first(begin, end_time, tuple(position) if position else None, where)
        page, token = take_page(matching, max_results, lambda pair: pair[0], query)
        return {"findings": [finding.describe() for _, finding in page], "nextToken": token}

    def get_finding(self, finding_id: str) -> Finding:
        finding = self.state.findings.get(finding_id)
        if finding is None:
            raise ResourceNotFoundException(f"Audit finding {finding_id} does not exist.")
        return finding

    def describe_audit_finding(self, finding_id: str) -> dict[str, Any]:
        return {"finding": self.get_finding(finding_id).describe()}

    def list_related_resources_for_audit_finding(
        self, finding_id: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        related = self.get_finding(finding_id).observation.related
        query = ["ListRelatedResourcesForAuditFinding", finding_id]
        position = decode_token(next_token, query)
        start = position + 1 if position is not None else 0
        page, token = take_page(((i, related[i]) for i in range(start, len(related))), max_results,
                                lambda pair: pair[0], query)
        return {"relatedResources": [resource for _, resource in page], "nextToken": token}
