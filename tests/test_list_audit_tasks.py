"""ListAuditTasks: required window, filters, order, retention and pagination (reference §6, §14, §1)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from botocore.exceptions import ParamValidationError
from conftest import BASE, UTC, assert_error, enable, held_tasks, iot_url
from freezegun import freeze_time

WIDE = {"startTime": BASE - dt.timedelta(days=1), "endTime": BASE + dt.timedelta(days=1)}


def make_tasks(iot, frozen, count: int, step: dt.timedelta = dt.timedelta(minutes=1)) -> list[tuple[str, dt.datetime]]:
    """Start ``count`` tasks, one every ``step`` from the frozen clock's current time; (taskId, start) oldest first."""
    made = []
    for i in range(count):
        if i:
            frozen.tick(step)
        when = dt.datetime.now(UTC)
        made.append((iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"], when))
    return made


def ids(response) -> list[str]:
    return [task["taskId"] for task in response["tasks"]]


def raw_list(**query):
    return requests.get(iot_url("/audit/tasks"), params=query, timeout=5)


def assert_raw_error(response, code: str, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == code
    assert response.json()["message"]


# -- required parameters -----------------------------------------------------------


def test_start_and_end_time_are_required_on_the_wire(iot):
    assert_raw_error(raw_list(), "InvalidRequestException", 400)
    assert_raw_error(raw_list(startTime="2026-03-01T12:00:00Z"), "InvalidRequestException", 400)
    assert_raw_error(raw_list(endTime="2026-03-01T12:00:00Z"), "InvalidRequestException", 400)


def test_boto3_refuses_a_missing_time_before_sending(iot):
    with pytest.raises(ParamValidationError):
        iot.list_audit_tasks(startTime=BASE)
    with pytest.raises(ParamValidationError):
        iot.list_audit_tasks(endTime=BASE)


# -- content, filters and order --------------------------------------------------------


def test_items_hold_only_id_status_and_type(iot, frozen):
    enable(iot)
    [(task_id, _)] = make_tasks(iot, frozen, 1)
    response = iot.list_audit_tasks(**WIDE)
    assert response["tasks"] == [
        {"taskId": task_id, "taskStatus": "COMPLETED", "taskType": "ON_DEMAND_AUDIT_TASK"}
    ]
    assert "nextToken" not in response


def test_empty_result_still_has_the_list_key(iot, frozen):
    response = iot.list_audit_tasks(**WIDE)
    assert response["tasks"] == []
    assert "nextToken" not in response


def test_newest_first(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 5)
    assert ids(iot.list_audit_tasks(**WIDE)) == [task_id for task_id, _ in reversed(made)]


def test_newest_first_even_when_started_in_one_instant(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 4, step=dt.timedelta(0))
    listed = ids(iot.list_audit_tasks(**WIDE))
    assert sorted(listed) == sorted(task_id for task_id, _ in made)
    assert len(listed) == 4


def test_filter_by_task_type(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 3)
    on_demand = iot.list_audit_tasks(taskType="ON_DEMAND_AUDIT_TASK", **WIDE)
    assert ids(on_demand) == [task_id for task_id, _ in reversed(made)]
    scheduled = iot.list_audit_tasks(taskType="SCHEDULED_AUDIT_TASK", **WIDE)
    assert scheduled["tasks"] == []


def test_filter_by_task_status(iot, frozen):
    enable(iot)
    completed = make_tasks(iot, frozen, 2)
    with held_tasks(times=3):
        frozen.tick(60)
        running, canceled = (id_ for id_, _ in make_tasks(iot, frozen, 2))
        iot.cancel_audit_task(taskId=canceled)
        assert ids(iot.list_audit_tasks(taskStatus="IN_PROGRESS", **WIDE)) == [running]
        assert ids(iot.list_audit_tasks(taskStatus="CANCELED", **WIDE)) == [canceled]
        assert ids(iot.list_audit_tasks(taskStatus="COMPLETED", **WIDE)) == [t for t, _ in reversed(completed)]
        assert iot.list_audit_tasks(taskStatus="FAILED", **WIDE)["tasks"] == []
        listed = iot.list_audit_tasks(taskStatus="IN_PROGRESS", taskType="ON_DEMAND_AUDIT_TASK", **WIDE)
        assert ids(listed) == [running]
        statuses = {t["taskId"]: t["taskStatus"] for t in iot.list_audit_tasks(**WIDE)["tasks"]}
        assert statuses[running] == "IN_PROGRESS"
        assert statuses[canceled] == "CANCELED"


@pytest.mark.parametrize(("name", "value"), [("taskType", "WEEKLY_AUDIT_TASK"), ("taskStatus", "DONE")])
def test_filter_outside_the_enum_is_refused(iot, frozen, name, value):
    assert_error(lambda: iot.list_audit_tasks(**{name: value}, **WIDE), "InvalidRequestException", 400)


# -- the time window ----------------------------------------------------------------------


def test_window_is_inclusive_at_both_ends(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 5)
    (_, t1), (_, t3) = made[1], made[3]
    listed = ids(iot.list_audit_tasks(startTime=t1, endTime=t3))
    assert listed == [made[3][0], made[2][0], made[1][0]]
    assert ids(iot.list_audit_tasks(startTime=t1, endTime=t1)) == [made[1][0]]


def test_window_starting_at_the_reported_task_start_time_includes_the_task(iot):
    enable(iot)
    with freeze_time("2026-03-01T12:00:00.123789Z"):
        task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
        # kept and reported to the millisecond: 12:00:00.123
        started = iot.describe_audit_task(taskId=task_id)["taskStartTime"]
        listed = iot.list_audit_tasks(startTime=started, endTime=started + dt.timedelta(hours=1))
        assert ids(listed) == [task_id]


def test_window_excludes_tasks_just_outside(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 3)
    t1 = made[1][1]
    listed = ids(iot.list_audit_tasks(startTime=t1 + dt.timedelta(milliseconds=1), endTime=WIDE["endTime"]))
    assert listed == [made[2][0]]
    listed = ids(iot.list_audit_tasks(startTime=WIDE["startTime"], endTime=t1 - dt.timedelta(milliseconds=1)))
    assert listed == [made[0][0]]


def test_start_time_after_end_time_is_refused(iot, frozen):
    assert_error(
        lambda: iot.list_audit_tasks(startTime=BASE, endTime=BASE - dt.timedelta(seconds=1)),
        "InvalidRequestException", 400,
    )


def test_start_time_older_than_90_days_is_refused(iot, frozen):
    assert_error(
        lambda: iot.list_audit_tasks(startTime=BASE - dt.timedelta(days=91), endTime=BASE),
        "InvalidRequestException", 400,
    )


def test_start_time_within_90_days_is_accepted(iot, frozen):
    enable(iot)
    [(task_id, _)] = make_tasks(iot, frozen, 1)
    assert ids(iot.list_audit_tasks(startTime=BASE - dt.timedelta(days=89), endTime=BASE)) == [task_id]
    assert ids(iot.list_audit_tasks(startTime=BASE - dt.timedelta(days=90), endTime=BASE)) == [task_id]


def test_tasks_older_than_90_days_are_gone(iot, frozen):
    enable(iot)
    [(old, _)] = make_tasks(iot, frozen, 1)
    frozen.tick(dt.timedelta(days=91))
    [(new, _)] = make_tasks(iot, frozen, 1)
    now = dt.datetime.now(UTC)
    assert ids(iot.list_audit_tasks(startTime=now - dt.timedelta(days=90), endTime=now)) == [new]
    assert_error(lambda: iot.describe_audit_task(taskId=old), "ResourceNotFoundException", 404)


def test_end_time_in_the_future_is_accepted(iot, frozen):
    enable(iot)
    [(task_id, _)] = make_tasks(iot, frozen, 1)
    assert ids(iot.list_audit_tasks(startTime=BASE, endTime=BASE + dt.timedelta(days=365))) == [task_id]


# -- pagination ----------------------------------------------------------------------------


def test_default_page_is_25(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 30)
    newest_first = [task_id for task_id, _ in reversed(made)]
    first = iot.list_audit_tasks(**WIDE)
    assert ids(first) == newest_first[:25]
    assert first["nextToken"]
    second = iot.list_audit_tasks(nextToken=first["nextToken"], **WIDE)
    assert ids(second) == newest_first[25:]
    assert "nextToken" not in second


def test_exactly_a_full_page_has_no_next_token(iot, frozen):
    enable(iot)
    make_tasks(iot, frozen, 3)
    response = iot.list_audit_tasks(maxResults=3, **WIDE)
    assert len(response["tasks"]) == 3
    assert "nextToken" not in response


@pytest.mark.parametrize("max_results", [1, 2, 7, 250])
def test_pages_of_max_results_cover_every_task_once(iot, frozen, max_results):
    enable(iot)
    made = make_tasks(iot, frozen, 8)
    seen, token, pages = [], None, 0
    while True:
        extra = {"nextToken": token} if token else {}
        page = iot.list_audit_tasks(maxResults=max_results, **WIDE, **extra)
        assert len(page["tasks"]) <= max_results
        seen += ids(page)
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert seen == [task_id for task_id, _ in reversed(made)]
    assert pages == -(-8 // max_results)


def test_max_results_above_250_is_refused_by_the_server(iot, frozen):
    assert_error(lambda: iot.list_audit_tasks(maxResults=251, **WIDE), "InvalidRequestException", 400)


def test_max_results_zero_is_refused(iot, frozen):
    with pytest.raises(ParamValidationError):
        iot.list_audit_tasks(maxResults=0, **WIDE)
    # A raw caller reaches the server, which applies the same model minimum.
    query = {"startTime": "2026-03-01T00:00:00Z", "endTime": "2026-03-02T00:00:00Z"}
    assert_raw_error(raw_list(maxResults="0", **query), "InvalidRequestException", 400)
    assert_raw_error(raw_list(maxResults="ten", **query), "InvalidRequestException", 400)


def test_paginator_returns_every_task_exactly_once(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 30)
    paginator = iot.get_paginator("list_audit_tasks")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 7}, **WIDE))
    listed = [task["taskId"] for page in pages for task in page["tasks"]]
    assert listed == [task_id for task_id, _ in reversed(made)]
    assert len(pages) == 5
    assert all(len(page["tasks"]) == 7 for page in pages[:-1])


def test_paginator_with_default_page_size(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 30)
    result = iot.get_paginator("list_audit_tasks").paginate(**WIDE).build_full_result()
    assert sorted(task["taskId"] for task in result["tasks"]) == sorted(task_id for task_id, _ in made)
    assert len(result["tasks"]) == 30


def test_paging_continues_past_tasks_started_between_pages(iot, frozen):
    enable(iot)
    made = make_tasks(iot, frozen, 4)
    first = iot.list_audit_tasks(maxResults=2, **WIDE)
    newer = make_tasks(iot, frozen, 1)
    second = iot.list_audit_tasks(maxResults=2, nextToken=first["nextToken"], **WIDE)
    assert ids(first) + ids(second) == [task_id for task_id, _ in reversed(made)]
    assert newer[0][0] not in ids(second)


def first_token(iot, frozen) -> str:
    enable(iot)
    make_tasks(iot, frozen, 3)
    return iot.list_audit_tasks(maxResults=1, **WIDE)["nextToken"]


def tamper(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


@pytest.mark.parametrize("mangle", [tamper, lambda t: t[:-3], lambda t: t + "x", lambda t: "not-a-token"])
def test_tampered_token_is_refused(iot, frozen, mangle):
    token = first_token(iot, frozen)
    assert_error(lambda: iot.list_audit_tasks(maxResults=1, nextToken=mangle(token), **WIDE),
                 "InvalidRequestException", 400)


@pytest.mark.parametrize(
    "changed",
    [
        {"taskStatus": "COMPLETED"},
        {"taskType": "ON_DEMAND_AUDIT_TASK"},
        {"startTime": WIDE["startTime"] + dt.timedelta(seconds=1)},
        {"endTime": WIDE["endTime"] - dt.timedelta(seconds=1)},
    ],
)
def test_token_reused_with_different_filters_is_refused(iot, frozen, changed):
    token = first_token(iot, frozen)
    query = {**WIDE, **changed}
    assert_error(lambda: iot.list_audit_tasks(maxResults=1, nextToken=token, **query),
                 "InvalidRequestException", 400)


def test_token_reused_with_another_page_size_is_accepted(iot, frozen):
    token = first_token(iot, frozen)
    assert len(iot.list_audit_tasks(maxResults=5, nextToken=token, **WIDE)["tasks"]) == 2


# -- query time forms on the wire -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-01T11:00:00Z", "2026-03-01T13:00:00Z"),
        ("2026-03-01T11:00:00.000000Z", "2026-03-01T13:00:00.500Z"),
        ("2026-03-01T11:00:00+00:00", "2026-03-01T13:00:00+00:00"),
        (str(int(BASE.timestamp()) - 3600), str(int(BASE.timestamp()) + 3600)),
        (str(BASE.timestamp() - 0.5), str(BASE.timestamp() + 0.5)),
    ],
)
def test_query_times_as_iso_with_or_without_fraction_or_epoch(iot, frozen, start, end):
    enable(iot)
    [(task_id, _)] = make_tasks(iot, frozen, 1)
    response = raw_list(startTime=start, endTime=end)
    assert response.status_code == 200, response.text
    assert response.json()["tasks"] == [
        {"taskId": task_id, "taskStatus": "COMPLETED", "taskType": "ON_DEMAND_AUDIT_TASK"}
    ]


def test_query_time_window_exact_to_the_second_on_the_wire(iot, frozen):
    enable(iot)
    [(task_id, _)] = make_tasks(iot, frozen, 1)
    assert raw_list(startTime="2026-03-01T12:00:00Z", endTime="2026-03-01T12:00:00Z").json()["tasks"][0][
        "taskId"] == task_id
    assert raw_list(startTime="2026-03-01T12:00:01Z", endTime="2026-03-01T13:00:00Z").json()["tasks"] == []


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-45T00:00:00Z", ""])
def test_unreadable_query_time_is_refused(iot, frozen, bad):
    assert_raw_error(raw_list(startTime=bad, endTime="2026-03-01T13:00:00Z"), "InvalidRequestException", 400)
