"""The audit state of one account in one region, and the upkeep every operation runs first.

The operation groups in :mod:`iot_audit_fake.operations` all work on this state;
:class:`iot_audit_fake.backend.AuditBackend` puts them together.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from typing import Any

from moto.core.base_backend import BaseBackend

from . import clock, ids
from .checks import engine
from .checks.catalogue import unknown_checks
from .checks.engine import Observation
from .configuration import AuditConfiguration
from .connections import Connection
from .errors import InvalidRequestException, LimitExceededException
from .findings import Finding
from .logging_options import LoggingOptions
from .mitigation_actions import MitigationAction, inner_params
from .mitigation_effects import EFFECTS, ActionFailed
from .mitigation_tasks import MitigationTask
from .schedules import ScheduledAudit
from .suppressions import Key as SuppressionKey
from .suppressions import Suppression
from .suppressions import key_of as suppression_key
from .tasks import SCHEDULED, AuditTask, CheckRun
from .timeline import Timeline

log = logging.getLogger("iot_audit_fake")

#: Tags per resource (CloudFormation's documented maximum for both audit resource types).
MAX_TAGS = 50


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
        #: Certificates their issuer revoked (its CRL, which AWS reads and moto has not):
        #: (issuer as RFC 4514 text, serial in hex).
        self.revoked_serials: set[tuple[str, str]] = set()
        self.suppressions: dict[SuppressionKey, Suppression] = {}
        #: clientRequestToken -> (suppression key, the create request it was used for): idempotent retries.
        self.suppression_tokens: dict[str, tuple[SuppressionKey, str]] = {}
        #: Scheduled audits by name, in creation order.
        self.scheduled_audits: dict[str, ScheduledAudit] = {}
        #: Tags by ARN: scheduled audits, mitigation actions, and the IoT resources moto holds but cannot tag.
        self.tags: dict[str, dict[str, str]] = {}
        #: The moto object each moto-held ARN's tags belong to (a recreated resource starts untagged).
        self.moto_tag_owners: dict[str, Any] = {}
        #: Creation sequence: orders resources made within the same millisecond.
        self.sequence = itertools.count()
        #: Mitigation actions by name.
        self.mitigation_actions: dict[str, MitigationAction] = {}
        self.mitigation_tasks: Timeline[MitigationTask] = Timeline()
        #: Mitigation tasks still IN_PROGRESS, settled on every call.
        self.running_mitigations: dict[str, MitigationTask] = {}
        #: clientRequestTokens used by mitigation tasks (a token names one task only).
        self.mitigation_tokens: set[str] = set()

    def arn(self, resource: str) -> str:
        return f"arn:{self.partition}:iot:{self.region_name}:{self.account_id}:{resource}"

    def checks_in_use(self) -> set[str]:
        """Checks that a scheduled audit targets: they cannot be disabled."""
        return {check for audit in self.scheduled_audits.values() for check in audit.check_names}

    def validate_target_checks(self, names: list[str]) -> list[str]:
        """Target checks must be known and enabled; returns them de-duplicated in request order."""
        if not names:
            raise InvalidRequestException("targetCheckNames must name at least one check.")
        unknown = unknown_checks(names)
        if unknown:
            raise InvalidRequestException(f"Unknown audit check name(s): {', '.join(unknown)}.")
        disabled = sorted({n for n in names if not self.configuration.is_enabled(n)})
        if disabled:
            raise InvalidRequestException(
                f"Check(s) not enabled in the account audit configuration: {', '.join(disabled)}."
            )
        return list(dict.fromkeys(names))

    def validate_tags(self, tags: list[dict[str, str]], existing: dict[str, str] | None = None) -> None:
        keys = set(existing or {}) | {t["Key"] for t in tags}
        if len(keys) > MAX_TAGS:
            raise LimitExceededException(f"A resource can have at most {MAX_TAGS} tags.")

    def new_task(self, task_type: str, start: dt.datetime, checks: list[str],
                 scheduled_audit_name: str | None = None) -> AuditTask:
        task = AuditTask(ids.task_id(), task_type, start, checks, scheduled_audit_name)
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
        for mitigation in self.mitigation_tasks.expire_before(cutoff):
            self.mitigation_tokens.discard(mitigation.token)
            self.running_mitigations.pop(mitigation.task_id, None)
        for audit in self.scheduled_audits.values():
            for run in audit.due_runs(now, cutoff):
                self.new_task(SCHEDULED, run, list(audit.check_names), audit.name)
        for task in list(self.running.values()):
            self.settle(task)
        for mitigation in list(self.running_mitigations.values()):
            self.settle_mitigation(mitigation)

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
            try:
                outcome = engine.run(check, ctx)
            except Exception as error:  # a fault in an evaluator fails its check, not the request
                log.exception("iot_audit_fake: evaluating %s failed", check)
                runs[check] = CheckRun("FAILED", error_code="INTERNAL_FAILURE", message=f"{type(error).__name__}")
                continue
            suppressed = 0
            for observation in outcome.noncompliant:
                is_suppressed = self.is_suppressed(observation, found_at)
                suppressed += is_suppressed
                findings.append(Finding(ids.uuid_like(), task.task_id, task.start_time, found_at,
                                        observation, is_suppressed))
            noncompliant = len(outcome.noncompliant)
            runs[check] = CheckRun(
                "COMPLETED_NON_COMPLIANT" if noncompliant > suppressed else "COMPLETED_COMPLIANT",
                total=outcome.total, noncompliant=noncompliant, suppressed=suppressed,
            )
        task.finish(runs, findings)
        # One task's findings share a time: adding them in id order keeps the timeline append-only.
        for finding in sorted(findings, key=lambda f: f.finding_id):
            self.findings.add(finding.finding_time, finding.finding_id, finding)

    def settle_mitigation(self, task: MitigationTask) -> None:
        """Run every execution once the state manager lets the task finish."""
        if not task.due:
            return
        now = clock.now()
        for selection in task.selections:
            failed = False
            for execution in selection.executions:
                if execution.status != "PENDING":  # skipped from the start (a suppressed finding)
                    execution.start_time = execution.start_time or now
                    execution.end_time = execution.end_time or now
                    continue
                execution.start_time = now
                if failed:  # a failed action stops the later ones for this finding
                    execution.status = "SKIPPED"
                else:
                    try:
                        EFFECTS[execution.action_type](self, execution.finding, inner_params(execution.params))
                        execution.status = "COMPLETED"
                    except ActionFailed as error:
                        execution.status, execution.error_code, execution.message = "FAILED", error.code, error.message
                        failed = True
                    except Exception as error:  # a fault in an effect fails its execution, not the request
                        log.exception("iot_audit_fake: mitigation %s failed", execution.action_name)
                        execution.status, execution.error_code = "FAILED", "INTERNAL_FAILURE"
                        execution.message = type(error).__name__
                        failed = True
                execution.end_time = now
        task.finish(now)
        self.running_mitigations.pop(task.task_id, None)

    def is_suppressed(self, observation: Observation, at: dt.datetime) -> bool:
        """Whether an active suppression covers this resource when the finding is produced."""
        if not self.suppressions:
            return False
        found = self.suppressions.get(suppression_key(observation.check_name, observation.identifier))
        return found is not None and found.active(at)
