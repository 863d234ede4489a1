"""The ``iot_audit`` fixture's pass-throughs for what AWS observes, seen through a boto3 audit.

Each records on the test's own backend (its account and ``iot_audit_region``), so an audit run
through ``iot_client`` sees it; check-triggers.md §9 (shared certificate), §13 (unused services),
§17 (revoked device certificate).
"""

from __future__ import annotations

import datetime as dt
import json

from cryptography import x509

ROLE = "arn:aws:iam::123456789012:role/AuditRole"


def enable(iot_client, *checks):
    iot_client.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in checks})


def findings(iot_client, check):
    task = iot_client.start_on_demand_audit_task(targetCheckNames=[check])["taskId"]
    assert iot_client.describe_audit_task(taskId=task)["taskStatus"] == "COMPLETED"
    return iot_client.list_audit_findings(taskId=task)["findings"]


def test_connections_and_the_collection_delay(iot_audit, iot_client):
    check = "DEVICE_CERTIFICATE_SHARED_CHECK"
    enable(iot_client, check)
    iot_audit.set_data_collection_delay(check, 0)
    iot_audit.backend.set_check_enabled_at(check, None)  # collected for long enough
    cert = iot_client.create_keys_and_certificate(setAsActive=True)["certificateId"]
    start = iot_audit.now() - dt.timedelta(hours=5)
    iot_audit.record_connection("a", certificate_id=cert, connected_at=start)
    iot_audit.record_connection("b", certificate_id=cert, connected_at=start + dt.timedelta(minutes=5))
    (finding,) = findings(iot_client, check)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert}


def test_revocations_reach_the_revoked_device_check(iot_audit, iot_client):
    check = "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK"
    enable(iot_client, check)
    made = iot_client.create_keys_and_certificate(setAsActive=True)
    pem = x509.load_pem_x509_certificate(made["certificatePem"].encode())
    assert findings(iot_client, check) == []
    iot_audit.record_revocation(pem.issuer.rfc4514_string(), pem.serial_number)
    (finding,) = findings(iot_client, check)
    assert finding["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"] == made["certificateId"]


def test_service_usage_reaches_the_unused_services_check(iot_audit, iot_client):
    import boto3

    check = "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"
    enable(iot_client, check)
    iam = boto3.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "credentials.iot.amazonaws.com"}}]}
    role = iam.create_role(RoleName="device", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="device", PolicyName="data", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}))
    iot_client.create_role_alias(roleAlias="device-alias", roleArn=role)
    assert len(findings(iot_client, check)) == 1  # dynamodb granted, never used
    iot_audit.record_service_usage(role, "dynamodb")
    assert findings(iot_client, check) == []
