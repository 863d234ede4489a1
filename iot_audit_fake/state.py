"""The audit state of one account in one region: the data, in plain model classes, and the
methods that keep its invariants.

:class:`AuditState` holds what the audit API, the backend's ``record_*`` calls and the upkeep
read and change: the tasks timeline, findings, suppressions, scheduled audits, mitigation
actions and tasks, tags (:mod:`.tagged`) and what AWS observes that moto cannot (connections,
service usage, CRLs, seeded observations: :mod:`.observed`). It is not a moto backend and runs
nothing: the operations (:mod:`iot_audit_fake.operations`) and the upkeep
(:mod:`iot_audit_fake.upkeep`) work on it, and :class:`iot_audit_fake.backend.AuditBackend`
holds one per account and region. The operations change it only through its methods
(``tests/test_state_and_operations.py`` reads them to keep it so).

A task's lifecycle goes through :meth:`AuditState.add_task`, :meth:`AuditState.finish_task`,
:meth:`AuditState.cancel_task` and :meth:`AuditState.expire` (likewise for mitigation tasks):
they are the only places that change ``running`` and ``running_mitigations``, so a task is
running exactly while it is listed there, and its indexes follow its status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Any

from . import collection
from .checks.catalogue import CHECK_NAMES, unknown_checks
from .checks.outcomes import Observation
from .configuration import AuditConfiguration
from .errors import InvalidRequestException
from .findings import Finding
from .listing_index import (
    FINDING_COMBINATIONS,
    FINDING_FIELDS,
    MITIGATION_TASK_COMBINATIONS,
    MITIGATION_TASK_FIELDS,
    TASK_COMBINATIONS,
    TASK_FIELDS,
    VOLATILE,
    SuppressionOrder,
)
from .logging_options import LoggingOptions
from .mitigation_actions import MitigationAction
from .mitigation_tasks import MitigationTask
from .observed import ObservedData
from .schedules import ScheduledAudit
from .suppressions import Key as SuppressionKey
from .suppressions import Suppression
from .suppressions import key_of as suppression_key
from .tagged import TaggedResources
from .tasks import AuditTask
from .timeline import Timeline


class AuditState(ObservedData, TaggedResources):
    """One account's Device Defender Audit data in one region; what AWS observes and the tags are
    its parts :class:`ObservedData` and :class:`TaggedResources`, each with its own rules."""

    def __init__(self, account_id: str, region_name: str, partition: str = "aws") -> None:
        ObservedData.__init__(self)
        TaggedResources.__init__(self)
        self.account_id = account_id
        self.region_name = region_name
        self.partition = partition
        self.configuration = AuditConfiguration()
        self.logging = LoggingOptions()
        #: Indexed by the ListAuditTasks filters (listing_index), so a filtered page is O(log n + page).
        self.tasks: Timeline[AuditTask] = Timeline(TASK_FIELDS, VOLATILE, TASK_COMBINATIONS)
        #: Tasks still IN_PROGRESS, settled on every call (a handful at most).
        self._running: dict[str, AuditTask] = {}
        self.findings: Timeline[Finding] = Timeline(FINDING_FIELDS, (), FINDING_COMBINATIONS)
        self.suppressions: dict[SuppressionKey, Suppression] = {}
        #: The suppressions in ListAuditSuppressions order, kept by the suppression operations.
        self.suppression_order = SuppressionOrder()
        #: clientRequestToken -> (suppression key, the create request it was used for): idempotent retries.
        self.suppression_tokens: dict[str, tuple[SuppressionKey, str]] = {}
        #: Scheduled audits by name, in creation order.
        self.scheduled_audits: dict[str, ScheduledAudit] = {}
        #: Creation sequence: orders resources made within the same millisecond. A plain int, not
        #: itertools.count(): snapshots deep-copy the state, and itertools objects can't be copied on 3.14.
        self._sequence = 0
        #: Mitigation actions by name.
        self.mitigation_actions: dict[str, MitigationAction] = {}
        self.mitigation_tasks: Timeline[MitigationTask] = Timeline(MITIGATION_TASK_FIELDS, VOLATILE,
                                                                     MITIGATION_TASK_COMBINATIONS)
        #: Mitigation tasks still IN_PROGRESS, settled on every call.
        self._running_mitigations: dict[str, MitigationTask] = {}
        #: clientRequestTokens used by mitigation tasks (a token names one task only).
        self._mitigation_tokens: set[str] = set()

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def arn(self, resource: str) -> str:
        return f"arn:{self.partition}:iot:{self.region_name}:{self.account_id}:{resource}"

    # -- the configuration, and what changes with it ------------------------

    def configure(self, role_arn: str | None, targets: dict[str, dict[str, Any]] | None,
                  checks: dict[str, dict[str, Any]] | None, now: dt.datetime) -> None:
        """UpdateAccountAuditConfiguration: validate and apply the patch; what a check it disabled
        collected is deleted (collection.py)."""
        self.configuration.validate_update(role_arn, targets, checks, self.checks_in_use())
        collection.forget(self, self.configuration.update(role_arn, targets, checks, now))

    def delete_configuration(self) -> None:
        """DeleteAccountAuditConfiguration: no scheduled audits, no role or targets, every check disabled
        and what they collected deleted."""
        for name in list(self.scheduled_audits):
            self.remove_scheduled_audit(name)
        enabled = {name for name in CHECK_NAMES if self.configuration.is_enabled(name)}
        self.configuration = AuditConfiguration()
        collection.forget(self, enabled)

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

    # -- task lifecycle: the only places ``running`` changes ----------------

    @property
    def running(self) -> Mapping[str, AuditTask]:
        """Audit tasks still IN_PROGRESS, by id (read-only: the lifecycle methods change it)."""
        return MappingProxyType(self._running)

    @property
    def running_mitigations(self) -> Mapping[str, MitigationTask]:
        """Mitigation tasks still IN_PROGRESS, by id (read-only: the lifecycle methods change it)."""
        return MappingProxyType(self._running_mitigations)

    @property
    def mitigation_tokens(self) -> AbstractSet[str]:
        """clientRequestTokens of the mitigation tasks kept (a token names one task only)."""
        return self._mitigation_tokens

    def add_task(self, task: AuditTask) -> None:
        """A new audit task, running until it finishes or is canceled."""
        self.tasks.add(task.start_time, task.task_id, task)
        self._running[task.task_id] = task

    def finish_task(self, task: AuditTask) -> None:
        """End a running task with the results its checks completed, and list its findings."""
        task.finish()
        # One task's findings share a time: adding them in id order keeps the timeline append-only.
        for finding in sorted(task.findings, key=lambda f: f.finding_id):
            self.findings.add(finding.finding_time, finding.finding_id, finding)
        self.stop_task(task)

    def cancel_task(self, task: AuditTask) -> None:
        task.cancel()
        self.stop_task(task)

    def stop_task(self, task: AuditTask) -> None:
        """A task that has ended (here, or by a scenario writing history) runs no more; its status index follows."""
        self._running.pop(task.task_id, None)
        self.tasks.reindex(task.task_id)

    def add_finished_task(self, task: AuditTask) -> None:
        """A task that ended before it was added (the history a test or scenario records), with its findings."""
        if task.final_status is None:
            raise ValueError(f"audit task {task.task_id} has not ended")
        for finding in task.findings:
            self.findings.add(finding.finding_time, finding.finding_id, finding)
        self.tasks.add(task.start_time, task.task_id, task)

    def add_mitigation_task(self, task: MitigationTask) -> None:
        self.mitigation_tasks.add(task.start_time, task.task_id, task)
        self._running_mitigations[task.task_id] = task
        self._mitigation_tokens.add(task.token)

    def finish_mitigation_task(self, task: MitigationTask, now: dt.datetime) -> None:
        task.finish(now)
        self._stop_mitigation(task)

    def cancel_mitigation_task(self, task: MitigationTask, now: dt.datetime) -> None:
        task.cancel(now)
        self._stop_mitigation(task)

    def backdate_mitigation_task(self, task: MitigationTask, when: dt.datetime) -> None:
        """A finished mitigation task moved to ``when`` (history a scenario records), in the timeline too."""
        self.mitigation_tasks.remove(task.start_time, task.task_id)
        task.backdate(when)
        self.mitigation_tasks.add(when, task.task_id, task)

    def _stop_mitigation(self, task: MitigationTask) -> None:
        self._running_mitigations.pop(task.task_id, None)
        self.mitigation_tasks.reindex(task.task_id)

    def expire(self, cutoff: dt.datetime) -> None:
        """Forget tasks, findings and mitigation tasks older than ``cutoff`` (the 90-day retention)."""
        limit = cutoff.timestamp()  # once, and a comparison per timeline: this runs before every call
        if self.tasks.starts_before(limit):
            for task in self.tasks.expire_before(cutoff):
                self._running.pop(task.task_id, None)
        if self.findings.starts_before(limit):
            self.findings.expire_before(cutoff)
        if self.mitigation_tasks.starts_before(limit):
            for mitigation in self.mitigation_tasks.expire_before(cutoff):
                self._mitigation_tokens.discard(mitigation.token)
                self._running_mitigations.pop(mitigation.task_id, None)

    def has_running(self) -> bool:
        """Whether an audit or mitigation task is in progress."""
        return bool(self._running or self._running_mitigations)

    def running_tasks(self) -> list[AuditTask]:
        """The audit tasks in progress now (a copy: settling one changes the running set)."""
        return list(self._running.values()) if self._running else []

    def running_mitigation_tasks(self) -> list[MitigationTask]:
        """The mitigation tasks in progress now (a copy, as for :meth:`running_tasks`)."""
        return list(self._running_mitigations.values()) if self._running_mitigations else []

    # -- resources whose parts change together ----------------------------

    def add_suppression(self, suppression: Suppression, token: str, request: str) -> None:
        """A suppression, filed in the list order, with the clientRequestToken of its create request
        (one it replaces, an expired one, is removed first)."""
        key = suppression_key(suppression.check_name, suppression.identifier)
        self.remove_suppression(key)
        self.suppressions[key] = suppression
        self.suppression_order.add(suppression)
        self.suppression_tokens[token] = (key, request)

    def change_suppression_term(self, suppression: Suppression, expiration: dt.datetime | None,
                                indefinitely: bool) -> None:
        # The term is part of the list order: re-file the suppression under its new one.
        self.suppression_order.discard(suppression.check_name, suppression.identifier)
        suppression.indefinitely, suppression.expiration = indefinitely, expiration
        self.suppression_order.add(suppression)

    def remove_suppression(self, key: SuppressionKey) -> Suppression | None:
        """Remove a suppression, its place in the list order and its tokens (they name nothing any more)."""
        found = self.suppressions.pop(key, None)
        if found is not None:
            for token in [t for t, (used_for, _) in self.suppression_tokens.items() if used_for == key]:
                del self.suppression_tokens[token]
            self.suppression_order.discard(found.check_name, found.identifier)
        return found

    def add_scheduled_audit(self, audit: ScheduledAudit, tags: list[dict[str, str]] | None) -> None:
        """A new scheduled audit, with the tags its create request gave it."""
        self.scheduled_audits[audit.name] = audit
        self.add_tagged(audit.arn, tags)

    def add_mitigation_action(self, action: MitigationAction, tags: list[dict[str, str]] | None) -> None:
        """A new mitigation action, with the tags its create request gave it."""
        self.mitigation_actions[action.name] = action
        self.add_tagged(action.arn, tags)

    def remove_scheduled_audit(self, name: str) -> ScheduledAudit:
        """Delete a scheduled audit, and its tags with it."""
        audit = self.scheduled_audits.pop(name)
        self.tags.pop(audit.arn, None)
        return audit

    def remove_mitigation_action(self, name: str) -> MitigationAction | None:
        """Delete a mitigation action (if there is one), and its tags with it."""
        action = self.mitigation_actions.pop(name, None)
        if action is not None:
            self.tags.pop(action.arn, None)
        return action

    def is_suppressed(self, observation: Observation, at: dt.datetime) -> bool:
        """Whether an active suppression covers this resource when the finding is produced."""
        if not self.suppressions:
            return False
        found = self.suppressions.get(suppression_key(observation.check_name, observation.identifier))
        return found is not None and found.active(at)

