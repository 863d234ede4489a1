"""End to end remediation: a bad certificate, the finding, a mitigation task, the certificate deactivated.

Uses the pytest plugin's fixtures (installed with the package, no conftest needed):
``iot_client`` is a boto3 IoT client with the fake active for the test, ``iot_audit`` the
controller beside it. The steps are the ones a remediation pipeline takes on AWS:

1. a device certificate with a vulnerable key (an Infineon RSALib key, "ROCA") is registered and
   in use (ACTIVE);
2. an audit with DEVICE_CERTIFICATE_KEY_QUALITY_CHECK reports it;
3. a mitigation action with ``updateDeviceCertificateParams: DEACTIVATE`` is created and an
   audit mitigation actions task applies it to the finding;
4. moto's certificate is now INACTIVE - the action really changed the resource.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CHECK = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"
AUDIT_ROLE = "arn:aws:iam::123456789012:role/AuditRole"
MITIGATION_ROLE = "arn:aws:iam::123456789012:role/MitigationRole"


#: A published RSA modulus with the ROCA fingerprint (CVE-2017-15361), from the ROCA authors' test
#: vectors (crocs-muni/roca, roca/tests/data/mod03.txt).
ROCA_MODULUS = int(
    "9dcd7420e420c270a68060eb8b5aa7457a9f6648f86fafed2775cc1f79ae962f1e63f1b9e51c55f9ea6fdc7332e9b0058c9ff2eb1fc8"
    "9855029cf6aafe21e689feb38ac9ffb12f1ce371bb5d0e9aae64161abce74b4244bf68f1edb4411f756a097c8929c14740245ea355f83"
    "32d1aa36bb50c7dcb4505da8de02e4e53d38f8df06097da7524df0df93db48eac8cc4af2d3a16257eb2b2adca6ba464e5974fa92550d"
    "31b1babf161e7692d00b86e3dd886ecab4abfbe1a8f8cc263ff4af55cdb45f4249a5193925f5e983d762f0b6800943eb0267b08f42ed3"
    "11ce1f5c86eacbc8ce4d3cb7a2fee1ef5641423a1cf4114e5ecf50034a60a412523af9e6f4aa11",
    16,
)


def weak_certificate_pem() -> str:
    """A device certificate for a ROCA-vulnerable RSA key, signed by a throwaway CA."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    device_key = rsa.RSAPublicNumbers(65537, ROCA_MODULUS).public_key()
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "legacy-sensor")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Legacy CA")]))
        .public_key(device_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(ca_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def test_a_weak_certificate_is_found_and_deactivated(iot_client):
    iot = iot_client
    cert_id = iot.register_certificate_without_ca(certificatePem=weak_certificate_pem(), status="ACTIVE")[
        "certificateId"
    ]

    # 1-2. Audit: the weak key is a finding.
    iot.update_account_audit_configuration(roleArn=AUDIT_ROLE, auditCheckConfigurations={CHECK: {"enabled": True}})
    audit_id = iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"]
    [finding] = iot.list_audit_findings(taskId=audit_id)["findings"]
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}
    # AWS names its key-quality reasons after CVEs: this one is ROCA (docs/key-quality.md).
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"

    # 3. A mitigation action of type UPDATE_DEVICE_CERTIFICATE, applied to that finding.
    iot.create_mitigation_action(
        actionName="deactivate-certificate",
        roleArn=MITIGATION_ROLE,
        actionParams={"updateDeviceCertificateParams": {"action": "DEACTIVATE"}},
    )
    assert iot.describe_mitigation_action(actionName="deactivate-certificate")["actionType"] == (
        "UPDATE_DEVICE_CERTIFICATE"
    )
    iot.start_audit_mitigation_actions_task(
        taskId="deactivate-weak-keys",
        target={"findingIds": [finding["findingId"]]},
        auditCheckToActionsMapping={CHECK: ["deactivate-certificate"]},
        clientRequestToken="deactivate-weak-keys-1",
    )
    task = iot.describe_audit_mitigation_actions_task(taskId="deactivate-weak-keys")
    assert task["taskStatus"] == "COMPLETED"
    assert task["taskStatistics"][CHECK]["succeededFindingsCount"] == 1

    # Each finding's execution is listed, with the action it ran.
    [execution] = iot.list_audit_mitigation_actions_executions(
        taskId="deactivate-weak-keys", findingId=finding["findingId"]
    )["actionsExecutions"]
    assert (execution["actionName"], execution["status"]) == ("deactivate-certificate", "COMPLETED")

    # 4. The effect is real: moto's certificate was deactivated.
    description = iot.describe_certificate(certificateId=cert_id)["certificateDescription"]
    assert description["status"] == "INACTIVE"
