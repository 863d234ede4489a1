"""The plainest way in: ``@mock_iot_audit`` on a test function, no fixtures, no scenario.

The decorator works like moto's ``mock_aws``: inside the test every boto3 call goes to the
fake (the audit API) or to moto (things, certificates, policies), and the state is thrown
away when the test returns. Here a device certificate that expires in ten days is
registered with moto, and an on-demand audit finds it - nothing is canned, the check reads
the certificate's notAfter.
"""

from __future__ import annotations

import datetime as dt

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iot_audit_fake import mock_iot_audit

CHECK = "DEVICE_CERTIFICATE_EXPIRING_CHECK"


def self_signed_pem(expires_in_days: int) -> str:
    """A device certificate valid from a year ago until ``expires_in_days`` from now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sensor-1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365))
        .not_valid_after(now + dt.timedelta(days=expires_in_days))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@mock_iot_audit
def test_an_audit_finds_the_expiring_certificate():
    iot = boto3.client("iot", region_name="us-east-1")

    # The fleet lives in moto: one certificate expiring soon, one good for two years.
    expiring = iot.register_certificate_without_ca(certificatePem=self_signed_pem(10), status="ACTIVE")
    iot.register_certificate_without_ca(certificatePem=self_signed_pem(730), status="ACTIVE")

    # The audit needs a role and the check enabled, as on AWS.
    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/AuditRole",
        auditCheckConfigurations={CHECK: {"enabled": True}},
    )
    task_id = iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"]

    # Tasks complete at once by default (see the README's "Task lifecycle" to hold them).
    task = iot.describe_audit_task(taskId=task_id)
    assert task["taskStatus"] == "COMPLETED"
    assert task["auditDetails"][CHECK]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert task["auditDetails"][CHECK]["totalResourcesCount"] == 2

    # Exactly one finding, naming the expiring certificate.
    findings = iot.list_audit_findings(taskId=task_id)["findings"]
    assert len(findings) == 1
    resource = findings[0]["nonCompliantResource"]
    assert resource["resourceType"] == "DEVICE_CERTIFICATE"
    assert resource["resourceIdentifier"] == {"deviceCertificateId": expiring["certificateId"]}
    assert findings[0]["reasonForNonComplianceCode"] == "CERTIFICATE_APPROACHING_EXPIRATION"
