"""The certificate checks, through real boto3 clients: certificates made with cryptography, registered in moto's IoT,
audited on demand, and read back with DescribeAuditTask and the findings operations (reference §4, §7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from certs import (
    Issued,
    days,
    dsa_key,
    ec_key,
    make_ca,
    make_device,
    plain_rsa_modulus,
    roca_modulus,
    rsa_key,
    rsa_public_key,
)
from conftest import ACCOUNT, REGION, ROLE
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from iot_audit_fake import audit_backends
from iot_audit_fake.checks.families import certificates
from iot_audit_fake.errors import InvalidRequestException

EXPIRING = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
AGE = "DEVICE_CERTIFICATE_AGE_CHECK"
KEY = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"
CA_EXPIRING = "CA_CERTIFICATE_EXPIRING_CHECK"
CA_KEY = "CA_CERTIFICATE_KEY_QUALITY_CHECK"
REVOKED_CA = "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK"
REVOKED_DEVICE = "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK"
INTERMEDIATE = "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK"
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
ROCA = "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"


# -- helpers -------------------------------------------------------------------------


def configure(iot: Any, check: str, **settings: int) -> None:
    config: dict[str, Any] = {"enabled": True}
    if settings:
        config["configuration"] = {name: str(value) for name, value in settings.items()}
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={check: config})


def audit(iot: Any, *checks: str) -> str:
    for check in checks:
        if not iot.describe_account_audit_configuration()["auditCheckConfigurations"][check]["enabled"]:
            configure(iot, check)
    return iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]


def details(iot: Any, task_id: str, check: str) -> dict[str, Any]:
    return iot.describe_audit_task(taskId=task_id)["auditDetails"][check]


def run(iot: Any, check: str) -> tuple[str, dict[str, Any]]:
    task_id = audit(iot, check)
    return task_id, details(iot, task_id, check)


def findings(iot: Any, task_id: str, check: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"taskId": task_id, **({"checkName": check} if check else {})}
    while True:
        page = iot.list_audit_findings(**kwargs)
        found.extend(page["findings"])
        if not page.get("nextToken"):
            return found
        kwargs["nextToken"] = page["nextToken"]


def related(iot: Any, finding_id: str) -> list[dict[str, Any]]:
    return iot.list_related_resources_for_audit_finding(findingId=finding_id)["relatedResources"]


def assert_result(detail: dict[str, Any], total: int, noncompliant: int) -> None:
    status = "COMPLETED_NON_COMPLIANT" if noncompliant else "COMPLETED_COMPLIANT"
    assert detail["checkRunStatus"] == status, detail
    assert detail["totalResourcesCount"] == total, detail
    assert detail["nonCompliantResourcesCount"] == noncompliant, detail


def register_device(iot: Any, device: Issued, status: str = "ACTIVE", ca: Issued | None = None) -> str:
    if ca is not None:
        return iot.register_certificate(certificatePem=device.pem, caCertificatePem=ca.pem,
                                        status=status)["certificateId"]
    return iot.register_certificate_without_ca(certificatePem=device.pem, status=status)["certificateId"]


def register_ca(iot: Any, ca: Issued, active: bool = True) -> str:
    return iot.register_ca_certificate(caCertificate=ca.pem, setAsActive=active)["certificateId"]


def revoke(iot: Any, ca_id: str) -> None:
    iot.update_ca_certificate(certificateId=ca_id, newStatus="REVOKED")
    assert iot.describe_ca_certificate(certificateId=ca_id)["certificateDescription"]["status"] == "REVOKED"


def epoch_ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()) * 1000)


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_ca("Test Root CA")


# -- DEVICE_CERTIFICATE_EXPIRING_CHECK -------------------------------------------------


def test_device_certificate_far_from_expiry_is_compliant(iot, root):
    register_device(iot, make_device(root, not_after=days(365)))
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=0)
    assert findings(iot, task_id) == []


def test_device_certificate_approaching_expiration(iot, root):
    device = make_device(root, not_after=days(10))
    cert_id = register_device(iot, device)
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["checkName"] == EXPIRING
    assert finding["severity"] == "MEDIUM"
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_APPROACHING_EXPIRATION"
    assert finding["reasonForNonCompliance"] == "Certificate is approaching its expiration."
    assert finding["nonCompliantResource"] == {
        "resourceType": "DEVICE_CERTIFICATE",
        "resourceIdentifier": {"deviceCertificateId": cert_id},
        "additionalInfo": {"EXPIRATION_TIME": epoch_ms(device.cert.not_valid_after_utc)},
    }
    assert finding["isSuppressed"] is False


def test_device_certificate_past_expiration(iot, root):
    device = make_device(root, not_before=days(-400), not_after=days(-1))
    register_device(iot, device)
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_EXPIRATION"
    assert finding["reasonForNonCompliance"] == "Certificate is past its expiration."
    assert finding["nonCompliantResource"]["additionalInfo"]["EXPIRATION_TIME"] == epoch_ms(
        device.cert.not_valid_after_utc)


def test_expiration_threshold_setting_changes_the_verdict(iot, root):
    register_device(iot, make_device(root, not_after=days(45)))
    assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=0)  # default 30 days
    configure(iot, EXPIRING, CERT_EXPIRATION_THRESHOLD_IN_DAYS=60)
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=1)
    assert findings(iot, task_id)[0]["reasonForNonComplianceCode"] == "CERTIFICATE_APPROACHING_EXPIRATION"
    configure(iot, EXPIRING, CERT_EXPIRATION_THRESHOLD_IN_DAYS=30)
    assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=0)


def test_only_active_and_pending_transfer_device_certificates_are_examined(iot, root):
    ids = {status: register_device(iot, make_device(root, not_after=days(5)), status=status)
           for status in ("ACTIVE", "PENDING_TRANSFER", "INACTIVE", "REVOKED", "PENDING_ACTIVATION")}
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=2, noncompliant=2)
    flagged = {f["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"] for f in findings(iot, task_id)}
    assert flagged == {ids["ACTIVE"], ids["PENDING_TRANSFER"]}


def test_a_pem_without_a_readable_certificate_is_not_examined(iot, root):
    iot.register_certificate_without_ca(certificatePem="not a certificate", status="ACTIVE")
    register_device(iot, make_device(root, not_after=days(5)))
    assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=1)


def test_a_pem_with_a_chain_is_read_for_its_first_certificate(iot, root):
    device = make_device(root, not_after=days(5))
    long_lived = make_device(root, not_after=days(900))
    register_device(iot, Issued(device.cert, None), status="ACTIVE")
    iot.register_certificate_without_ca(certificatePem=long_lived.pem + root.pem, status="ACTIVE")
    iot.register_certificate_without_ca(certificatePem=(device.pem + root.pem).replace("\n", "\r\n"),
                                        status="ACTIVE")
    assert_result(run(iot, EXPIRING)[1], total=3, noncompliant=2)


def test_validity_comes_from_the_pem_not_from_moto(iot, root):
    cert_id = register_device(iot, make_device(root, not_before=days(-3), not_after=days(-2)))
    # moto reports a placeholder validity of one day either side of registration.
    validity = iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["validity"]
    assert validity["notAfter"] > dt.datetime.now(dt.timezone.utc)
    task_id, _ = run(iot, EXPIRING)
    assert findings(iot, task_id)[0]["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_EXPIRATION"


# -- DEVICE_CERTIFICATE_AGE_CHECK ---------------------------------------------------------


def test_young_device_certificate_is_compliant(iot, root):
    register_device(iot, make_device(root, not_before=days(-100)))
    task_id, detail = run(iot, AGE)
    assert_result(detail, total=1, noncompliant=0)
    assert findings(iot, task_id) == []


def test_device_certificate_past_age_threshold(iot, root):
    cert_id = register_device(iot, make_device(root, not_before=days(-400)))
    register_device(iot, make_device(root, not_before=days(-10)))
    task_id, detail = run(iot, AGE)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "LOW"
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_AGE_THRESHOLD"
    assert finding["nonCompliantResource"]["resourceType"] == "DEVICE_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}


def test_age_threshold_setting_changes_the_verdict(iot, root):
    register_device(iot, make_device(root, not_before=days(-100)))
    configure(iot, AGE, CERT_AGE_THRESHOLD_IN_DAYS=30)
    assert_result(run(iot, AGE)[1], total=1, noncompliant=1)
    configure(iot, AGE, CERT_AGE_THRESHOLD_IN_DAYS=3652)
    assert_result(run(iot, AGE)[1], total=1, noncompliant=0)


# -- key quality ----------------------------------------------------------------------------


WEAK_KEYS: dict[str, tuple[Callable[[], Any], str]] = {
    "rsa-1024": (lambda: rsa_key(1024).public_key(), DEBIAN),
    "ec-secp192r1": (lambda: ec_key("secp192r1").public_key(), DEBIAN),
    "ec-secp224r1": (lambda: ec_key("secp224r1").public_key(), DEBIAN),
    "dsa": (lambda: dsa_key().public_key(), DEBIAN),
    "rsa-2048-roca": (lambda: rsa_public_key(roca_modulus(2048)), ROCA),
    "rsa-1024-roca": (lambda: rsa_public_key(roca_modulus(1024)), ROCA),
}
STRONG_KEYS: dict[str, Callable[[], Any]] = {
    "ec-secp256r1": lambda: ec_key("secp256r1").public_key(),
    "ec-secp384r1": lambda: ec_key("secp384r1").public_key(),
    "rsa-2048": lambda: rsa_public_key(plain_rsa_modulus(2048)),
    "rsa-3072-exponent-3": lambda: rsa_public_key(plain_rsa_modulus(3072), exponent=3),
}


@pytest.mark.parametrize("name", list(WEAK_KEYS))
def test_weak_device_key(iot, root, name):
    public_key, code = WEAK_KEYS[name]
    cert_id = register_device(iot, make_device(root, public_key=public_key()))
    task_id, detail = run(iot, KEY)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == code
    assert finding["reasonForNonCompliance"]
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}


@pytest.mark.parametrize("name", list(STRONG_KEYS))
def test_strong_device_key(iot, root, name):
    register_device(iot, make_device(root, public_key=STRONG_KEYS[name]()))
    task_id, detail = run(iot, KEY)
    assert_result(detail, total=1, noncompliant=0)
    assert findings(iot, task_id) == []


def test_an_ec_key_inside_an_extension_is_not_the_certificates_key(iot, root):
    # A hybrid-style extension carrying a strong EC public key must not hide a weak RSA key.
    embedded = ec_key("secp384r1").public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    extension = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.72"), embedded)
    register_device(iot, make_device(root, public_key=rsa_key(1024).public_key(), extensions=(extension,)))
    task_id, detail = run(iot, KEY)
    assert_result(detail, total=1, noncompliant=1)
    assert findings(iot, task_id)[0]["reasonForNonComplianceCode"] == DEBIAN


def test_ca_key_quality(iot):
    weak = make_ca("Weak CA", key=rsa_key(1024))
    strong = make_ca("Strong CA")
    weak_id = register_ca(iot, weak)
    register_ca(iot, strong)
    register_device(iot, make_device(weak, public_key=rsa_key(1024).public_key()))  # not a CA: not counted
    task_id, detail = run(iot, CA_KEY)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["reasonForNonComplianceCode"] == DEBIAN
    assert finding["nonCompliantResource"]["resourceType"] == "CA_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"caCertificateId": weak_id}


def test_ca_with_a_strong_key_is_compliant(iot):
    register_ca(iot, make_ca("Strong CA", key=ec_key("secp384r1")))
    register_ca(iot, make_ca("Inactive weak CA", key=rsa_key(1024)), active=False)  # INACTIVE: not examined
    assert_result(run(iot, CA_KEY)[1], total=1, noncompliant=0)


# -- CA_CERTIFICATE_EXPIRING_CHECK --------------------------------------------------------


def test_ca_certificate_expiring(iot):
    soon = register_ca(iot, make_ca("Soon", not_after=days(10)))
    gone = register_ca(iot, make_ca("Gone", not_before=days(-900), not_after=days(-1)))
    register_ca(iot, make_ca("Later", not_after=days(45)))  # the threshold is a fixed 30 days
    register_ca(iot, make_ca("Inactive", not_after=days(1)), active=False)
    task_id, detail = run(iot, CA_EXPIRING)
    assert_result(detail, total=3, noncompliant=2)
    codes = {f["nonCompliantResource"]["resourceIdentifier"]["caCertificateId"]: f["reasonForNonComplianceCode"]
             for f in findings(iot, task_id)}
    assert codes == {soon: "CERTIFICATE_APPROACHING_EXPIRATION", gone: "CERTIFICATE_PAST_EXPIRATION"}
    for finding in findings(iot, task_id):
        assert finding["nonCompliantResource"]["resourceType"] == "CA_CERTIFICATE"
        assert "EXPIRATION_TIME" in finding["nonCompliantResource"]["additionalInfo"]


def test_ca_certificate_far_from_expiry_is_compliant(iot, root):
    register_ca(iot, root)
    register_device(iot, make_device(root, not_after=days(1)))  # device certificates are not this check's
    assert_result(run(iot, CA_EXPIRING)[1], total=1, noncompliant=0)


# -- REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK -----------------------------------------------


def test_revoked_ca_with_active_device_certificates(iot):
    ca = make_ca("Revoked CA")
    ca_id = register_ca(iot, ca)
    linked = register_device(iot, make_device(ca, "linked"), ca=ca)  # moto links it by caCertificatePem
    by_name = register_device(iot, make_device(ca, "by-name"))  # found by issuer name and signature
    register_device(iot, make_device(ca, "inactive"), status="INACTIVE")
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=0)

    revoke(iot, ca_id)
    task_id, detail = run(iot, REVOKED_CA)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_REVOKED_BY_ISSUER"
    assert finding["nonCompliantResource"]["resourceType"] == "CA_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"caCertificateId": ca_id}
    devices = [r["resourceIdentifier"]["deviceCertificateId"] for r in finding["relatedResources"]]
    assert sorted(devices) == sorted([linked, by_name])
    assert {r["resourceType"] for r in finding["relatedResources"]} == {"DEVICE_CERTIFICATE"}
    assert related(iot, finding["findingId"]) == finding["relatedResources"]


def test_revoked_ca_without_active_device_certificates_is_compliant(iot, root):
    ca_id = register_ca(iot, make_ca("Lonely CA"))
    register_ca(iot, root)
    register_device(iot, make_device(root))  # under another, unrevoked CA
    revoke(iot, ca_id)
    assert_result(run(iot, REVOKED_CA)[1], total=2, noncompliant=0)


def test_same_issuer_name_but_another_key_is_not_the_revoked_ca(iot):
    ca = make_ca("Twin CA")
    impostor = make_ca("Twin CA", key=ec_key("secp384r1"))  # same subject, different key
    revoke(iot, register_ca(iot, ca))
    register_device(iot, make_device(impostor))
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=0)


# -- REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK --------------------------------------------


def test_device_certificate_under_a_revoked_ca(iot, root):
    ca = make_ca("Revoked CA")
    revoked_id = register_device(iot, make_device(ca, "below-revoked"))
    register_device(iot, make_device(root, "below-root"))
    register_device(iot, make_device(ca, "inactive"), status="INACTIVE")
    register_ca(iot, root)
    ca_id = register_ca(iot, ca)
    assert_result(run(iot, REVOKED_DEVICE)[1], total=2, noncompliant=0)

    revoke(iot, ca_id)
    task_id, detail = run(iot, REVOKED_DEVICE)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "MEDIUM"
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_REVOKED_BY_ISSUER"
    assert finding["nonCompliantResource"]["resourceType"] == "DEVICE_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": revoked_id}


def test_device_certificate_whose_revocation_was_recorded(iot, root):
    listed = make_device(root, "listed", serial=0xABCDEF0123)
    listed_id = register_device(iot, listed)
    register_device(iot, make_device(root, "same-serial-other-issuer", serial=0x77))
    register_device(iot, make_device(make_ca("Other CA"), "other", serial=0xABCDEF0123))
    backend = audit_backends[ACCOUNT][REGION]
    backend.record_revocation(root.subject, "AB:CD:EF:01:23")
    backend.record_revocation("CN=Nobody", 0x77)
    with pytest.raises(InvalidRequestException):
        backend.record_revocation(root.subject, "not-hex")
    task_id, detail = run(iot, REVOKED_DEVICE)
    assert_result(detail, total=3, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": listed_id}


# -- INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK -------------------------------


def test_revoked_intermediate_ca_with_active_device_certificates(iot, root):
    intermediate = make_ca("Issuing CA", issuer=root, serial=0x1F2E3D)
    register_ca(iot, root)
    intermediate_id = register_ca(iot, intermediate)
    devices = sorted(register_device(iot, make_device(intermediate, f"device-{i}")) for i in range(12))
    register_device(iot, make_device(root, "below-root"))
    assert_result(run(iot, INTERMEDIATE)[1], total=2, noncompliant=0)

    revoke(iot, intermediate_id)
    task_id, detail = run(iot, INTERMEDIATE)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    identifier = {"issuerCertificateIdentifier": {
        "issuerCertificateSubject": intermediate.subject,
        "issuerId": intermediate_id,
        "issuerCertificateSerialNumber": "1f2e3d",
    }}
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == "INTERMEDIATE_CA_REVOKED_BY_ISSUER"
    assert finding["nonCompliantResource"]["resourceType"] == "ISSUER_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == identifier
    # DescribeAuditFinding leaves relatedResources empty for this check; the related-resources list has them all.
    described = iot.describe_audit_finding(findingId=finding["findingId"])["finding"]
    assert described.get("relatedResources", []) == []
    listed = sorted(r["resourceIdentifier"]["deviceCertificateId"] for r in related(iot, finding["findingId"]))
    assert listed == devices
    # The identifier round-trips as a filter.
    assert len(iot.list_audit_findings(taskId=task_id, resourceIdentifier=identifier)["findings"]) == 1


def test_revoked_root_ca_is_not_an_intermediate(iot):
    ca = make_ca("Root CA")
    revoke(iot, register_ca(iot, ca))
    register_device(iot, make_device(ca))
    assert_result(run(iot, INTERMEDIATE)[1], total=1, noncompliant=0)
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=1)


def test_revoked_intermediate_reaches_device_certificates_further_down_the_chain(iot, root):
    upper = make_ca("Upper CA", issuer=root)
    lower = make_ca("Lower CA", issuer=upper)
    register_ca(iot, root)
    upper_id = register_ca(iot, upper)
    register_ca(iot, lower)
    device_id = register_device(iot, make_device(lower, "deep"), ca=lower)
    revoke(iot, upper_id)
    task_id, detail = run(iot, INTERMEDIATE)
    assert_result(detail, total=3, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["nonCompliantResource"]["resourceIdentifier"]["issuerCertificateIdentifier"]["issuerId"] == upper_id
    assert [r["resourceIdentifier"] for r in related(iot, finding["findingId"])] == [
        {"deviceCertificateId": device_id}]


def test_revoked_intermediate_without_active_device_certificates_is_compliant(iot, root):
    intermediate = make_ca("Quiet CA", issuer=root)
    revoke(iot, register_ca(iot, intermediate))
    register_device(iot, make_device(intermediate), status="INACTIVE")
    assert_result(run(iot, INTERMEDIATE)[1], total=1, noncompliant=0)


# -- findings are frozen when the task runs --------------------------------------------------


def _expired(iot: Any, root: Issued) -> Callable[[], None]:
    cert_id = register_device(iot, make_device(root, not_before=days(-30), not_after=days(-1)))
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="INACTIVE")


def _old(iot: Any, root: Issued) -> Callable[[], None]:
    cert_id = register_device(iot, make_device(root, not_before=days(-500)))
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="REVOKED")


def _weak(iot: Any, root: Issued) -> Callable[[], None]:
    cert_id = register_device(iot, make_device(root, public_key=rsa_key(1024).public_key()))
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="INACTIVE")


def _weak_ca(iot: Any, root: Issued) -> Callable[[], None]:
    ca_id = register_ca(iot, make_ca("Weak CA", key=rsa_key(1024)))
    return lambda: iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")


def _expiring_ca(iot: Any, root: Issued) -> Callable[[], None]:
    ca_id = register_ca(iot, make_ca("Expiring CA", not_after=days(3)))
    return lambda: iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")


def _revoked_ca(iot: Any, root: Issued) -> Callable[[], None]:
    intermediate = make_ca("Revoked CA", issuer=root)
    ca_id = register_ca(iot, intermediate)
    cert_id = register_device(iot, make_device(intermediate), ca=intermediate)
    revoke(iot, ca_id)
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="REVOKED")


SCENARIOS = {
    EXPIRING: _expired, AGE: _old, KEY: _weak, CA_KEY: _weak_ca, CA_EXPIRING: _expiring_ca,
    REVOKED_CA: _revoked_ca, REVOKED_DEVICE: _revoked_ca, INTERMEDIATE: _revoked_ca,
}


@pytest.mark.parametrize("check", list(SCENARIOS))
def test_a_later_change_does_not_rewrite_an_earlier_tasks_findings(iot, root, check):
    fix = SCENARIOS[check](iot, root)
    first_id, first = run(iot, check)
    assert first["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    before = findings(iot, first_id)
    assert len(before) == 1

    fix()
    second_id, second = run(iot, check)
    assert second["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert findings(iot, second_id) == []

    assert details(iot, first_id, check) == first
    assert findings(iot, first_id) == before


# -- several checks in one task, and the shared cache -------------------------------------------


def test_several_certificate_checks_in_one_task(iot, root):
    register_ca(iot, root)
    register_device(iot, make_device(root, "old-and-expiring", not_before=days(-400), not_after=days(5)))
    register_device(iot, make_device(root, "weak", public_key=rsa_key(1024).public_key()))
    register_device(iot, make_device(root, "fine", not_before=days(-1), not_after=days(400)))
    checks = (EXPIRING, AGE, KEY, CA_EXPIRING, CA_KEY, REVOKED_CA, REVOKED_DEVICE, INTERMEDIATE)
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in checks})
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    described = iot.describe_audit_task(taskId=task_id)
    assert described["taskStatus"] == "COMPLETED"
    counts = {check: (d["totalResourcesCount"], d["nonCompliantResourcesCount"])
              for check, d in described["auditDetails"].items()}
    assert counts == {
        EXPIRING: (3, 1), AGE: (3, 1), KEY: (3, 1), CA_EXPIRING: (1, 0), CA_KEY: (1, 0),
        REVOKED_CA: (1, 0), REVOKED_DEVICE: (3, 0), INTERMEDIATE: (1, 0),
    }
    assert described["taskStatistics"]["nonCompliantChecks"] == 3
    assert {f["checkName"] for f in findings(iot, task_id)} == {EXPIRING, AGE, KEY}


def test_each_pem_is_read_once_across_checks_and_tasks(iot, root):
    pems = [make_device(root, f"cached-{i}", not_after=days(i + 1)) for i in range(20)]
    for device in pems:
        register_device(iot, device)
    certificates.certificate_facts.cache_clear()
    audit(iot, EXPIRING, AGE, KEY)
    assert certificates.certificate_facts.cache_info().misses == 20
    audit(iot, EXPIRING, AGE, KEY)
    assert certificates.certificate_facts.cache_info().misses == 20


def test_roca_fingerprint_is_specific():
    assert certificates.has_roca_fingerprint(roca_modulus(2048))
    assert not certificates.has_roca_fingerprint(plain_rsa_modulus(2048))
    assert not certificates.has_roca_fingerprint(rsa_key(1024).public_key().public_numbers().n)
