"""Role alias and Cognito identity pool role checks over moto's IoT, IAM and Cognito Identity backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import client

from iot_audit_fake import mock_iot_audit

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}:"
AUDIT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Audit"
ALIAS_PERMISSIVE = "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK"
ALIAS_UNUSED = "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"
AUTH = "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
UNAUTH = "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "credentials.iot.amazonaws.com"}, "Action": "sts:AssumeRole"},
]})


@dataclass
class Clients:
    iot: Any
    iam: Any
    cognito: Any


@pytest.fixture
def aws() -> Iterator[Clients]:
    with mock_iot_audit():
        yield Clients(client("iot", REGION), client("iam", REGION), client("cognito-identity", REGION))


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def role(aws: Clients, name: str, *statements: dict[str, Any], managed: bool = False) -> str:
    """An IAM role with the statements as an inline policy, or as an attached customer managed policy."""
    arn: str = aws.iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    if statements and managed:
        policy_arn = aws.iam.create_policy(PolicyName=f"{name}-policy",
                                           PolicyDocument=document(*statements))["Policy"]["Arn"]
        aws.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    elif statements:
        aws.iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=document(*statements))
    return arn


def role_alias(aws: Clients, name: str, role_arn: str) -> str:
    arn: str = aws.iot.create_role_alias(roleAlias=name, roleArn=role_arn)["roleAliasArn"]
    return arn


def audit(aws: Clients, check: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    aws.iot.update_account_audit_configuration(roleArn=AUDIT_ROLE,
                                               auditCheckConfigurations={check: {"enabled": True}})
    task_id = aws.iot.start_on_demand_audit_task(targetCheckNames=[check])["taskId"]
    details = aws.iot.describe_audit_task(taskId=task_id)["auditDetails"][check]
    findings = aws.iot.list_audit_findings(taskId=task_id)["findings"]
    return task_id, details, findings


def iam_role(arn: str) -> list[dict[str, Any]]:
    return [{"resourceType": "IAM_ROLE", "resourceIdentifier": {"iamRoleArn": arn}}]


DEVICE_ROLE = (
    allow("iot:Connect", f"{ARN}client/${{credentials-iot:ThingName}}"),
    allow("iot:Publish", f"{ARN}topic/$aws/things/${{credentials-iot:ThingName}}/shadow/update"),
    allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::device-uploads/${credentials-iot:ThingName}/*"),
    allow("kinesis:PutRecord", f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/telemetry"),
)


# -- IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK ---------------------------------------------------

def test_scoped_role_alias_is_compliant(aws: Clients) -> None:
    role_alias(aws, "device", role(aws, "Device", *DEVICE_ROLE))
    _, details, findings = audit(aws, ALIAS_PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 0)
    assert findings == []


def test_broad_role_alias_is_reported_with_its_role(aws: Clients) -> None:
    role_arn = role(aws, "Uploader", allow("s3:*"))
    alias_arn = role_alias(aws, "uploader", role_arn)
    _, details, [finding] = audit(aws, ALIAS_PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["severity"] == "CRITICAL"
    assert finding["nonCompliantResource"]["resourceType"] == "ROLE_ALIAS"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"roleAliasArn": alias_arn}
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"
    assert finding["reasonForNonCompliance"] == "Policy allows broad access to used services: [s3]."


@pytest.mark.parametrize(("statement", "code"), [
    (allow("*"), "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"),
    (allow("iot:*"), "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"),
    (allow("iam:ListRoles"), "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"),
    (allow("cloudtrail:LookupEvents"), "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"),
    (allow("GuardDuty:Get*"), "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"),
    (allow("iot:CreatePolicy", f"{ARN}policy/x"), "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"),
    (allow("iot:*", f"{ARN}thing/x"), "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"),
    (allow("iot:UpdateThing", f"{ARN}thing/x"), "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"),
    (allow("iot:DescribeThing", f"{ARN}thing/*"), "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"),
    (allow(["iot:Connect", "iot:Publish"]), "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"),
])
def test_overly_permissive_reason_codes(aws: Clients, statement: dict[str, Any], code: str) -> None:
    role_alias(aws, "alias", role(aws, "Role", statement))
    _, details, [finding] = audit(aws, ALIAS_PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 1
    assert finding["reasonForNonComplianceCode"] == code


def test_attached_managed_policies_are_read_at_their_default_version(aws: Clients) -> None:
    role_arn = role(aws, "Managed", allow("iot:DescribeThing", f"{ARN}thing/MyThing"), managed=True)
    role_alias(aws, "alias", role_arn)
    _, details, _ = audit(aws, ALIAS_PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 0

    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/Managed-policy"
    aws.iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=document(allow("iam:PassRole")),
                                  SetAsDefault=True)
    _, _, [finding] = audit(aws, ALIAS_PERMISSIVE)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"
    assert finding["reasonForNonCompliance"] == "Policy allows access to security auditing services: [iam]."


def test_role_alias_findings_survive_role_changes(aws: Clients) -> None:
    role_alias(aws, "alias", role(aws, "Role", allow("iot:UpdateThing", f"{ARN}thing/x")))
    task, _, [finding] = audit(aws, ALIAS_PERMISSIVE)
    aws.iam.delete_role_policy(RoleName="Role", PolicyName="inline")
    _, details, _ = audit(aws, ALIAS_PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 0
    assert aws.iot.list_audit_findings(taskId=task)["findings"] == [finding]


def test_missing_roles_grant_nothing_and_foreign_roles_are_skipped(aws: Clients) -> None:
    role_alias(aws, "missing", f"arn:aws:iam::{ACCOUNT}:role/DoesNotExist")
    role_alias(aws, "foreign", "arn:aws:iam::111122223333:role/Elsewhere")
    role_alias(aws, "broad", role(aws, "Broad", allow("*")))
    _, details, findings = audit(aws, ALIAS_PERMISSIVE)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (2, 1)
    assert [f["nonCompliantResource"]["resourceIdentifier"]["roleAliasArn"] for f in findings] == [
        f"{ARN}rolealias/broad"
    ]


# -- IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK -----------------------------------

def test_role_alias_using_device_services_only_is_compliant(aws: Clients) -> None:
    role_alias(aws, "device", role(aws, "Device", *DEVICE_ROLE, allow("dynamodb:PutItem")))
    _, details, findings = audit(aws, ALIAS_UNUSED)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert details["totalResourcesCount"] == 1
    assert findings == []


@pytest.mark.parametrize(("statement", "listed"), [
    (allow(["ec2:DescribeInstances", "s3:GetObject"]), "[ec2]"),
    (allow(["lambda:InvokeFunction", "SageMaker:InvokeEndpoint"]), "[sagemaker]"),
    (allow("*"), "[*]"),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "[*]"),
])
def test_access_to_other_services_is_reported(aws: Clients, statement: dict[str, Any], listed: str) -> None:
    role_arn = role(aws, "Role", statement)
    alias_arn = role_alias(aws, "alias", role_arn)
    _, details, [finding] = audit(aws, ALIAS_UNUSED)
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert finding["severity"] == "MEDIUM"
    assert finding["nonCompliantResource"] == {
        "resourceType": "ROLE_ALIAS", "resourceIdentifier": {"roleAliasArn": alias_arn}, "additionalInfo": {},
    }
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_ACCESS_TO_UNUSED_SERVICES"
    assert finding["reasonForNonCompliance"].endswith(f"{listed}.")


def test_a_blanket_deny_removes_a_service(aws: Clients) -> None:
    role_alias(aws, "alias", role(aws, "Role", allow(["ec2:DescribeInstances", "s3:GetObject"]),
                                  {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}))
    _, details, _ = audit(aws, ALIAS_UNUSED)
    assert details["nonCompliantResourcesCount"] == 0


# -- Cognito identity pool roles --------------------------------------------------------------

def identity_pool(aws: Clients, name: str, roles: dict[str, str] | None = None) -> str:
    pool_id: str = aws.cognito.create_identity_pool(IdentityPoolName=name,
                                                    AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    if roles:
        # Served by the fake: moto implements neither SetIdentityPoolRoles nor GetIdentityPoolRoles.
        aws.cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles)
        assert aws.cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == roles
    return pool_id


def test_identity_pool_roles_of_an_unknown_pool_are_not_found(aws: Clients) -> None:
    with pytest.raises(ClientError) as caught:
        aws.cognito.set_identity_pool_roles(IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000",
                                            Roles={"authenticated": "arn:aws:iam::123456789012:role/x"})
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_pools_without_roles_are_compliant(aws: Clients) -> None:
    identity_pool(aws, "one")
    identity_pool(aws, "two", {"authenticated": role(aws, "Auth", allow("iot:*"))})
    _, details, findings = audit(aws, UNAUTH)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (2, 0)
    assert findings == []


def test_unauthenticated_role_with_admin_actions_is_reported(aws: Clients) -> None:
    role_arn = role(aws, "Guest", allow("iot:CreateThing", f"{ARN}thing/one"))
    pool_id = identity_pool(aws, "guests", {"unauthenticated": role_arn})
    _, details, [finding] = audit(aws, UNAUTH)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["severity"] == "CRITICAL"
    assert finding["nonCompliantResource"]["resourceType"] == "COGNITO_IDENTITY_POOL"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"cognitoIdentityPoolId": pool_id}
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"
    assert finding["reasonForNonCompliance"] == "Policy allows access to IoT administrative actions: [iot:CreateThing]."


@pytest.mark.parametrize(("statement", "code"), [
    (allow("iot:*"), "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"),
    (allow("iot:DescribeThing", f"{ARN}thing/MyThing"), "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"),
    (allow("iot:ListAuditFindings"), "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"),
    (allow(["iot:Connect", "iot:Publish"]), "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"),
    (allow("iot:Subscribe", f"{ARN}topicfilter/$aws/things/*"), "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"),
])
def test_unauthenticated_reason_codes(aws: Clients, statement: dict[str, Any], code: str) -> None:
    identity_pool(aws, "guests", {"unauthenticated": role(aws, "Guest", statement)})
    _, _, [finding] = audit(aws, UNAUTH)
    assert finding["reasonForNonComplianceCode"] == code


def test_unauthenticated_role_with_thing_scoped_data_plane_is_compliant(aws: Clients) -> None:
    identity_pool(aws, "guests", {"unauthenticated": role(
        aws, "Guest",
        allow("iot:Connect", f"{ARN}client/${{cognito-identity.amazonaws.com:sub}}"),
        allow(["iot:Publish", "iot:Receive"], f"{ARN}topic/guests/${{cognito-identity.amazonaws.com:sub}}/*"),
        allow("iot:GetThingShadow", f"{ARN}thing/Kiosk1"),
    )})
    _, details, findings = audit(aws, UNAUTH)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert findings == []


@pytest.mark.parametrize(("statement", "code"), [
    (allow("iot:DescribeThing", f"{ARN}thing/*"), "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"),
    (allow("iot:ListThingPrincipals"), "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"),
    (allow("iot:UpdateThing", f"{ARN}thing/MyThing"), "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"),
    (allow("iot:DeleteThing", f"{ARN}thing/MyThing"), "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"),
    (allow("iot:CreatePolicy"), "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"),
    (allow("iot:*"), "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"),
])
def test_authenticated_reason_codes(aws: Clients, statement: dict[str, Any], code: str) -> None:
    role_arn = role(aws, "Member", statement)
    pool_id = identity_pool(aws, "members", {"authenticated": role_arn, "unauthenticated": role(aws, "Guest")})
    _, details, [finding] = audit(aws, AUTH)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"cognitoIdentityPoolId": pool_id}
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == code


def test_authenticated_role_reading_a_few_things_is_compliant(aws: Clients) -> None:
    identity_pool(aws, "members", {"authenticated": role(
        aws, "Member",
        allow(["iot:DescribeThing", "iot:ListThingGroupsForThing"], [f"{ARN}thing/MyThing", f"{ARN}thing/Lamp*"]),
        allow(["iot:Connect", "iot:Publish"]),  # broad data plane: no reason code for authenticated roles
    ), "unauthenticated": role(aws, "Guest", allow("iot:*"))})
    _, details, findings = audit(aws, AUTH)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 0)
    assert findings == []


def test_cognito_findings_survive_role_changes(aws: Clients) -> None:
    identity_pool(aws, "members", {"authenticated": role(aws, "Member", allow("iot:UpdateThing"))})
    task, _, [finding] = audit(aws, AUTH)
    aws.iam.put_role_policy(RoleName="Member", PolicyName="inline",
                            PolicyDocument=document(allow("iot:DescribeThing", f"{ARN}thing/MyThing")))
    _, details, _ = audit(aws, AUTH)
    assert details["nonCompliantResourcesCount"] == 0
    assert aws.iot.list_audit_findings(taskId=task)["findings"] == [finding]
