"""Audit tasks: their lifecycle, per-check results and statistics (reference §6).

A task is IN_PROGRESS until moto's state manager (model ``iot::audittask``) lets
it progress and every check has run. An on-demand task's checks run at that
moment, against the resources as they are then. A scheduled run is a snapshot of
its own instant (check-triggers.md §G "Point in time"): its checks run as soon as
the run is materialised, which happens before any request can change what they
read, and the results wait, frozen, until the state manager lets the task finish.
A check still collecting data (collection.py) shows WAITING_FOR_DATA_COLLECTION
and keeps the task IN_PROGRESS. ``taskStatistics`` is always derived from
``auditDetails``, so it is a partition of the checks by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from .checks.outcomes import Observation
from .findings import Finding
from .replies import FinalReply

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
WAITING = CheckRun("WAITING_FOR_DATA_COLLECTION")
CANCELED = CheckRun("CANCELED")


@dataclass(frozen=True)
class Evaluated:
    """One check's result, computed but not yet shown: its run and (observation, suppressed) pairs."""

    run: CheckRun
    observations: tuple[tuple[Observation, bool], ...] = ()


class AuditTask(ManagedState):
    def __init__(
        self,
        task_id: str,
        task_type: str,
        start_time: dt.datetime,
        check_names: list[str],
        scheduled_audit_name: str | None = None,
        previous_run: dt.datetime | None = None,
    ) -> None:
        super().__init__(MODEL_NAME, [("IN_PROGRESS", "COMPLETED")])
        self.task_id = task_id
        self.task_type = task_type
        self.start_time = start_time
        self.check_names = check_names
        self.scheduled_audit_name = scheduled_audit_name
        #: For a scheduled run: the previous run of the same audit (its observation windows start there).
        self.previous_run = previous_run
        #: Checks run but not shown yet (until the task finishes).
        self.evaluated: dict[str, Evaluated] = {}
        #: Checks still waiting for their data to be collected (as of the last settle).
        self.waiting: set[str] = set()
        #: Once the state manager let the task progress, checks finish one by one as their data is ready.
        self.released = False
        self.runs: dict[str, CheckRun] = {}
        #: Findings of the checks finished so far, listed once the task finishes.
        self.pending: list[Finding] = []
        self.findings: list[Finding] = []
        #: COMPLETED, FAILED or CANCELED once settled.
        self.final_status: str | None = None
        self._final_reply: FinalReply | None = None
        self._final_metadata: FinalReply | None = None

    @property
    def task_status(self) -> str:
        return self.final_status or "IN_PROGRESS"

    @property
    def due(self) -> bool:
        """True once the state manager lets this running task finish."""
        return self.final_status is None and self.status == "COMPLETED"

    def complete_check(self, check: str, run: CheckRun, findings: list[Finding]) -> None:
        """Show one check's result; its findings are listed once the whole task finishes."""
        self.evaluated.pop(check, None)
        self.runs[check] = run
        self.pending.extend(findings)

    @property
    def unfinished(self) -> list[str]:
        return [name for name in self.check_names if name not in self.runs]

    def finish(self, runs: dict[str, CheckRun] | None = None, findings: list[Finding] | None = None) -> None:
        """End the task with every check's result (given, or completed one by one)."""
        if runs is not None:
            self.runs, self.pending = runs, list(findings or [])
        self.findings, self.pending = self.pending, []
        self.evaluated, self.waiting = {}, set()
        all_failed = bool(self.runs) and all(run.status == "FAILED" for run in self.runs.values())
        # AWS does not say when a whole task FAILs; here: only when every check failed [INF].
        self.final_status = "FAILED" if all_failed else "COMPLETED"

    def cancel(self) -> None:
        """Checks that had not finished are CANCELED. Checks that had are too [INF]: a canceled task
        lists no findings, and its results would otherwise count findings nobody can list."""
        self.final_status = "CANCELED"
        self.evaluated, self.waiting, self.pending = {}, set(), []
        self.runs = {name: CANCELED for name in self.check_names}

    def details(self) -> dict[str, CheckRun]:
        return {name: self.runs.get(name) or (WAITING if name in self.waiting else RUNNING)
                for name in self.check_names}

    def statistics(self, details: dict[str, CheckRun] | None = None) -> dict[str, int]:
        stats = dict.fromkeys(_STATISTIC.values(), 0)
        for run in (details or self.details()).values():
            stats[_STATISTIC[run.status]] += 1
        return {"totalChecks": len(self.check_names), **stats}

    def describe(self) -> Mapping[str, Any]:
        """The task as DescribeAuditTask shows it. Once the task has ended this never changes, so it
        is built once and handed out as a :class:`~iot_audit_fake.replies.FinalReply` (which the wire
        writes once): callers only read it."""
        if self._final_reply is not None:
            return self._final_reply
        details = self.details()
        described = {
            "taskStatus": self.task_status,
            "taskType": self.task_type,
            "taskStartTime": self.start_time,
            "taskStatistics": self.statistics(details),
            "scheduledAuditName": self.scheduled_audit_name,
            "auditDetails": {name: run.describe() for name, run in details.items()},
        }
        if self.final_status is None:
            return described
        self._final_reply = FinalReply(described)
        return self._final_reply

    def metadata(self) -> Mapping[str, Any]:
        """The task as ListAuditTasks shows it (built once when it has ended, as :meth:`describe`)."""
        if self._final_metadata is not None:
            return self._final_metadata
        metadata = {"taskId": self.task_id, "taskStatus": self.task_status, "taskType": self.task_type}
        if self.final_status is None:
            return metadata
        self._final_metadata = FinalReply(metadata)
        return self._final_metadata
