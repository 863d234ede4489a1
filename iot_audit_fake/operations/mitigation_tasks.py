"""Start, describe, list and cancel audit mitigation-actions tasks, and list their executions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import clock, upkeep
from ..checks.catalogue import CHECKS
from ..errors import (
    InvalidRequestException,
    LimitExceededException,
    ResourceNotFoundException,
    TaskAlreadyExistsException,
)
from ..findings import Finding
from ..listing_index import selection_for
from ..mitigation_tasks import Execution, MitigationTask, Selection
from ..pagination import decode_token, take_page
from .base import OperationsBase
from .tasks import check_window

#: Audit mitigation-actions tasks running at once [D-quota].
MAX_RUNNING_MITIGATION_TASKS = 10


class MitigationTaskOperations(OperationsBase):
    def start_audit_mitigation_actions_task(
        self,
        task_id: str,
        target: dict[str, Any],
        audit_check_to_actions_mapping: dict[str, list[str]],
        client_request_token: str,
    ) -> dict[str, Any]:
        existing = self.state.mitigation_tasks.get(task_id)
        if existing is not None:
            if existing.token == client_request_token:
                return {"taskId": task_id}  # a retry of the same request
            raise TaskAlreadyExistsException(f"Audit mitigation actions task {task_id} already exists.")
        if client_request_token in self.state.mitigation_tokens:
            raise InvalidRequestException(
                f"clientRequestToken {client_request_token} was already used for another task."
            )
        findings, wanted = self._target_findings(target)
        actions = self._mapping_actions(audit_check_to_actions_mapping)
        running = len(self.state.running_mitigations)
        if running >= MAX_RUNNING_MITIGATION_TASKS:
            raise LimitExceededException(
                f"At most {MAX_RUNNING_MITIGATION_TASKS} audit mitigation actions tasks can run at once."
            )
        selections = []
        for finding in findings:
            names = audit_check_to_actions_mapping.get(finding.check_name)
            if names is None:
                continue  # a finding of a check with no actions is not part of the task
            selection = Selection(finding)
            if wanted(finding):
                selection.executions = [
                    Execution(finding, name, actions[name].action_id, actions[name].action_type,
                              actions[name].params, "SKIPPED" if finding.is_suppressed else "PENDING")
                    for name in names
                ]
            selections.append(selection)
        definitions = [actions[name].definition() for name in dict.fromkeys(
            n for names in audit_check_to_actions_mapping.values() for n in names)]
        task = MitigationTask(task_id, client_request_token, clock.now(), target, audit_check_to_actions_mapping,
                              definitions, selections)
        self.state.add_mitigation_task(task)
        upkeep.settle_mitigation(self.state, task, clock.now())
        return {"taskId": task_id}

    def _target_findings(self, target: dict[str, Any]) -> tuple[list[Finding], Any]:
        """The findings a target names, and a filter telling which of them to act on."""
        audit_task_id, finding_ids = target.get("auditTaskId"), target.get("findingIds")
        codes = target.get("auditCheckToReasonCodeFilter")
        if (audit_task_id is None) == (finding_ids is None) or (codes is not None and audit_task_id is None):
            raise InvalidRequestException(
                "target must be auditTaskId, auditTaskId with auditCheckToReasonCodeFilter, or findingIds."
            )
        if finding_ids is not None:
            findings = []
            for finding_id in dict.fromkeys(finding_ids):  # a finding listed twice is one finding
                finding = self.state.findings.get(finding_id)
                if finding is None:
                    raise InvalidRequestException(f"Audit finding {finding_id} does not exist.")
                findings.append(finding)
            return findings, lambda finding: True
        task = self.state.tasks.get(str(audit_task_id))
        if task is None:
            raise InvalidRequestException(f"Audit task {audit_task_id} does not exist.")
        if codes is None:
            return list(task.findings), lambda finding: True
        return list(task.findings), lambda f: f.observation.reason_code in codes.get(f.check_name, ())

    def _mapping_actions(self, mapping: dict[str, list[str]]) -> dict[str, Any]:
        actions = {}
        for check, names in mapping.items():
            spec = CHECKS.get(check)
            if spec is None:
                raise InvalidRequestException(f"Unknown audit check name: {check}.")
            for name in names:
                action = self.state.mitigation_actions.get(name)
                if action is None:
                    raise InvalidRequestException(f"Mitigation action {name} does not exist.")
                if action.action_type not in spec.mitigation_types:
                    raise InvalidRequestException(
                        f"Mitigation action {name} ({action.action_type}) cannot be applied to {check}; "
                        f"allowed: {', '.join(spec.mitigation_types)}."
                    )
                actions[name] = action
        return actions

    def _mitigation_task(self, task_id: str) -> MitigationTask:
        task = self.state.mitigation_tasks.get(task_id)
        if task is None:
            raise ResourceNotFoundException(f"Audit mitigation actions task {task_id} does not exist.")
        return task

    def describe_audit_mitigation_actions_task(self, task_id: str) -> dict[str, Any]:
        task = self._mitigation_task(task_id)
        task.advance()
        upkeep.settle_mitigation(self.state, task, clock.now())
        return task.describe()

    def cancel_audit_mitigation_actions_task(self, task_id: str) -> None:
        task = self._mitigation_task(task_id)
        upkeep.settle_mitigation(self.state, task, clock.now())
        if task.task_status != "IN_PROGRESS":
            raise InvalidRequestException(
                f"Task {task_id} is {task.task_status}; only an IN_PROGRESS task can be canceled."
            )
        self.state.cancel_mitigation_task(task, clock.now())

    def list_audit_mitigation_actions_tasks(
        self,
        start_time: dt.datetime,
        end_time: dt.datetime,
        audit_task_id: str | None = None,
        finding_id: str | None = None,
        task_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        begin = check_window(start_time, end_time)
        query = ["ListAuditMitigationActionsTasks", start_time.timestamp(), end_time.timestamp(),
                 audit_task_id, finding_id, task_status]
        position = decode_token(next_token, query)
        where = {name: value for name, value in (("audit_task", audit_task_id), ("finding", finding_id),
                                                 ("status", task_status)) if value is not None}
        after = tuple(position) if position else None
        matching = self.state.mitigation_tasks.newest_first(begin, end_time, after, where)
        page, token = take_page(matching, max_results, lambda pair: list(pair[0]), query)
        return {"tasks": [task.metadata() for _, task in page], "nextToken": token}

    def list_audit_mitigation_actions_executions(
        self,
        task_id: str,
        finding_id: str,
        action_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        task = self.state.mitigation_tasks.get(task_id)
        if task is None:
            raise InvalidRequestException(f"Audit mitigation actions task {task_id} does not exist.")
        # A task selects a finding once, so its executions for that finding are that selection's.
        selection = selection_for(task, finding_id)
        executions = [e for e in (selection.executions if selection is not None else [])
                      if action_status is None or e.status == action_status]
        query = ["ListAuditMitigationActionsExecutions", task_id, finding_id, action_status]
        position = decode_token(next_token, query)
        start = position + 1 if position is not None else 0
        page, token = take_page(((i, executions[i]) for i in range(start, len(executions))), max_results,
                                lambda pair: pair[0], query)
        return {"actionsExecutions": [e.describe(task_id, task.start_time) for _, e in page], "nextToken": token}
