"""Start, describe, list and cancel audit tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import clock, upkeep
from ..errors import InvalidRequestException, LimitExceededException, ResourceNotFoundException
from ..pagination import decode_token, take_page
from ..tasks import ON_DEMAND, AuditTask
from .base import OperationsBase

#: Simultaneous in-progress on-demand audits [D-quota].
MAX_RUNNING_ON_DEMAND = 10


class TaskOperations(OperationsBase):
    def start_on_demand_audit_task(self, target_check_names: list[str]) -> dict[str, Any]:
        checks = self.state.validate_target_checks(target_check_names)
        running = sum(1 for task in self.state.running.values() if task.task_type == ON_DEMAND)
        if running >= MAX_RUNNING_ON_DEMAND:
            raise LimitExceededException(
                f"At most {MAX_RUNNING_ON_DEMAND} on-demand audits can be in progress at once."
            )
        now = clock.now()
        task = upkeep.start_task(self.state, ON_DEMAND, now, checks, now)
        return {"taskId": task.task_id}

    def get_task(self, task_id: str) -> AuditTask:
        task = self.state.tasks.get(task_id)
        if task is None:
            raise ResourceNotFoundException(f"Audit task {task_id} does not exist.")
        return task

    def describe_audit_task(self, task_id: str) -> Mapping[str, Any]:
        task = self.get_task(task_id)
        if task.final_status is None:  # an ended task has nothing left to advance or settle
            task.advance()
            upkeep.settle_task(self.state, task, clock.now())
        return task.describe()

    def list_audit_tasks(
        self,
        start_time: dt.datetime,
        end_time: dt.datetime,
        task_type: str | None = None,
        task_status: str | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        start = check_window(start_time, end_time)
        query = ["ListAuditTasks", start_time.timestamp(), end_time.timestamp(), task_type, task_status]
        before = decode_token(next_token, query)
        where = {name: value for name, value in (("type", task_type), ("status", task_status)) if value is not None}
        matching = self.state.tasks.newest_first(start, end_time, tuple(before) if before else None, where)
        page, token = take_page(matching, max_results, lambda pair: list(pair[0]), query)
        return {"tasks": [task.metadata() for _, task in page], "nextToken": token}

    def cancel_audit_task(self, task_id: str) -> None:
        task = self.get_task(task_id)
        upkeep.settle_task(self.state, task, clock.now())
        if task.task_status != "IN_PROGRESS":
            raise InvalidRequestException(
                f"Audit task {task_id} is {task.task_status}; only an IN_PROGRESS task can be canceled."
            )
        self.state.cancel_task(task)


def check_window(start_time: dt.datetime, end_time: dt.datetime) -> dt.datetime:
    """Validate a list time window; returns where the retained data begins within it.

    AWS refuses a startTime older than the 90-day retention. The limit is counted
    in whole UTC days, so a caller that computes "now - 90 days" a moment before
    the fake reads its clock is not refused for a few microseconds [INF].
    """
    if start_time > end_time:
        raise InvalidRequestException("startTime must not be later than endTime.")
    cutoff = clock.retention_cutoff()
    if start_time < cutoff.replace(hour=0, minute=0, second=0, microsecond=0):
        raise InvalidRequestException(
            f"startTime {start_time.isoformat()} is older than the 90-day retention period."
        )
    return max(start_time, cutoff)
