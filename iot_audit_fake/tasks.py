"""Audit tasks: their lifecycle, per-check results and statistics (reference §6).

A task is IN_PROGRESS until moto's state manager (model ``iot::audittask``) lets
it progress; at that moment its checks are evaluated against the resources as
they are then, and the results are frozen. ``taskStatistics`` is always derived
from ``auditDetails``, so it is a partition of the checks by construction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from .findings import Finding

MODEL_NAME = "iot::audittask"
state_manager.register_default_transition(MODEL_NAME, transition={"progression": "immediate"})

ON_DEMAND = "ON_DEMAND_AUDIT_TASK"
SCHEDULED = "SCHEDULED_AUDIT_TASK"

#: checkRunStatus -> the TaskStatistics counter it adds to.
_STATISTIC = {
    "IN_PROGRESS": "inProgressChecks",
    "WAITING_FOR_DATA_COLLECTION": "waitingForDataCollectionChecks",
    "COMPLETED_COMPLIANT": "compliantChecks",
    "COMPLETED_NON_COMPLIANT": "nonCompliantChecks",
    "FAILED": "failedChecks",
    "CANCELED": "canceledChecks",
}


@dataclass(frozen=True)
class CheckRun:
    """One check's result in one task (AuditCheckDetails)."""

    status: str
    total: int | None = None
    noncompliant: int | None = None
    suppressed: int | None = None
    error_code: str | None = None
    message: str | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "checkRunStatus": self.status,
            "checkCompliant": self.status == "COMPLETED_COMPLIANT" if self.total is not None else None,
            "totalResourcesCount": self.total,
            "nonCompliantResourcesCount": self.noncompliant,
            "suppressedNonCompliantResourcesCount": self.suppressed,
            "errorCode": self.error_code,
            "message": self.message,
        }


RUNNING = CheckRun("IN_PROGRESS")
CANCELED = CheckRun("CANCELED")


class AuditTask(ManagedState):
    def __init__(
        self,
        task_id: str,
        task_type: str,
        start_time: dt.datetime,
        check_names: list[str],
        scheduled_audit_name: str | None = None,
    ) -> None:
        super().__init__(MODEL_NAME, [("IN_PROGRESS", "COMPLETED")])
        self.task_id = task_id
        self.task_type = task_type
        self.start_time = start_time
        self.check_names = check_names
        self.scheduled_audit_name = scheduled_audit_name
        self.runs: dict[str, CheckRun] = {}
        self.findings: list[Finding] = []
        #: COMPLETED, FAILED or CANCELED once settled.
        self.final_status: str | None = None

    @property
    def task_status(self) -> str:
        return self.final_status or "IN_PROGRESS"

    @property
    def due(self) -> bool:
        """True once the state manager lets this running task finish."""
        return self.final_status is None and self.status == "COMPLETED"

    def finish(self, runs: dict[str, CheckRun], findings: list[Finding]) -> None:
        self.runs = runs
        self.findings = findings
        all_failed = bool(runs) and all(run.status == "FAILED" for run in runs.values())
        # AWS does not say when a whole task FAILs; here: only when every check failed [INF].
        self.final_status = "FAILED" if all_failed else "COMPLETED"

    def cancel(self) -> None:
        """Checks that had not finished are CANCELED; nothing ran, so nothing was found."""
        self.final_status = "CANCELED"
        self.runs = {name: CANCELED for name in self.check_names}

    def details(self) -> dict[str, CheckRun]:
        return {name: self.runs.get(name, RUNNING) for name in self.check_names}

    def statistics(self) -> dict[str, int]:
        stats = dict.fromkeys(_STATISTIC.values(), 0)
        for run in self.details().values():
            stats[_STATISTIC[run.status]] += 1
        return {"totalChecks": len(self.check_names), **stats}

    def describe(self) -> dict[str, Any]:
        return {
            "taskStatus": self.task_status,
            "taskType": self.task_type,
            "taskStartTime": self.start_time,
            "taskStatistics": self.statistics(),
            "scheduledAuditName": self.scheduled_audit_name,
            "auditDetails": {name: run.describe() for name, run in self.details().items()},
        }

    def metadata(self) -> dict[str, Any]:
        return {"taskId": self.task_id, "taskStatus": self.task_status, "taskType": self.task_type}
