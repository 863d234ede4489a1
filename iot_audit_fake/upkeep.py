"""Catching the audit state up with the clock: retention, scheduled runs that fell due, tasks whose
time has come.

The fake has no background thread. Before anything that can change what a check reads (the
audit API, the backend's ``record_*`` calls and, through the request entry, moto's IoT, IAM and
Cognito Identity), :func:`catch_up` brings the state up to ``now``, so that every scheduled run is
materialised, and evaluated, while the account is still as it was at its instant; a frozen,
shifted or real clock all work. With nothing due it costs a few comparisons of epoch seconds
(:func:`idle`, which ``AuditBackend.catch_up`` asks first).

The functions change the state only through :class:`iot_audit_fake.state.AuditState`'s lifecycle
methods, and compute a check's verdict only through :mod:`iot_audit_fake.verdict`.
"""

from __future__ import annotations

import datetime as dt

from . import clock, collection, ids, verdict
from .checks import engine, families  # noqa: F401  (importing the families registers the evaluators)
from .findings import Finding
from .mitigation_actions import inner_params
from .mitigation_effects import EFFECTS, ActionFailed
from .mitigation_tasks import MitigationTask
from .state import AuditState
from .tasks import SCHEDULED, AuditTask, Evaluated

#: Seconds of slack in :func:`idle`: within a millisecond of a boundary, the full catch-up decides.
_SLACK = 0.001


def idle(state: AuditState, at: float) -> bool:
    """Whether catching up to ``at`` (epoch seconds) has nothing to do: nothing running, nothing past
    the retention, no scheduled run due. Comparisons of epoch seconds only, as every call runs it
    first; it answers False near a boundary (within :data:`_SLACK`), where :func:`catch_up` decides."""
    if state.has_running():
        return False
    limit = at - clock.RETENTION_SECONDS + _SLACK
    if state.tasks.starts_before(limit) or state.findings.starts_before(limit) \
            or state.mitigation_tasks.starts_before(limit):
        return False
    due_by = at + _SLACK
    return all(audit.next_due_epoch() > due_by for audit in state.scheduled_audits.values())


def catch_up(state: AuditState, now: dt.datetime) -> None:
    """Drop data past the retention, start the scheduled runs due by ``now``, settle every running task."""
    cutoff = clock.retention_cutoff(now)
    state.expire(cutoff)
    for audit in state.scheduled_audits.values():
        for run, previous in audit.due_runs(now, cutoff):
            start_task(state, SCHEDULED, run, list(audit.check_names), now, audit.name, previous)
    for task in state.running_tasks():
        settle_task(state, task, now)
    for mitigation in state.running_mitigation_tasks():
        settle_mitigation(state, mitigation, now)


def start_task(state: AuditState, task_type: str, start: dt.datetime, checks: list[str], now: dt.datetime,
               scheduled_audit_name: str | None = None, previous_run: dt.datetime | None = None) -> AuditTask:
    """A new audit task starting at ``start``, settled as of ``now`` (a scheduled run's checks run at once)."""
    task = AuditTask(ids.task_id(), task_type, start, checks, scheduled_audit_name, previous_run)
    state.add_task(task)
    settle_task(state, task, now)
    return task


def settle_task(state: AuditState, task: AuditTask, now: dt.datetime) -> None:
    """Run the checks whose time has come; finish the task once all ran and the state manager agrees.

    A scheduled run's checks run as of the run's instant (or, for a check still collecting
    data then, the instant its data was ready), as soon as that instant has passed; an
    on-demand task's checks run once the state manager lets the task progress, as of then.
    From that moment each check shows its result as soon as it has one; a check still
    collecting data shows WAITING_FOR_DATA_COLLECTION and keeps the task IN_PROGRESS."""
    if task.final_status is not None:
        if task.task_id in state.running:
            state.stop_task(task)  # ended elsewhere: it runs no more, and its status index follows
        return
    scheduled = task.task_type == SCHEDULED
    task.waiting = set()
    for check in task.unfinished:
        ready = collection.ready_at(state, check)
        if ready is not None and ready > now:
            task.waiting.add(check)
        elif scheduled and check not in task.evaluated:
            task.evaluated[check] = run_check(state, task, check, max(task.start_time, ready or task.start_time))
    if not task.released and not task.due:
        return
    task.released = True
    found_at = task.start_time if scheduled else now
    for check in task.unfinished:
        if check in task.waiting:
            continue
        evaluated = task.evaluated.get(check) or run_check(state, task, check, now)
        if not state.configuration.is_enabled(check):  # disabled since it ran: its data is gone
            evaluated = Evaluated(verdict.disabled(check))
        task.complete_check(check, evaluated.run, [
            Finding(ids.uuid_like(), task.task_id, task.start_time, found_at, observation, suppressed)
            for observation, suppressed in evaluated.observations])
    if not task.unfinished:
        state.finish_task(task)


def run_check(state: AuditState, task: AuditTask, check: str, at: dt.datetime) -> Evaluated:
    """One check of ``task``, evaluated as of ``at``."""
    if not state.configuration.is_enabled(check):
        return Evaluated(verdict.disabled(check))
    ctx = engine.Context(state, at, task.start_time, task.task_type == SCHEDULED, task.previous_run)
    # A bug in an evaluator propagates (FakeBug at iot_audit_fake.entry), never a believable INTERNAL_FAILURE.
    outcome = engine.run(check, ctx)
    pairs = tuple((observation, state.is_suppressed(observation, at)) for observation in outcome.noncompliant)
    return Evaluated(verdict.check_run(pairs, outcome.total), pairs)


def settle_mitigation(state: AuditState, task: MitigationTask, now: dt.datetime) -> None:
    """Run every execution once the state manager lets the task finish."""
    if not task.due:
        return
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
                    EFFECTS[execution.action_type](state, execution.finding, inner_params(execution.params))
                    execution.status = "COMPLETED"
                except ActionFailed as error:
                    execution.status, execution.error_code, execution.message = "FAILED", error.code, error.message
                    failed = True
                # Any other exception is a bug in the effect: it propagates (FakeBug at the entry).
            execution.end_time = now
    state.finish_mitigation_task(task, now)
