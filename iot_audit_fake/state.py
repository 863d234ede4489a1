"""The audit state of one account in one region, and the upkeep every operation runs first.

The operation groups in :mod:`iot_audit_fake.operations` all work on this state;
:class:`iot_audit_fake.backend.AuditBackend` puts them together.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from moto.core.base_backend import BaseBackend

from . import clock
from .checks import engine
from .checks.engine import Observation
from .configuration import AuditConfiguration
from .connections import Connection
from .findings import Finding
from .logging_options import LoggingOptions
from .schedules import ScheduledAudit
from .suppressions import Key as SuppressionKey
from .suppressions import Suppression
from .suppressions import key_of as suppression_key
from .tasks import SCHEDULED, AuditTask, CheckRun
from .timeline import Timeline


class AccountState(BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.configuration = AuditConfiguration()
        self.logging = LoggingOptions()
        self.tasks: Timeline[AuditTask] = Timeline()
        #: Tasks still IN_PROGRESS, settled on every call (a handful at most).
        self.running: dict[str, AuditTask] = {}
        self.findings: Timeline[Finding] = Timeline()
        #: Non-compliant observations seeded per check without building resources.
        self.seeded_observations: dict[str, list[Observation]] = {}
        #: Device connections recorded by tests (AWS sees them on its broker; moto cannot).
        self.connections: list[Connection] = []
        self.suppressions: dict[SuppressionKey, Suppression] = {}
        #: clientRequestToken -> the create request it was used for (idempotent retries).
        self.suppression_tokens: dict[str, str] = {}
        #: Scheduled audits by name, in creation order.
        self.scheduled_audits: dict[str, ScheduledAudit] = {}
        #: Tags of the taggable audit resources (scheduled audits, mitigation actions), by ARN.
        self.tags: dict[str, dict[str, str]] = {}
        #: Mitigation actions by name.
        self.mitigation_actions: dict[str, Any] = {}

    def arn(self, resource: str) -> str:
        return f"arn:{self.partition}:iot:{self.region_name}:{self.account_id}:{resource}"

    def checks_in_use(self) -> set[str]:
        """Checks that a scheduled audit targets: they cannot be disabled."""
        return {check for audit in self.scheduled_audits.values() for check in audit.check_names}

    def new_task(self, task_type: str, start: dt.datetime, checks: list[str],
                 scheduled_audit_name: str | None = None) -> AuditTask:
        task = AuditTask(uuid.uuid4().hex, task_type, start, checks, scheduled_audit_name)
        self.tasks.add(start, task.task_id, task)
        self.running[task.task_id] = task
        self.settle(task)
        return task

    # -- upkeep -------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the state up to the clock: drop expired data, run scheduled audits that fell due,
        finish tasks whose time has come. Runs on every call, so a frozen, shifted or real clock
        all work without a background thread."""
        now = clock.now()
        cutoff = clock.retention_cutoff(now)
        for task in self.tasks.expire_before(cutoff):
            self.running.pop(task.task_id, None)
        self.findings.expire_before(cutoff)
        for audit in self.scheduled_audits.values():
            for run in audit.due_runs(now, cutoff):
                self.new_task(SCHEDULED, run, list(audit.check_names), audit.name)
        for task in list(self.running.values()):
            self.settle(task)

    def settle(self, task: AuditTask) -> None:
        if task.due:
            self._evaluate(task)
        if task.final_status is not None:
            self.running.pop(task.task_id, None)

    def _evaluate(self, task: AuditTask) -> None:
        now = clock.now()
        # A scheduled run caught up after its instant reports its findings at that instant.
        found_at = task.start_time if task.task_type == SCHEDULED else now
        ctx = engine.Context(self, now)
        runs: dict[str, CheckRun] = {}
        findings: list[Finding] = []
        for check in task.check_names:
            if not self.configuration.is_enabled(check):
                runs[check] = CheckRun("FAILED", error_code="AUDIT_CHECK_DISABLED",
                                       message=f"{check} was disabled before the audit ran.")
                continue
            outcome = engine.run(check, ctx)
            suppressed = 0
            for observation in outcome.noncompliant:
                is_suppressed = self.is_suppressed(observation, found_at)
                suppressed += is_suppressed
                findings.append(Finding(str(uuid.uuid4()), task.task_id, task.start_time, found_at,
                                        observation, is_suppressed))
            noncompliant = len(outcome.noncompliant)
            runs[check] = CheckRun(
                "COMPLETED_NON_COMPLIANT" if noncompliant > suppressed else "COMPLETED_COMPLIANT",
                total=outcome.total, noncompliant=noncompliant, suppressed=suppressed,
            )
        task.finish(runs, findings)
        for finding in findings:
            self.findings.add(finding.finding_time, finding.finding_id, finding)

    def is_suppressed(self, observation: Observation, at: dt.datetime) -> bool:
        """Whether an active suppression covers this resource when the finding is produced."""
        found = self.suppressions.get(suppression_key(observation.check_name, observation.identifier))
        return found is not None and found.active(at)
