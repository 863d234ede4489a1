"""IOT_POLICY_OVERLY_PERMISSIVE_CHECK and IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK over moto's IoT policies
(check-triggers.md 11 and 12: each policy's default version, attached or not)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ACCOUNT, ROLE, client, policy_document

from iot_audit_fake import mock_iot_audit

REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}:"
PERMISSIVE = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"
MISCONFIGURED = "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK"
THING = "${iot:Connection.Thing.ThingName}"


@pytest.fixture
def iot() -> Iterator[Any]:
    with mock_iot_audit():
        yield client("iot", REGION)


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def audit(iot: Any, check: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True}})
    task_id = iot.start_on_demand_audit_task(targetCheckNames=[check])["taskId"]
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"][check]
    findings = iot.list_audit_findings(taskId=task_id)["findings"]
    return task_id, details, findings


def identifier(name: str, version: str) -> dict[str, Any]:
    return {"policyVersionIdentifier": {"policyName": name, "policyVersionId": version}}


SCOPED_DEVICE_POLICY = policy_document(
    allow("iot:Connect", f"{ARN}client/{THING}", Condition={"Bool": {"iot:Connection.Thing.IsAttached": "true"}}),
    allow("iot:Publish", f"{ARN}topic/$aws/things/{THING}/shadow/*"),
    allow("iot:Subscribe", [f"{ARN}topicfilter/$aws/things/{THING}/shadow/*",
                            f"{ARN}topicfilter/$aws/things/{THING}/jobs/*"]),
    allow("iot:Receive", f"{ARN}topic/$aws/things/*"),
    allow(["iot:GetThingShadow", "iot:UpdateThingShadow"], [f"{ARN}thing/MyThing1", f"{ARN}thing/MyThing2"]),
)


# -- IOT_POLICY_OVERLY_PERMISSIVE_CHECK (check-triggers.md 11) ---------------------------

def test_scoped_device_policy_is_compliant(iot: Any) -> None:
    iot.create_policy(policyName="scoped", policyDocument=SCOPED_DEVICE_POLICY)
    _, details, findings = audit(iot, PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert details["totalResourcesCount"] == 1
    assert details["nonCompliantResourcesCount"] == 0
    assert findings == []


def test_wildcard_policy_is_reported_with_the_actions_it_opens(iot: Any) -> None:
    iot.create_policy(policyName="freertos", policyDocument=policy_document(
        allow("iot:Connect", "*"), allow("iot:Publish", "*"), allow("iot:Subscribe", "*"), allow("iot:Receive", "*"),
    ))
    _, details, findings = audit(iot, PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    [finding] = findings
    assert finding["checkName"] == PERMISSIVE
    assert finding["severity"] == "CRITICAL"
    assert finding["nonCompliantResource"]["resourceType"] == "IOT_POLICY"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == identifier("freertos", "1")
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"
    # iot:Receive is not listed: a device only receives what it may subscribe to.
    assert finding["reasonForNonCompliance"] == (
        "Policy allows broad access to IoT data plane actions: [iot:Subscribe, iot:Connect, iot:Publish]."
    )


@pytest.mark.parametrize(("statement", "reported"), [
    (allow("iot:*", "*"), "iot:Subscribe"),
    (allow("*", "*"), "iot:Connect"),
    (allow("iot:Connect", f"{ARN}client/*"), "iot:Connect"),
    (allow("iot:Connect", f"{ARN}client/${{iot:ClientId}}"), "iot:Connect"),
    (allow("iot:Publish", f"{ARN}topic/$aws/things/*/shadow/update"), "iot:Publish"),
    (allow("iot:Publish", f"{ARN}topic/$aws/things/*"), "iot:Publish"),
    (allow("iot:Subscribe", f"{ARN}topicfilter/$aws/things/#"), "iot:Subscribe"),
    (allow("iot:Subscribe", f"{ARN}topicfilter/$aws/things/+/shadow/update"), "iot:Subscribe"),
    (allow("iot:*Shadow*", f"{ARN}thing/*"), "iot:GetThingShadow"),
    (allow("IOT:updatejobexecution", f"{ARN}thing/*"), "iot:UpdateJobExecution"),
    (allow("iot:Retain*", f"{ARN}topic/*"), "iot:RetainPublish"),
    (allow("iot:Publish", f"arn:aws:iot:{REGION}:{ACCOUNT}:*"), "iot:Publish"),
    ({"Effect": "Allow", "NotAction": "iot:Publish", "Resource": "*"}, "iot:Connect"),
    ({"Effect": "Allow", "Action": "iot:Publish", "NotResource": f"{ARN}topic/secret"}, "iot:Publish"),
])
def test_broad_grants_are_non_compliant(iot: Any, statement: dict[str, Any], reported: str) -> None:
    # Statement as a single object rather than a list is valid IAM grammar too.
    iot.create_policy(policyName="broad", policyDocument=json.dumps({"Version": "2012-10-17", "Statement": statement}))
    _, details, findings = audit(iot, PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 1
    assert reported in findings[0]["reasonForNonCompliance"]


@pytest.mark.parametrize("statement", [
    allow("iot:Connect", f"{ARN}client/${{iot:ClientId}}",
          Condition={"Bool": {"iot:Connection.Thing.IsAttached": "true"}}),
    allow("iot:Connect", f"{ARN}client/sensor-*"),
    allow("iot:GetThingShadow", f"{ARN}thing/MyThing*"),
    allow("iot:Publish", f"{ARN}topic/sensors/*"),
    allow("iot:Receive", "*"),
    allow("iot:Publish", "arn:aws:s3:::bucket/*"),
    allow("iot:CreateThing", "*"),
    deny("iot:*", "*"),
])
def test_narrow_or_non_data_plane_grants_are_compliant(iot: Any, statement: dict[str, Any]) -> None:
    iot.create_policy(policyName="narrow", policyDocument=policy_document(statement))
    _, details, findings = audit(iot, PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert findings == []


def test_a_blanket_deny_takes_an_action_out_of_the_reason(iot: Any) -> None:
    iot.create_policy(policyName="p", policyDocument=policy_document(
        allow(["iot:Connect", "iot:Publish"], "*"), deny("iot:Publish", "*"),
    ))
    _, _, [finding] = audit(iot, PERMISSIVE)
    assert finding["reasonForNonCompliance"] == "Policy allows broad access to IoT data plane actions: [iot:Connect]."


def test_every_policy_is_counted(iot: Any) -> None:
    iot.create_policy(policyName="scoped", policyDocument=SCOPED_DEVICE_POLICY)
    iot.create_policy(policyName="broad", policyDocument=policy_document(allow("iot:*", "*")))
    iot.create_policy(policyName="not-json", policyDocument="{not json")
    _, details, findings = audit(iot, PERMISSIVE)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (3, 1)
    assert [f["nonCompliantResource"]["resourceIdentifier"] for f in findings] == [identifier("broad", "1")]


def test_no_policies_is_compliant_with_nothing_examined(iot: Any) -> None:
    _, details, _ = audit(iot, PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert details["totalResourcesCount"] == 0


def test_only_the_default_version_is_read(iot: Any) -> None:
    iot.create_policy(policyName="p", policyDocument=policy_document(allow("iot:*", "*")))
    iot.create_policy_version(policyName="p", policyDocument=SCOPED_DEVICE_POLICY, setAsDefault=True)
    _, details, _ = audit(iot, PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 0

    iot.create_policy_version(policyName="p", policyDocument=policy_document(allow("iot:Connect", "*")),
                              setAsDefault=False)
    _, details, _ = audit(iot, PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 0

    iot.set_default_policy_version(policyName="p", policyVersionId="1")
    _, _, [finding] = audit(iot, PERMISSIVE)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == identifier("p", "1")


def test_findings_keep_the_version_that_was_default_when_the_audit_ran(iot: Any) -> None:
    iot.create_policy(policyName="p", policyDocument=SCOPED_DEVICE_POLICY)
    iot.create_policy_version(policyName="p", policyDocument=policy_document(allow("iot:Connect", "*")),
                              setAsDefault=True)
    old_task, _, [old] = audit(iot, PERMISSIVE)
    assert old["nonCompliantResource"]["resourceIdentifier"] == identifier("p", "2")

    iot.set_default_policy_version(policyName="p", policyVersionId="1")
    iot.create_policy_version(policyName="p", policyDocument=policy_document(allow("iot:Publish", "*")),
                              setAsDefault=True)

    assert iot.list_audit_findings(taskId=old_task)["findings"] == [old]
    assert iot.describe_audit_task(taskId=old_task)["auditDetails"][PERMISSIVE]["nonCompliantResourcesCount"] == 1
    _, _, [new] = audit(iot, PERMISSIVE)
    assert new["nonCompliantResource"]["resourceIdentifier"] == identifier("p", "3")
    assert new["reasonForNonCompliance"].endswith("[iot:Publish].")


# -- IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK (check-triggers.md 12) -------------------

BUILDING = f"{ARN}topicfilter/building/*"


def test_mqtt_wildcard_in_a_deny_is_reported(iot: Any) -> None:
    # The first example of audit-chk-iot-misconfigured-policies.
    iot.create_policy(policyName="p", policyDocument=policy_document(
        allow("iot:Subscribe", BUILDING),
        deny("iot:Subscribe", f"{ARN}topicfilter/building/control_room/#"),
        allow("iot:Receive", f"{ARN}topic/building/*"),
    ))
    _, details, [finding] = audit(iot, MISCONFIGURED)
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["severity"] == "MEDIUM"
    assert finding["nonCompliantResource"]["resourceType"] == "IOT_POLICY"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == identifier("p", "1")
    assert finding["reasonForNonComplianceCode"] == "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT"
    assert f"{ARN}topicfilter/building/control_room/#" in finding["reasonForNonCompliance"]


def test_single_level_mqtt_wildcard_in_a_deny_is_reported(iot: Any) -> None:
    iot.create_policy(policyName="p", policyDocument=policy_document(
        deny("iot:Subscribe", f"{ARN}topicfilter/building/+/control_room"),
        allow("iot:Subscribe", f"{ARN}topicfilter/building/camera/*"),
    ))
    _, _, [finding] = audit(iot, MISCONFIGURED)
    assert finding["reasonForNonComplianceCode"] == "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT"


def test_denied_topic_filter_reachable_through_an_allowed_wildcard_is_reported(iot: Any) -> None:
    # The second example: a device can subscribe to building/# and receive control_room messages.
    iot.create_policy(policyName="p", policyDocument=policy_document(
        allow("iot:Subscribe", BUILDING),
        deny("iot:Subscribe", f"{ARN}topicfilter/building/control_room/*"),
        allow("iot:Receive", f"{ARN}topic/building/*"),
    ))
    _, _, [finding] = audit(iot, MISCONFIGURED)
    assert finding["reasonForNonComplianceCode"] == "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS"
    assert f"{ARN}topicfilter/building/control_room/*" in finding["reasonForNonCompliance"]


def test_a_policy_with_both_misconfigurations_counts_once_with_a_finding_per_code(iot: Any) -> None:
    """check-triggers.md 12 and §G [INF]: one finding per (resource, reason code), counted once."""
    iot.create_policy(policyName="p", policyDocument=policy_document(
        allow("iot:Subscribe", BUILDING),
        deny("iot:Subscribe", [f"{ARN}topicfilter/building/+/camera", f"{ARN}topicfilter/building/control_room/*"]),
        allow("iot:Receive", f"{ARN}topic/building/*"),
    ))
    _, details, findings = audit(iot, MISCONFIGURED)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert sorted(f["reasonForNonComplianceCode"] for f in findings) == [
        "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT", "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS"]
    assert {f["nonCompliantResource"]["resourceIdentifier"] == identifier("p", "1") for f in findings} == {True}
    assert all("additionalInfo" not in f["nonCompliantResource"] and "relatedResources" not in f for f in findings)


@pytest.mark.parametrize("statements", [
    # The page's properly configured policy: Receive is denied too.
    [allow("iot:Subscribe", BUILDING), deny("iot:Subscribe", f"{ARN}topicfilter/building/control_room/*"),
     allow("iot:Receive", f"{ARN}topic/building/*"), deny("iot:Receive", f"{ARN}topic/building/control_room/*")],
    # No wildcard in the Allow: nothing else can be subscribed to.
    [allow("iot:Subscribe", f"{ARN}topicfilter/building/lobby"),
     deny("iot:Subscribe", f"{ARN}topicfilter/building/control_room/*")],
    # Plain Allows, and MQTT wildcards in an Allow are not this check's business.
    [allow("iot:Subscribe", f"{ARN}topicfilter/building/#"), allow("iot:Receive", f"{ARN}topic/building/*")],
])
def test_properly_configured_policies_are_compliant(iot: Any, statements: list[dict[str, Any]]) -> None:
    iot.create_policy(policyName="p", policyDocument=policy_document(*statements))
    _, details, findings = audit(iot, MISCONFIGURED)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert details["totalResourcesCount"] == 1
    assert findings == []


def test_misconfiguration_reads_the_default_version_and_keeps_old_findings(iot: Any) -> None:
    bad = policy_document(allow("iot:Subscribe", BUILDING), deny("iot:Subscribe", f"{ARN}topicfilter/building/room/#"))
    iot.create_policy(policyName="p", policyDocument=bad)
    iot.create_policy(policyName="fine", policyDocument=SCOPED_DEVICE_POLICY)
    task, details, [finding] = audit(iot, MISCONFIGURED)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (2, 1)
    assert finding["reasonForNonComplianceCode"] == "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT"

    iot.create_policy_version(policyName="p", policyDocument=SCOPED_DEVICE_POLICY, setAsDefault=True)
    _, details, findings = audit(iot, MISCONFIGURED)
    assert details["nonCompliantResourcesCount"] == 0
    assert findings == []
    assert iot.list_audit_findings(taskId=task)["findings"] == [finding]
