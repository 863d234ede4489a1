"""Run one on-demand audit in-process against a small fleet and print the task and its findings.

    python examples/run_audit.py

The fleet lives in moto (a thing, a certificate that expires in ten days, a policy
that allows everything); the audit API is served by iot_audit_fake. Nothing here
is canned: the findings are what the checks see in moto's state.
"""

from __future__ import annotations

import datetime as dt
import json

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iot_audit_fake import mock_iot_audit

ROLE = "arn:aws:iam::123456789012:role/AuditRole"
CHECKS = [
    "DEVICE_CERTIFICATE_EXPIRING_CHECK",
    "IOT_POLICY_OVERLY_PERMISSIVE_CHECK",
    "LOGGING_DISABLED_CHECK",
]


def certificate_expiring_in(days: int) -> str:
    """A self-signed device certificate whose notAfter is ``days`` from now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sensor-1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=300))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def main() -> dict[str, object]:
    with mock_iot_audit():
        iot = boto3.client("iot", region_name="us-east-1")
        iot.create_thing(thingName="sensor-1")
        cert_id = iot.register_certificate_without_ca(
            certificatePem=certificate_expiring_in(10), status="ACTIVE"
        )["certificateId"]
        iot.attach_thing_principal(thingName="sensor-1", principal=f"arn:aws:iot:us-east-1:123456789012:cert/{cert_id}")
        iot.create_policy(
            policyName="allow-everything",
            policyDocument=json.dumps({"Version": "2012-10-17",
                                       "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}),
        )
        iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in CHECKS}
        )
        task_id = iot.start_on_demand_audit_task(targetCheckNames=CHECKS)["taskId"]
        task = iot.describe_audit_task(taskId=task_id)
        findings = iot.list_audit_findings(taskId=task_id)["findings"]

        print(f"audit task {task_id}: {task['taskStatus']}")
        print("statistics:", json.dumps(task["taskStatistics"]))
        for check, details in task["auditDetails"].items():
            print(f"  {check}: {details['checkRunStatus']} "
                  f"({details.get('nonCompliantResourcesCount', 0)} of {details.get('totalResourcesCount', 0)})")
        print(f"{len(findings)} finding(s):")
        for finding in findings:
            resource = finding["nonCompliantResource"]
            print(f"  [{finding['severity']}] {finding['checkName']}: {finding['reasonForNonComplianceCode']} "
                  f"on {resource['resourceType']} {json.dumps(resource['resourceIdentifier'])}")
        return {"task": task, "findings": findings}


if __name__ == "__main__":
    main()
