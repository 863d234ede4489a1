"""Scheduled audits under a frozen clock: create a DAILY audit, move the clock three days, see three runs.

The fake has no background thread: every call first catches up on what fell due, reading
the one clock that freezegun and time-machine both control. So a test freezes the clock
(here with time-machine's ``time_machine`` fixture), moves it, and reads. Each DAILY run
happens at 00:00 UTC and becomes a SCHEDULED_AUDIT_TASK at that instant.
"""

from __future__ import annotations

import datetime as dt

CHECK = "LOGGING_DISABLED_CHECK"
START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_a_daily_audit_runs_once_a_day(iot_client, time_machine):
    iot = iot_client
    time_machine.move_to(START, tick=False)  # frozen: the clock moves only when the test says so

    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/AuditRole", auditCheckConfigurations={CHECK: {"enabled": True}}
    )
    iot.create_scheduled_audit(scheduledAuditName="daily-logging", frequency="DAILY", targetCheckNames=[CHECK])

    def scheduled_tasks():
        return iot.list_audit_tasks(
            startTime=START - dt.timedelta(days=1),
            endTime=START + dt.timedelta(days=30),
            taskType="SCHEDULED_AUDIT_TASK",
        )["tasks"]

    assert scheduled_tasks() == []  # nothing has run yet: the first run is at the next midnight

    time_machine.shift(dt.timedelta(days=3))  # 2026-03-04 12:00: midnights of the 2nd, 3rd and 4th passed

    tasks = scheduled_tasks()
    assert len(tasks) == 3
    assert {task["taskStatus"] for task in tasks} == {"COMPLETED"}

    # Each run is a task of its own, started at its midnight and named after its schedule.
    starts = sorted(iot.describe_audit_task(taskId=task["taskId"])["taskStartTime"] for task in tasks)
    assert [start.astimezone(dt.timezone.utc).day for start in starts] == [2, 3, 4]
    assert all(start.astimezone(dt.timezone.utc).hour == 0 for start in starts)
    description = iot.describe_audit_task(taskId=tasks[0]["taskId"])
    assert description["scheduledAuditName"] == "daily-logging"
    assert description["taskType"] == "SCHEDULED_AUDIT_TASK"
