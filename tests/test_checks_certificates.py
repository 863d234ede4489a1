"""The expiry and age checks (check-triggers.md §3, §6, §7) through real boto3 clients, plus what every
certificate check shares: frozen findings, several checks in one task, the evaluation instant, per-mock readings.

Certificates are made with cryptography, registered in moto's IoT, audited on demand and read back with
DescribeAuditTask and the findings operations. Key quality is in test_key_quality.py, revocation in
test_checks_revocation.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from certificate_audits import (
    AGE,
    CA_EXPIRING,
    CA_KEY,
    CERTIFICATE_CHECKS,
    INTERMEDIATE,
    KEY,
    REVOKED_CA,
    REVOKED_DEVICE,
    assert_result,
    audit,
    configure,
    details,
    epoch_ms,
    findings,
    register_ca,
    register_device,
    run,
)
from certs import Issued, days, make_ca, make_device
from conftest import ACCOUNT, EXPIRING, REGION, backend

from iot_audit_fake import mock_iot_audit
from iot_audit_fake.checks import engine
from iot_audit_fake.checks.x509_facts import readings


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_ca("Test Root CA")


# -- §7 DEVICE_CERTIFICATE_EXPIRING_CHECK -------------------------------------------------------


def test_s7_device_certificate_far_from_expiry_is_compliant(iot, root):
    register_device(iot, make_device(root, not_after=days(365)))
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=0)
    assert findings(iot, task_id) == []


def test_s7_approaching_expiration_carries_expiration_time(iot, root):
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
    assert not finding.get("relatedResources")
    assert finding["isSuppressed"] is False


def test_s7_expired_but_active_certificate_is_past_expiration(iot, root):
    device = make_device(root, not_before=days(-400), not_after=days(-1))
    register_device(iot, device)
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_EXPIRATION"
    assert finding["reasonForNonCompliance"] == "Certificate is past its expiration."
    assert finding["nonCompliantResource"]["additionalInfo"]["EXPIRATION_TIME"] == epoch_ms(
        device.cert.not_valid_after_utc)


def test_s7_expiration_threshold_setting_changes_the_verdict(iot, root):
    register_device(iot, make_device(root, not_after=days(45)))
    assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=0)  # default 30 days
    configure(iot, EXPIRING, CERT_EXPIRATION_THRESHOLD_IN_DAYS=60)
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=1, noncompliant=1)
    assert findings(iot, task_id)[0]["reasonForNonComplianceCode"] == "CERTIFICATE_APPROACHING_EXPIRATION"
    configure(iot, EXPIRING, CERT_EXPIRATION_THRESHOLD_IN_DAYS=30)
    assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=0)


def test_s7_boundaries_are_inclusive_on_the_compliant_side(iot, root):
    # §3/§7 [INF]: APPROACHING when notAfter - now <= threshold; PAST only when now > notAfter.
    start = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    at_threshold = register_device(iot, make_device(root, "at-threshold", not_before=start - dt.timedelta(days=1),
                                                    not_after=start + dt.timedelta(days=30)))
    past_threshold = register_device(iot, make_device(root, "beyond", not_before=start - dt.timedelta(days=1),
                                                      not_after=start + dt.timedelta(days=30, seconds=1)))
    at_expiry = register_device(iot, make_device(root, "at-expiry", not_before=start - dt.timedelta(days=1),
                                                 not_after=start))
    with time_machine.travel(start, tick=False):
        task_id, _ = run(iot, EXPIRING)
    codes = {f["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"]: f["reasonForNonComplianceCode"]
             for f in findings(iot, task_id)}
    assert codes == {at_threshold: "CERTIFICATE_APPROACHING_EXPIRATION",
                     at_expiry: "CERTIFICATE_APPROACHING_EXPIRATION"}
    assert past_threshold not in codes


def test_s7_only_active_and_pending_transfer_device_certificates_are_examined(iot, root):
    ids = {status: register_device(iot, make_device(root, not_after=days(5)), status=status)
           for status in ("ACTIVE", "PENDING_TRANSFER", "INACTIVE", "REVOKED", "PENDING_ACTIVATION")}
    task_id, detail = run(iot, EXPIRING)
    assert_result(detail, total=2, noncompliant=2)
    flagged = {f["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"] for f in findings(iot, task_id)}
    assert flagged == {ids["ACTIVE"], ids["PENDING_TRANSFER"]}


def test_s7_a_pem_without_a_readable_certificate_is_not_examined(iot, root):
    iot.register_certificate_without_ca(certificatePem="not a certificate", status="ACTIVE")
    register_device(iot, make_device(root, not_after=days(5)))
    assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=1)


def test_s7_a_pem_with_a_chain_is_read_for_its_first_certificate(iot, root):
    device = make_device(root, not_after=days(5))
    long_lived = make_device(root, not_after=days(900))
    register_device(iot, device)
    iot.register_certificate_without_ca(certificatePem=long_lived.pem + root.pem, status="ACTIVE")
    iot.register_certificate_without_ca(certificatePem=(device.pem + root.pem).replace("\n", "\r\n"),
                                        status="ACTIVE")
    assert_result(run(iot, EXPIRING)[1], total=3, noncompliant=2)


def test_s7_validity_comes_from_the_pem_not_from_moto(iot, root):
    cert_id = register_device(iot, make_device(root, not_before=days(-3), not_after=days(-2)))
    # moto reports a placeholder validity of one day either side of registration.
    validity = iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["validity"]
    assert validity["notAfter"] > dt.datetime.now(dt.timezone.utc)
    task_id, _ = run(iot, EXPIRING)
    assert findings(iot, task_id)[0]["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_EXPIRATION"


# -- §3 CA_CERTIFICATE_EXPIRING_CHECK --------------------------------------------------------------


def test_s3_ca_certificate_expiring_uses_a_fixed_30_days(iot):
    soon = register_ca(iot, make_ca("Soon", not_after=days(10)))
    gone = register_ca(iot, make_ca("Gone", not_before=days(-900), not_after=days(-1)))
    register_ca(iot, make_ca("Later", not_after=days(45)))
    register_ca(iot, make_ca("Inactive", not_after=days(1)), active=False)
    task_id, detail = run(iot, CA_EXPIRING)
    assert_result(detail, total=3, noncompliant=2)
    codes = {f["nonCompliantResource"]["resourceIdentifier"]["caCertificateId"]: f["reasonForNonComplianceCode"]
             for f in findings(iot, task_id)}
    assert codes == {soon: "CERTIFICATE_APPROACHING_EXPIRATION", gone: "CERTIFICATE_PAST_EXPIRATION"}
    for finding in findings(iot, task_id):
        assert finding["severity"] == "MEDIUM"
        assert finding["nonCompliantResource"]["resourceType"] == "CA_CERTIFICATE"
        assert set(finding["nonCompliantResource"]["additionalInfo"]) == {"EXPIRATION_TIME"}
    # The device check's setting does not move the CA threshold.
    configure(iot, EXPIRING, CERT_EXPIRATION_THRESHOLD_IN_DAYS=60)
    assert_result(run(iot, CA_EXPIRING)[1], total=3, noncompliant=2)


def test_s3_ca_certificate_far_from_expiry_is_compliant(iot, root):
    register_ca(iot, root)
    register_device(iot, make_device(root, not_after=days(1)))  # device certificates are not this check's
    assert_result(run(iot, CA_EXPIRING)[1], total=1, noncompliant=0)


# -- §6 DEVICE_CERTIFICATE_AGE_CHECK ----------------------------------------------------------------


def test_s6_age_runs_from_registration_not_from_not_before(iot, root):
    # An old X.509 notBefore does not make a freshly registered certificate old ([INF] of §6).
    register_device(iot, make_device(root, "fresh", not_before=days(-1000)))
    with time_machine.travel(days(-400), tick=False):
        old_id = register_device(iot, make_device(root, "registered-long-ago", not_before=days(-1)))
    task_id, detail = run(iot, AGE)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "LOW"
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_AGE_THRESHOLD"
    assert finding["nonCompliantResource"]["resourceType"] == "DEVICE_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": old_id}
    assert not finding["nonCompliantResource"].get("additionalInfo")


def test_s6_age_equal_to_the_threshold_is_non_compliant(iot, root):
    registered = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    with time_machine.travel(registered, tick=False):
        register_device(iot, make_device(root, not_after=registered + dt.timedelta(days=3000)))
        configure(iot, AGE, CERT_AGE_THRESHOLD_IN_DAYS=30)
    with time_machine.travel(registered + dt.timedelta(days=30), tick=False):
        assert_result(run(iot, AGE)[1], total=1, noncompliant=1)  # "greater than or equal to"
    with time_machine.travel(registered + dt.timedelta(days=30, seconds=-1), tick=False):
        assert_result(run(iot, AGE)[1], total=1, noncompliant=0)


def test_s6_age_threshold_setting_changes_the_verdict(iot, root):
    with time_machine.travel(days(-100), tick=False):
        register_device(iot, make_device(root, not_before=days(-1)))
    configure(iot, AGE, CERT_AGE_THRESHOLD_IN_DAYS=30)
    assert_result(run(iot, AGE)[1], total=1, noncompliant=1)
    configure(iot, AGE, CERT_AGE_THRESHOLD_IN_DAYS=365)
    assert_result(run(iot, AGE)[1], total=1, noncompliant=0)


# -- G "Point in time": every time-based rule uses the evaluation's instant -------------------------


def test_g_time_rules_use_the_evaluation_instant_not_the_clock(iot, root):
    # A scheduled run evaluated late passes its own instant as Context.now; the verdicts follow it.
    with time_machine.travel(days(-400), tick=False):
        register_device(iot, make_device(root, "old", not_after=days(434)))  # 34 days left today
    register_ca(iot, make_ca("CA", not_after=days(20)))
    configure(iot, AGE)
    state = backend().state
    now = dt.datetime.now(dt.timezone.utc)

    def noncompliant(check: str, shift: float) -> int:
        return len(engine.run(check, engine.Context(state, now + dt.timedelta(days=shift))).noncompliant)

    assert noncompliant(EXPIRING, 0) == 0
    assert noncompliant(EXPIRING, 5) == 1
    assert noncompliant(AGE, 0) == 1
    assert noncompliant(AGE, -40) == 0
    assert noncompliant(CA_EXPIRING, 0) == 1
    assert noncompliant(CA_EXPIRING, -40) == 0


# -- findings are frozen when the task runs -------------------------------------------------------------


def _expired(iot: Any, root: Issued) -> Callable[[], None]:
    cert_id = register_device(iot, make_device(root, not_before=days(-30), not_after=days(-1)))
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="INACTIVE")


def _old(iot: Any, root: Issued) -> Callable[[], None]:
    with time_machine.travel(days(-500), tick=False):
        cert_id = register_device(iot, make_device(root, not_before=days(-1)))
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="REVOKED")


def _expiring_ca(iot: Any, root: Issued) -> Callable[[], None]:
    ca_id = register_ca(iot, make_ca("Expiring CA", not_after=days(3)))
    return lambda: iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")


def _revoked_ca(iot: Any, root: Issued) -> Callable[[], None]:
    intermediate = make_ca("Revoked CA", issuer=root)
    ca_id = register_ca(iot, intermediate)
    register_device(iot, make_device(intermediate), ca=intermediate)
    backend().record_revocation(root.subject, intermediate.cert.serial_number)
    return lambda: iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")


def _revoked_device(iot: Any, root: Issued) -> Callable[[], None]:
    device = make_device(root)
    cert_id = register_device(iot, device)
    backend().record_revocation(root.subject, device.cert.serial_number)
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="REVOKED")


def _revoked_intermediate(iot: Any, root: Issued) -> Callable[[], None]:
    intermediate = make_ca("Revoked intermediate", issuer=root)
    register_ca(iot, intermediate)
    cert_id = register_device(iot, make_device(intermediate))
    backend().record_revocation(root.subject, intermediate.cert.serial_number)
    return lambda: iot.update_certificate(certificateId=cert_id, newStatus="INACTIVE")


SCENARIOS = {
    EXPIRING: _expired, AGE: _old, CA_EXPIRING: _expiring_ca,
    REVOKED_CA: _revoked_ca, REVOKED_DEVICE: _revoked_device, INTERMEDIATE: _revoked_intermediate,
}


@pytest.mark.parametrize("check", list(SCENARIOS))
def test_g_a_later_change_does_not_rewrite_an_earlier_tasks_findings(iot, root, check):
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


# -- several checks in one task, and the readings a mock keeps -------------------------------------------


def test_g_every_certificate_check_in_one_task(iot, root):
    register_ca(iot, root)
    with time_machine.travel(days(-400), tick=False):
        register_device(iot, make_device(root, "old-and-expiring", not_after=days(405)))
    register_device(iot, make_device(root, "fine", not_after=days(400)))
    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/Audit",
        auditCheckConfigurations={check: {"enabled": True} for check in CERTIFICATE_CHECKS})
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(CERTIFICATE_CHECKS))["taskId"]
    described = iot.describe_audit_task(taskId=task_id)
    assert described["taskStatus"] == "COMPLETED"
    counts = {check: (d["totalResourcesCount"], d["nonCompliantResourcesCount"])
              for check, d in described["auditDetails"].items()}
    assert counts == {
        EXPIRING: (2, 1), AGE: (2, 1), KEY: (2, 0), CA_EXPIRING: (1, 0), CA_KEY: (1, 0),
        REVOKED_CA: (1, 0), REVOKED_DEVICE: (2, 0), INTERMEDIATE: (0, 0),
    }
    assert described["taskStatistics"]["nonCompliantChecks"] == 2
    assert {f["checkName"] for f in findings(iot, task_id)} == {EXPIRING, AGE}


def test_g_readings_do_not_outlive_the_mock(root):
    device = make_device(root, not_after=days(5))
    with mock_iot_audit():
        from conftest import client

        iot = client()
        register_device(iot, device)
        assert_result(run(iot, EXPIRING)[1], total=1, noncompliant=1)
        assert device.pem in readings[ACCOUNT][REGION].by_pem
    # moto's reset clears the readings with every other backend of the account.
    assert ACCOUNT not in readings


def test_g_readings_of_deregistered_certificates_are_dropped(iot, root):
    gone, kept = make_device(root, "gone"), make_device(root, "kept")
    gone_id = register_device(iot, gone)
    register_device(iot, kept)
    audit(iot, EXPIRING)
    iot.update_certificate(certificateId=gone_id, newStatus="INACTIVE")
    iot.delete_certificate(certificateId=gone_id)
    audit(iot, EXPIRING)
    assert set(readings[ACCOUNT][REGION].by_pem) == {kept.pem}


@pytest.mark.parametrize(("value", "accepted"), [("3650", True), ("3651", False), ("3652", False)])
def test_s6_age_threshold_above_3650_days_is_refused(iot, value, accepted):
    # The docs say 30-3652; the service refuses an age threshold above 3650 with a 400 (§6).
    configure(iot, EXPIRING)
    request = {AGE: {"enabled": True, "configuration": {"CERT_AGE_THRESHOLD_IN_DAYS": value}}}
    if accepted:
        iot.update_account_audit_configuration(auditCheckConfigurations=request)
        assert iot.describe_account_audit_configuration()["auditCheckConfigurations"][AGE]["configuration"] == {
            "CERT_AGE_THRESHOLD_IN_DAYS": value}
    else:
        with pytest.raises(iot.exceptions.InvalidRequestException):
            iot.update_account_audit_configuration(auditCheckConfigurations=request)
        assert iot.describe_account_audit_configuration()["auditCheckConfigurations"][AGE] == {"enabled": False}
    # The expiration threshold keeps its documented 3652.
    configure(iot, EXPIRING, CERT_EXPIRATION_THRESHOLD_IN_DAYS=3652)
