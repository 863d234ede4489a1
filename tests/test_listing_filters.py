"""Filtered listings served from secondary indexes: the edges where an index could drift from the data.

Each filtered listing is read page by page (small pages, so tokens are exercised) and compared with
the unfiltered listing filtered here: the index must give exactly those items, in the same order,
after status changes, cancels, expiry, suppression changes and with several filters at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import mitigation_helpers as mitigation
import pytest
from conftest import (
    BASE,
    DAY,
    EXPIRING,
    IRE,
    LOGGING,
    MINUTE,
    UTC,
    assert_error,
    backend,
    client,
    device,
    enable,
    held_tasks,
)

from iot_audit_fake import mock_iot_audit, timeline
from iot_audit_fake.tasks import ON_DEMAND, SCHEDULED

SHARED = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"


@pytest.fixture(params=[512, 0], ids=["walked", "indexed"])
def walk_limit(request, monkeypatch):
    """Filter combinations served by walking one filter's list (the default for short lists), or by an
    index of the combination (built on first use, then maintained): both must give the same answers."""
    monkeypatch.setattr(timeline, "WALK_LIMIT", request.param)
    return request.param


def pages(call: Callable[..., dict[str, Any]], field: str, **query: Any) -> list[dict[str, Any]]:
    """Every item of a listing, read two at a time through nextToken."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        response = call(**query, maxResults=2, **({"nextToken": token} if token else {}))
        items.extend(response[field])
        token = response.get("nextToken")
        if token is None:
            return items


def window(now: dt.datetime) -> dict[str, dt.datetime]:
    return {"startTime": now - 10 * DAY, "endTime": now + DAY}


# -- ListAuditTasks ---------------------------------------------------------------------


def task_ids(iot: Any, now: dt.datetime, **filters: Any) -> list[str]:
    return [t["taskId"] for t in pages(iot.list_audit_tasks, "tasks", **window(now), **filters)]


def expected_tasks(iot: Any, now: dt.datetime, **filters: Any) -> list[str]:
    every = pages(iot.list_audit_tasks, "tasks", **window(now))
    return [t["taskId"] for t in every
            if all(t[name] == value for name, value in filters.items())]


def all_task_filters(iot: Any, now: dt.datetime) -> None:
    for kind in (ON_DEMAND, SCHEDULED):
        for status in ("IN_PROGRESS", "COMPLETED", "FAILED", "CANCELED"):
            for filters in ({"taskType": kind}, {"taskStatus": status}, {"taskType": kind, "taskStatus": status}):
                assert task_ids(iot, now, **filters) == expected_tasks(iot, now, **filters), filters


def test_task_status_index_follows_progress_and_cancel(iot, frozen):
    enable(iot, LOGGING)
    now = BASE
    with held_tasks(times=2):
        held = []
        for _ in range(5):
            held.append(iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"])
            frozen.tick(MINUTE)
        assert task_ids(iot, now, taskStatus="IN_PROGRESS") == held[::-1]
        # Two describes let the first two finish; the third is canceled; the rest stay in progress.
        for task_id in held[:2]:
            iot.describe_audit_task(taskId=task_id)
            assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
        iot.cancel_audit_task(taskId=held[2])
        assert task_ids(iot, now, taskStatus="IN_PROGRESS") == held[:2:-1]
        assert task_ids(iot, now, taskStatus="COMPLETED") == held[1::-1]
        assert task_ids(iot, now, taskStatus="CANCELED") == [held[2]]
        assert task_ids(iot, now, taskType=ON_DEMAND, taskStatus="COMPLETED") == held[1::-1]
        all_task_filters(iot, now)


def test_combined_task_filters_with_recorded_history(iot, frozen):
    enable(iot, LOGGING)
    made = {}
    for i, (kind, status) in enumerate([(ON_DEMAND, "COMPLETED"), (SCHEDULED, "COMPLETED"), (SCHEDULED, "FAILED"),
                                        (ON_DEMAND, "CANCELED"), (SCHEDULED, "CANCELED"), (ON_DEMAND, "FAILED")] * 2):
        task = backend().record_audit_task(BASE - i * MINUTE, [LOGGING], status=status, task_type=kind,
                                           scheduled_audit_name="nightly" if kind == SCHEDULED else None)
        made.setdefault((kind, status), []).append(task.task_id)
    assert task_ids(iot, BASE, taskType=SCHEDULED, taskStatus="FAILED") == made[(SCHEDULED, "FAILED")]
    assert task_ids(iot, BASE, taskType=ON_DEMAND, taskStatus="CANCELED") == made[(ON_DEMAND, "CANCELED")]
    all_task_filters(iot, BASE)


def test_the_combined_task_index_follows_later_changes(iot, frozen):
    """A task listed under (type, status) moves when its status changes."""
    enable(iot, LOGGING)
    with held_tasks(times=1):
        first = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
        assert task_ids(iot, BASE, taskType=ON_DEMAND, taskStatus="IN_PROGRESS") == [first]
        frozen.tick(MINUTE)
        second = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
        iot.describe_audit_task(taskId=first)
        assert task_ids(iot, BASE, taskType=ON_DEMAND, taskStatus="IN_PROGRESS") == [second]
        assert task_ids(iot, BASE, taskType=ON_DEMAND, taskStatus="COMPLETED") == [first]


def test_expired_tasks_leave_every_index(iot, frozen):
    enable(iot, LOGGING)
    old = [backend().record_audit_task(BASE - 89 * DAY + i * MINUTE, [LOGGING], task_type=SCHEDULED).task_id
           for i in range(3)]
    young = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    span = {"startTime": BASE - 89 * DAY, "endTime": BASE + DAY}
    combo = {"taskType": SCHEDULED, "taskStatus": "COMPLETED"}
    assert [t["taskId"] for t in pages(iot.list_audit_tasks, "tasks", **span, **combo)] == old[::-1]
    frozen.tick(dt.timedelta(days=1, minutes=1, seconds=30))  # the first two fall out of the 90 days
    for filters in ({"taskType": SCHEDULED}, {"taskStatus": "COMPLETED"}, combo):
        listed = [t["taskId"] for t in pages(iot.list_audit_tasks, "tasks", **span, **filters)]
        assert old[0] not in listed and old[1] not in listed, filters
        assert old[2] in listed
    assert [t["taskId"] for t in pages(iot.list_audit_tasks, "tasks", **span, taskType=ON_DEMAND)] == [young]


def test_a_token_names_its_filter(iot, frozen):
    enable(iot, LOGGING)
    for i in range(3):
        backend().record_audit_task(BASE - i * MINUTE, [LOGGING], status="FAILED")
    first = iot.list_audit_tasks(**window(BASE), taskStatus="FAILED", maxResults=1)
    assert first["nextToken"]
    assert_error(lambda: iot.list_audit_tasks(**window(BASE), taskStatus="COMPLETED",
                                              nextToken=first["nextToken"]), *IRE)
    assert_error(lambda: iot.list_audit_tasks(**window(BASE), taskStatus="FAILED", taskType=ON_DEMAND,
                                              nextToken=first["nextToken"]), *IRE)


def test_filtered_paging_survives_a_status_change_between_pages(iot, frozen):
    enable(iot, LOGGING)
    with held_tasks(times=1):
        held = []
        for _ in range(4):
            held.append(iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"])
            frozen.tick(MINUTE)
        first = iot.list_audit_tasks(**window(BASE), taskStatus="IN_PROGRESS", maxResults=2)
        assert [t["taskId"] for t in first["tasks"]] == [held[3], held[2]]
        iot.describe_audit_task(taskId=held[1])  # leaves IN_PROGRESS before the second page is read
        rest = iot.list_audit_tasks(**window(BASE), taskStatus="IN_PROGRESS", maxResults=2,
                                    nextToken=first["nextToken"])
    assert [t["taskId"] for t in rest["tasks"]] == [held[0]]


# -- ListAuditFindings --------------------------------------------------------------------


def findings_setup(iot: Any, frozen: Any) -> list[str]:
    """Three audits of two checks over overlapping certificates, some findings suppressed."""
    enable(iot, EXPIRING, SHARED)
    for n in range(6):
        backend().seed_observation(EXPIRING, device(n))
    for n in range(3, 8):
        backend().seed_observation(SHARED, device(n))
    iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(4), suppressIndefinitely=True,
                                 clientRequestToken="s1")
    tasks = []
    for _ in range(3):
        tasks.append(iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING, SHARED])["taskId"])
        frozen.tick(MINUTE)
    return tasks


FINDING_FILTERS: list[dict[str, Any]] = [
    {"checkName": EXPIRING}, {"checkName": SHARED}, {"resourceIdentifier": device(4)},
    {"resourceIdentifier": device(9)}, {"listSuppressedFindings": True}, {"listSuppressedFindings": False},
    {"checkName": EXPIRING, "resourceIdentifier": device(4)}, {"checkName": SHARED, "resourceIdentifier": device(1)},
    {"checkName": EXPIRING, "listSuppressedFindings": False},
    {"checkName": EXPIRING, "resourceIdentifier": device(4), "listSuppressedFindings": True},
]


def matches(finding: dict[str, Any], filters: dict[str, Any]) -> bool:
    return all({"checkName": finding["checkName"],
                "resourceIdentifier": finding["nonCompliantResource"]["resourceIdentifier"],
                "listSuppressedFindings": finding["isSuppressed"]}[name] == value for name, value in filters.items())


def finding_ids(iot: Any, **query: Any) -> list[str]:
    return [f["findingId"] for f in pages(iot.list_audit_findings, "findings", **query)]


@pytest.mark.parametrize("filters", FINDING_FILTERS, ids=lambda f: "+".join(f))
def test_finding_filters_over_a_window_and_within_a_task(iot, frozen, filters, walk_limit):
    tasks = findings_setup(iot, frozen)
    every = pages(iot.list_audit_findings, "findings", **window(BASE))
    assert len(every) == 33
    assert finding_ids(iot, **window(BASE), **filters) == [f["findingId"] for f in every if matches(f, filters)]
    for task_id in tasks:
        mine = pages(iot.list_audit_findings, "findings", taskId=task_id)
        assert finding_ids(iot, taskId=task_id, **filters) == [f["findingId"] for f in mine if matches(f, filters)]


def test_finding_filters_drop_expired_findings(iot, frozen, walk_limit):
    enable(iot, EXPIRING)
    backend().seed_observation(EXPIRING, device(1))
    old = iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING])["taskId"]
    frozen.tick(DAY)
    iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING])
    span = {"startTime": BASE, "endTime": BASE + 2 * DAY}
    assert len(finding_ids(iot, **span, resourceIdentifier=device(1))) == 2
    frozen.tick(dt.timedelta(days=89, minutes=1))  # the first audit's finding is past the 90 days
    span = {"startTime": BASE + DAY, "endTime": BASE + 91 * DAY}
    for filters in ({"resourceIdentifier": device(1)}, {"checkName": EXPIRING},
                    {"checkName": EXPIRING, "resourceIdentifier": device(1)}):
        listed = pages(iot.list_audit_findings, "findings", **span, **filters)
        assert [f["taskId"] for f in listed] != [old] and len(listed) == 1, filters


def test_finding_filter_tokens_resume_within_a_task(iot, frozen):
    tasks = findings_setup(iot, frozen)
    first = iot.list_audit_findings(taskId=tasks[0], checkName=SHARED, maxResults=2)
    rest = iot.list_audit_findings(taskId=tasks[0], checkName=SHARED, nextToken=first["nextToken"])
    shared = [f for f in pages(iot.list_audit_findings, "findings", taskId=tasks[0]) if f["checkName"] == SHARED]
    assert [f["findingId"] for f in first["findings"] + rest["findings"]] == [f["findingId"] for f in shared]
    assert_error(lambda: iot.list_audit_findings(taskId=tasks[0], checkName=EXPIRING,
                                                 nextToken=first["nextToken"]), *IRE)


def test_filtered_findings_of_a_task_listed_while_it_ran(iot, frozen):
    """A task filtered while IN_PROGRESS (no findings yet) lists its findings once it finished."""
    enable(iot, EXPIRING)
    backend().seed_observation(EXPIRING, device(2))
    with held_tasks(times=1):
        task_id = iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING])["taskId"]
        assert finding_ids(iot, taskId=task_id, checkName=EXPIRING) == []
        iot.describe_audit_task(taskId=task_id)
    assert len(finding_ids(iot, taskId=task_id, checkName=EXPIRING)) == 1


# -- ListAuditSuppressions -------------------------------------------------------------------


def suppression_keys(iot: Any, **query: Any) -> list[tuple[str, str]]:
    listed = pages(iot.list_audit_suppressions, "suppressions", **query)
    return [(s["checkName"], s["resourceIdentifier"]["deviceCertificateId"][-1]) for s in listed]


def test_suppression_filters_follow_updates_deletes_and_replacements(iot, frozen):
    for n in range(5):
        for check in (EXPIRING, SHARED):
            iot.create_audit_suppression(checkName=check, resourceIdentifier=device(n),
                                         clientRequestToken=f"{check}{n}", expirationDate=BASE + (10 - n) * DAY)
    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(4), suppressIndefinitely=True)
    iot.update_audit_suppression(checkName=SHARED, resourceIdentifier=device(0), expirationDate=BASE + DAY)
    iot.delete_audit_suppression(checkName=SHARED, resourceIdentifier=device(2))
    frozen.tick(2 * DAY)  # the SHARED one on device 0 has expired: a new one replaces it
    iot.create_audit_suppression(checkName=SHARED, resourceIdentifier=device(0), clientRequestToken="again",
                                 expirationDate=BASE + 30 * DAY)
    every = suppression_keys(iot)
    # By expiry (ties by check name), the indefinite one last.
    assert every == [(SHARED, "4"), (EXPIRING, "3"), (SHARED, "3"), (EXPIRING, "2"), (EXPIRING, "1"),
                     (SHARED, "1"), (EXPIRING, "0"), (SHARED, "0"), (EXPIRING, "4")]
    for check in (EXPIRING, SHARED):
        for descending in (False, True):
            order = {"ascendingOrder": not descending}
            expected = [k for k in suppression_keys(iot, **order) if k[0] == check]
            assert suppression_keys(iot, checkName=check, **order) == expected
            for n in range(6):
                by_resource = suppression_keys(iot, resourceIdentifier=device(n), **order)
                assert by_resource == [k for k in suppression_keys(iot, **order) if k[1] == str(n)]
                both = suppression_keys(iot, checkName=check, resourceIdentifier=device(n), **order)
                assert both == [k for k in expected if k[1] == str(n)]


# -- ListAuditMitigationActionsTasks and ListAuditMitigationActionsExecutions -------------------------


@pytest.fixture
def us_iot():
    """The mitigation helpers' region (us-east-1)."""
    with mock_iot_audit():
        yield client(region=mitigation.REGION)


def test_mitigation_task_filters_follow_status_cancel_and_combinations(us_iot, walk_limit):
    iot = us_iot
    first, _ = mitigation.device_findings(iot, 2)
    second, _ = mitigation.device_findings(iot, 1)
    mitigation.create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    mapping = {mitigation.DEVICE_EXPIRING: ["deactivate"]}
    findings_of = {audit: [f["findingId"] for f in mitigation.audit_findings(iot, audit)] for audit in (first, second)}
    picked = findings_of[first][1]
    covers = {"t1": (first, findings_of[first]), "t2": (second, findings_of[second]),
              "t3": (None, [picked])}
    now = dt.datetime.now(UTC)
    span = {"startTime": now - DAY, "endTime": now + DAY}

    def check_every_filter() -> None:
        every = pages(iot.list_audit_mitigation_actions_tasks, "tasks", **span)
        assert {t["taskId"] for t in every} == set(covers)
        for audit in (first, second, "0" * 32):
            for finding in [*findings_of[first], *findings_of[second], None]:
                for status in ("IN_PROGRESS", "COMPLETED", "CANCELED", None):
                    filters = {name: value for name, value in
                               (("auditTaskId", audit), ("findingId", finding), ("taskStatus", status)) if value}
                    expected = [t["taskId"] for t in every
                                if (audit is None or covers[t["taskId"]][0] == audit)
                                and (finding is None or finding in covers[t["taskId"]][1])
                                and (status is None or t["taskStatus"] == status)]
                    listed = pages(iot.list_audit_mitigation_actions_tasks, "tasks", **span, **filters)
                    assert [t["taskId"] for t in listed] == expected, filters

    with mitigation.held_mitigation_tasks(times=1):
        mitigation.start_task(iot, "t1", mapping, audit_task_id=first)
        mitigation.start_task(iot, "t2", mapping, audit_task_id=second)
        mitigation.start_task(iot, "t3", mapping, finding_ids=[picked])
        check_every_filter()  # all IN_PROGRESS; builds the combined indexes
        iot.describe_audit_mitigation_actions_task(taskId="t1")  # finishes
        iot.cancel_audit_mitigation_actions_task(taskId="t2")
        covers["t4"] = (first, findings_of[first])
        mitigation.start_task(iot, "t4", mapping, audit_task_id=first)
        check_every_filter()
        assert [t["taskId"] for t in iot.list_audit_mitigation_actions_tasks(
            **span, taskStatus="CANCELED", auditTaskId=second)["tasks"]] == ["t2"]


def test_execution_filters_per_finding_and_status(us_iot):
    iot = us_iot
    audit, certs = mitigation.device_findings(iot, 3)
    iot.create_audit_suppression(checkName=mitigation.DEVICE_EXPIRING, clientRequestToken="quiet",
                                 resourceIdentifier={"deviceCertificateId": certs[2]}, suppressIndefinitely=True)
    audit = mitigation.run_audit(iot, mitigation.DEVICE_EXPIRING)  # the third finding is suppressed
    mitigation.create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    mitigation.create_action(iot, "isolate", "ADD_THINGS_TO_THING_GROUP", thingGroupNames=["no-such-group"])
    mitigation.start_task(iot, "t1", {mitigation.DEVICE_EXPIRING: ["deactivate", "isolate"]}, audit_task_id=audit)
    result = mitigation.assert_consistent(iot, "t1")
    seen = set()
    for finding_id, runs in result.executions.items():
        assert len(runs) == 2
        for status in ("COMPLETED", "FAILED", "SKIPPED", "CANCELED"):
            filtered = mitigation.list_executions(iot, "t1", finding_id, actionStatus=status)
            assert filtered == [r for r in runs if r["status"] == status], (finding_id, status)
            seen.update(r["status"] for r in filtered)
    assert seen == {"COMPLETED", "FAILED", "SKIPPED"}
    other, _ = mitigation.device_findings(iot, 1)
    stranger = mitigation.audit_findings(iot, other)[0]["findingId"]
    assert mitigation.list_executions(iot, "t1", stranger) == []


# -- the Timeline itself, against a brute-force reading of the same items -----------------------------


def test_timeline_indexes_agree_with_a_scan_through_random_changes(walk_limit):
    import random

    from iot_audit_fake.timeline import Timeline

    class Item:
        def __init__(self, kind: str, status: str, tags: tuple[str, ...]) -> None:
            self.kind, self.status, self.tags = kind, status, tags

    rng = random.Random(14)
    fields = {"kind": lambda i: (i.kind,), "status": lambda i: (i.status,), "tag": lambda i: i.tags}
    timeline: Timeline[Item] = Timeline(fields, volatile=("status",))
    alive: dict[str, tuple[dt.datetime, Item]] = {}
    start = BASE - 10 * DAY
    for step in range(1500):
        action = rng.random()
        if action < 0.55 or not alive:
            when = start + rng.randrange(0, 10_000) * MINUTE  # mostly out of order
            item = Item(rng.choice("ab"), rng.choice(["IN_PROGRESS", "COMPLETED"]),
                        tuple(rng.sample("xyz", rng.randrange(0, 3))))
            timeline.add(when, f"id{step:05d}", item)
            alive[f"id{step:05d}"] = (when, item)
        elif action < 0.75:
            item_id = rng.choice(sorted(alive))
            alive[item_id][1].status = rng.choice(["IN_PROGRESS", "COMPLETED", "CANCELED"])
            timeline.reindex(item_id)
        elif action < 0.9:
            item_id = rng.choice(sorted(alive))
            timeline.remove(alive.pop(item_id)[0], item_id)
        else:
            cutoff = start + rng.randrange(0, 3_000) * MINUTE
            gone = timeline.expire_before(cutoff)
            expected = {i for i, (when, _) in alive.items() if when < cutoff}
            assert {id(item) for item in gone} == {id(alive[i][1]) for i in expected}
            for item_id in expected:
                del alive[item_id]
        if step % 50 == 0:
            lo, hi = start + rng.randrange(0, 5_000) * MINUTE, start + rng.randrange(5_000, 10_000) * MINUTE
            for where in ({}, {"kind": "a"}, {"status": "COMPLETED"}, {"tag": "x"},
                          {"kind": "b", "status": "CANCELED"}, {"kind": "a", "tag": "y", "status": "IN_PROGRESS"}):
                scanned = sorted(
                    ((when.timestamp(), i) for i, (when, item) in alive.items() if lo <= when <= hi
                     and all(v in fields[name](item) for name, v in where.items())), reverse=True)
                listed = [key for key, _ in timeline.newest_first(lo, hi, where=where)]
                assert listed == scanned, (step, where)
                if len(scanned) > 3:  # resuming after a position
                    after = [key for key, _ in timeline.newest_first(lo, hi, scanned[2], where)]
                    assert after == scanned[3:]
    assert len(timeline) == len(alive)
