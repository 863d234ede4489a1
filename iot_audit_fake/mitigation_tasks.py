"""Audit mitigation-actions tasks and their executions (reference §11).

A task is IN_PROGRESS until moto's state manager (model
``iot::auditmitigationactionstask``) lets it progress; then every execution
runs, in order: one per (finding, action), the later actions of a finding
skipped after one fails. Statistics are derived from the executions, so the two
always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from .findings import Finding

MODEL_NAME = "iot::auditmitigationactionstask"
state_manager.register_default_transition(MODEL_NAME, transition={"progression": "immediate"})


@dataclass
class Execution:
    finding: Finding
    action_name: str
    action_id: str
    action_type: str
    params: dict[str, Any]
    status: str = "PENDING"
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    error_code: str | None = None
    message: str | None = None

    def describe(self, task_id: str, task_start: dt.datetime) -> dict[str, Any]:
        return {
            "taskId": task_id, "findingId": self.finding.finding_id, "actionName": self.action_name,
            "actionId": self.action_id, "status": self.status, "startTime": self.start_time or task_start,
            "endTime": self.end_time, "errorCode": self.error_code, "message": self.message,
        }


@dataclass
class Selection:
    """One finding a task looked at, and why it was or was not acted on."""

    finding: Finding
    #: Executions for this finding, in the order the mapping lists the actions; empty when skipped.
    executions: list[Execution] = field(default_factory=list)

    def outcome(self) -> str:
        """succeeded / failed / skipped / canceled, per finding [M-doc TaskStatisticsForAuditCheck]."""
        statuses = {e.status for e in self.executions}
        if not statuses or statuses == {"SKIPPED"}:
            return "skipped"
        if "FAILED" in statuses:
            return "failed"
        if "CANCELED" in statuses:
            return "canceled"
        return "succeeded" if statuses == {"COMPLETED"} else "pending"


class MitigationTask(ManagedState):
    def __init__(self, task_id: str, token: str, start: dt.datetime, target: dict[str, Any],
                 mapping: dict[str, list[str]], definitions: list[dict[str, Any]],
                 selections: list[Selection]) -> None:
        super().__init__(MODEL_NAME, [("IN_PROGRESS", "COMPLETED")])
        self.task_id = task_id
        self.token = token
        self.start_time = start
        self.end_time: dt.datetime | None = None
        self.target = target
        self.mapping = mapping
        self.definitions = definitions
        self.selections = selections
        self.final_status: str | None = None

    @property
    def task_status(self) -> str:
        return self.final_status or "IN_PROGRESS"

    @property
    def due(self) -> bool:
        return self.final_status is None and self.status == "COMPLETED"

    def executions(self) -> list[Execution]:
        return [e for s in self.selections for e in s.executions]

    def finish(self, at: dt.datetime) -> None:
        failed = any(e.status == "FAILED" for e in self.executions())
        self.final_status = "FAILED" if failed else "COMPLETED"
        self.end_time = at

    def cancel(self, at: dt.datetime) -> None:
        """Executions not yet run are CANCELED; nothing already applied is rolled back."""
        for execution in self.executions():
            if execution.status in ("PENDING", "IN_PROGRESS"):
                execution.status, execution.end_time = "CANCELED", at
        self.final_status, self.end_time = "CANCELED", at

    def backdate(self, when: dt.datetime) -> None:
        """Move a finished task to ``when`` (history a scenario records): it started and ended then,
        and so did each execution that ran."""
        self.start_time = self.end_time = when
        for execution in self.executions():
            execution.start_time = when if execution.start_time else None
            execution.end_time = when if execution.end_time else None

    def statistics(self) -> dict[str, dict[str, int]]:
        stats = {check: dict.fromkeys(("totalFindingsCount", "failedFindingsCount", "succeededFindingsCount",
                                       "skippedFindingsCount", "canceledFindingsCount"), 0)
                 for check in self.mapping}
        for selection in self.selections:
            counters = stats[selection.finding.check_name]
            counters["totalFindingsCount"] += 1
            outcome = selection.outcome()
            if outcome != "pending":
                counters[f"{outcome}FindingsCount"] += 1
        return stats

    def describe(self) -> dict[str, Any]:
        return {
            "taskStatus": self.task_status, "startTime": self.start_time, "endTime": self.end_time,
            "taskStatistics": self.statistics(), "target": self.target,
            "auditCheckToActionsMapping": self.mapping, "actionsDefinition": self.definitions,
        }

    def metadata(self) -> dict[str, Any]:
        return {"taskId": self.task_id, "startTime": self.start_time, "taskStatus": self.task_status}

    def finding_ids(self) -> set[str]:
        return {s.finding.finding_id for s in self.selections}
