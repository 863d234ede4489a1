"""Role alias and Cognito identity pool role checks over moto's IoT, IAM and Cognito Identity backends
(check-triggers.md 1, 2, 13 and 14), with service usage and pool usage recorded on the audit backend."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, ROLE, backend, client, policy_document

from iot_audit_fake import mock_iot_audit

REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}:"
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


CHECKS = (ALIAS_PERMISSIVE, ALIAS_UNUSED, AUTH, UNAUTH)


@pytest.fixture
def aws() -> Iterator[Clients]:
    """The fake with the four checks enabled first: they see only usage and connections recorded since."""
    with mock_iot_audit():
        clients = Clients(client("iot", REGION), client("iam", REGION), client("cognito-identity", REGION))
        clients.iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in CHECKS})
        yield clients


def used(role_arn: str, *services: str, days_ago: float = 0) -> None:
    """IAM service-last-accessed data for the role (moto keeps none)."""
    for service in services:
        backend(REGION).record_service_usage(role_arn, service, dt.datetime.now(dt.timezone.utc)
                                       - dt.timedelta(days=days_ago))


def allow(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def role(aws: Clients, name: str, *statements: dict[str, Any], managed: bool = False) -> str:
    """An IAM role with the statements as an inline policy, or as an attached customer managed policy."""
    arn: str = aws.iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    if statements and managed:
        policy_arn = aws.iam.create_policy(PolicyName=f"{name}-policy",
                                           PolicyDocument=policy_document(*statements))["Policy"]["Arn"]
        aws.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    elif statements:
        aws.iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=policy_document(*statements))
    return arn


def role_alias(aws: Clients, name: str, role_arn: str) -> str:
    arn: str = aws.iot.create_role_alias(roleAlias=name, roleArn=role_arn)["roleAliasArn"]
    return arn


def audit(aws: Clients, check: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
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



def codes(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(f["reasonForNonComplianceCode"] for f in findings)


# -- IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK (check-triggers.md 14) ------------------------------

def test_scoped_role_alias_is_compliant(aws: Clients) -> None:
    role_arn = role(aws, "Device", *DEVICE_ROLE)
    role_alias(aws, "device", role_arn)
    used(role_arn, "iot", "s3", "kinesis")
    _, details, findings = audit(aws, ALIAS_PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 0)
    assert findings == []


def test_broad_access_to_a_used_service_is_reported_with_its_role(aws: Clients) -> None:
    """14: admin wildcards on a service used in the past year -> ALLOWS_BROAD_ACCESS_TO_USED_SERVICES."""
    role_arn = role(aws, "Uploader", allow("s3:*"))
    alias_arn = role_alias(aws, "uploader", role_arn)
    used(role_arn, "s3", days_ago=364)
    _, details, [finding] = audit(aws, ALIAS_PERMISSIVE)
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["severity"] == "CRITICAL"
    assert finding["nonCompliantResource"] == {"resourceType": "ROLE_ALIAS",
                                               "resourceIdentifier": {"roleAliasArn": alias_arn}}
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"
    assert finding["reasonForNonCompliance"] == "Policy allows broad access to used services: [s3]."


def test_broad_access_to_a_service_unused_for_a_year_is_not_broad_access_to_a_used_one(aws: Clients) -> None:
    """14 concerns the used services; 13 reports the unused one."""
    role_arn = role(aws, "Uploader", allow("s3:*"))
    role_alias(aws, "uploader", role_arn)
    used(role_arn, "s3", days_ago=366)
    assert audit(aws, ALIAS_PERMISSIVE)[1]["nonCompliantResourcesCount"] == 0
    _, _, [finding] = audit(aws, ALIAS_UNUSED)
    assert finding["reasonForNonCompliance"].endswith("[s3].")


@pytest.mark.parametrize(("statement", "services", "code"), [
    (allow("*"), ["dynamodb"], "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"),
    (allow("iot:*"), ["iot"], "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"),
    (allow("iam:ListRoles"), [], "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"),
    (allow("cloudtrail:LookupEvents"), [], "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"),
    (allow("GuardDuty:Get*"), [], "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"),
    (allow("iot:CreatePolicy", f"{ARN}policy/x"), [], "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"),
    (allow("iot:*", f"{ARN}thing/x"), [], "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"),
    (allow("iot:UpdateThing", f"{ARN}thing/x"), [], "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"),
    (allow("iot:DescribeThing", f"{ARN}thing/*"), [], "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"),
    (allow(["iot:Connect", "iot:Publish"]), [], "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"),
])
def test_overly_permissive_reason_codes(aws: Clients, statement: dict[str, Any], services: list[str],
                                        code: str) -> None:
    """14: each documented reason code, from the policy and the role's usage."""
    role_arn = role(aws, "Role", statement)
    role_alias(aws, "alias", role_arn)
    used(role_arn, *services)
    _, details, findings = audit(aws, ALIAS_PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 1
    assert code in codes(findings)


def test_a_resource_with_several_reasons_counts_once_with_one_finding_per_code(aws: Clients) -> None:
    """§G [INF]: one finding per (resource, reason code), the resource counted once."""
    role_arn = role(aws, "Everything", allow("*"))
    alias_arn = role_alias(aws, "alias", role_arn)
    used(role_arn, "iot", "dynamodb")
    _, details, findings = audit(aws, ALIAS_PERMISSIVE)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert codes(findings) == sorted(CODES_OF_ALIAS_PERMISSIVE)
    assert {f["nonCompliantResource"]["resourceIdentifier"]["roleAliasArn"] for f in findings} == {alias_arn}
    [broad] = [f for f in findings if f["reasonForNonComplianceCode"] == "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES"]
    assert broad["reasonForNonCompliance"] == "Policy allows broad access to used services: [dynamodb, iot]."


CODES_OF_ALIAS_PERMISSIVE = (
    "ALLOWS_BROAD_ACCESS_TO_USED_SERVICES", "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES",
    "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS", "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS",
    "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS", "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",
)


def test_the_documented_example_fires_both_role_alias_checks(aws: Clients) -> None:
    """13 and 14: a role that used only IoT but may call iam:GetRole and dynamodb:PutItem."""
    role_arn = role(aws, "Example", allow("iot:Publish", f"{ARN}topic/telemetry"),
                    allow("iam:GetRole"), allow("dynamodb:PutItem"))
    role_alias(aws, "example", role_arn)
    used(role_arn, "iot")
    _, _, [unused] = audit(aws, ALIAS_UNUSED)
    assert unused["reasonForNonCompliance"] == (
        "Role alias allows access to services not used in the past year: [iam, dynamodb].")
    _, _, [auditing] = audit(aws, ALIAS_PERMISSIVE)
    assert auditing["reasonForNonComplianceCode"] == "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES"


def test_attached_managed_policies_are_read_at_their_default_version(aws: Clients) -> None:
    role_arn = role(aws, "Managed", allow("iot:DescribeThing", f"{ARN}thing/MyThing"), managed=True)
    role_alias(aws, "alias", role_arn)
    _, details, _ = audit(aws, ALIAS_PERMISSIVE)
    assert details["nonCompliantResourcesCount"] == 0

    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/Managed-policy"
    aws.iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=policy_document(allow("iam:PassRole")),
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
    role_alias(aws, "broad", role(aws, "Broad", allow("iam:*")))
    _, details, findings = audit(aws, ALIAS_PERMISSIVE)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (2, 1)
    assert [f["nonCompliantResource"]["resourceIdentifier"]["roleAliasArn"] for f in findings] == [
        f"{ARN}rolealias/broad"
    ]


# -- IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK (check-triggers.md 13) --------------

def test_role_alias_using_every_service_it_grants_is_compliant(aws: Clients) -> None:
    role_arn = role(aws, "Device", *DEVICE_ROLE, allow("dynamodb:PutItem"))
    role_alias(aws, "device", role_arn)
    used(role_arn, "iot", "s3", "kinesis", "dynamodb")
    _, details, findings = audit(aws, ALIAS_UNUSED)
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert details["totalResourcesCount"] == 1
    assert findings == []


@pytest.mark.parametrize(("statement", "services", "listed"), [
    (allow(["ec2:DescribeInstances", "s3:GetObject"]), ["s3"], "[ec2]"),
    (allow(["lambda:InvokeFunction", "SageMaker:InvokeEndpoint"]), ["lambda"], "[sagemaker]"),
    (allow("kinesis:PutRecord"), [], "[kinesis]"),  # no fixed list: any service is judged by usage
    (allow("*"), ["iot"], "[*]"),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, [], "[*]"),
])
def test_access_to_a_service_unused_in_the_past_year_is_reported(aws: Clients, statement: dict[str, Any],
                                                                 services: list[str], listed: str) -> None:
    """13: any access to a service the role has not used in the past year."""
    role_arn = role(aws, "Role", statement)
    alias_arn = role_alias(aws, "alias", role_arn)
    used(role_arn, *services)
    _, details, [finding] = audit(aws, ALIAS_UNUSED)
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert finding["severity"] == "MEDIUM"
    assert finding["nonCompliantResource"] == {"resourceType": "ROLE_ALIAS",
                                               "resourceIdentifier": {"roleAliasArn": alias_arn}}
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_ACCESS_TO_UNUSED_SERVICES"
    assert finding["reasonForNonCompliance"].endswith(f"{listed}.")


def test_usage_is_per_role_and_shared_by_its_aliases(aws: Clients) -> None:
    """13 [INF]: usage belongs to the IAM role; aliases sharing a role share it."""
    shared = role(aws, "Shared", allow("dynamodb:PutItem"))
    other = role(aws, "Other", allow("dynamodb:PutItem"))
    role_alias(aws, "one", shared)
    role_alias(aws, "two", shared)
    role_alias(aws, "three", other)
    used(shared, "dynamodb")
    _, details, findings = audit(aws, ALIAS_UNUSED)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (3, 1)
    assert [f["nonCompliantResource"]["resourceIdentifier"]["roleAliasArn"] for f in findings] == [
        f"{ARN}rolealias/three"]


def test_a_blanket_deny_removes_a_service(aws: Clients) -> None:
    role_arn = role(aws, "Role", allow(["ec2:DescribeInstances", "s3:GetObject"]),
                    {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"})
    role_alias(aws, "alias", role_arn)
    used(role_arn, "s3")
    _, details, _ = audit(aws, ALIAS_UNUSED)
    assert details["nonCompliantResourcesCount"] == 0


@pytest.mark.parametrize(("role_arn", "service"), [
    ("not-an-arn", "iot"), (f"arn:aws:iot:{REGION}:{ACCOUNT}:rolealias/x", "iot"),
    (f"arn:aws:iam::{ACCOUNT}:role/R", "iot:Publish"), (f"arn:aws:iam::{ACCOUNT}:role/R", ""),
])
def test_record_service_usage_refuses_what_is_not_a_role_or_a_service(aws: Clients, role_arn: str,
                                                                       service: str) -> None:
    from iot_audit_fake.errors import InvalidRequestException

    with pytest.raises(InvalidRequestException):
        backend(REGION).record_service_usage(role_arn, service)
    assert backend(REGION).state.service_usage == {}


# -- Cognito identity pool roles (check-triggers.md 1 and 2) -----------------------------------

def identity_pool(aws: Clients, name: str, roles: dict[str, str] | None = None, connected: bool = True) -> str:
    """A pool (with roles), used to connect an hour ago unless ``connected`` is false."""
    pool_id: str = aws.cognito.create_identity_pool(IdentityPoolName=name,
                                                    AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    if roles:
        # Served by the fake: moto implements neither SetIdentityPoolRoles nor GetIdentityPoolRoles.
        aws.cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles)
        assert aws.cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == roles
    if connected:
        backend(REGION).record_connection(f"app-{name}", identity_pool_id=pool_id)
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


def test_only_pools_used_to_connect_are_examined(aws: Clients) -> None:
    """1: pools used to connect in the 31 days before the audit; others are not counted."""
    admin = role(aws, "Admin", allow("iot:CreateThing"))
    identity_pool(aws, "idle", {"unauthenticated": admin}, connected=False)
    used_pool = identity_pool(aws, "used", {"unauthenticated": admin})
    _, details, [finding] = audit(aws, UNAUTH)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"cognitoIdentityPoolId": used_pool}


def test_a_pool_that_no_longer_exists_is_not_examined(aws: Clients) -> None:
    pool_id = identity_pool(aws, "gone", {"unauthenticated": role(aws, "Admin", allow("iot:*"))})
    try:
        aws.cognito.delete_identity_pool(IdentityPoolId=pool_id)
    except NotImplementedError:  # moto < 5.1.x lacks DeleteIdentityPool: remove it from its backend
        from moto.cognitoidentity.models import cognitoidentity_backends

        del cognitoidentity_backends[ACCOUNT][REGION].identity_pools[pool_id]
    _, details, _ = audit(aws, UNAUTH)
    assert details["totalResourcesCount"] == 0


def test_record_connection_refuses_a_malformed_identity_pool_id(aws: Clients) -> None:
    from iot_audit_fake.errors import InvalidRequestException

    with pytest.raises(InvalidRequestException):
        backend(REGION).record_connection("app", identity_pool_id="not a pool")
    assert backend(REGION).state.connections == []


def test_unauthenticated_role_with_admin_actions_is_reported(aws: Clients) -> None:
    role_arn = role(aws, "Guest", allow("iot:CreateThing", f"{ARN}thing/one"))
    pool_id = identity_pool(aws, "guests", {"unauthenticated": role_arn})
    _, details, [finding] = audit(aws, UNAUTH)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["severity"] == "CRITICAL"
    assert finding["nonCompliantResource"] == {"resourceType": "COGNITO_IDENTITY_POOL",
                                               "resourceIdentifier": {"cognitoIdentityPoolId": pool_id}}
    assert finding["relatedResources"] == iam_role(role_arn)
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"
    assert finding["reasonForNonCompliance"] == "Policy allows access to IoT administrative actions: [iot:CreateThing]."


@pytest.mark.parametrize(("statement", "expected"), [
    (allow("iot:*"), ["ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS", "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"]),
    (allow("iot:DescribeThing", f"{ARN}thing/MyThing"), ["ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"]),
    (allow("iot:ListAuditFindings"), ["ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"]),
    (allow(["iot:Connect", "iot:Publish"]), ["ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"]),
    (allow("iot:Subscribe", f"{ARN}topicfilter/$aws/things/*"), ["ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"]),
])
def test_unauthenticated_reason_codes(aws: Clients, statement: dict[str, Any], expected: list[str]) -> None:
    """2: admin actions even on a single thing; broad data plane."""
    identity_pool(aws, "guests", {"unauthenticated": role(aws, "Guest", statement)})
    _, details, findings = audit(aws, UNAUTH)
    assert details["nonCompliantResourcesCount"] == 1
    assert codes(findings) == expected


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


@pytest.mark.parametrize(("statement", "expected"), [
    (allow("iot:DescribeThing", f"{ARN}thing/*"), ["ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"]),
    (allow("iot:ListThingPrincipals"), ["ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"]),
    (allow("iot:UpdateThing", f"{ARN}thing/MyThing"), ["ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"]),
    (allow("iot:DeleteThing", f"{ARN}thing/MyThing"), ["ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"]),
    (allow("iot:CreatePolicy"), ["ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"]),
    (allow("iot:*"), ["ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS", "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS",
                      "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"]),
])
def test_authenticated_reason_codes(aws: Clients, statement: dict[str, Any], expected: list[str]) -> None:
    """1: thing admin writes on even one resource, non-thing admin actions, broad thing admin reads."""
    role_arn = role(aws, "Member", statement)
    pool_id = identity_pool(aws, "members", {"authenticated": role_arn, "unauthenticated": role(aws, "Guest")})
    _, details, findings = audit(aws, AUTH)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert {f["nonCompliantResource"]["resourceIdentifier"]["cognitoIdentityPoolId"] for f in findings} == {pool_id}
    assert all(f["relatedResources"] == iam_role(role_arn) for f in findings)
    assert codes(findings) == expected


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
                            PolicyDocument=policy_document(allow("iot:DescribeThing", f"{ARN}thing/MyThing")))
    _, details, _ = audit(aws, AUTH)
    assert details["nonCompliantResourcesCount"] == 0
    assert aws.iot.list_audit_findings(taskId=task)["findings"] == [finding]
