"""Audit mitigation-actions tasks through real boto3 clients, end to end on moto's resources (reference §11, §13, §14).

Every test that runs a task ends with :func:`mitigation_helpers.assert_consistent`.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from conftest import BASE, IRE, LOGGING, NO_RETRIES, RNF, UTC, assert_error, client, iot_url, unvalidated_client
from freezegun import freeze_time
from mitigation_helpers import (
    ACCOUNT,
    CA_EXPIRING,
    CLIENT_IDS,
    DEVICE_EXPIRING,
    LOG_ROLE,
    POLICY_PERMISSIVE,
    REGION,
    assert_consistent,
    audit_findings,
    backend,
    ca_certificate_pem,
    certificate_status,
    create_action,
    device_certificate,
    device_findings,
    enable_checks,
    finding_of,
    held_mitigation_tasks,
    list_executions,
    run_audit,
    seed_device_finding,
    start_task,
    subscribed_queue,
)

from iot_audit_fake import mock_iot_audit

APPROACHING = "CERTIFICATE_APPROACHING_EXPIRATION"
PAST = "CERTIFICATE_PAST_EXPIRATION"
PERMISSIVE_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}


@pytest.fixture
def iot():
    """A real boto3 IoT client in us-east-1 with the fake active."""
    with mock_iot_audit():
        yield client(region=REGION)


def finding_id(iot, audit: str, cert: str) -> str:
    return finding_of(iot, audit, deviceCertificateId=cert)["findingId"]  # type: ignore[no-any-return]


def listed_tasks(iot, **query) -> list[str]:
    window = {"startTime": BASE - dt.timedelta(days=1), "endTime": BASE + dt.timedelta(days=1)}
    return [t["taskId"] for t in iot.list_audit_mitigation_actions_tasks(**{**window, **query})["tasks"]]


# -- one test per action type: the effect seen through moto's own API ------------------------------


def test_update_device_certificate_deactivates_the_reported_certificates(iot):
    audit, (first, second) = device_findings(iot, 2)
    bystander = device_certificate(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    assert start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit) == "task-1"

    result = assert_consistent(iot, "task-1")
    assert result.task["taskStatus"] == "COMPLETED"
    assert result.task["taskStatistics"][DEVICE_EXPIRING] == {
        "totalFindingsCount": 2, "failedFindingsCount": 0, "succeededFindingsCount": 2,
        "skippedFindingsCount": 0, "canceledFindingsCount": 0,
    }
    assert certificate_status(iot, first) == certificate_status(iot, second) == "INACTIVE"
    assert certificate_status(iot, bystander) == "ACTIVE"
    run = result.executions[finding_id(iot, audit, first)][0]
    assert run["status"] == "COMPLETED"
    assert run["actionName"] == "deactivate"
    assert run["actionId"] == iot.describe_mitigation_action(actionName="deactivate")["actionId"]
    assert "errorCode" not in run
    assert "message" not in run


def test_update_ca_certificate_deactivates_an_expiring_ca(iot):
    expiring = iot.register_ca_certificate(caCertificate=ca_certificate_pem(dt.timedelta(days=10), "Expiring CA"),
                                           setAsActive=True)["certificateId"]
    healthy = iot.register_ca_certificate(caCertificate=ca_certificate_pem(dt.timedelta(days=400), "Healthy CA"),
                                          setAsActive=True)["certificateId"]
    audit = run_audit(iot, CA_EXPIRING)
    [finding] = audit_findings(iot, audit)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"caCertificateId": expiring}
    assert finding["reasonForNonComplianceCode"] == APPROACHING
    create_action(iot, "deactivate-ca", "UPDATE_CA_CERTIFICATE")

    start_task(iot, "task-1", {CA_EXPIRING: ["deactivate-ca"]}, audit_task_id=audit)

    result = assert_consistent(iot, "task-1")
    assert result.outcomes == {finding["findingId"]: "succeeded"}
    described = iot.describe_ca_certificate(certificateId=expiring)["certificateDescription"]
    assert described["status"] == "INACTIVE"
    assert iot.describe_ca_certificate(certificateId=healthy)["certificateDescription"]["status"] == "ACTIVE"
    # An INACTIVE CA is no longer examined: the next audit is compliant.
    again = iot.start_on_demand_audit_task(targetCheckNames=[CA_EXPIRING])["taskId"]
    assert iot.describe_audit_task(taskId=again)["auditDetails"][CA_EXPIRING]["checkRunStatus"] == \
        "COMPLETED_COMPLIANT"


def test_update_ca_certificate_on_a_seeded_ca_finding(iot):
    ca = iot.register_ca_certificate(caCertificate=ca_certificate_pem(dt.timedelta(days=400)),
                                     setAsActive=True)["certificateId"]
    backend().seed_observation(CA_EXPIRING, {"caCertificateId": ca}, reason_code=PAST)
    audit = run_audit(iot, CA_EXPIRING)
    create_action(iot, "deactivate-ca", "UPDATE_CA_CERTIFICATE")
    start_task(iot, "task-1", {CA_EXPIRING: ["deactivate-ca"]}, audit_task_id=audit)
    assert set(assert_consistent(iot, "task-1").outcomes.values()) == {"succeeded"}
    assert iot.describe_ca_certificate(certificateId=ca)["certificateDescription"]["status"] == "INACTIVE"


def test_add_things_to_thing_group_moves_the_certificates_things(iot):
    for group in ("quarantine", "watch"):
        iot.create_thing_group(thingGroupName=group)
    audit, (reported,) = device_findings(iot)
    other = device_certificate(iot)
    cert_arns = {c: iot.describe_certificate(certificateId=c)["certificateDescription"]["certificateArn"]
                 for c in (reported, other)}
    for thing, cert in (("sensor-1", reported), ("sensor-2", reported), ("sensor-3", other)):
        iot.create_thing(thingName=thing)
        iot.attach_thing_principal(thingName=thing, principal=cert_arns[cert])
    create_action(iot, "isolate", "ADD_THINGS_TO_THING_GROUP", thingGroupNames=["quarantine", "watch"],
                  overrideDynamicGroups=True)

    start_task(iot, "task-1", {DEVICE_EXPIRING: ["isolate"]}, audit_task_id=audit)

    assert set(assert_consistent(iot, "task-1").outcomes.values()) == {"succeeded"}
    for group in ("quarantine", "watch"):
        assert sorted(iot.list_things_in_thing_group(thingGroupName=group)["things"]) == ["sensor-1", "sensor-2"]
    assert certificate_status(iot, reported) == "ACTIVE"


def test_replace_default_policy_version_installs_a_deny_all_default(iot):
    iot.create_policy(policyName="wide-open", policyDocument=json.dumps(PERMISSIVE_POLICY))
    audit = run_audit(iot, POLICY_PERMISSIVE)
    finding = finding_of(iot, audit, policyVersionIdentifier={"policyName": "wide-open", "policyVersionId": "1"})
    create_action(iot, "blank", "REPLACE_DEFAULT_POLICY_VERSION")

    start_task(iot, "task-1", {POLICY_PERMISSIVE: ["blank"]}, audit_task_id=audit)

    assert assert_consistent(iot, "task-1").outcomes == {finding["findingId"]: "succeeded"}
    policy = iot.get_policy(policyName="wide-open")
    assert policy["defaultVersionId"] == "2"
    document = json.loads(policy["policyDocument"])
    assert [s["Effect"] for s in document["Statement"]] == ["Deny"]
    assert document["Statement"][0]["Action"] in ("*", ["*"])
    assert document["Statement"][0]["Resource"] in ("*", ["*"])
    versions = {v["versionId"]: v["isDefaultVersion"] for v in iot.list_policy_versions(policyName="wide-open")[
        "policyVersions"]}
    assert versions == {"1": False, "2": True}
    again = iot.start_on_demand_audit_task(targetCheckNames=[POLICY_PERMISSIVE])["taskId"]
    assert iot.describe_audit_task(taskId=again)["auditDetails"][POLICY_PERMISSIVE]["checkRunStatus"] == \
        "COMPLETED_COMPLIANT"


def test_replace_default_policy_version_on_a_seeded_finding(iot):
    iot.create_policy(policyName="narrow", policyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect",
                                                "Resource": f"arn:aws:iot:{REGION}:{ACCOUNT}:client/one"}]}))
    backend().seed_observation(POLICY_PERMISSIVE,
                               {"policyVersionIdentifier": {"policyName": "narrow", "policyVersionId": "1"}})
    audit = run_audit(iot, POLICY_PERMISSIVE)
    create_action(iot, "blank", "REPLACE_DEFAULT_POLICY_VERSION")
    start_task(iot, "task-1", {POLICY_PERMISSIVE: ["blank"]}, audit_task_id=audit)
    assert set(assert_consistent(iot, "task-1").outcomes.values()) == {"succeeded"}
    assert iot.get_policy(policyName="narrow")["defaultVersionId"] == "2"


def test_enable_iot_logging_sets_the_logging_options(iot):
    audit = run_audit(iot, LOGGING)
    [finding] = audit_findings(iot, audit)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"account": ACCOUNT}
    create_action(iot, "log", "ENABLE_IOT_LOGGING", logLevel="INFO")

    start_task(iot, "task-1", {LOGGING: ["log"]}, audit_task_id=audit)

    assert assert_consistent(iot, "task-1").outcomes == {finding["findingId"]: "succeeded"}
    options = iot.get_v2_logging_options()
    assert options["roleArn"] == LOG_ROLE
    assert options["defaultLogLevel"] == "INFO"
    assert options["disableAllLogs"] is False
    again = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    details = iot.describe_audit_task(taskId=again)["auditDetails"][LOGGING]
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert audit_findings(iot, again) == []


def test_publish_finding_to_sns_delivers_each_finding(iot):
    queue = subscribed_queue()
    audit, certs = device_findings(iot, 2)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)

    start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify"]}, audit_task_id=audit)

    result = assert_consistent(iot, "task-1")
    assert set(result.outcomes.values()) == {"succeeded"}
    notifications = queue.messages()
    assert len(notifications) == 2
    published = {n["Message"]["finding"]["findingId"]: n["Message"]["finding"] for n in notifications}
    assert set(published) == set(result.findings)
    for found_id, finding in published.items():
        assert finding["checkName"] == DEVICE_EXPIRING
        assert finding["taskId"] == audit
        assert finding["nonCompliantResource"] == result.findings[found_id]["nonCompliantResource"]
    assert {n["TopicArn"] for n in notifications} == {queue.topic_arn}
    assert all(certificate_status(iot, cert) == "ACTIVE" for cert in certs)


def test_actions_of_one_finding_run_in_the_listed_order(iot):
    queue = subscribed_queue()
    audit, (cert,) = device_findings(iot)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify", "deactivate"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    [runs] = result.executions.values()
    assert [(r["actionName"], r["status"]) for r in runs] == [("notify", "COMPLETED"), ("deactivate", "COMPLETED")]
    assert [d["name"] for d in result.task["actionsDefinition"]] == ["notify", "deactivate"]
    assert len(queue.messages()) == 1
    assert certificate_status(iot, cert) == "INACTIVE"


# -- failure paths ---------------------------------------------------------------------------------


def test_certificate_deleted_before_the_task_runs(iot):
    queue = subscribed_queue()
    audit, (gone, kept) = device_findings(iot, 2)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    with held_mitigation_tasks(times=1):
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate", "notify"]}, audit_task_id=audit)
        iot.update_certificate(certificateId=gone, newStatus="INACTIVE")
        iot.delete_certificate(certificateId=gone)
        assert iot.describe_audit_mitigation_actions_task(taskId="task-1")["taskStatus"] == "FAILED"

    result = assert_consistent(iot, "task-1")
    gone_finding, kept_finding = finding_id(iot, audit, gone), finding_id(iot, audit, kept)
    failed, skipped = result.executions[gone_finding]
    assert (failed["actionName"], failed["status"]) == ("deactivate", "FAILED")
    assert failed["errorCode"]
    assert gone in failed["message"]
    assert "endTime" in failed
    assert (skipped["actionName"], skipped["status"]) == ("notify", "SKIPPED")
    assert "errorCode" not in skipped
    assert result.statuses(kept_finding) == ["COMPLETED", "COMPLETED"]
    assert result.outcomes == {gone_finding: "failed", kept_finding: "succeeded"}
    assert result.task["taskStatistics"][DEVICE_EXPIRING]["failedFindingsCount"] == 1
    assert certificate_status(iot, kept) == "INACTIVE"
    [notification] = queue.messages()
    assert notification["Message"]["finding"]["findingId"] == kept_finding


def test_missing_thing_group_fails_the_execution(iot):
    audit, _ = device_findings(iot)
    create_action(iot, "isolate", "ADD_THINGS_TO_THING_GROUP", thingGroupNames=["no-such-group"])
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["isolate"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    [[run]] = result.executions.values()
    assert run["status"] == "FAILED"
    assert run["errorCode"]
    assert "no-such-group" in run["message"]
    assert result.task["taskStatus"] == "FAILED"


def test_missing_topic_fails_the_execution(iot):
    audit, _ = device_findings(iot, 2)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:never-made")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    assert set(result.outcomes.values()) == {"failed"}
    assert result.task["taskStatistics"][DEVICE_EXPIRING]["failedFindingsCount"] == 2
    for [run] in result.executions.values():
        assert "never-made" in run["message"]


def test_deleted_topic_fails_the_execution(iot):
    queue = subscribed_queue()
    audit, _ = device_findings(iot)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    client("sns", region=REGION).delete_topic(TopicArn=queue.topic_arn)
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify"]}, audit_task_id=audit)
    assert set(assert_consistent(iot, "task-1").outcomes.values()) == {"failed"}


def test_policy_with_five_versions_cannot_get_a_new_default(iot):
    iot.create_policy(policyName="wide-open", policyDocument=json.dumps(PERMISSIVE_POLICY))
    for _ in range(4):
        iot.create_policy_version(policyName="wide-open", policyDocument=json.dumps(PERMISSIVE_POLICY),
                                  setAsDefault=False)
    audit = run_audit(iot, POLICY_PERMISSIVE)
    create_action(iot, "blank", "REPLACE_DEFAULT_POLICY_VERSION")
    start_task(iot, "task-1", {POLICY_PERMISSIVE: ["blank"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    [[run]] = result.executions.values()
    assert run["status"] == "FAILED"
    assert run["errorCode"] == "VersionsLimitExceededException"
    assert run["message"]
    assert iot.get_policy(policyName="wide-open")["defaultVersionId"] == "1"
    assert len(iot.list_policy_versions(policyName="wide-open")["policyVersions"]) == 5


def test_deleted_policy_fails_the_execution(iot):
    iot.create_policy(policyName="wide-open", policyDocument=json.dumps(PERMISSIVE_POLICY))
    audit = run_audit(iot, POLICY_PERMISSIVE)
    iot.delete_policy(policyName="wide-open")
    create_action(iot, "blank", "REPLACE_DEFAULT_POLICY_VERSION")
    start_task(iot, "task-1", {POLICY_PERMISSIVE: ["blank"]}, audit_task_id=audit)
    assert set(assert_consistent(iot, "task-1").outcomes.values()) == {"failed"}


def test_an_unexpected_fault_in_an_effect_is_a_fake_bug_not_a_failed_execution(iot, monkeypatch):
    """A bug in an effect is the fake's, never a believable FAILED/INTERNAL_FAILURE (issue 12; test_fake_bug.py)."""
    from iot_audit_fake import FakeBug, mitigation_effects

    def broken(state, finding, params):
        raise RuntimeError("bug in an effect")

    monkeypatch.setitem(mitigation_effects.EFFECTS, "PUBLISH_FINDING_TO_SNS", broken)
    audit, _ = device_findings(iot)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS")
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    with pytest.raises(FakeBug) as raised:
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify", "deactivate"]}, audit_task_id=audit)
        iot.describe_audit_mitigation_actions_task(taskId="task-1")
    assert isinstance(raised.value.__cause__, RuntimeError)


# -- target shapes ---------------------------------------------------------------------------------


def test_audit_task_target_covers_the_findings_of_the_mapped_checks_only(iot):
    certs = [device_certificate(iot) for _ in range(2)]
    for cert in certs:
        seed_device_finding(cert)
    audit = run_audit(iot, DEVICE_EXPIRING, LOGGING)
    assert {f["checkName"] for f in audit_findings(iot, audit)} == {DEVICE_EXPIRING, LOGGING}
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    assert set(result.task["taskStatistics"]) == {DEVICE_EXPIRING}
    assert len(result.findings) == 2
    logging_finding = finding_of(iot, audit, account=ACCOUNT)["findingId"]
    assert list_executions(iot, "task-1", logging_finding) == []
    assert iot.list_audit_mitigation_actions_tasks(
        startTime=dt.datetime.now(UTC) - dt.timedelta(hours=1), endTime=dt.datetime.now(UTC) + dt.timedelta(hours=1),
        findingId=logging_finding)["tasks"] == []


def test_mapped_check_without_findings_counts_zero(iot):
    audit, _ = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    create_action(iot, "log", "ENABLE_IOT_LOGGING")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"], LOGGING: ["log"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    assert result.task["taskStatistics"][LOGGING] == dict.fromkeys(
        ["totalFindingsCount", "failedFindingsCount", "succeededFindingsCount", "skippedFindingsCount",
         "canceledFindingsCount"], 0)
    with pytest.raises(iot.exceptions.ClientError):
        iot.get_v2_logging_options()


def test_reason_code_filter_acts_on_matching_findings_only(iot):
    approaching, past = device_certificate(iot), device_certificate(iot)
    seed_device_finding(approaching, APPROACHING)
    seed_device_finding(past, PAST)
    audit = run_audit(iot, DEVICE_EXPIRING)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")

    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit,
               reason_codes={DEVICE_EXPIRING: [PAST]})

    result = assert_consistent(iot, "task-1")
    assert result.task["target"] == {"auditTaskId": audit, "auditCheckToReasonCodeFilter": {DEVICE_EXPIRING: [PAST]}}
    assert result.task["taskStatistics"][DEVICE_EXPIRING] == {
        "totalFindingsCount": 2, "failedFindingsCount": 0, "succeededFindingsCount": 1,
        "skippedFindingsCount": 1, "canceledFindingsCount": 0,
    }
    assert result.executions[finding_id(iot, audit, approaching)] == []
    assert result.statuses(finding_id(iot, audit, past)) == ["COMPLETED"]
    assert certificate_status(iot, approaching) == "ACTIVE"
    assert certificate_status(iot, past) == "INACTIVE"


def test_reason_code_filter_for_another_check_skips_every_finding(iot):
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit,
               reason_codes={LOGGING: ["LOGGING_DISABLED"]})
    result = assert_consistent(iot, "task-1")
    assert set(result.outcomes.values()) == {"skipped"}
    assert result.task["taskStatus"] == "COMPLETED"
    assert certificate_status(iot, cert) == "ACTIVE"


def test_finding_ids_from_two_audits(iot):
    first, second, untouched = (device_certificate(iot) for _ in range(3))
    seed_device_finding(first)
    seed_device_finding(untouched)
    audit_1 = run_audit(iot, DEVICE_EXPIRING)
    seed_device_finding(second)
    audit_2 = run_audit(iot, DEVICE_EXPIRING)
    targets = [finding_id(iot, audit_1, first), finding_id(iot, audit_2, second)]
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")

    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, finding_ids=targets)

    result = assert_consistent(iot, "task-1")
    assert set(result.findings) == set(targets)
    assert {result.findings[t]["taskId"] for t in targets} == {audit_1, audit_2}
    assert result.task["taskStatistics"][DEVICE_EXPIRING]["succeededFindingsCount"] == 2
    assert certificate_status(iot, first) == certificate_status(iot, second) == "INACTIVE"
    assert certificate_status(iot, untouched) == "ACTIVE"


def test_a_finding_listed_twice_is_one_finding_of_the_task(iot):
    """Library bug: findingIds [f, f] counts the finding twice and runs every action on it twice."""
    audit, (cert,) = device_findings(iot)
    target = finding_id(iot, audit, cert)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    try:
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, finding_ids=[target, target])
    except iot.exceptions.InvalidRequestException:
        return  # refusing the duplicate is as good as counting it once
    result = assert_consistent(iot, "task-1")
    assert result.task["taskStatistics"][DEVICE_EXPIRING]["totalFindingsCount"] == 1
    assert len(result.executions[target]) == 1


@pytest.mark.parametrize("task_id", ["has space", "a" * 129, "dots.not.allowed"])
def test_bad_task_id_is_refused(iot, task_id):
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    assert_error(lambda: start_task(iot, task_id, {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit), *IRE)
    assert certificate_status(iot, cert) == "ACTIVE"
    assert listed_tasks_now(iot) == []


def test_more_than_25_finding_ids_are_refused(iot):
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    target = finding_id(iot, audit, cert)
    assert_error(lambda: start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, finding_ids=[target] * 26),
                 *IRE)
    assert certificate_status(iot, cert) == "ACTIVE"
    assert listed_tasks_now(iot) == []


@pytest.mark.parametrize("target", [
    {},
    {"auditTaskId": "AUDIT", "findingIds": ["FINDING"]},
    {"auditCheckToReasonCodeFilter": {DEVICE_EXPIRING: [PAST]}},
    {"findingIds": ["FINDING"], "auditCheckToReasonCodeFilter": {DEVICE_EXPIRING: [PAST]}},
], ids=["empty", "audit-and-findings", "filter-alone", "filter-with-findings"])
def test_invalid_target_combinations_are_refused(iot, target):
    audit, (cert,) = device_findings(iot)
    real = {"AUDIT": audit, "FINDING": finding_id(iot, audit, cert)}
    if "auditTaskId" in target:
        target = {**target, "auditTaskId": real["AUDIT"]}
    if "findingIds" in target:
        target = {**target, "findingIds": [real["FINDING"]]}
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    assert_error(lambda: iot.start_audit_mitigation_actions_task(
        taskId="task-1", target=target, auditCheckToActionsMapping={DEVICE_EXPIRING: ["deactivate"]}), *IRE)
    assert_error(lambda: iot.describe_audit_mitigation_actions_task(taskId="task-1"), *RNF)
    assert certificate_status(iot, cert) == "ACTIVE"
    assert listed_tasks_now(iot) == []


def test_unknown_audit_task_or_finding_is_refused(iot):
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    mapping = {DEVICE_EXPIRING: ["deactivate"]}
    assert_error(lambda: start_task(iot, "task-1", mapping, audit_task_id="0123456789abcdef0123456789abcdef"), *IRE)
    assert_error(lambda: start_task(iot, "task-1", mapping, audit_task_id="0123456789abcdef0123456789abcdef",
                                    reason_codes={DEVICE_EXPIRING: [PAST]}), *IRE)
    assert_error(lambda: start_task(iot, "task-1", mapping, finding_ids=["no-such-finding"]), *IRE)
    assert_error(lambda: start_task(iot, "task-1", mapping,
                                    finding_ids=[finding_id(iot, audit, cert), "no-such-finding"]), *IRE)
    assert certificate_status(iot, cert) == "ACTIVE"
    assert listed_tasks_now(iot) == []


def test_mapping_with_unknown_action_or_check_is_refused(iot):
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    assert_error(lambda: start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate", "no-such-action"]},
                                    audit_task_id=audit), *IRE)
    assert_error(lambda: start_task(iot, "task-1", {"NO_SUCH_CHECK": ["deactivate"]}, audit_task_id=audit), *IRE)
    raw = unvalidated_client(region=REGION)
    assert_error(lambda: start_task(raw, "task-1", {DEVICE_EXPIRING: []}, audit_task_id=audit), *IRE)
    assert certificate_status(iot, cert) == "ACTIVE"
    assert listed_tasks_now(iot) == []


@pytest.mark.parametrize(("check", "action_type"), [
    (DEVICE_EXPIRING, "ENABLE_IOT_LOGGING"),
    (DEVICE_EXPIRING, "UPDATE_CA_CERTIFICATE"),
    (DEVICE_EXPIRING, "REPLACE_DEFAULT_POLICY_VERSION"),
    (LOGGING, "UPDATE_DEVICE_CERTIFICATE"),
    (CA_EXPIRING, "ADD_THINGS_TO_THING_GROUP"),
    (POLICY_PERMISSIVE, "UPDATE_DEVICE_CERTIFICATE"),
    (CLIENT_IDS, "UPDATE_DEVICE_CERTIFICATE"),
])
def test_action_type_not_allowed_for_the_check_is_refused(iot, check, action_type):
    audit, _ = device_findings(iot)
    create_action(iot, "action", action_type)
    error = assert_error(lambda: start_task(iot, "task-1", {check: ["action"]}, audit_task_id=audit), *IRE)
    assert action_type in error.response["Error"]["Message"]
    assert listed_tasks_now(iot) == []


def test_six_actions_for_a_check_are_refused_five_are_run(iot):
    queue = subscribed_queue()
    audit, (cert,) = device_findings(iot)
    for i in range(6):
        create_action(iot, f"notify-{i}", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    six = [f"notify-{i}" for i in range(6)]
    assert_error(lambda: start_task(iot, "task-1", {DEVICE_EXPIRING: six}, audit_task_id=audit), *IRE)
    start_task(iot, "task-1", {DEVICE_EXPIRING: six[:5]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    assert result.statuses(finding_id(iot, audit, cert)) == ["COMPLETED"] * 5
    assert len(queue.messages()) == 5


# -- suppressed findings ---------------------------------------------------------------------------


def suppressed_audit(iot, others: int = 0) -> tuple[str, str, list[str]]:
    """An audit reporting an ACTIVE device certificate whose finding is suppressed indefinitely, and ``others``
    reported certificates that are not; returns (audit task id, suppressed certificate id, other ids)."""
    certs = [device_certificate(iot) for _ in range(1 + others)]
    for cert in certs:
        seed_device_finding(cert)
    enable_checks(iot, DEVICE_EXPIRING)
    iot.create_audit_suppression(checkName=DEVICE_EXPIRING, resourceIdentifier={"deviceCertificateId": certs[0]},
                                 suppressIndefinitely=True)
    return run_audit(iot, DEVICE_EXPIRING), certs[0], certs[1:]


def test_suppressed_findings_are_skipped(iot):
    audit, suppressed, [reported] = suppressed_audit(iot, others=1)
    suppressed_finding = finding_of(iot, audit, deviceCertificateId=suppressed)
    assert suppressed_finding["isSuppressed"] is True
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS")

    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate", "notify"]}, audit_task_id=audit)

    result = assert_consistent(iot, "task-1")
    assert result.statuses(suppressed_finding["findingId"]) == ["SKIPPED", "SKIPPED"]
    assert result.outcomes[suppressed_finding["findingId"]] == "skipped"
    # notify fails (its topic was never made), so the reported finding fails; the suppressed one stays skipped.
    assert result.task["taskStatistics"][DEVICE_EXPIRING] == {
        "totalFindingsCount": 2, "failedFindingsCount": 1, "succeededFindingsCount": 0,
        "skippedFindingsCount": 1, "canceledFindingsCount": 0,
    }
    assert certificate_status(iot, suppressed) == "ACTIVE"
    assert certificate_status(iot, reported) == "INACTIVE"


def test_suppressed_finding_targeted_by_id_is_skipped(iot):
    audit, cert, _ = suppressed_audit(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, finding_ids=[finding_id(iot, audit, cert)])
    result = assert_consistent(iot, "task-1")
    assert set(result.outcomes.values()) == {"skipped"}
    assert result.task["taskStatus"] == "COMPLETED"
    assert certificate_status(iot, cert) == "ACTIVE"


def test_every_execution_of_a_finished_task_has_an_end_time(iot):
    """Library bug: the SKIPPED executions of a suppressed finding never get an endTime."""
    audit, _, _ = suppressed_audit(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    for runs in result.executions.values():
        for run in runs:
            assert "endTime" in run, run
            assert run["startTime"] <= run["endTime"] <= result.task["endTime"]


# -- idempotency -----------------------------------------------------------------------------------


def test_retry_with_the_same_token_is_the_same_task(iot):
    queue = subscribed_queue()
    audit, _ = device_findings(iot)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    mapping = {DEVICE_EXPIRING: ["notify"]}
    assert start_task(iot, "task-1", mapping, audit_task_id=audit, token="token-1") == "task-1"
    assert start_task(iot, "task-1", mapping, audit_task_id=audit, token="token-1") == "task-1"
    assert listed_tasks_now(iot) == ["task-1"]
    assert_consistent(iot, "task-1")
    assert len(queue.messages()) == 1


def test_same_task_id_with_another_token_already_exists(iot):
    audit, _ = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    mapping = {DEVICE_EXPIRING: ["deactivate"]}
    start_task(iot, "task-1", mapping, audit_task_id=audit, token="token-1")
    assert_error(lambda: start_task(iot, "task-1", mapping, audit_task_id=audit, token="token-2"),
                 "TaskAlreadyExistsException", 400)
    # boto3 fills in a fresh token when none is given: also a different token.
    assert_error(lambda: start_task(iot, "task-1", mapping, audit_task_id=audit),
                 "TaskAlreadyExistsException", 400)
    assert_consistent(iot, "task-1")


def test_same_token_for_another_task_id_is_refused(iot):
    audit, _ = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    mapping = {DEVICE_EXPIRING: ["deactivate"]}
    start_task(iot, "task-1", mapping, audit_task_id=audit, token="token-1")
    assert_error(lambda: start_task(iot, "task-2", mapping, audit_task_id=audit, token="token-1"), *IRE)
    assert_error(lambda: iot.describe_audit_mitigation_actions_task(taskId="task-2"), *RNF)
    assert_consistent(iot, "task-1")


# -- lifecycle -------------------------------------------------------------------------------------


def test_held_task_is_in_progress_until_canceled(iot):
    audit, (first, second) = device_findings(iot, 2)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS")
    with held_mitigation_tasks(times=100):
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate", "notify"]}, audit_task_id=audit)
        held = iot.describe_audit_mitigation_actions_task(taskId="task-1")
        assert held["taskStatus"] == "IN_PROGRESS"
        assert "endTime" not in held
        assert held["taskStatistics"][DEVICE_EXPIRING]["totalFindingsCount"] == 2
        for cert in (first, second):
            runs = list_executions(iot, "task-1", finding_id(iot, audit, cert))
            assert [r["status"] for r in runs] == ["PENDING", "PENDING"]
            assert all("endTime" not in r for r in runs)
        assert listed_tasks_now(iot, taskStatus="IN_PROGRESS") == ["task-1"]

        iot.cancel_audit_mitigation_actions_task(taskId="task-1")

        result = assert_consistent(iot, "task-1")
        assert result.task["taskStatus"] == "CANCELED"
        assert set(result.outcomes.values()) == {"canceled"}
        assert result.task["taskStatistics"][DEVICE_EXPIRING]["canceledFindingsCount"] == 2
        assert all(result.statuses(f) == ["CANCELED", "CANCELED"] for f in result.findings)
        assert_error(lambda: iot.cancel_audit_mitigation_actions_task(taskId="task-1"), *IRE)
    # Releasing the state manager does not bring a canceled task back to life.
    assert iot.describe_audit_mitigation_actions_task(taskId="task-1")["taskStatus"] == "CANCELED"
    assert certificate_status(iot, first) == certificate_status(iot, second) == "ACTIVE"
    assert_consistent(iot, "task-1")


def listed_tasks_now(iot, **query) -> list[str]:
    now = dt.datetime.now(UTC)
    response = iot.list_audit_mitigation_actions_tasks(startTime=now - dt.timedelta(hours=1),
                                                       endTime=now + dt.timedelta(hours=1), **query)
    return [t["taskId"] for t in response["tasks"]]


def test_canceled_task_keeps_suppressed_findings_skipped(iot):
    audit, suppressed, [reported] = suppressed_audit(iot, others=1)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    with held_mitigation_tasks(times=100):
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
        iot.cancel_audit_mitigation_actions_task(taskId="task-1")
    result = assert_consistent(iot, "task-1")
    assert result.outcomes == {finding_id(iot, audit, suppressed): "skipped",
                               finding_id(iot, audit, reported): "canceled"}
    assert certificate_status(iot, reported) == "ACTIVE"


def test_held_task_runs_when_described_enough_times(iot):
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    with held_mitigation_tasks(times=2):
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
        assert iot.describe_audit_mitigation_actions_task(taskId="task-1")["taskStatus"] == "IN_PROGRESS"
        assert certificate_status(iot, cert) == "ACTIVE"
        assert iot.describe_audit_mitigation_actions_task(taskId="task-1")["taskStatus"] == "COMPLETED"
        assert certificate_status(iot, cert) == "INACTIVE"
        assert_consistent(iot, "task-1")


def test_cancel_of_a_finished_task_is_refused(iot):
    audit, _ = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
    assert_error(lambda: iot.cancel_audit_mitigation_actions_task(taskId="task-1"), *IRE)
    assert assert_consistent(iot, "task-1").task["taskStatus"] == "COMPLETED"


def test_cancel_or_describe_of_an_unknown_task_is_not_found(iot):
    assert_error(lambda: iot.cancel_audit_mitigation_actions_task(taskId="no-such-task"), *RNF)
    assert_error(lambda: iot.describe_audit_mitigation_actions_task(taskId="no-such-task"), *RNF)


def test_eleventh_running_task_is_over_the_quota(iot):
    limited = client(region=REGION, config=NO_RETRIES)
    audit, (cert,) = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    mapping = {DEVICE_EXPIRING: ["deactivate"]}
    with held_mitigation_tasks(times=100):
        for i in range(10):
            start_task(limited, f"task-{i}", mapping, audit_task_id=audit)
        assert_error(lambda: start_task(limited, "task-10", mapping, audit_task_id=audit),
                     "LimitExceededException", 410)
        # A retry of a running task is not a new task; a cancellation makes room.
        iot.cancel_audit_mitigation_actions_task(taskId="task-0")
        start_task(limited, "task-10", mapping, audit_task_id=audit)
        assert_error(lambda: start_task(limited, "task-11", mapping, audit_task_id=audit),
                     "LimitExceededException", 410)
    assert_consistent(iot, "task-0")
    for i in range(1, 11):
        assert assert_consistent(iot, f"task-{i}").task["taskStatus"] == "COMPLETED"
    assert certificate_status(iot, cert) == "INACTIVE"


# -- listing tasks ---------------------------------------------------------------------------------


def raw_list(path: str, **query):
    return requests.get(iot_url(path, region=REGION), params=query, timeout=5)


def test_list_tasks_requires_start_and_end_time_on_the_wire(iot):
    now = dt.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for query in ({}, {"startTime": now}, {"endTime": now}):
        response = raw_list("/audit/mitigationactions/tasks", **query)
        assert response.status_code == 400, response.text
        assert response.headers["x-amzn-ErrorType"].split(":")[0] == "InvalidRequestException"
    assert raw_list("/audit/mitigationactions/tasks", startTime=now, endTime=now).status_code == 200


def test_list_executions_requires_task_and_finding_on_the_wire(iot):
    for query in ({}, {"taskId": "task-1"}, {"findingId": "finding-1"}):
        response = raw_list("/audit/mitigationactions/executions", **query)
        assert response.status_code == 400, response.text


def make_listing(iot, frozen) -> dict[str, str]:
    """Five tasks a minute apart over two audits: a COMPLETED, FAILED and CANCELED mix; name -> audit."""
    audit_a, (cert_a,) = device_findings(iot)
    audit_b, _ = device_findings(iot)  # reports both certificates (seeded observations stay)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS")  # no topic: fails
    audits = {}
    plan = [("t-0", audit_a, "deactivate"), ("t-1", audit_b, "notify"), ("t-2", audit_a, "notify"),
            ("t-3", audit_b, "deactivate")]
    for task_id, audit, action in plan:
        frozen.tick(dt.timedelta(minutes=1))
        start_task(iot, task_id, {DEVICE_EXPIRING: [action]}, audit_task_id=audit)
        audits[task_id] = audit
    frozen.tick(dt.timedelta(minutes=1))
    with held_mitigation_tasks(times=100):
        start_task(iot, "t-4", {DEVICE_EXPIRING: ["deactivate"]}, finding_ids=[finding_id(iot, audit_a, cert_a)])
        iot.cancel_audit_mitigation_actions_task(taskId="t-4")
    audits["t-4"] = audit_a
    for task_id in audits:
        assert_consistent(iot, task_id)
    return audits


def test_list_tasks_newest_first_with_id_start_and_status_only(iot):
    with freeze_time(BASE) as frozen:
        make_listing(iot, frozen)
        response = iot.list_audit_mitigation_actions_tasks(startTime=BASE, endTime=BASE + dt.timedelta(hours=1))
    assert [t["taskId"] for t in response["tasks"]] == ["t-4", "t-3", "t-2", "t-1", "t-0"]
    assert response["tasks"][0] == {"taskId": "t-4", "startTime": BASE + dt.timedelta(minutes=5),
                                    "taskStatus": "CANCELED"}
    assert [t["taskStatus"] for t in response["tasks"]] == ["CANCELED", "COMPLETED", "FAILED", "FAILED", "COMPLETED"]
    assert "nextToken" not in response


def test_list_tasks_window_is_on_start_time(iot):
    with freeze_time(BASE) as frozen:
        make_listing(iot, frozen)
        minute = dt.timedelta(minutes=1)
        assert [t["taskId"] for t in iot.list_audit_mitigation_actions_tasks(
            startTime=BASE + 2 * minute, endTime=BASE + 3 * minute)["tasks"]] == ["t-2", "t-1"]
        assert iot.list_audit_mitigation_actions_tasks(
            startTime=BASE + 6 * minute, endTime=BASE + dt.timedelta(hours=1))["tasks"] == []


def test_list_tasks_filters(iot):
    with freeze_time(BASE) as frozen:
        audits = make_listing(iot, frozen)
        audit_a, audit_b = audits["t-0"], audits["t-1"]
        assert listed_tasks(iot, auditTaskId=audit_a) == ["t-2", "t-0"]
        assert listed_tasks(iot, auditTaskId=audit_b) == ["t-3", "t-1"]
        [finding_a] = audit_findings(iot, audit_a)
        assert listed_tasks(iot, findingId=finding_a["findingId"]) == ["t-4", "t-2", "t-0"]
        assert listed_tasks(iot, taskStatus="FAILED") == ["t-2", "t-1"]
        assert listed_tasks(iot, taskStatus="CANCELED") == ["t-4"]
        assert listed_tasks(iot, taskStatus="IN_PROGRESS") == []
        assert listed_tasks(iot, taskStatus="COMPLETED", auditTaskId=audit_b) == ["t-3"]
        assert listed_tasks(iot, findingId="no-such-finding") == []


def test_list_tasks_pages_by_two(iot):
    with freeze_time(BASE) as frozen:
        make_listing(iot, frozen)
        paginator = iot.get_paginator("list_audit_mitigation_actions_tasks")
        pages = paginator.paginate(startTime=BASE, endTime=BASE + dt.timedelta(hours=1),
                                   PaginationConfig={"PageSize": 2})
        assert [[t["taskId"] for t in page["tasks"]] for page in pages] == [["t-4", "t-3"], ["t-2", "t-1"], ["t-0"]]
        first = iot.list_audit_mitigation_actions_tasks(startTime=BASE, endTime=BASE + dt.timedelta(hours=1),
                                                        taskStatus="FAILED", maxResults=1)
        assert [t["taskId"] for t in first["tasks"]] == ["t-2"]
        second = iot.list_audit_mitigation_actions_tasks(startTime=BASE, endTime=BASE + dt.timedelta(hours=1),
                                                         taskStatus="FAILED", maxResults=1,
                                                         nextToken=first["nextToken"])
        assert [t["taskId"] for t in second["tasks"]] == ["t-1"]
        assert "nextToken" not in second
        assert_error(lambda: iot.list_audit_mitigation_actions_tasks(
            startTime=BASE, endTime=BASE + dt.timedelta(hours=1), nextToken=first["nextToken"]), *IRE)


def test_list_tasks_start_older_than_90_days_is_refused(iot):
    with freeze_time(BASE):
        assert_error(lambda: iot.list_audit_mitigation_actions_tasks(
            startTime=BASE - dt.timedelta(days=91), endTime=BASE), *IRE)
        assert iot.list_audit_mitigation_actions_tasks(
            startTime=BASE - dt.timedelta(days=89), endTime=BASE)["tasks"] == []


def test_list_tasks_start_after_end_is_refused(iot):
    assert_error(lambda: iot.list_audit_mitigation_actions_tasks(
        startTime=dt.datetime.now(UTC), endTime=dt.datetime.now(UTC) - dt.timedelta(hours=1)), *IRE)


def test_task_older_than_90_days_is_gone(iot):
    with freeze_time(BASE) as frozen:
        audit, (cert,) = device_findings(iot)
        create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit, token="token-1")
        found = assert_consistent(iot, "task-1").findings
        frozen.tick(dt.timedelta(days=89))
        assert iot.describe_audit_mitigation_actions_task(taskId="task-1")["taskStatus"] == "COMPLETED"
        frozen.tick(dt.timedelta(days=2))
        assert_error(lambda: iot.describe_audit_mitigation_actions_task(taskId="task-1"), *RNF)
        now = BASE + dt.timedelta(days=91)
        assert iot.list_audit_mitigation_actions_tasks(startTime=now - dt.timedelta(days=89), endTime=now)[
            "tasks"] == []
        [found_id] = found
        assert_error(lambda: iot.list_audit_mitigation_actions_executions(taskId="task-1", findingId=found_id), *IRE)
        assert_error(lambda: iot.cancel_audit_mitigation_actions_task(taskId="task-1"), *RNF)
    assert certificate_status(iot, cert) == "INACTIVE"


# -- listing executions ----------------------------------------------------------------------------


def test_list_executions_filters_by_status_and_pages(iot):
    audit, (cert,) = device_findings(iot)
    iot.create_thing_group(thingGroupName="quarantine")
    queue = subscribed_queue()
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    create_action(iot, "isolate", "ADD_THINGS_TO_THING_GROUP", thingGroupNames=["missing"])
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    create_action(iot, "notify-again", "PUBLISH_FINDING_TO_SNS", topicArn=queue.topic_arn)
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify", "isolate", "deactivate", "notify-again"]},
               audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    target = finding_id(iot, audit, cert)
    assert [(r["actionName"], r["status"]) for r in result.executions[target]] == [
        ("notify", "COMPLETED"), ("isolate", "FAILED"), ("deactivate", "SKIPPED"), ("notify-again", "SKIPPED")]

    def names(**query) -> list[str]:
        return [r["actionName"] for r in list_executions(iot, "task-1", target, **query)]

    assert names(actionStatus="COMPLETED") == ["notify"]
    assert names(actionStatus="FAILED") == ["isolate"]
    assert names(actionStatus="SKIPPED") == ["deactivate", "notify-again"]
    assert names(actionStatus="CANCELED") == []

    pages, token = [], None
    while True:
        response = iot.list_audit_mitigation_actions_executions(
            taskId="task-1", findingId=target, maxResults=1, **({"nextToken": token} if token else {}))
        pages.append([r["actionName"] for r in response["actionsExecutions"]])
        token = response.get("nextToken")
        if token is None:
            break
    assert pages == [["notify"], ["isolate"], ["deactivate"], ["notify-again"]]
    skipped = iot.list_audit_mitigation_actions_executions(taskId="task-1", findingId=target,
                                                           actionStatus="SKIPPED", maxResults=1)
    assert [r["actionName"] for r in skipped["actionsExecutions"]] == ["deactivate"]
    rest = iot.list_audit_mitigation_actions_executions(taskId="task-1", findingId=target, actionStatus="SKIPPED",
                                                        maxResults=1, nextToken=skipped["nextToken"])
    assert [r["actionName"] for r in rest["actionsExecutions"]] == ["notify-again"]
    assert "nextToken" not in rest
    assert certificate_status(iot, cert) == "ACTIVE"


def test_list_executions_of_an_unknown_task_or_foreign_finding(iot):
    audit, (cert,) = device_findings(iot)
    other = run_audit(iot, LOGGING)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
    assert_consistent(iot, "task-1")
    target = finding_id(iot, audit, cert)
    assert_error(lambda: iot.list_audit_mitigation_actions_executions(taskId="no-such-task", findingId=target), *IRE)
    [foreign] = audit_findings(iot, other)
    assert list_executions(iot, "task-1", foreign["findingId"]) == []
    assert_error(lambda: iot.list_audit_mitigation_actions_executions(
        taskId="task-1", findingId=target, actionStatus="DONE"), *IRE)
