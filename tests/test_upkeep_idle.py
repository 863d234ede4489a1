"""The per-call upkeep check (``upkeep.idle``) says "nothing to do" only when catching up would
indeed change nothing: around a scheduled run's instant, the 90-day retention of tasks and
findings, and with a task in progress (check-triggers.md §G, reference §6 retention)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
from conftest import LOGGING, ROLE, UTC
from freezegun import freeze_time

from iot_audit_fake import audit_backends, mock_iot_audit, upkeep
from iot_audit_fake.clock import RETENTION

START = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
FIRST_RUN = dt.datetime(2026, 3, 2, tzinfo=UTC)  # daily runs at 00:00 UTC
MS = dt.timedelta(milliseconds=1)


def counts(state: Any) -> tuple[int, int, int]:
    return len(state.tasks), len(state.findings), len(state.running)


def idle_then_caught_up(state: Any, at: dt.datetime) -> bool:
    """Whether ``idle`` said so at ``at``; asserts that catching up then changed nothing if it did."""
    said = upkeep.idle(state, at.timestamp())
    before = counts(state), [a.next_due() for a in state.scheduled_audits.values()]
    upkeep.catch_up(state, at)
    if said:
        assert (counts(state), [a.next_due() for a in state.scheduled_audits.values()]) == before, at
    return said


def test_idle_only_when_catching_up_changes_nothing() -> None:
    with mock_iot_audit(), freeze_time(START, tick=False):
        iot = boto3.client("iot", region_name="us-east-1")
        iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={LOGGING: {"enabled": True}})
        iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                   targetCheckNames=[LOGGING])
        iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])  # a task, a finding
        state = audit_backends["123456789012"]["us-east-1"].state
        assert counts(state) == (1, 1, 0)
        assert idle_then_caught_up(state, START + dt.timedelta(hours=1))  # nothing due: idle
        # Around the first run: idle before it, not at it (the run is materialised then).
        assert idle_then_caught_up(state, FIRST_RUN - dt.timedelta(seconds=1))
        assert not idle_then_caught_up(state, FIRST_RUN)
        assert counts(state) == (2, 2, 0)
        assert idle_then_caught_up(state, FIRST_RUN + dt.timedelta(hours=1))
        # Around the retention of the on-demand task and its finding (runs in between come due too).
        first = state.tasks.newest_first(START, START + MS)
        first_id = next(first)[1].task_id
        gone = START + RETENTION
        for at, kept in ((gone - dt.timedelta(seconds=1), True), (gone - MS, True), (gone, True), (gone + MS, False),
                         (gone + dt.timedelta(seconds=1), False)):
            idle_then_caught_up(state, at)
            assert (state.tasks.get(first_id) is not None) is kept, at  # a task exactly 90 days old is kept


def test_not_idle_while_a_task_is_in_progress() -> None:
    with mock_iot_audit(), freeze_time(START, tick=False):
        iot = boto3.client("iot", region_name="us-east-1")
        iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={LOGGING: {"enabled": True}})
        state = audit_backends["123456789012"]["us-east-1"].state
        assert upkeep.idle(state, START.timestamp())
        from moto.moto_api import state_manager

        state_manager.set_transition("iot::audittask", {"progression": "manual", "times": 2})
        try:
            iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])
            assert not upkeep.idle(state, START.timestamp())
        finally:
            state_manager.unset_transition("iot::audittask")
