"""On-demand audit tasks through a real boto3 client: start, describe, cancel, lifecycle (reference §6, §13)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import (
    ALL_CHECKS,
    LOGGING,
    NO_RETRIES,
    ROLE,
    assert_error,
    assert_task_statistics,
    audit_task_transition,
    client,
    enable,
    held_tasks,
)
from freezegun import freeze_time

CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"


def start(iot, *checks: str) -> str:
    return iot.start_on_demand_audit_task(targetCheckNames=list(checks or (LOGGING,)))["taskId"]


def describe(iot, task_id: str) -> dict:
    response = iot.describe_audit_task(taskId=task_id)
    response.pop("ResponseMetadata")
    return response


# -- start ---------------------------------------------------------------------


def test_start_returns_a_task_id_of_the_documented_shape(iot):
    enable(iot)
    task_id = start(iot)
    assert 1 <= len(task_id) <= 40
    assert all(c.isalnum() or c == "-" for c in task_id)


def test_each_start_is_a_new_task(iot):
    enable(iot)
    assert len({start(iot) for _ in range(3)}) == 3


def test_start_needs_an_enabled_check(iot):
    enable(iot, LOGGING)
    assert_error(lambda: start(iot, CLIENT_IDS), "InvalidRequestException", 400)
    assert_error(lambda: start(iot, LOGGING, CLIENT_IDS), "InvalidRequestException", 400)


def test_start_on_an_unconfigured_account_is_refused(iot):
    assert_error(lambda: start(iot, LOGGING), "InvalidRequestException", 400)


@pytest.mark.parametrize("name", ["NonExistentCheck", "REVOKED_CA_CERT_CHECK", "logging_disabled_check"])
def test_start_with_unknown_or_legacy_check_is_refused(iot, name):
    enable(iot)
    assert_error(lambda: start(iot, LOGGING, name), "InvalidRequestException", 400)


def test_start_with_an_empty_check_list_is_refused(iot):
    enable(iot)
    assert_error(lambda: iot.start_on_demand_audit_task(targetCheckNames=[]), "InvalidRequestException", 400)


def test_start_after_the_check_was_disabled_is_refused(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": False}})
    assert_error(lambda: start(iot, CLIENT_IDS), "InvalidRequestException", 400)
    start(iot, LOGGING)


def test_start_after_delete_of_the_configuration_is_refused(iot):
    enable(iot)
    iot.delete_account_audit_configuration()
    assert_error(lambda: start(iot), "InvalidRequestException", 400)


# -- describe --------------------------------------------------------------------


def test_describe_completed_task(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    before = dt.datetime.now(dt.timezone.utc)
    task_id = start(iot, LOGGING, CLIENT_IDS)
    task = describe(iot, task_id)
    assert task["taskStatus"] == "COMPLETED"
    assert task["taskType"] == "ON_DEMAND_AUDIT_TASK"
    assert "scheduledAuditName" not in task
    assert set(task["auditDetails"]) == {LOGGING, CLIENT_IDS}
    assert before - dt.timedelta(seconds=1) <= task["taskStartTime"] <= dt.datetime.now(dt.timezone.utc)
    stats = assert_task_statistics(task)
    assert stats["totalChecks"] == 2
    assert stats["inProgressChecks"] == stats["canceledChecks"] == 0


def test_duplicate_check_names_run_once(iot):
    enable(iot)
    task = describe(iot, start(iot, LOGGING, LOGGING))
    assert list(task["auditDetails"]) == [LOGGING]
    assert assert_task_statistics(task)["totalChecks"] == 1


def test_statistics_partition_details_with_every_check(iot):
    enable(iot, *ALL_CHECKS)
    task = describe(iot, start(iot, *ALL_CHECKS))
    # DEVICE_CERTIFICATE_SHARED_CHECK collects data for 2 h after enabling; the task waits for it.
    assert task["taskStatus"] == "IN_PROGRESS"
    stats = assert_task_statistics(task)
    assert stats["waitingForDataCollectionChecks"] == 1
    assert stats["totalChecks"] == len(ALL_CHECKS)
    for detail in task["auditDetails"].values():
        assert detail["checkRunStatus"] in (
            "COMPLETED_COMPLIANT", "COMPLETED_NON_COMPLIANT", "FAILED", "WAITING_FOR_DATA_COLLECTION"
        )


def test_logging_disabled_check_on_a_fresh_account_is_non_compliant(iot):
    enable(iot, LOGGING)
    task = describe(iot, start(iot, LOGGING))
    detail = task["auditDetails"][LOGGING]
    assert detail["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert detail["checkCompliant"] is False
    assert detail["totalResourcesCount"] == 1
    assert detail["nonCompliantResourcesCount"] == 1
    assert detail["suppressedNonCompliantResourcesCount"] == 0
    assert "errorCode" not in detail
    stats = assert_task_statistics(task)
    assert stats["nonCompliantChecks"] == 1


def test_logging_disabled_check_is_compliant_once_v2_logging_is_on(iot):
    enable(iot, LOGGING)
    assert_error(iot.get_v2_logging_options, "NotConfiguredException", 404)
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="INFO")
    options = iot.get_v2_logging_options()
    assert options["roleArn"] == ROLE
    assert options["defaultLogLevel"] == "INFO"
    task = describe(iot, start(iot, LOGGING))
    detail = task["auditDetails"][LOGGING]
    assert detail["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert detail["checkCompliant"] is True
    assert detail["totalResourcesCount"] == 1
    assert detail["nonCompliantResourcesCount"] == 0
    assert assert_task_statistics(task)["compliantChecks"] == 1


def test_logging_disabled_check_non_compliant_when_logging_level_is_disabled(iot):
    enable(iot, LOGGING)
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="DISABLED")
    task = describe(iot, start(iot, LOGGING))
    assert task["auditDetails"][LOGGING]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"


def test_logging_disabled_check_non_compliant_when_all_v2_logs_are_disabled(iot):
    enable(iot, LOGGING)
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="INFO", disableAllLogs=True)
    task = describe(iot, start(iot, LOGGING))
    assert task["auditDetails"][LOGGING]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"


@pytest.mark.parametrize(
    ("level", "status"), [("ERROR", "COMPLETED_COMPLIANT"), ("DISABLED", "COMPLETED_NON_COMPLIANT")]
)
def test_logging_disabled_check_reads_v1_logging_options(iot, level, status):
    enable(iot, LOGGING)
    iot.set_logging_options(loggingOptionsPayload={"roleArn": ROLE, "logLevel": level})
    assert iot.get_logging_options()["logLevel"] == level
    task = describe(iot, start(iot, LOGGING))
    assert task["auditDetails"][LOGGING]["checkRunStatus"] == status


def test_results_are_frozen_when_the_task_completes(iot):
    enable(iot, LOGGING)
    task_id = start(iot, LOGGING)
    iot.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="INFO")
    assert describe(iot, task_id)["auditDetails"][LOGGING]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert describe(iot, start(iot, LOGGING))["auditDetails"][LOGGING]["checkRunStatus"] == "COMPLETED_COMPLIANT"


def test_get_v2_logging_options_before_any_set_is_not_configured(iot):
    assert_error(iot.get_v2_logging_options, "NotConfiguredException", 404)


def test_describe_unknown_task_is_not_found(iot):
    assert_error(lambda: iot.describe_audit_task(taskId="a3aea009955e501a31b764abe1bebd3d"),
                 "ResourceNotFoundException", 404)


@pytest.mark.parametrize("task_id", ["bad_id!", "bad_id", "a" * 41, "with space"])
def test_describe_badly_formed_task_id_is_refused(iot, task_id):
    assert_error(lambda: iot.describe_audit_task(taskId=task_id), "InvalidRequestException", 400)


def test_describe_task_id_of_40_characters_is_well_formed(iot):
    assert_error(lambda: iot.describe_audit_task(taskId="a" * 40), "ResourceNotFoundException", 404)


def test_tasks_are_per_region(iot):
    enable(iot)
    task_id = start(iot)
    assert_error(lambda: client(region="us-east-1").describe_audit_task(taskId=task_id),
                 "ResourceNotFoundException", 404)


# -- lifecycle through moto's state manager ------------------------------------------


def test_held_task_is_in_progress_until_described_three_times(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    with held_tasks(times=3):
        task_id = start(iot, LOGGING, CLIENT_IDS)
        for _ in range(2):
            task = describe(iot, task_id)
            assert task["taskStatus"] == "IN_PROGRESS"
            assert {d["checkRunStatus"] for d in task["auditDetails"].values()} == {"IN_PROGRESS"}
            stats = assert_task_statistics(task)
            assert stats["inProgressChecks"] == stats["totalChecks"] == 2
        task = describe(iot, task_id)
        assert task["taskStatus"] == "COMPLETED"
        stats = assert_task_statistics(task)
        assert stats["inProgressChecks"] == 0
        assert task["auditDetails"][LOGGING]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"


def test_held_task_in_progress_details_carry_no_counts(iot):
    enable(iot)
    with held_tasks():
        detail = describe(iot, start(iot))["auditDetails"][LOGGING]
    assert detail["checkRunStatus"] == "IN_PROGRESS"
    assert "checkCompliant" not in detail
    assert "totalResourcesCount" not in detail


def test_cancel_held_task(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    with held_tasks(times=3):
        task_id = start(iot, LOGGING, CLIENT_IDS)
        describe(iot, task_id)
        response = iot.cancel_audit_task(taskId=task_id)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        task = describe(iot, task_id)
        assert task["taskStatus"] == "CANCELED"
        assert {d["checkRunStatus"] for d in task["auditDetails"].values()} == {"CANCELED"}
        stats = assert_task_statistics(task)
        assert stats["canceledChecks"] == stats["totalChecks"] == 2
        # More describes never move a canceled task on.
        for _ in range(4):
            assert describe(iot, task_id)["taskStatus"] == "CANCELED"


def test_cancel_canceled_task_is_refused(iot):
    enable(iot)
    with held_tasks():
        task_id = start(iot)
        iot.cancel_audit_task(taskId=task_id)
        assert_error(lambda: iot.cancel_audit_task(taskId=task_id), "InvalidRequestException", 400)


def test_cancel_completed_task_is_refused(iot):
    enable(iot)
    task_id = start(iot)
    assert describe(iot, task_id)["taskStatus"] == "COMPLETED"
    assert_error(lambda: iot.cancel_audit_task(taskId=task_id), "InvalidRequestException", 400)
    assert describe(iot, task_id)["taskStatus"] == "COMPLETED"


def test_cancel_task_that_became_due_is_refused(iot):
    enable(iot)
    with held_tasks(times=1):
        task_id = start(iot)
        assert describe(iot, task_id)["taskStatus"] == "COMPLETED"
        assert_error(lambda: iot.cancel_audit_task(taskId=task_id), "InvalidRequestException", 400)


def test_cancel_unknown_task_is_not_found(iot):
    assert_error(lambda: iot.cancel_audit_task(taskId="a3aea009955e501a31b764abe1bebd3d"),
                 "ResourceNotFoundException", 404)


def test_cancel_badly_formed_task_id_is_refused(iot):
    assert_error(lambda: iot.cancel_audit_task(taskId="bad_id!"), "InvalidRequestException", 400)


def test_eleventh_in_progress_on_demand_task_exceeds_the_limit(iot):
    iot = client(config=NO_RETRIES)  # botocore would retry the 410 with back-off
    enable(iot)
    with held_tasks(times=3):
        task_ids = [start(iot) for _ in range(10)]
        assert_error(lambda: start(iot), "LimitExceededException", 410)
        assert all(describe(iot, t)["taskStatus"] == "IN_PROGRESS" for t in task_ids)
        # Canceling one frees a slot, and one slot only.
        iot.cancel_audit_task(taskId=task_ids[0])
        start(iot)
        assert_error(lambda: start(iot), "LimitExceededException", 410)
        # Completing one (its third describe) frees another.
        assert describe(iot, task_ids[1])["taskStatus"] == "IN_PROGRESS"
        assert describe(iot, task_ids[1])["taskStatus"] == "COMPLETED"
        start(iot)


def test_completed_tasks_do_not_count_against_the_limit(iot):
    enable(iot)
    for _ in range(12):
        start(iot)


def test_time_progression_with_a_moving_clock(iot):
    enable(iot)
    with freeze_time("2026-03-01T12:00:00Z") as frozen, audit_task_transition(progression="time", seconds=5):
        task_id = start(iot)
        assert describe(iot, task_id)["taskStatus"] == "IN_PROGRESS"
        frozen.tick(dt.timedelta(seconds=4))
        assert describe(iot, task_id)["taskStatus"] == "IN_PROGRESS"
        frozen.tick(dt.timedelta(seconds=2))
        task = describe(iot, task_id)
        assert task["taskStatus"] == "COMPLETED"
        assert task["taskStartTime"] == dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
        assert_task_statistics(task)


def test_time_progression_completes_tasks_without_a_describe(iot):
    """Every call settles due tasks, so the limit frees up as soon as the clock says so."""
    iot = client(config=NO_RETRIES)
    enable(iot)
    with freeze_time("2026-03-01T12:00:00Z") as frozen, audit_task_transition(progression="time", seconds=5):
        for _ in range(10):
            start(iot)
        assert_error(lambda: start(iot), "LimitExceededException", 410)
        frozen.tick(dt.timedelta(seconds=6))
        start(iot)


def test_check_disabled_while_task_held_fails_with_audit_check_disabled(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    with held_tasks(times=3):
        task_id = start(iot, LOGGING, CLIENT_IDS)
        iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": False}})
        for _ in range(3):
            task = describe(iot, task_id)
    assert task["taskStatus"] == "COMPLETED"
    detail = task["auditDetails"][CLIENT_IDS]
    assert detail["checkRunStatus"] == "FAILED"
    assert detail["errorCode"] == "AUDIT_CHECK_DISABLED"
    assert detail["message"]
    assert task["auditDetails"][LOGGING]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    stats = assert_task_statistics(task)
    assert stats["failedChecks"] == 1
    assert stats["nonCompliantChecks"] == 1


def test_task_whose_every_check_was_disabled_fails(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    with held_tasks(times=1):
        task_id = start(iot, CLIENT_IDS)
        iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": False}})
        task = describe(iot, task_id)
    assert task["taskStatus"] == "FAILED"
    assert task["auditDetails"][CLIENT_IDS]["errorCode"] == "AUDIT_CHECK_DISABLED"
    assert assert_task_statistics(task)["failedChecks"] == 1


def test_check_disabled_and_re_enabled_before_completion_runs(iot):
    enable(iot, LOGGING, CLIENT_IDS)
    with held_tasks(times=1):
        task_id = start(iot, CLIENT_IDS)
        iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": False}})
        iot.update_account_audit_configuration(auditCheckConfigurations={CLIENT_IDS: {"enabled": True}})
        task = describe(iot, task_id)
    assert task["auditDetails"][CLIENT_IDS]["checkRunStatus"] != "FAILED"


def test_delete_configuration_while_task_held_fails_its_checks(iot):
    enable(iot, LOGGING)
    with held_tasks(times=1):
        task_id = start(iot, LOGGING)
        iot.delete_account_audit_configuration()
        task = describe(iot, task_id)
    assert task["auditDetails"][LOGGING]["errorCode"] == "AUDIT_CHECK_DISABLED"
    assert task["taskStatus"] == "FAILED"
