"""The revocation checks through real boto3 clients (check-triggers.md §16 REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK,
§17 REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, §10 INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK),
and the round trip of every certificate finding's resourceIdentifier (issue 11 item 9).

A CRL entry is recorded with ``backend.record_revocation(issuer, serial)``; moto's CA status REVOKED (outside
AWS's model) drives no verdict.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from certificate_audits import (
    AGE,
    CA_EXPIRING,
    CA_KEY,
    INTERMEDIATE,
    KEY,
    REVOKED_CA,
    REVOKED_DEVICE,
    assert_result,
    audit,
    findings,
    flagged,
    register_ca,
    register_device,
    related,
    run,
)
from certs import Issued, data_file, days, ec_key, make_ca, make_device
from conftest import EXPIRING, backend
from cryptography import x509

from iot_audit_fake.errors import InvalidRequestException

REVOKED_BY_ISSUER = "CERTIFICATE_REVOKED_BY_ISSUER"


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_ca("Revocation Root CA")


def revoke(issuer: Issued, revoked: Issued, serial: Any = None) -> None:
    """Put ``revoked`` on ``issuer``'s CRL."""
    backend().record_revocation(issuer.subject, revoked.cert.serial_number if serial is None else serial)


# -- §16 REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK ------------------------------------------------------


def test_s16_ca_on_its_issuers_crl_while_active(iot, root):
    intermediate = make_ca("Revoked Issuing CA", issuer=root)
    register_ca(iot, root)
    ca_id = register_ca(iot, intermediate)
    assert_result(run(iot, REVOKED_CA)[1], total=2, noncompliant=0)

    revoke(root, intermediate)
    task_id, detail = run(iot, REVOKED_CA)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == REVOKED_BY_ISSUER
    assert finding["nonCompliantResource"]["resourceType"] == "CA_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"caCertificateId": ca_id}
    # No device certificate is needed, and none is listed.
    assert not finding["nonCompliantResource"].get("additionalInfo")
    assert not finding.get("relatedResources")
    assert related(iot, finding["findingId"]) == []


def test_s16_device_certificates_below_do_not_change_the_finding(iot, root):
    intermediate = make_ca("Busy CA", issuer=root)
    ca_id = register_ca(iot, intermediate)
    for i in range(3):
        register_device(iot, make_device(intermediate, f"device-{i}"), ca=intermediate)
    revoke(root, intermediate)
    task_id, detail = run(iot, REVOKED_CA)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"caCertificateId": ca_id}
    assert not finding.get("relatedResources")


def test_s16_marking_the_ca_inactive_is_the_fix(iot, root):
    intermediate = make_ca("Fixed CA", issuer=root)
    ca_id = register_ca(iot, intermediate)
    revoke(root, intermediate)
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=1)
    iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")
    assert_result(run(iot, REVOKED_CA)[1], total=0, noncompliant=0)


def test_s16_revocation_recorded_before_registration_counts(iot, root):
    intermediate = make_ca("Late CA", issuer=root)
    revoke(root, intermediate)
    ca_id = register_ca(iot, intermediate)
    task_id, _ = run(iot, REVOKED_CA)
    assert flagged(iot, task_id, REVOKED_CA) == [{"caCertificateId": ca_id}]


def test_s16_the_entry_must_name_the_cas_own_issuer(iot, root):
    other_root = make_ca("Other Root CA")
    intermediate = make_ca("Innocent CA", issuer=root, serial=0x5EED)
    register_ca(iot, intermediate)
    backend().record_revocation(other_root.subject, 0x5EED)  # same serial, another issuer's CRL
    backend().record_revocation(root.subject, 0x5EEE)  # the right CRL, another serial
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=0)


@pytest.mark.parametrize("written", [0x0A1B2C, "0a1b2c", "0A:1B:2C", "0x0a1b2c", "a1b2c"])
def test_s16_serials_match_however_written(iot, root, written):
    intermediate = make_ca("Serial CA", issuer=root, serial=0x0A1B2C)
    register_ca(iot, intermediate)
    backend().record_revocation(root.subject, written)
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=1)


def test_s16_issuer_names_match_by_attributes(iot, root):
    intermediate = make_ca("Named CA", issuer=root)
    register_ca(iot, intermediate)
    # The same Name with the attribute types written as OIDs.
    spelled = root.subject.replace("CN=", "2.5.4.3=").replace("O=", "2.5.4.10=")
    backend().record_revocation(spelled, intermediate.cert.serial_number)
    assert_result(run(iot, REVOKED_CA)[1], total=1, noncompliant=1)


# -- moto's CA status REVOKED drives no verdict ----------------------------------------------------------


def test_moto_revoked_ca_status_drives_no_revocation_verdict(iot, root):
    intermediate = make_ca("Status-only CA", issuer=root)
    register_ca(iot, root)
    ca_id = register_ca(iot, intermediate)
    register_device(iot, make_device(intermediate, "below"), ca=intermediate)
    iot.update_ca_certificate(certificateId=ca_id, newStatus="REVOKED")  # moto accepts it; AWS's model does not
    task_id = audit(iot, REVOKED_CA, REVOKED_DEVICE, INTERMEDIATE)
    described = iot.describe_audit_task(taskId=task_id)["auditDetails"]
    assert described[REVOKED_CA]["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert described[REVOKED_CA]["totalResourcesCount"] == 1  # the root: a REVOKED CA is not ACTIVE
    assert described[REVOKED_DEVICE]["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert described[INTERMEDIATE]["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert findings(iot, task_id) == []


# -- §17 REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK ---------------------------------------------------


def test_s17_device_certificate_on_its_cas_crl(iot, root):
    listed = make_device(root, "listed", serial=0xABCDEF0123)
    listed_id = register_device(iot, listed)
    register_device(iot, make_device(root, "not-listed", serial=0x77))
    register_device(iot, make_device(make_ca("Other CA"), "other-issuer", serial=0xABCDEF0123))
    backend().record_revocation(root.subject, "AB:CD:EF:01:23")
    backend().record_revocation("CN=Nobody", 0x77)
    task_id, detail = run(iot, REVOKED_DEVICE)
    assert_result(detail, total=3, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "MEDIUM"
    assert finding["reasonForNonComplianceCode"] == REVOKED_BY_ISSUER
    assert finding["nonCompliantResource"]["resourceType"] == "DEVICE_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": listed_id}
    assert not finding["nonCompliantResource"].get("additionalInfo")
    assert not finding.get("relatedResources")


def test_s17_a_revoked_ca_does_not_by_itself_flag_its_devices(iot, root):
    intermediate = make_ca("Revoked parent", issuer=root)
    register_ca(iot, intermediate)
    register_device(iot, make_device(intermediate, "child"), ca=intermediate)
    revoke(root, intermediate)
    assert_result(run(iot, REVOKED_DEVICE)[1], total=1, noncompliant=0)


@pytest.mark.parametrize("status,examined", [("ACTIVE", True), ("PENDING_TRANSFER", True),
                                             ("INACTIVE", False), ("REVOKED", False)])
def test_s17_iot_status_revoked_or_inactive_is_compliant(iot, root, status, examined):
    device = make_device(root, status)
    register_device(iot, device, status=status)
    revoke(root, device)
    assert_result(run(iot, REVOKED_DEVICE)[1], total=int(examined), noncompliant=int(examined))


def test_s17_bad_entries_are_refused_without_a_change(iot, root):
    audit = backend()
    before = set(audit.state.revoked_serials)
    for issuer, serial in ((root.subject, "not-hex"), (root.subject, -5), (root.subject, ""), ("not a name", 1),
                           (root.subject, 1.5)):
        with pytest.raises(InvalidRequestException):
            audit.record_revocation(issuer, serial)
    assert audit.state.revoked_serials == before


# -- §10 INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK ------------------------------------


def issuer_identifier(ca: Issued, ski: str) -> dict[str, Any]:
    return {"issuerCertificateIdentifier": {
        "issuerCertificateSubject": ca.subject,
        "issuerId": ski,
        "issuerCertificateSerialNumber": format(ca.cert.serial_number, "x"),
    }}


def computed_ski(ca: Issued) -> str:
    return x509.SubjectKeyIdentifier.from_public_key(ca.cert.public_key()).digest.hex()


def test_s10_revoked_intermediate_with_active_device_certificates(iot, root):
    ski = x509.SubjectKeyIdentifier(bytes.fromhex("0102030405060708"))
    intermediate = make_ca("Issuing CA", issuer=root, serial=0x1F2E3D, extensions=(ski,))
    register_ca(iot, root)
    register_ca(iot, intermediate)
    devices = {register_device(iot, make_device(intermediate, f"device-{i}")) for i in range(12)}
    register_device(iot, make_device(intermediate, "inactive"), status="INACTIVE")
    register_device(iot, make_device(root, "below-root"))
    assert_result(run(iot, INTERMEDIATE)[1], total=1, noncompliant=0)  # one intermediate known

    revoke(root, intermediate)
    task_id, detail = run(iot, INTERMEDIATE)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    identifier = issuer_identifier(intermediate, "0102030405060708")
    assert identifier["issuerCertificateIdentifier"]["issuerCertificateSerialNumber"] == "1f2e3d"
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == "INTERMEDIATE_CA_REVOKED_BY_ISSUER"
    assert finding["nonCompliantResource"]["resourceType"] == "ISSUER_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == identifier
    # DescribeAuditFinding leaves relatedResources unpopulated; ListRelatedResourcesForAuditFinding has them all.
    described = iot.describe_audit_finding(findingId=finding["findingId"])["finding"]
    assert not described.get("relatedResources")
    listed = related(iot, finding["findingId"])
    assert {r["resourceIdentifier"]["deviceCertificateId"] for r in listed} == devices
    for resource in listed:
        assert resource["resourceType"] == "DEVICE_CERTIFICATE"
        cert_id = resource["resourceIdentifier"]["deviceCertificateId"]
        arn = iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["certificateArn"]
        assert resource["resourceIdentifier"] == {"deviceCertificateId": cert_id, "deviceCertificateArn": arn}


def test_s10_issuer_id_without_the_extension_is_the_key_identifier(iot, root):
    intermediate = make_ca("No SKI CA", issuer=root)
    register_ca(iot, intermediate)
    register_device(iot, make_device(intermediate))
    revoke(root, intermediate)
    task_id, _ = run(iot, INTERMEDIATE)
    assert flagged(iot, task_id, INTERMEDIATE) == [issuer_identifier(intermediate, computed_ski(intermediate))]


def test_s10_the_intermediate_need_not_be_registered(iot, root):
    # Only the device's PEM carries the intermediate (a chain uploaded with it).
    intermediate = make_ca("External Issuing CA", issuer=root)
    device_id = register_device(iot, make_device(intermediate).pem + intermediate.pem)
    revoke(root, intermediate)
    task_id, detail = run(iot, INTERMEDIATE)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["nonCompliantResource"]["resourceIdentifier"] == issuer_identifier(
        intermediate, computed_ski(intermediate))
    assert [r["resourceIdentifier"]["deviceCertificateId"] for r in related(iot, finding["findingId"])] == [device_id]
    # The intermediate is not an IoT CA certificate, so the CA check has nothing to report.
    assert_result(run(iot, REVOKED_CA)[1], total=0, noncompliant=0)


def test_s10_reaches_device_certificates_further_down_the_chain(iot, root):
    upper = make_ca("Upper CA", issuer=root)
    lower = make_ca("Lower CA", issuer=upper)
    register_ca(iot, root)
    register_ca(iot, upper)
    register_ca(iot, lower)
    device_id = register_device(iot, make_device(lower, "deep"), ca=lower)
    revoke(root, upper)
    task_id, detail = run(iot, INTERMEDIATE)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    identifier = finding["nonCompliantResource"]["resourceIdentifier"]["issuerCertificateIdentifier"]
    assert identifier["issuerCertificateSubject"] == upper.subject
    assert [r["resourceIdentifier"]["deviceCertificateId"] for r in related(iot, finding["findingId"])] == [device_id]


def test_s10_a_revoked_root_is_not_an_intermediate(iot):
    ca = make_ca("Self-revoking Root")
    ca_id = register_ca(iot, ca)
    register_device(iot, make_device(ca))
    revoke(ca, ca)
    assert_result(run(iot, INTERMEDIATE)[1], total=0, noncompliant=0)
    task_id, _ = run(iot, REVOKED_CA)  # §16 reads the CRL entry all the same
    assert flagged(iot, task_id, REVOKED_CA) == [{"caCertificateId": ca_id}]


def test_s10_revoked_intermediate_without_active_device_certificates_is_compliant(iot, root):
    intermediate = make_ca("Quiet CA", issuer=root)
    register_ca(iot, intermediate)
    register_device(iot, make_device(intermediate), status="INACTIVE")
    revoke(root, intermediate)
    assert_result(run(iot, INTERMEDIATE)[1], total=1, noncompliant=0)


def test_s10_same_name_but_another_key_is_not_the_issuer(iot, root):
    intermediate = make_ca("Twin CA", issuer=root)
    impostor = make_ca("Twin CA", issuer=root, key=ec_key("secp384r1"))  # same subject, another key
    register_ca(iot, intermediate)
    register_device(iot, make_device(impostor))
    revoke(root, intermediate)
    assert_result(run(iot, INTERMEDIATE)[1], total=1, noncompliant=0)


# -- item 9: every certificate finding's identifier is accepted back -------------------------------------


def _every_certificate_finding(iot: Any, root: Issued) -> str:
    """One task in which every certificate check reports something; returns its id."""
    long_serial = int("7f" + "a5" * 19, 16)  # 20 octets: 40 hex digits, over the model's 20 characters
    intermediate = make_ca("Intermédiaire Émetteur", issuer=root, serial=long_serial)  # non-ASCII subject
    register_ca(iot, intermediate)
    register_ca(iot, make_ca("Expiring CA", not_after=days(5)))
    register_ca(iot, data_file("roca", "cert04.pem").read_text())
    with time_machine.travel(days(-400), tick=False):
        device = make_device(intermediate, "everything-wrong", not_after=days(410))
        register_device(iot, device)
    register_device(iot, data_file("roca", "cert05.pem").read_text())
    revoke(root, intermediate)
    revoke(intermediate, device)
    return audit(iot, EXPIRING, AGE, KEY, CA_EXPIRING, CA_KEY, REVOKED_CA, REVOKED_DEVICE, INTERMEDIATE)


def test_every_certificate_finding_identifier_round_trips(iot, root):
    task_id = _every_certificate_finding(iot, root)
    produced = findings(iot, task_id)
    assert {f["checkName"] for f in produced} == {EXPIRING, AGE, KEY, CA_EXPIRING, CA_KEY, REVOKED_CA,
                                                   REVOKED_DEVICE, INTERMEDIATE}
    [issuer] = [f for f in produced if f["checkName"] == INTERMEDIATE]
    serial = issuer["nonCompliantResource"]["resourceIdentifier"]["issuerCertificateIdentifier"][
        "issuerCertificateSerialNumber"]
    assert len(serial) == 40
    for i, finding in enumerate(produced):
        check, identifier = finding["checkName"], finding["nonCompliantResource"]["resourceIdentifier"]
        selected = iot.list_audit_findings(taskId=task_id, checkName=check, resourceIdentifier=identifier)["findings"]
        assert [f["findingId"] for f in selected] == [finding["findingId"]]
        iot.create_audit_suppression(checkName=check, resourceIdentifier=identifier, suppressIndefinitely=True,
                                     clientRequestToken=f"round-trip-{i}")
        described = iot.describe_audit_suppression(checkName=check, resourceIdentifier=identifier)
        assert described["resourceIdentifier"] == identifier
    # The suppressions apply to the next run: every finding comes back suppressed.
    again = findings(iot, audit(iot, EXPIRING, AGE, KEY, CA_EXPIRING, CA_KEY, REVOKED_CA, REVOKED_DEVICE,
                                INTERMEDIATE))
    assert len(again) == len(produced)
    assert all(f["isSuppressed"] for f in again)


def test_serials_beyond_20_octets_are_still_refused(iot):
    identifier = {"issuerCertificateIdentifier": {
        "issuerCertificateSubject": "CN=x", "issuerId": "01", "issuerCertificateSerialNumber": "ab" * 30}}
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.list_audit_findings(startTime=days(-1), endTime=days(0), resourceIdentifier=identifier)
