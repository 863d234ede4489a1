"""Scheduled audits through a real boto3 client (reference §8, §6, §13, §14), with the clock driven
by freezegun and by time-machine.

Runs happen at 00:00 UTC on their day and are materialised lazily on every call, so a test moves the
clock and then reads; each scheduled run becomes a SCHEDULED_AUDIT_TASK at its scheduled instant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import freezegun
import pytest
import time_machine
from conftest import (
    ACCOUNT,
    ALL_CHECKS,
    DAY,
    LOGGING,
    NO_RETRIES,
    POLICY,
    REGION,
    ROLE,
    UTC,
    assert_error,
    client,
    enable,
)

CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"
SCHEDULED = "SCHEDULED_AUDIT_TASK"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def arn_of(name: str) -> str:
    return f"arn:aws:iot:{REGION}:{ACCOUNT}:scheduledaudit/{name}"


# -- two frozen clocks behind one interface ------------------------------------------------------


class Clock:
    """A frozen clock (``tick=False``) from freezegun or time-machine, moved explicitly by the test."""

    def __init__(self, kind: str, stack: contextlib.ExitStack) -> None:
        self.kind = kind
        self._stack = stack
        self._handle: Any = None

    def start(self, when: dt.datetime, zone: str | None = None) -> Clock:
        """Freeze at ``when``; with ``zone`` the process's local time zone (``TZ``) is that zone meanwhile.

        freezegun's own ``tz_offset`` is exercised separately (see the test of it below).
        """
        if self.kind == "freezegun":
            if zone:
                self._stack.enter_context(_local_zone(zone))
            self._handle = self._stack.enter_context(freezegun.freeze_time(when, tick=False))
        else:
            # time-machine mocks the local zone itself when the destination carries a ZoneInfo.
            destination = when.astimezone(ZoneInfo(zone)) if zone else when
            self._handle = self._stack.enter_context(time_machine.travel(destination, tick=False))
        return self

    def shift(self, delta: dt.timedelta) -> None:
        if self.kind == "freezegun":
            self._handle.tick(delta)
        else:
            self._handle.shift(delta)

    def move_to(self, when: dt.datetime) -> None:
        self._handle.move_to(when)

    @staticmethod
    def now() -> dt.datetime:
        """The frozen instant in UTC, read from the epoch clock (both libraries patch ``time.time``)."""
        return dt.datetime.fromtimestamp(time.time(), UTC)


@contextlib.contextmanager
def _local_zone(zone: str) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.fixture(params=["freezegun", "time-machine"])
def clock(request: pytest.FixtureRequest) -> Iterator[Clock]:
    with contextlib.ExitStack() as stack:
        yield Clock(request.param, stack)


# -- helpers ---------------------------------------------------------------------------------------


def create(iot: Any, name: str = "nightly", frequency: str = "DAILY", checks: tuple[str, ...] = (LOGGING,),
           **kwargs: Any) -> str:
    return iot.create_scheduled_audit(
        scheduledAuditName=name, frequency=frequency, targetCheckNames=list(checks), **kwargs
    )["scheduledAuditArn"]


def scheduled_tasks(iot: Any, start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every retained scheduled task, as ListAuditTasks pages them (newest first)."""
    now = Clock.now()
    pages = iot.get_paginator("list_audit_tasks").paginate(
        startTime=start or now - dt.timedelta(days=90), endTime=now, taskType=SCHEDULED,
    )
    return [task for page in pages for task in page["tasks"]]


def describe_task(iot: Any, task_id: str) -> dict[str, Any]:
    response = iot.describe_audit_task(taskId=task_id)
    response.pop("ResponseMetadata")
    return response


def runs(iot: Any, name: str | None = None) -> list[dt.datetime]:
    """The start instants (UTC) of the retained scheduled tasks, oldest first, optionally of one audit."""
    found = []
    for task in scheduled_tasks(iot):
        described = describe_task(iot, task["taskId"])
        if name is None or described["scheduledAuditName"] == name:
            found.append(described["taskStartTime"].astimezone(UTC))
    return sorted(found)


def finding_times(iot: Any, start: dt.datetime | None = None) -> list[dt.datetime]:
    """The findingTime (UTC) of every retained finding, oldest first, in few requests.

    With IoT logging off, each LOGGING_DISABLED_CHECK run reports exactly one finding at its run instant,
    so for big catch-ups this reads the runs without one DescribeAuditTask per task.
    """
    now = Clock.now()
    pages = iot.get_paginator("list_audit_findings").paginate(
        startTime=start or now - dt.timedelta(days=90), endTime=now, PaginationConfig={"PageSize": 250},
    )
    return sorted(f["findingTime"].astimezone(UTC) for page in pages for f in page["findings"])


def task_count(iot: Any, start: dt.datetime | None = None) -> int:
    now = Clock.now()
    pages = iot.get_paginator("list_audit_tasks").paginate(
        startTime=start or now - dt.timedelta(days=90), endTime=now, taskType=SCHEDULED,
        PaginationConfig={"PageSize": 250},
    )
    return sum(len(page["tasks"]) for page in pages)


def describe(iot: Any, name: str) -> dict[str, Any]:
    response = iot.describe_scheduled_audit(scheduledAuditName=name)
    response.pop("ResponseMetadata")
    return response


def listed(iot: Any) -> list[dict[str, Any]]:
    pages = iot.get_paginator("list_scheduled_audits").paginate()
    return [item for page in pages for item in page["scheduledAudits"]]


def daily(first: dt.datetime, count: int) -> list[dt.datetime]:
    return [first + i * DAY for i in range(count)]


# -- the user story --------------------------------------------------------------------------------


def test_nightly_audit_runs_once_a_night_at_midnight_utc(iot, clock):
    clock.start(utc(2026, 2, 20, 15, 30))
    clock.move_to(utc(2026, 3, 1))
    enable(iot, LOGGING)
    arn = create(iot, "nightly", "DAILY", tags=[{"Key": "team", "Value": "sec"}])
    assert arn == arn_of("nightly")

    clock.shift(3 * DAY)
    tasks = scheduled_tasks(iot)
    assert len(tasks) == 3
    assert all(task["taskType"] == SCHEDULED and task["taskStatus"] == "COMPLETED" for task in tasks)
    expected = [utc(2026, 3, 4), utc(2026, 3, 3), utc(2026, 3, 2)]  # newest first
    for task, instant in zip(tasks, expected, strict=True):
        described = describe_task(iot, task["taskId"])
        assert described["scheduledAuditName"] == "nightly"
        assert described["taskType"] == SCHEDULED
        assert described["taskStartTime"].astimezone(UTC) == instant  # the scheduled instant, not "now"
        assert set(described["auditDetails"]) == {LOGGING}
        findings = iot.list_audit_findings(taskId=task["taskId"])["findings"]
        assert findings, "logging is off, so every run reports a finding"
        for finding in findings:
            assert finding["taskId"] == task["taskId"]
            assert finding["checkName"] == LOGGING
            assert finding["findingTime"].astimezone(UTC) == instant
            assert finding["taskStartTime"].astimezone(UTC) == instant
    assert iot.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "team", "Value": "sec"}]


def test_the_story_read_every_day(iot, clock):
    """Reading after every move gives the same runs as reading once at the end."""
    clock.start(utc(2026, 3, 1))
    enable(iot)
    create(iot)
    for _ in range(3):
        clock.shift(DAY)
        scheduled_tasks(iot)
    stepped = runs(iot)
    assert stepped == daily(utc(2026, 3, 2), 3)


def test_a_run_is_due_exactly_at_midnight_and_not_before(iot, clock):
    clock.start(utc(2026, 3, 1, 8))
    enable(iot)
    create(iot)
    clock.move_to(utc(2026, 3, 1, 23, 59, 59, 999000))
    assert runs(iot) == []
    clock.move_to(utc(2026, 3, 2))
    assert runs(iot) == [utc(2026, 3, 2)]


def test_on_demand_tasks_are_not_scheduled_tasks(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    on_demand = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    create(iot)
    clock.shift(DAY)
    [scheduled] = scheduled_tasks(iot)
    assert scheduled["taskId"] != on_demand
    assert "scheduledAuditName" not in describe_task(iot, on_demand)
    now = Clock.now()
    everything = iot.list_audit_tasks(startTime=now - DAY * 2, endTime=now)["tasks"]
    assert {t["taskType"] for t in everything} == {SCHEDULED, "ON_DEMAND_AUDIT_TASK"}
    only_on_demand = iot.list_audit_tasks(startTime=now - DAY * 2, endTime=now, taskType="ON_DEMAND_AUDIT_TASK")
    assert [t["taskId"] for t in only_on_demand["tasks"]] == [on_demand]


# -- every frequency -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "day", "until", "expected"),
    [
        # 2026-03-01 is a Sunday.
        (utc(2026, 3, 1, 12), "MON", utc(2026, 3, 22, 12), [utc(2026, 3, 2), utc(2026, 3, 9), utc(2026, 3, 16)]),
        (utc(2026, 3, 1, 12), "SAT", utc(2026, 3, 22, 12), [utc(2026, 3, 7), utc(2026, 3, 14), utc(2026, 3, 21)]),
        # Created at the very instant of a SUN run: the first run is strictly later, a week on.
        (utc(2026, 3, 1), "SUN", utc(2026, 3, 22), [utc(2026, 3, 8), utc(2026, 3, 15), utc(2026, 3, 22)]),
        # Created later on a Sunday: that Sunday's midnight has passed.
        (utc(2026, 3, 1, 0, 0, 1), "SUN", utc(2026, 3, 15), [utc(2026, 3, 8), utc(2026, 3, 15)]),
    ],
)
def test_weekly_runs_every_day_of_week(iot, clock, created, day, until, expected):
    clock.start(created)
    enable(iot)
    create(iot, "weekly", "WEEKLY", dayOfWeek=day)
    clock.move_to(until)
    assert runs(iot) == expected
    assert all(run.strftime("%a").upper() == day for run in expected)


@pytest.mark.parametrize(
    ("created", "day", "first"),
    [
        (utc(2026, 3, 4, 10), "FRI", utc(2026, 3, 6)),  # Wednesday -> the Friday of the same week
        (utc(2026, 3, 4, 10), "WED", utc(2026, 3, 11)),  # created on a Wednesday: the next Wednesday
        (utc(2026, 3, 4), "WED", utc(2026, 3, 11)),  # even at 00:00 sharp
        (utc(2026, 3, 4, 10), "TUE", utc(2026, 3, 10)),  # Tuesday has passed this week
        (utc(2026, 12, 30, 10), "FRI", utc(2027, 1, 1)),  # across the year end
    ],
)
def test_biweekly_runs_every_other_week_from_the_first_day_after_creation(iot, clock, created, day, first):
    clock.start(created)
    enable(iot)
    create(iot, "fortnightly", "BIWEEKLY", dayOfWeek=day)
    clock.move_to(first + dt.timedelta(days=42, hours=6))
    assert runs(iot) == [first + dt.timedelta(days=14 * i) for i in range(4)]


def test_biweekly_does_not_run_in_the_off_week(iot, clock):
    clock.start(utc(2026, 3, 4, 10))
    enable(iot)
    create(iot, "fortnightly", "BIWEEKLY", dayOfWeek="FRI")
    clock.move_to(utc(2026, 3, 13, 12))  # the Friday after the first run
    assert runs(iot) == [utc(2026, 3, 6)]
    clock.move_to(utc(2026, 3, 20))
    assert runs(iot) == [utc(2026, 3, 6), utc(2026, 3, 20)]


@pytest.mark.parametrize(
    ("year", "day", "february"),
    [
        (2027, "31", utc(2027, 2, 28)),
        (2028, "31", utc(2028, 2, 29)),  # leap year
        (2027, "30", utc(2027, 2, 28)),
        (2028, "29", utc(2028, 2, 29)),
        (2027, "29", utc(2027, 2, 28)),
        (2027, "LAST", utc(2027, 2, 28)),
        (2028, "LAST", utc(2028, 2, 29)),
    ],
)
def test_monthly_late_days_fall_back_to_the_last_day_of_a_short_month(iot, clock, year, day, february):
    clock.start(utc(year, 1, 15, 9))
    enable(iot)
    create(iot, "monthly", "MONTHLY", dayOfMonth=day)
    clock.move_to(utc(year, 4, 1))
    january = 31 if day in ("31", "LAST") else int(day)
    march = 31 if day in ("31", "LAST") else int(day)
    assert runs(iot) == [utc(year, 1, january), february, utc(year, 3, march)]


def test_monthly_last_runs_on_every_month_end(iot, clock):
    clock.start(utc(2026, 1, 10))
    enable(iot)
    create(iot, "month-end", "MONTHLY", dayOfMonth="LAST")
    clock.move_to(utc(2026, 4, 30, 12))  # within 90 days of the first run
    assert runs(iot) == [utc(2026, 1, 31), utc(2026, 2, 28), utc(2026, 3, 31), utc(2026, 4, 30)]


def test_monthly_on_the_15th(iot, clock):
    clock.start(utc(2026, 1, 15))  # created at the instant of a run: that one is not made
    enable(iot)
    create(iot, "mid-month", "MONTHLY", dayOfMonth="15")
    clock.move_to(utc(2026, 3, 15))
    assert runs(iot) == [utc(2026, 2, 15), utc(2026, 3, 15)]
    clock.shift(dt.timedelta(days=30))  # 2026-04-14: April's run not yet due
    assert runs(iot) == [utc(2026, 2, 15), utc(2026, 3, 15)]


@pytest.mark.parametrize("frequency", ["DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY"])
def test_several_audits_run_side_by_side(iot, clock, frequency):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    day = {"WEEKLY": {"dayOfWeek": "TUE"}, "BIWEEKLY": {"dayOfWeek": "TUE"}, "MONTHLY": {"dayOfMonth": "3"}}
    create(iot, "nightly")
    create(iot, "other", frequency, **day.get(frequency, {}))
    clock.move_to(utc(2026, 3, 5, 12))
    assert runs(iot, "nightly") == daily(utc(2026, 3, 2), 4)
    assert runs(iot, "other") == ([utc(2026, 3, 3)] if frequency != "DAILY" else daily(utc(2026, 3, 2), 4))


# -- describe, list ---------------------------------------------------------------------------------


def test_describe_echoes_the_settings(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    arn = create(iot, "weekly", "WEEKLY", (LOGGING, CLIENT_IDS), dayOfWeek="WED")
    assert describe(iot, "weekly") == {
        "scheduledAuditName": "weekly",
        "scheduledAuditArn": arn,
        "frequency": "WEEKLY",
        "dayOfWeek": "WED",
        "targetCheckNames": [LOGGING, CLIENT_IDS],
    }


def test_list_items_have_no_checks_and_omit_absent_day_fields(iot):
    enable(iot)
    create(iot, "d", "DAILY")
    create(iot, "w", "WEEKLY", dayOfWeek="MON")
    create(iot, "b", "BIWEEKLY", dayOfWeek="FRI")
    create(iot, "m", "MONTHLY", dayOfMonth="LAST")
    by_name = sorted(listed(iot), key=lambda item: item["scheduledAuditName"])
    assert by_name == [
        {"scheduledAuditName": "b", "scheduledAuditArn": arn_of("b"), "frequency": "BIWEEKLY", "dayOfWeek": "FRI"},
        {"scheduledAuditName": "d", "scheduledAuditArn": arn_of("d"), "frequency": "DAILY"},
        {"scheduledAuditName": "m", "scheduledAuditArn": arn_of("m"), "frequency": "MONTHLY", "dayOfMonth": "LAST"},
        {"scheduledAuditName": "w", "scheduledAuditArn": arn_of("w"), "frequency": "WEEKLY", "dayOfWeek": "MON"},
    ]


def test_list_is_in_creation_order_even_within_one_instant(iot, clock):
    """Creation order [reference §8, INF]; a frozen clock (or one millisecond) must not turn it alphabetical."""
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    names = ["zulu", "alpha", "mike", "bravo"]
    for name in names:
        create(iot, name)
    assert [item["scheduledAuditName"] for item in listed(iot)] == names
    pages = iot.get_paginator("list_scheduled_audits").paginate(PaginationConfig={"PageSize": 1})
    assert [item["scheduledAuditName"] for page in pages for item in page["scheduledAudits"]] == names


def test_list_of_none_is_an_empty_list(iot):
    response = iot.list_scheduled_audits()
    assert response["scheduledAudits"] == []
    assert "nextToken" not in response


def test_list_pages_of_two_return_every_audit_exactly_once(iot, clock):
    clock.start(utc(2026, 3, 1))
    enable(iot)
    names = [f"audit-{i}" for i in range(5)]
    for name in names:
        create(iot, name)
        clock.shift(dt.timedelta(seconds=1))
    seen, token, pages = [], None, 0
    while True:
        page = iot.list_scheduled_audits(maxResults=2, **({"nextToken": token} if token else {}))
        pages += 1
        assert len(page["scheduledAudits"]) <= 2
        seen += [item["scheduledAuditName"] for item in page["scheduledAudits"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names  # creation order, each once
    assert pages == 3
    paged = iot.get_paginator("list_scheduled_audits").paginate(PaginationConfig={"PageSize": 2})
    assert [item["scheduledAuditName"] for page in paged for item in page["scheduledAudits"]] == names


@pytest.mark.parametrize("max_results", [251, 1000])
def test_list_refuses_a_page_size_above_250(iot, max_results):
    assert_error(lambda: iot.list_scheduled_audits(maxResults=max_results), "InvalidRequestException", 400)


def test_list_refuses_a_garbage_token(iot):
    assert_error(lambda: iot.list_scheduled_audits(nextToken="not-a-token"), "InvalidRequestException", 400)


# -- create: idempotency, clashes, quota ------------------------------------------------------------


def test_identical_create_returns_the_same_arn(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    first = create(iot, "weekly", "WEEKLY", (LOGGING, CLIENT_IDS), dayOfWeek="MON", tags=tags)
    again = create(iot, "weekly", "WEEKLY", (LOGGING, CLIENT_IDS), dayOfWeek="MON", tags=tags)
    assert again == first == arn_of("weekly")
    assert len(listed(iot)) == 1


@pytest.mark.parametrize(
    "different",
    [
        {"frequency": "DAILY", "dayOfWeek": None},
        {"dayOfWeek": "TUE"},
        {"frequency": "BIWEEKLY"},
        {"checks": (LOGGING,)},
        {"tags": [{"Key": "a", "Value": "other"}]},
        {"tags": None},
    ],
    ids=["frequency", "day", "biweekly", "checks", "tag-value", "no-tags"],
)
def test_same_name_different_settings_is_resource_already_exists(iot, different):
    enable(iot, LOGGING, CLIENT_IDS)
    settings: dict[str, Any] = {"frequency": "WEEKLY", "dayOfWeek": "MON", "checks": (LOGGING, CLIENT_IDS),
                                "tags": [{"Key": "a", "Value": "1"}]}
    arn = create(iot, "weekly", **{k: v for k, v in settings.items() if v is not None})
    changed = {**settings, **different}
    error = assert_error(
        lambda: create(iot, "weekly", **{k: v for k, v in changed.items() if v is not None}),
        "ResourceAlreadyExistsException", 409,
    )
    assert error.response["resourceId"] == "weekly"
    assert error.response["resourceArn"] == arn
    assert describe(iot, "weekly")["dayOfWeek"] == "MON"  # the original is untouched
    assert describe(iot, "weekly")["frequency"] == "WEEKLY"


def test_the_sixth_scheduled_audit_is_limit_exceeded(iot):
    iot = client(config=NO_RETRIES)
    enable(iot)
    for i in range(5):
        create(iot, f"audit-{i}")
    assert_error(lambda: create(iot, "audit-5"), "LimitExceededException", 410)
    assert len(listed(iot)) == 5
    # A retry of an existing one is not a sixth.
    assert create(iot, "audit-4") == arn_of("audit-4")
    iot.delete_scheduled_audit(scheduledAuditName="audit-0")
    assert create(iot, "audit-5") == arn_of("audit-5")


def test_the_quota_is_per_region(iot):
    enable(iot)
    for i in range(5):
        create(iot, f"audit-{i}")
    other = client(region="us-west-2")
    enable(other)
    assert create(other, "audit-5").startswith("arn:aws:iot:us-west-2:")


# -- create: validation -----------------------------------------------------------------------------


def test_create_errors_are_invalid_request(iot):
    enable(iot, LOGGING)
    ire = ("InvalidRequestException", 400)
    cases: list[dict[str, Any]] = [
        {"frequency": "MONTHLY"},  # no dayOfMonth
        {"frequency": "WEEKLY"},  # no dayOfWeek
        {"frequency": "BIWEEKLY"},
        {"frequency": "DAILY", "dayOfWeek": "MON"},  # day fields that do not fit
        {"frequency": "DAILY", "dayOfMonth": "1"},
        {"frequency": "WEEKLY", "dayOfWeek": "MON", "dayOfMonth": "1"},
        {"frequency": "BIWEEKLY", "dayOfWeek": "MON", "dayOfMonth": "1"},
        {"frequency": "MONTHLY", "dayOfMonth": "1", "dayOfWeek": "MON"},
        {"frequency": "HOURLY"},  # enum
        {"frequency": "daily"},
        {"frequency": "WEEKLY", "dayOfWeek": "MONDAY"},
        {"frequency": "WEEKLY", "dayOfWeek": "mon"},
        {"frequency": "MONTHLY", "dayOfMonth": "32"},  # pattern
        {"frequency": "MONTHLY", "dayOfMonth": "0"},
        {"frequency": "MONTHLY", "dayOfMonth": "01"},
        {"frequency": "MONTHLY", "dayOfMonth": "-1"},
        {"frequency": "MONTHLY", "dayOfMonth": "last"},
        {"frequency": "MONTHLY", "dayOfMonth": "15 "},
    ]
    for case in cases:
        assert_error(lambda case=case: iot.create_scheduled_audit(
            scheduledAuditName="bad", targetCheckNames=[LOGGING], **case), *ire)
    assert listed(iot) == []


@pytest.mark.parametrize("name", ["bad name", "bad!", "a:b", "a/b", "ünïcode", "a.b", "x" * 129])
def test_create_with_a_bad_name_is_invalid_request(iot, name):
    enable(iot)
    assert_error(lambda: create(iot, name), "InvalidRequestException", 400)
    assert listed(iot) == []


@pytest.mark.parametrize("name", ["a", "A-b_9", "x" * 128])
def test_create_accepts_names_of_the_documented_shape(iot, name):
    enable(iot)
    assert create(iot, name) == arn_of(name)
    assert describe(iot, name)["scheduledAuditName"] == name


@pytest.mark.parametrize(
    "checks",
    [("NonExistentCheck",), (LOGGING, "NonExistentCheck"), ("logging_disabled_check",), (CLIENT_IDS,), ()],
    ids=["unknown", "one-unknown", "wrong-case", "disabled", "empty"],
)
def test_create_with_unknown_disabled_or_no_checks_is_invalid_request(iot, checks):
    enable(iot, LOGGING)
    assert_error(lambda: create(iot, "audit", checks=checks), "InvalidRequestException", 400)
    assert listed(iot) == []


def test_create_on_an_unconfigured_account_is_invalid_request(iot):
    assert_error(lambda: create(iot), "InvalidRequestException", 400)


def test_create_is_refused_once_the_check_was_disabled(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": False}})
    assert_error(lambda: create(iot, checks=(CLIENT_IDS,)), "InvalidRequestException", 400)


def test_create_may_use_every_check(iot):
    enable(iot, *ALL_CHECKS)
    create(iot, "everything", checks=ALL_CHECKS)
    assert describe(iot, "everything")["targetCheckNames"] == list(ALL_CHECKS)


# -- unknown names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda iot: iot.describe_scheduled_audit(scheduledAuditName="nope"),
        lambda iot: iot.update_scheduled_audit(scheduledAuditName="nope", frequency="DAILY"),
        lambda iot: iot.update_scheduled_audit(scheduledAuditName="nope", targetCheckNames=[LOGGING]),
        lambda iot: iot.delete_scheduled_audit(scheduledAuditName="nope"),
    ],
    ids=["describe", "update-frequency", "update-checks", "delete"],
)
def test_unknown_scheduled_audit_is_resource_not_found(iot, call):
    enable(iot)
    create(iot, "exists")
    assert_error(lambda: call(iot), "ResourceNotFoundException", 404)


def test_delete_is_not_idempotent(iot):
    enable(iot)
    create(iot)
    iot.delete_scheduled_audit(scheduledAuditName="nightly")
    assert_error(lambda: iot.delete_scheduled_audit(scheduledAuditName="nightly"), "ResourceNotFoundException", 404)
    assert_error(lambda: describe(iot, "nightly"), "ResourceNotFoundException", 404)
    assert listed(iot) == []


def test_scheduled_audits_are_per_region(iot):
    enable(iot)
    create(iot)
    other = client(region="us-west-2")
    assert_error(lambda: describe(other, "nightly"), "ResourceNotFoundException", 404)
    assert other.list_scheduled_audits()["scheduledAudits"] == []


# -- update ---------------------------------------------------------------------------------------------


def test_update_daily_to_weekly_keeps_past_runs_and_follows_the_new_day(iot, clock):
    clock.start(utc(2026, 3, 1))  # Sunday
    enable(iot)
    create(iot, "nightly", "DAILY")
    clock.shift(3 * DAY + dt.timedelta(hours=6))  # 2026-03-04T06:00, nothing read meanwhile
    arn = iot.update_scheduled_audit(scheduledAuditName="nightly", frequency="WEEKLY", dayOfWeek="FRI")
    assert arn["scheduledAuditArn"] == arn_of("nightly")
    assert describe(iot, "nightly")["frequency"] == "WEEKLY"
    assert describe(iot, "nightly")["dayOfWeek"] == "FRI"
    clock.move_to(utc(2026, 3, 20, 12))
    # The DAILY runs that fell due before the update were made; after it, Fridays only.
    assert runs(iot) == [utc(2026, 3, 2), utc(2026, 3, 3), utc(2026, 3, 4),
                         utc(2026, 3, 6), utc(2026, 3, 13), utc(2026, 3, 20)]


def test_update_weekly_to_daily_drops_the_day_of_week(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot, "audit", "WEEKLY", dayOfWeek="FRI")
    iot.update_scheduled_audit(scheduledAuditName="audit", frequency="DAILY")
    assert "dayOfWeek" not in describe(iot, "audit")
    assert listed(iot)[0] == {"scheduledAuditName": "audit", "scheduledAuditArn": arn_of("audit"),
                              "frequency": "DAILY"}
    clock.shift(2 * DAY)
    assert runs(iot) == [utc(2026, 3, 2), utc(2026, 3, 3)]


def test_update_monthly_to_weekly_drops_the_day_of_month(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot, "audit", "MONTHLY", dayOfMonth="2")
    iot.update_scheduled_audit(scheduledAuditName="audit", frequency="WEEKLY", dayOfWeek="TUE")
    assert "dayOfMonth" not in describe(iot, "audit")
    clock.move_to(utc(2026, 3, 11))
    assert runs(iot) == [utc(2026, 3, 3), utc(2026, 3, 10)]


def test_update_day_of_week_alone_moves_a_weekly_audit(iot, clock):
    clock.start(utc(2026, 3, 1, 12))  # Sunday
    enable(iot)
    create(iot, "audit", "WEEKLY", dayOfWeek="MON")
    clock.move_to(utc(2026, 3, 3, 12))  # Tuesday, after the first Monday
    iot.update_scheduled_audit(scheduledAuditName="audit", dayOfWeek="THU")
    assert describe(iot, "audit")["frequency"] == "WEEKLY"
    clock.move_to(utc(2026, 3, 13))
    assert runs(iot) == [utc(2026, 3, 2), utc(2026, 3, 5), utc(2026, 3, 12)]


def test_update_day_of_month_alone_moves_a_monthly_audit(iot, clock):
    clock.start(utc(2026, 1, 20))
    enable(iot)
    create(iot, "audit", "MONTHLY", dayOfMonth="LAST")
    clock.move_to(utc(2026, 2, 1))
    iot.update_scheduled_audit(scheduledAuditName="audit", dayOfMonth="15")
    clock.move_to(utc(2026, 4, 1))
    assert runs(iot) == [utc(2026, 1, 31), utc(2026, 2, 15), utc(2026, 3, 15)]


def test_update_to_biweekly_anchors_at_the_first_day_after_the_update(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot, "audit", "DAILY")
    clock.move_to(utc(2026, 3, 3, 12))  # Tuesday; daily runs on the 2nd and 3rd
    iot.update_scheduled_audit(scheduledAuditName="audit", frequency="BIWEEKLY", dayOfWeek="THU")
    clock.move_to(utc(2026, 4, 3))
    assert runs(iot) == [utc(2026, 3, 2), utc(2026, 3, 3), utc(2026, 3, 5), utc(2026, 3, 19), utc(2026, 4, 2)]


def test_update_of_the_biweekly_day_restarts_the_fortnight(iot, clock):
    clock.start(utc(2026, 3, 4, 10))  # Wednesday
    enable(iot)
    create(iot, "audit", "BIWEEKLY", dayOfWeek="FRI")  # first run 03-06
    clock.move_to(utc(2026, 3, 10, 10))  # Tuesday
    iot.update_scheduled_audit(scheduledAuditName="audit", dayOfWeek="THU")  # anchored at 03-12
    clock.move_to(utc(2026, 4, 1))
    assert runs(iot) == [utc(2026, 3, 6), utc(2026, 3, 12), utc(2026, 3, 26)]


def test_update_of_checks_is_used_by_the_next_runs_only(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot, LOGGING, CLIENT_IDS)
    create(iot, "audit", "DAILY", (LOGGING,))
    clock.shift(DAY)
    before = scheduled_tasks(iot)
    iot.update_scheduled_audit(scheduledAuditName="audit", targetCheckNames=[CLIENT_IDS])
    assert describe(iot, "audit")["targetCheckNames"] == [CLIENT_IDS]
    clock.shift(DAY)
    tasks = scheduled_tasks(iot)
    assert len(tasks) == 2 and tasks[1]["taskId"] == before[0]["taskId"]
    assert set(describe_task(iot, tasks[1]["taskId"])["auditDetails"]) == {LOGGING}  # unchanged
    newest = describe_task(iot, tasks[0]["taskId"])
    assert set(newest["auditDetails"]) == {CLIENT_IDS}
    assert newest["taskStatistics"]["totalChecks"] == 1
    assert newest["taskStartTime"].astimezone(UTC) == utc(2026, 3, 3)


def test_update_of_checks_keeps_the_biweekly_phase(iot, clock):
    clock.start(utc(2026, 3, 4, 10))
    enable(iot, LOGGING, CLIENT_IDS)
    create(iot, "audit", "BIWEEKLY", dayOfWeek="FRI")
    clock.move_to(utc(2026, 3, 10))
    iot.update_scheduled_audit(scheduledAuditName="audit", targetCheckNames=[LOGGING, CLIENT_IDS])
    clock.move_to(utc(2026, 4, 4))
    assert runs(iot) == [utc(2026, 3, 6), utc(2026, 3, 20), utc(2026, 4, 3)]


def test_update_with_identical_settings_changes_nothing(iot, clock):
    clock.start(utc(2026, 3, 4, 10))
    enable(iot)
    create(iot, "audit", "BIWEEKLY", dayOfWeek="FRI")
    clock.move_to(utc(2026, 3, 10))
    iot.update_scheduled_audit(scheduledAuditName="audit", frequency="BIWEEKLY", dayOfWeek="FRI")
    clock.move_to(utc(2026, 3, 21))
    assert runs(iot) == [utc(2026, 3, 6), utc(2026, 3, 20)]


@pytest.mark.parametrize(
    ("created", "update"),
    [
        ({"frequency": "DAILY"}, {"frequency": "MONTHLY"}),  # the merged result has no dayOfMonth
        ({"frequency": "WEEKLY", "dayOfWeek": "MON"}, {"frequency": "MONTHLY"}),
        ({"frequency": "DAILY"}, {"frequency": "WEEKLY"}),
        ({"frequency": "MONTHLY", "dayOfMonth": "3"}, {"frequency": "BIWEEKLY"}),
        ({"frequency": "DAILY"}, {"dayOfWeek": "MON"}),
        ({"frequency": "DAILY"}, {"dayOfMonth": "1"}),
        ({"frequency": "WEEKLY", "dayOfWeek": "MON"}, {"dayOfMonth": "1"}),
        ({"frequency": "MONTHLY", "dayOfMonth": "3"}, {"dayOfWeek": "MON"}),
        ({"frequency": "MONTHLY", "dayOfMonth": "3"}, {"dayOfMonth": "32"}),
        ({"frequency": "MONTHLY", "dayOfMonth": "3"}, {"dayOfMonth": "0"}),
        ({"frequency": "DAILY"}, {"frequency": "HOURLY"}),
        ({"frequency": "WEEKLY", "dayOfWeek": "MON"}, {"dayOfWeek": "FUNDAY"}),
        ({"frequency": "DAILY"}, {"targetCheckNames": ["NonExistentCheck"]}),
        ({"frequency": "DAILY"}, {"targetCheckNames": [CLIENT_IDS]}),  # not enabled
        ({"frequency": "DAILY"}, {"targetCheckNames": []}),
        ({"frequency": "DAILY"}, {"frequency": "MONTHLY", "targetCheckNames": [LOGGING, POLICY]}),
    ],
)
def test_update_is_a_patch_validated_on_the_merged_result(iot, clock, created, update):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot, LOGGING)
    create(iot, "audit", **created)
    before = describe(iot, "audit")
    assert_error(lambda: iot.update_scheduled_audit(scheduledAuditName="audit", **update),
                 "InvalidRequestException", 400)
    assert describe(iot, "audit") == before  # state unchanged
    clock.shift(DAY)
    if created["frequency"] == "DAILY":
        assert runs(iot) == [utc(2026, 3, 2)]  # still on its old timing


def test_update_to_monthly_with_a_day_succeeds(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot, "audit", "DAILY")
    iot.update_scheduled_audit(scheduledAuditName="audit", frequency="MONTHLY", dayOfMonth="LAST")
    assert describe(iot, "audit")["dayOfMonth"] == "LAST"
    clock.move_to(utc(2026, 4, 30, 12))
    assert runs(iot) == [utc(2026, 3, 31), utc(2026, 4, 30)]


# -- delete ---------------------------------------------------------------------------------------------


def test_delete_stops_future_runs_and_keeps_past_tasks(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot)
    clock.shift(2 * DAY)
    made = scheduled_tasks(iot)
    assert len(made) == 2
    iot.delete_scheduled_audit(scheduledAuditName="nightly")
    clock.shift(5 * DAY)
    assert scheduled_tasks(iot) == made
    for task in made:
        assert describe_task(iot, task["taskId"])["scheduledAuditName"] == "nightly"
        assert iot.list_audit_findings(taskId=task["taskId"])["findings"]


def test_a_due_run_not_yet_read_is_made_before_the_delete(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot)
    clock.shift(DAY)  # 03-02T12:00: the 03-02 run fell due, nobody read
    iot.delete_scheduled_audit(scheduledAuditName="nightly")
    clock.shift(3 * DAY)
    assert runs(iot) == [utc(2026, 3, 2)]


def test_a_recreated_audit_starts_afresh(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot, "audit", "DAILY")
    clock.shift(DAY)
    iot.delete_scheduled_audit(scheduledAuditName="audit")
    clock.shift(2 * DAY)  # 03-04T12:00
    create(iot, "audit", "WEEKLY", dayOfWeek="FRI")
    clock.move_to(utc(2026, 3, 7))
    assert runs(iot) == [utc(2026, 3, 2), utc(2026, 3, 6)]


# -- catching up and retention ---------------------------------------------------------------------------


def test_a_clock_a_year_ahead_makes_at_most_90_days_of_runs(iot, clock, monkeypatch):
    from iot_audit_fake.schedules import ScheduledAudit

    calls = 0
    next_run = ScheduledAudit.next_run

    def counting(self, after):
        nonlocal calls
        calls += 1
        return next_run(self, after)

    monkeypatch.setattr(ScheduledAudit, "next_run", counting)
    clock.start(utc(2026, 1, 1, 12))
    enable(iot)
    create(iot)
    clock.move_to(utc(2027, 1, 1, 12))
    calls = 0
    iot.list_scheduled_audits()  # one call catches up
    assert calls <= 92, "catching up must not walk the whole year"
    # 2026-10-03T12:00 is the oldest retained instant: runs from 10-04 to 01-01.
    assert task_count(iot) == 90
    assert finding_times(iot) == daily(utc(2026, 10, 4), 90)

    clock.move_to(utc(2036, 1, 1, 12))  # ten years on: the work is still bounded by the retention
    calls = 0
    iot.list_scheduled_audits()
    assert calls <= 92
    assert task_count(iot) == 90
    assert finding_times(iot) == daily(utc(2035, 10, 4), 90)


def test_a_retention_boundary_run_does_not_depend_on_reading_in_between(iot, clock):
    """At 2027-01-01T00:00 the 2026-10-03T00:00 run is exactly 90 days old, not older than the retention.

    Two regions hold the same DAILY audit; one is read a day early, the other not until the end.
    At the same instant both must hold the same runs.
    """
    clock.start(utc(2026, 1, 1, 12))
    stepped, jumped = iot, client(region="us-west-2")
    for region in (stepped, jumped):
        enable(region)
        create(region)
    clock.move_to(utc(2026, 12, 31))
    stepped.list_scheduled_audits()  # only this region reads a day early
    clock.move_to(utc(2027, 1, 1))
    start = utc(2026, 10, 3)  # exactly now - 90 days: an accepted startTime
    assert task_count(stepped, start) == task_count(jumped, start)
    assert finding_times(stepped, start) == finding_times(jumped, start)


def test_tasks_and_findings_older_than_90_days_disappear(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot)
    create(iot)
    clock.shift(DAY)
    [first] = scheduled_tasks(iot)
    [finding] = iot.list_audit_findings(taskId=first["taskId"])["findings"]
    assert iot.describe_audit_finding(findingId=finding["findingId"])["finding"]["taskId"] == first["taskId"]

    clock.move_to(utc(2026, 5, 31))  # 03-02 is 90 days old: still retained
    assert describe_task(iot, first["taskId"])["taskStartTime"].astimezone(UTC) == utc(2026, 3, 2)
    assert finding_times(iot)[0] == utc(2026, 3, 2)

    clock.move_to(utc(2026, 5, 31, 0, 0, 1))  # now older than 90 days
    assert_error(lambda: iot.describe_audit_task(taskId=first["taskId"]), "ResourceNotFoundException", 404)
    assert_error(lambda: iot.describe_audit_finding(findingId=finding["findingId"]),
                 "ResourceNotFoundException", 404)
    assert_error(lambda: iot.list_audit_findings(taskId=first["taskId"]), "InvalidRequestException", 400)
    assert task_count(iot) == 90
    first_kept = iot.list_audit_tasks(startTime=utc(2026, 3, 2), endTime=utc(2026, 3, 3, 12))["tasks"]
    assert len(first_kept) == 1 and first_kept[0]["taskId"] != first["taskId"]
    assert describe_task(iot, first_kept[0]["taskId"])["taskStartTime"].astimezone(UTC) == utc(2026, 3, 3)
    assert finding_times(iot) == daily(utc(2026, 3, 3), 90)
    now = Clock.now()
    kept = iot.list_audit_findings(startTime=now - dt.timedelta(days=90), endTime=now, maxResults=250)["findings"]
    assert finding["findingId"] not in {f["findingId"] for f in kept}


@pytest.mark.parametrize(
    "call",
    [
        lambda iot, start, end: iot.list_audit_tasks(startTime=start, endTime=end),
        lambda iot, start, end: iot.list_audit_tasks(startTime=start, endTime=end, taskType=SCHEDULED),
        lambda iot, start, end: iot.list_audit_findings(startTime=start, endTime=end),
    ],
    ids=["tasks", "scheduled-tasks", "findings"],
)
def test_a_start_time_older_than_the_retention_is_invalid_request(iot, clock, call):
    clock.start(utc(2026, 6, 10, 12))
    enable(iot)
    create(iot)
    now = Clock.now()
    # The retention is counted in whole UTC days: 2026-03-12T00:00 is the oldest accepted startTime.
    call(iot, utc(2026, 3, 12), now)
    call(iot, now - dt.timedelta(days=90), now)
    assert_error(lambda: call(iot, utc(2026, 3, 11, 23, 59, 59), now), "InvalidRequestException", 400)
    assert_error(lambda: call(iot, now - dt.timedelta(days=365), now), "InvalidRequestException", 400)


# -- daylight saving, year end, local time zones ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (utc(2026, 3, 5, 12), 6),  # US: 2026-03-08
        (utc(2026, 3, 26, 12), 6),  # EU: 2026-03-29
        (utc(2026, 10, 22, 12), 6),  # EU back: 2026-10-25
        (utc(2026, 10, 29, 12), 6),  # US back: 2026-11-01
        (utc(2026, 12, 29, 12), 6),  # year end
    ],
    ids=["us-spring", "eu-spring", "eu-autumn", "us-autumn", "year-end"],
)
@pytest.mark.parametrize("zone", [None, "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland"])
def test_daily_runs_once_a_day_at_midnight_utc_whatever_the_local_zone(iot, clock, start, days, zone):
    clock.start(start, zone=zone)
    if zone:  # the process really runs in that zone
        assert os.environ["TZ"] == zone
        assert time.localtime(start.timestamp()).tm_gmtoff != 0
    enable(iot)
    create(iot)
    clock.shift(days * DAY)
    made = runs(iot)
    first = (start + DAY).replace(hour=0)
    assert made == daily(first, days)
    assert all((b - a).total_seconds() == 86400 for a, b in itertools.pairwise(made))
    assert all(run.astimezone(UTC).time() == dt.time(0) for run in made)


@pytest.mark.parametrize("zone", [None, "America/Los_Angeles", "Asia/Tokyo"])
def test_monthly_last_runs_on_december_31_and_january_31(iot, clock, zone):
    clock.start(utc(2026, 12, 15, 12), zone=zone)
    enable(iot)
    create(iot, "month-end", "MONTHLY", dayOfMonth="LAST")
    clock.move_to(utc(2027, 2, 1, 12))
    assert runs(iot) == [utc(2026, 12, 31), utc(2027, 1, 31)]


def test_a_daily_audit_steps_over_the_year_end_one_day_at_a_time(iot, clock):
    clock.start(utc(2026, 12, 30, 18))
    enable(iot)
    create(iot)
    for expected in ([utc(2026, 12, 31)], [utc(2026, 12, 31), utc(2027, 1, 1)],
                     [utc(2026, 12, 31), utc(2027, 1, 1), utc(2027, 1, 2)]):
        clock.shift(DAY)
        assert runs(iot) == expected


def test_weekly_across_a_dst_change_stays_at_midnight_utc(iot, clock):
    clock.start(utc(2026, 3, 20, 12), zone="Europe/London")
    enable(iot)
    create(iot, "weekly", "WEEKLY", dayOfWeek="MON")
    clock.move_to(utc(2026, 4, 7))
    assert runs(iot) == [utc(2026, 3, 23), utc(2026, 3, 30), utc(2026, 4, 6)]


# -- interplay with the account audit configuration ----------------------------------------------------------


def test_a_check_a_scheduled_audit_uses_cannot_be_disabled(iot):
    enable(iot, LOGGING, CLIENT_IDS, POLICY)
    create(iot, "audit", checks=(LOGGING, CLIENT_IDS))
    for check in (LOGGING, CLIENT_IDS):
        assert_error(
            lambda check=check: iot.update_account_audit_configuration(
                auditCheckConfigurations={check: {"enabled": False}}
            ),
            "InvalidRequestException", 400,
        )
    # A patch that disables a used check changes nothing at all, not even the other checks in it.
    assert_error(
        lambda: iot.update_account_audit_configuration(
            auditCheckConfigurations={POLICY: {"enabled": False}, LOGGING: {"enabled": False}}
        ),
        "InvalidRequestException", 400,
    )
    config = iot.describe_account_audit_configuration()["auditCheckConfigurations"]
    assert config[POLICY]["enabled"] and config[LOGGING]["enabled"] and config[CLIENT_IDS]["enabled"]
    # An unused check can be disabled; a check no longer used after an update can too.
    iot.update_account_audit_configuration(auditCheckConfigurations={POLICY: {"enabled": False}})
    iot.update_scheduled_audit(scheduledAuditName="audit", targetCheckNames=[LOGGING])
    iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": False}})
    iot.delete_scheduled_audit(scheduledAuditName="audit")
    iot.update_account_audit_configuration(auditCheckConfigurations={LOGGING: {"enabled": False}})


@pytest.mark.parametrize("flag", [None, False])
def test_delete_configuration_while_scheduled_audits_exist_is_refused(iot, flag):
    enable(iot)
    create(iot)
    kwargs = {} if flag is None else {"deleteScheduledAudits": flag}
    assert_error(lambda: iot.delete_account_audit_configuration(**kwargs), "InvalidRequestException", 400)
    assert [item["scheduledAuditName"] for item in listed(iot)] == ["nightly"]
    assert iot.describe_account_audit_configuration()["roleArn"] == ROLE


def test_delete_configuration_with_delete_scheduled_audits_removes_them(iot, clock):
    clock.start(utc(2026, 3, 1, 12))
    enable(iot, LOGGING, CLIENT_IDS)
    create(iot, "one")
    arn = create(iot, "two", "WEEKLY", (CLIENT_IDS,), dayOfWeek="MON", tags=[{"Key": "k", "Value": "v"}])
    clock.shift(DAY)
    made = scheduled_tasks(iot)
    iot.delete_account_audit_configuration(deleteScheduledAudits=True)
    assert listed(iot) == []
    assert_error(lambda: describe(iot, "one"), "ResourceNotFoundException", 404)
    assert_error(lambda: iot.list_tags_for_resource(resourceArn=arn), "ResourceNotFoundException", 404)
    config = iot.describe_account_audit_configuration()
    assert "roleArn" not in config
    assert all(not check["enabled"] for check in config["auditCheckConfigurations"].values())
    clock.shift(7 * DAY)
    assert scheduled_tasks(iot) == made  # no more runs; the past ones stay
    # The account starts over: the quota and the names are free again.
    enable(iot)
    create(iot, "one")


def test_delete_configuration_without_scheduled_audits_needs_no_flag(iot):
    enable(iot)
    create(iot)
    iot.delete_scheduled_audit(scheduledAuditName="nightly")
    iot.delete_account_audit_configuration()
    assert "roleArn" not in iot.describe_account_audit_configuration()


@pytest.mark.parametrize("hours", [-5, 5.5, 13])
def test_freezegun_tz_offset_does_not_move_the_utc_schedule(iot, hours):
    """With ``tz_offset`` freezegun's frozen instant is UTC and only local readings are offset.

    freezegun also adds the offset to ``datetime.now(tz)`` (a freezegun quirk), so a fake that reads its
    clock through ``datetime.now(timezone.utc)`` sees a UTC time that is ``hours`` off; ``time.time()``
    and ``datetime.utcnow()`` are right.
    """
    with freezegun.freeze_time(utc(2026, 3, 7, 22), tick=False, tz_offset=hours) as frozen:
        assert dt.datetime.fromtimestamp(time.time(), UTC) == utc(2026, 3, 7, 22)
        enable(iot)
        create(iot)  # created at 22:00 UTC on 03-07
        frozen.move_to(utc(2026, 3, 8, 0, 0, 30))  # just after midnight UTC
        now = Clock.now()
        tasks = iot.list_audit_tasks(startTime=now - dt.timedelta(days=30), endTime=now + DAY,
                                     taskType=SCHEDULED)["tasks"]
        starts = [describe_task(iot, t["taskId"])["taskStartTime"].astimezone(UTC) for t in tasks]
        assert starts == [utc(2026, 3, 8)]
