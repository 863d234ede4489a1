"""CONFLICTING_CLIENT_IDS_CHECK and DEVICE_CERTIFICATE_SHARED_CHECK over recorded connections:
their rules, observation windows and finding shapes (check-triggers.md, checks 5 and 9).

The checks are enabled "long ago" (``set_check_enabled_at(check, None)``) so that connections
recorded in the past are theirs to see; test_data_collection.py covers what enabling changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import DAY, HOUR, ROLE, UTC, backend, client
from freezegun import freeze_time

from iot_audit_fake import mock_iot_audit

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=UTC)
CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"
SHARED = "DEVICE_CERTIFICATE_SHARED_CHECK"
CERT_A, CERT_B = "a" * 64, "b" * 64


@pytest.fixture
def iot() -> Iterator[Any]:
    with mock_iot_audit(), freeze_time(NOW, tick=False) as clock:
        iot = client()
        iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={CLIENT_IDS: {"enabled": True}, SHARED: {"enabled": True}})
        for check in (CLIENT_IDS, SHARED):
            backend().set_check_enabled_at(check, None)
        iot.clock = clock
        yield iot


def ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def connect(client_id: str, start: dt.datetime, end: dt.datetime | None = None, certificate: str | None = CERT_A,
            ) -> None:
    backend().record_connection(client_id, certificate_id=certificate, connected_at=start, disconnected_at=end)


def on_demand(iot: Any, check: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    task_id = iot.start_on_demand_audit_task(targetCheckNames=[check])["taskId"]
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"][check]
    return details, iot.list_audit_findings(taskId=task_id)["findings"]


def related(iot: Any, finding: dict[str, Any]) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = iot.list_related_resources_for_audit_finding(
        findingId=finding["findingId"])["relatedResources"]
    return resources


# -- CONFLICTING_CLIENT_IDS_CHECK (check 5) --------------------------------------------------------

def test_a_connection_that_knocks_off_a_live_session_is_reported(iot: Any) -> None:
    """5: several connections with one client id, an already connected client disconnected."""
    connect("sensor-1", NOW - 5 * HOUR, NOW - 3 * HOUR, CERT_A)
    connect("sensor-1", NOW - 3 * HOUR, None, CERT_B)  # connects as the first one is knocked off
    details, [finding] = on_demand(iot, CLIENT_IDS)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["nonCompliantResource"] == {"resourceType": "CLIENT_ID",
                                               "resourceIdentifier": {"clientId": "sensor-1"}}
    assert finding["reasonForNonComplianceCode"] == "DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS"
    # [INF] one related resource per connection, newest first, certificate principals with their times.
    assert finding["relatedResources"] == [
        {"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": {"deviceCertificateId": CERT_B},
         "additionalInfo": {"CONNECTION_TIME": ms(NOW - 3 * HOUR)}},
        {"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": {"deviceCertificateId": CERT_A},
         "additionalInfo": {"CONNECTION_TIME": ms(NOW - 5 * HOUR), "DISCONNECTION_TIME": ms(NOW - 3 * HOUR)}},
    ]


def test_a_takeover_by_the_same_principal_counts(iot: Any) -> None:
    """5 [INF]: a device on a bad link reconnecting while its old session is still live."""
    connect("sensor-1", NOW - 5 * HOUR, NOW - 2 * HOUR)
    connect("sensor-1", NOW - 4 * HOUR, NOW - HOUR)
    assert on_demand(iot, CLIENT_IDS)[0]["nonCompliantResourcesCount"] == 1


def test_reconnecting_after_a_disconnect_is_compliant(iot: Any) -> None:
    connect("sensor-1", NOW - 5 * HOUR, NOW - 4 * HOUR)
    connect("sensor-1", NOW - 4 * HOUR + dt.timedelta(seconds=1), NOW - HOUR)
    connect("sensor-2", NOW - 5 * HOUR)
    details, findings = on_demand(iot, CLIENT_IDS)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (2, 0)
    assert findings == []


def test_on_demand_looks_back_31_days(iot: Any) -> None:
    """5: on demand, the 31 days before the audit start."""
    connect("recent", NOW - 30 * DAY, NOW - 30 * DAY + HOUR)
    connect("recent", NOW - 30 * DAY + HOUR / 2, NOW - 30 * DAY + 2 * HOUR)
    connect("old", NOW - 33 * DAY, NOW - 33 * DAY + HOUR)
    connect("old", NOW - 33 * DAY + HOUR / 2, NOW - 33 * DAY + 2 * HOUR)
    details, findings = on_demand(iot, CLIENT_IDS)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert [f["nonCompliantResource"]["resourceIdentifier"] for f in findings] == [{"clientId": "recent"}]


def test_a_scheduled_run_looks_only_since_the_previous_run(iot: Any) -> None:
    """5: scheduled, from the last time the audit ran to this run's start; the first run 31 days."""
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[CLIENT_IDS])
    connect("before-first", NOW - 20 * DAY, NOW - 20 * DAY + HOUR)
    connect("before-first", NOW - 20 * DAY + HOUR / 2)
    iot.clock.tick(DAY)  # first run: 03-11 00:00
    connect("between", NOW + DAY, NOW + DAY + HOUR)
    connect("between", NOW + DAY + HOUR / 2, NOW + DAY + 2 * HOUR)
    iot.clock.tick(2 * DAY)  # runs of 03-12 and 03-13
    tasks = sorted(iot.list_audit_tasks(startTime=NOW, endTime=NOW + 3 * DAY,
                                        taskType="SCHEDULED_AUDIT_TASK")["tasks"], key=lambda t: t["taskId"])
    flagged = {}
    for task in tasks:
        start = iot.describe_audit_task(taskId=task["taskId"])["taskStartTime"]
        flagged[start.day] = sorted(f["nonCompliantResource"]["resourceIdentifier"]["clientId"]
                                    for f in iot.list_audit_findings(taskId=task["taskId"])["findings"])
    assert flagged == {11: ["before-first"], 12: ["between"], 13: []}


# -- DEVICE_CERTIFICATE_SHARED_CHECK (check 9) -------------------------------------------------------

def test_concurrent_sessions_of_one_certificate_under_two_client_ids_are_reported(iot: Any) -> None:
    """9: multiple concurrent connections use the same certificate; CLIENT_ID per session, newest first."""
    connect("quiet", NOW - 40 * DAY)  # open all along: concurrent, but no event in the window
    connect("sensor-1", NOW - 30 * HOUR, NOW - 20 * HOUR)
    connect("sensor-1-clone", NOW - 26 * HOUR)
    details, [finding] = on_demand(iot, SHARED)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["nonCompliantResource"] == {"resourceType": "DEVICE_CERTIFICATE",
                                               "resourceIdentifier": {"deviceCertificateId": CERT_A}}
    assert finding["reasonForNonCompliance"] == "Certificate shared by one or more devices."
    assert related(iot, finding) == finding["relatedResources"] == [
        {"resourceType": "CLIENT_ID", "resourceIdentifier": {"clientId": "sensor-1-clone"},
         "additionalInfo": {"CONNECTION_TIME": ms(NOW - 26 * HOUR)}},
        {"resourceType": "CLIENT_ID", "resourceIdentifier": {"clientId": "sensor-1"},
         "additionalInfo": {"CONNECTION_TIME": ms(NOW - 30 * HOUR), "DISCONNECTION_TIME": ms(NOW - 20 * HOUR)}},
    ]


def test_quick_reconnects_of_one_client_are_not_sharing(iot: Any) -> None:
    for i in range(5):
        connect("sensor-1", NOW - (10 - i) * HOUR, NOW - (10 - i) * HOUR + 50 * dt.timedelta(minutes=1))
    details, findings = on_demand(iot, SHARED)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 0)
    assert findings == []


def test_the_last_two_hours_are_not_yet_in_the_window(iot: Any) -> None:
    """9: on demand, the 31 days before the audit, up to 2 hours before the check runs."""
    connect("sensor-1", NOW - 90 * dt.timedelta(minutes=1))
    connect("sensor-1-clone", NOW - 60 * dt.timedelta(minutes=1))
    details, findings = on_demand(iot, SHARED)
    assert (details["totalResourcesCount"], findings) == (0, [])
    iot.clock.tick(2 * HOUR)
    details, [finding] = on_demand(iot, SHARED)
    assert [r["resourceIdentifier"]["clientId"] for r in finding["relatedResources"]] == [
        "sensor-1-clone", "sensor-1"]


def test_a_scheduled_run_looks_from_two_hours_before_the_previous_run(iot: Any) -> None:
    """9: scheduled, from 2 h before the previous run to 2 h before this run's start."""
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[SHARED])
    iot.clock.tick(DAY)  # first run 03-11 00:00: looks at [02-08 22:00, 03-10 22:00]
    late = dt.datetime(2026, 3, 10, 23, tzinfo=UTC)  # after the first window, before the first run
    connect("sensor-1", late)
    connect("sensor-1-clone", late + HOUR, late + 2 * HOUR)
    iot.clock.tick(DAY)  # second run 03-12 00:00: [03-10 22:00, 03-11 22:00]
    tasks = iot.list_audit_tasks(startTime=NOW, endTime=NOW + 2 * DAY, taskType="SCHEDULED_AUDIT_TASK")["tasks"]
    counts = sorted((iot.describe_audit_task(taskId=t["taskId"])["taskStartTime"].day,
                     len(iot.list_audit_findings(taskId=t["taskId"])["findings"])) for t in tasks)
    assert counts == [(11, 0), (12, 1)]
