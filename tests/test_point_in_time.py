"""Scheduled runs are evaluated as of their own instant (check-triggers.md §G "Point in time").

A run caught up lazily after the clock jumped uses its own time for every time-based rule
(expiry thresholds, usage within the past year, observation windows) and sees the account as
it was then: due runs are materialised before anything can change what a check reads. Moving
the clock 8 days in one step or in 8 steps gives the same runs and findings.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from certs import make_ca, make_device
from conftest import DAY, EXPIRING, POLICY, ROLE, UTC, backend, client
from freezegun import freeze_time

from iot_audit_fake import mock_iot_audit

START = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
FIRST_RUN = dt.datetime(2026, 3, 2, tzinfo=UTC)  # daily runs at 00:00 UTC
ALIAS_PERMISSIVE = "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK"
ALIAS_UNUSED = "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"
CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"
CHECKS = (EXPIRING, ALIAS_PERMISSIVE, ALIAS_UNUSED, POLICY, CLIENT_IDS)
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "credentials.iot.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@functools.cache
def device_pem() -> str:
    """34.5 days left at the first run (built outside freezegun, which cryptography refuses)."""
    ca = make_ca("Point CA", not_before=START - 30 * DAY, not_after=START + 3650 * DAY)
    return make_device(ca, "sensor", not_before=START - 10 * DAY,
                       not_after=FIRST_RUN + dt.timedelta(days=34.5)).pem


@pytest.fixture
def frozen() -> Iterator[Any]:
    device_pem()
    with mock_iot_audit(), freeze_time(START, tick=False) as clock:
        yield clock


def setup_account(iot: Any) -> None:
    """A certificate with 34.5 days left at the first run, and a role alias whose role last used s3
    361 days before the first run; a daily audit of the checks those rules drive."""
    iot.update_account_audit_configuration(roleArn=ROLE,
                                           auditCheckConfigurations={c: {"enabled": True} for c in CHECKS})
    iot.register_certificate_without_ca(certificatePem=device_pem(), status="ACTIVE")
    iam = client("iam")
    role_arn = iam.create_role(RoleName="Uploader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName="Uploader", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    iot.create_role_alias(roleAlias="uploader", roleArn=role_arn)
    backend().record_service_usage(role_arn, "s3", FIRST_RUN - 361 * DAY)
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=list(CHECKS))


def scheduled_runs(iot: Any) -> list[dict[str, Any]]:
    """Every scheduled task, oldest first: its instant, per-check status and counts, and its findings."""
    tasks = iot.list_audit_tasks(startTime=START - DAY, endTime=START + 30 * DAY,
                                 taskType="SCHEDULED_AUDIT_TASK")["tasks"]
    out = []
    for task in tasks:
        described = iot.describe_audit_task(taskId=task["taskId"])
        findings = iot.list_audit_findings(taskId=task["taskId"])["findings"]
        out.append({
            "start": described["taskStartTime"],
            "checks": {name: (d["checkRunStatus"], d.get("nonCompliantResourcesCount"))
                       for name, d in described["auditDetails"].items()},
            "findings": sorted((f["checkName"], json.dumps(f["nonCompliantResource"]["resourceIdentifier"]),
                                f["reasonForNonComplianceCode"], f["findingTime"]) for f in findings),
        })
    return sorted(out, key=lambda run: run["start"])


def moved(frozen: Any, steps: int) -> list[dict[str, Any]]:
    iot = client()
    setup_account(iot)
    for _ in range(steps):
        frozen.tick(8 * DAY / steps)
        iot.list_audit_tasks(startTime=START, endTime=START + 9 * DAY)  # any call catches up
    return scheduled_runs(iot)


def test_a_jump_of_eight_days_evaluates_each_run_as_of_its_own_instant(frozen: Any) -> None:
    """§G, checks 7 and 13-14: thresholds and the past year count from each run's instant."""
    runs = moved(frozen, 1)
    assert [run["start"] for run in runs] == [FIRST_RUN + i * DAY for i in range(8)]
    # 34.5 days left at the first run: within the 30-day threshold from the sixth run on.
    assert [run["checks"][EXPIRING] for run in runs] == (
        [("COMPLETED_COMPLIANT", 0)] * 5 + [("COMPLETED_NON_COMPLIANT", 1)] * 3)
    # s3 last used 361 days before the first run: used up to the fifth run (365 days), unused after.
    assert [run["checks"][ALIAS_PERMISSIVE] for run in runs] == (
        [("COMPLETED_NON_COMPLIANT", 1)] * 5 + [("COMPLETED_COMPLIANT", 0)] * 3)
    assert [run["checks"][ALIAS_UNUSED] for run in runs] == (
        [("COMPLETED_COMPLIANT", 0)] * 5 + [("COMPLETED_NON_COMPLIANT", 1)] * 3)
    for run in runs:
        assert {finding[3] for finding in run["findings"]} <= {run["start"]}  # found at the run's instant


def test_one_jump_or_eight_steps_give_the_same_runs_and_findings(frozen: Any) -> None:
    """§G: the result does not depend on when the runs were caught up."""
    from moto.core.base_backend import BackendDict

    one_step = moved(frozen, 1)
    assert sum(len(run["findings"]) for run in one_step) == 3 + 5 + 3  # the comparison below compares something

    BackendDict.reset()
    frozen.move_to(START)
    assert moved(frozen, 8) == one_step


def test_a_resource_created_after_a_jump_never_appears_in_an_earlier_run(frozen: Any) -> None:
    """§G: due runs are materialised before moto handles a request that changes what a check reads
    (here an IoT policy and an IAM role policy, created after three nights passed unobserved)."""
    iot = client()
    setup_account(iot)
    frozen.tick(3 * DAY)
    iot.create_policy(policyName="allow-all", policyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    client("iam").put_role_policy(RoleName="Uploader", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    frozen.tick(DAY)
    runs = scheduled_runs(iot)
    assert len(runs) == 4
    assert [run["checks"][POLICY] for run in runs] == [("COMPLETED_COMPLIANT", 0)] * 3 + [
        ("COMPLETED_NON_COMPLIANT", 1)]
    assert [run["checks"][ALIAS_PERMISSIVE][0] for run in runs] == ["COMPLETED_NON_COMPLIANT"] * 3 + [
        "COMPLETED_COMPLIANT"]


def test_a_connection_recorded_after_a_jump_is_not_seen_by_earlier_runs(frozen: Any) -> None:
    """§G and check 5: record_connection catches up first, so runs already due never see what it
    records; the next run looks only since the previous one, so a back-dated event is seen by none."""
    iot = client()
    setup_account(iot)
    frozen.tick(3 * DAY)  # runs 1-3 fall due, unobserved
    back_dated = FIRST_RUN + 0.5 * DAY  # during run 2's window, recorded after it ran
    backend().record_connection("sensor-1", connected_at=back_dated)
    backend().record_connection("sensor-1", connected_at=back_dated + dt.timedelta(hours=1))
    backend().record_connection("sensor-2", connected_at=START + 3 * DAY)
    backend().record_connection("sensor-2", connected_at=START + 3 * DAY + dt.timedelta(hours=1))
    frozen.tick(DAY)
    runs = scheduled_runs(iot)
    assert [run["checks"][CLIENT_IDS] for run in runs] == [("COMPLETED_COMPLIANT", 0)] * 3 + [
        ("COMPLETED_NON_COMPLIANT", 1)]
    assert [f[1] for f in runs[3]["findings"] if f[0] == CLIENT_IDS] == ['{"clientId": "sensor-2"}']


def test_catch_up_with_nothing_due_changes_nothing(frozen: Any) -> None:
    """AuditBackend.catch_up() (upkeep.catch_up) is the one function that catches up; with nothing due it is a no-op."""
    iot = client()
    setup_account(iot)
    audit = backend()
    state = audit.state
    audit.catch_up()
    before = (len(state.tasks), len(state.findings), dict(state.running))
    for _ in range(3):
        audit.catch_up()
    assert (len(state.tasks), len(state.findings), dict(state.running)) == before
    assert state.scheduled_audits["nightly"].next_due() == FIRST_RUN
