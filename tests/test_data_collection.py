"""Data collection (check-triggers.md §G): WAITING_FOR_DATA_COLLECTION, collection delays, and what
disabling a check deletes.

- A check enabled more recently than its collection delay reports WAITING_FOR_DATA_COLLECTION and
  keeps its task IN_PROGRESS; DEVICE_CERTIFICATE_SHARED_CHECK waits 2 hours by default.
- Tests set any check's delay with ``set_data_collection_delay`` (docs/observations.md).
- Disabling a check deletes the data collected for it; re-enabling starts empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ACCOUNT, DAY, HOUR, LOGGING, MINUTE, REGION, ROLE, UTC, assert_task_statistics, backend, client
from freezegun import freeze_time

from iot_audit_fake import dump_scenario, load_scenario, mock_iot_audit
from iot_audit_fake.errors import InvalidRequestException

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=UTC)
CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"
SHARED = "DEVICE_CERTIFICATE_SHARED_CHECK"
AUTH = "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
UNAUTH = "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
ALIAS_UNUSED = "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"
ALIAS_PERMISSIVE = "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK"
POOL = "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Uploader"


@pytest.fixture
def iot() -> Iterator[Any]:
    with mock_iot_audit(), freeze_time(NOW, tick=False) as clock:
        iot = client()
        iot.clock = clock
        yield iot


def configure(iot: Any, **checks: bool) -> None:
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={
        name: {"enabled": enabled} for name, enabled in checks.items()})


def start(iot: Any, *checks: str) -> str:
    task_id: str = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    return task_id


def statuses(iot: Any, task_id: str) -> tuple[str, dict[str, str]]:
    task = iot.describe_audit_task(taskId=task_id)
    assert_task_statistics(task)
    return task["taskStatus"], {name: d["checkRunStatus"] for name, d in task["auditDetails"].items()}


def shared_takeover(start_at: dt.datetime) -> None:
    """Two client ids on one certificate at once, and a client id knocked off: both checks' triggers."""
    backend().record_connection("sensor-1", certificate_id="a" * 64, connected_at=start_at)
    backend().record_connection("sensor-1", certificate_id="a" * 64, connected_at=start_at + MINUTE)
    backend().record_connection("clone", certificate_id="a" * 64, connected_at=start_at + 2 * MINUTE)


# -- WAITING_FOR_DATA_COLLECTION ---------------------------------------------------------------------

def test_the_shared_certificate_check_waits_two_hours_after_enabling(iot: Any) -> None:
    """§G: no results for at least two hours after enabling; the task stays IN_PROGRESS meanwhile."""
    configure(iot, **{SHARED: True, LOGGING: True})
    task_id = start(iot, SHARED, LOGGING)
    status, checks = statuses(iot, task_id)
    assert status == "IN_PROGRESS"
    assert checks == {SHARED: "WAITING_FOR_DATA_COLLECTION", LOGGING: "COMPLETED_NON_COMPLIANT"}
    assert iot.describe_audit_task(taskId=task_id)["taskStatistics"]["waitingForDataCollectionChecks"] == 1
    assert iot.list_audit_findings(taskId=task_id)["findings"] == []
    iot.clock.tick(2 * HOUR - MINUTE)
    assert statuses(iot, task_id)[1][SHARED] == "WAITING_FOR_DATA_COLLECTION"
    iot.clock.tick(MINUTE)
    status, checks = statuses(iot, task_id)
    assert status == "COMPLETED"
    assert checks == {SHARED: "COMPLETED_COMPLIANT", LOGGING: "COMPLETED_NON_COMPLIANT"}
    assert len(iot.list_audit_findings(taskId=task_id)["findings"]) == 1


def test_other_checks_do_not_wait_by_default(iot: Any) -> None:
    configure(iot, **{CLIENT_IDS: True, LOGGING: True})
    assert statuses(iot, start(iot, CLIENT_IDS, LOGGING))[0] == "COMPLETED"


def test_a_test_sets_the_delay_of_any_check_including_zero(iot: Any) -> None:
    """§G [INF]: tests can force a wait on other checks, or none at all."""
    backend().set_data_collection_delay(SHARED, 0)
    backend().set_data_collection_delay(LOGGING, dt.timedelta(minutes=10))
    configure(iot, **{SHARED: True, LOGGING: True})
    task_id = start(iot, SHARED, LOGGING)
    assert statuses(iot, task_id) == ("IN_PROGRESS", {SHARED: "COMPLETED_COMPLIANT",
                                                      LOGGING: "WAITING_FOR_DATA_COLLECTION"})
    iot.clock.tick(10 * MINUTE)
    assert statuses(iot, task_id)[0] == "COMPLETED"
    backend().set_data_collection_delay(SHARED, None)  # back to the default two hours
    configure(iot, **{SHARED: False})
    configure(iot, **{SHARED: True})
    assert statuses(iot, start(iot, SHARED))[1][SHARED] == "WAITING_FOR_DATA_COLLECTION"


@pytest.mark.parametrize(("check", "delay"), [("NOT_A_CHECK", 0), (SHARED, -1)])
def test_a_bad_delay_is_refused(iot: Any, check: str, delay: float) -> None:
    with pytest.raises(InvalidRequestException):
        backend().set_data_collection_delay(check, delay)
    assert backend().state.collection_delays == {}


def test_a_scheduled_run_during_the_wait_completes_as_of_the_moment_its_data_is_ready(iot: Any) -> None:
    configure(iot, **{SHARED: True})
    iot.clock.move_to(dt.datetime(2026, 3, 10, 23, tzinfo=UTC))
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[SHARED])
    backend().set_check_enabled_at(SHARED, dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    iot.clock.move_to(dt.datetime(2026, 3, 11, 0, 30, tzinfo=UTC))  # run at 00:00; data ready at 01:30
    [task] = iot.list_audit_tasks(startTime=NOW, endTime=NOW + DAY, taskType="SCHEDULED_AUDIT_TASK")["tasks"]
    assert statuses(iot, task["taskId"]) == ("IN_PROGRESS", {SHARED: "WAITING_FOR_DATA_COLLECTION"})
    iot.clock.move_to(dt.datetime(2026, 3, 11, 5, tzinfo=UTC))
    assert statuses(iot, task["taskId"]) == ("COMPLETED", {SHARED: "COMPLETED_COMPLIANT"})


# -- disabling deletes collected data --------------------------------------------------------------

def test_events_before_a_check_was_enabled_are_not_seen(iot: Any) -> None:
    """§G [INF]: a data-driven check sees only events at or after its latest enable time."""
    shared_takeover(NOW - HOUR)
    configure(iot, **{CLIENT_IDS: True})
    assert statuses(iot, start(iot, CLIENT_IDS))[1][CLIENT_IDS] == "COMPLETED_COMPLIANT"
    backend().set_check_enabled_at(CLIENT_IDS, NOW - DAY)  # as if enabled a day ago
    assert statuses(iot, start(iot, CLIENT_IDS))[1][CLIENT_IDS] == "COMPLETED_NON_COMPLIANT"


def test_disabling_deletes_the_connections_only_it_read_and_re_enabling_starts_empty(iot: Any) -> None:
    """§G: disabling deletes "any data collected so far in relation to the check"."""
    configure(iot, **{CLIENT_IDS: True, SHARED: True, AUTH: True})
    backend().set_data_collection_delay(SHARED, 0)
    iot.clock.tick(HOUR)
    shared_takeover(NOW + HOUR)
    backend().record_connection("app", identity_pool_id=POOL)
    iot.clock.tick(3 * HOUR)
    assert statuses(iot, start(iot, CLIENT_IDS, SHARED)) == (
        "COMPLETED", {CLIENT_IDS: "COMPLETED_NON_COMPLIANT", SHARED: "COMPLETED_NON_COMPLIANT"})

    configure(iot, **{CLIENT_IDS: False})  # SHARED still reads the certificate sessions
    assert len(backend().state.connections) == 4
    configure(iot, **{CLIENT_IDS: True})  # re-enabled: starts empty
    assert statuses(iot, start(iot, CLIENT_IDS))[1][CLIENT_IDS] == "COMPLETED_COMPLIANT"

    configure(iot, **{CLIENT_IDS: False, SHARED: False})  # nobody reads the certificate sessions now
    assert [c.client_id for c in backend().state.connections] == ["app"]  # still read by the Cognito check
    configure(iot, **{AUTH: False})
    assert backend().state.connections == []
    configure(iot, **{SHARED: True})
    backend().set_check_enabled_at(SHARED, None)  # even "enabled long ago", nothing is left to see
    details = iot.describe_audit_task(taskId=start(iot, SHARED))["auditDetails"][SHARED]
    assert (details["checkRunStatus"], details["totalResourcesCount"]) == ("COMPLETED_COMPLIANT", 0)


def test_service_usage_is_deleted_once_no_role_alias_check_is_enabled(iot: Any) -> None:
    configure(iot, **{ALIAS_UNUSED: True, ALIAS_PERMISSIVE: True})
    backend().record_service_usage(ROLE_ARN, "s3")
    configure(iot, **{ALIAS_UNUSED: False})
    assert set(backend().state.service_usage[ROLE_ARN]) == {"s3"}
    configure(iot, **{ALIAS_PERMISSIVE: False, LOGGING: True})
    assert backend().state.service_usage == {}


def test_disabling_deletes_the_observations_seeded_for_the_check(iot: Any) -> None:
    configure(iot, **{LOGGING: True, CLIENT_IDS: True})
    backend().seed_observation(CLIENT_IDS, {"clientId": "seeded"})
    backend().seed_observation(LOGGING, {"account": ACCOUNT})
    configure(iot, **{CLIENT_IDS: False})
    assert set(backend().state.seeded_observations) == {LOGGING}
    configure(iot, **{CLIENT_IDS: True})
    assert statuses(iot, start(iot, CLIENT_IDS))[1][CLIENT_IDS] == "COMPLETED_COMPLIANT"


def test_deleting_the_configuration_deletes_everything_collected(iot: Any) -> None:
    configure(iot, **{CLIENT_IDS: True, ALIAS_UNUSED: True})
    shared_takeover(NOW)
    backend().record_service_usage(ROLE_ARN, "s3")
    iot.delete_account_audit_configuration()
    assert (backend().state.connections, backend().state.service_usage) == ([], {})


def test_set_check_enabled_at_refuses_a_disabled_or_unknown_check(iot: Any) -> None:
    configure(iot, **{LOGGING: True})
    for check in (SHARED, "NOT_A_CHECK"):
        with pytest.raises(InvalidRequestException):
            backend().set_check_enabled_at(check, None)


# -- scenarios ---------------------------------------------------------------------------------------

def test_a_scenario_says_when_a_check_was_enabled_and_the_dump_keeps_it(iot: Any) -> None:
    load_scenario(f"""
audit_configuration:
  role_arn: {ROLE}
  checks:
    {SHARED}: {{enabled: true, enabled_at: "-1h"}}
    {CLIENT_IDS}: {{enabled: true}}
region: {REGION}
""")
    assert statuses(iot, start(iot, SHARED, CLIENT_IDS)) == (
        "IN_PROGRESS", {SHARED: "WAITING_FOR_DATA_COLLECTION", CLIENT_IDS: "COMPLETED_COMPLIANT"})
    checks = next(a for a in [dump_scenario(), *dump_scenario().get("accounts", [])]
                  if a.get("region") == REGION)["audit_configuration"]["checks"]
    assert checks[SHARED] == {"enabled": True, "enabled_at": "2026-03-10T11:00:00Z"}
    assert checks[CLIENT_IDS] == {"enabled": True}
