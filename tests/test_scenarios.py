"""Scenarios: every section of the format, seen through the API; every way a scenario is refused.

Each test loads a scenario inside ``mock_iot_audit`` and looks at the result with real
boto3 clients only (moto's API for IoT resources, the fake's for the audit), so what is
asserted is what a user of the fake would see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError
from conftest import ACCOUNT, OTHER_ACCOUNT, UTC, client
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from iot_audit_fake import ScenarioError, dump_scenario, load_scenario, mock_iot_audit, validate_scenario
from iot_audit_fake.scenario import DEMO_SCENARIO_PATH

# ACCOUNT (moto's default account) is the top level of a scenario.
REGION = "us-east-1"  # the top level's default region
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AuditRole"
MITIGATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/MitigationRole"
WIDE_OPEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}


def iot(region: str = REGION, account: str | None = None) -> Any:
    """A boto3 IoT client; with ``account``, every request names that account (``x-moto-account-id``)."""
    iot_client = client("iot", region=region)
    if account is not None:
        def add_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        iot_client.meta.events.register("before-sign", add_account)
    return iot_client


def body(response: dict[str, Any]) -> dict[str, Any]:
    """A response without its ResponseMetadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def parsed(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def common_name(name: x509.Name) -> str:
    return str(name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def certificate_ids(iot_client: Any) -> list[str]:
    return [c["certificateId"] for c in iot_client.list_certificates()["certificates"]]


def window() -> dict[str, dt.datetime]:
    now = dt.datetime.now(UTC)
    return {"startTime": now - dt.timedelta(days=89), "endTime": now + dt.timedelta(days=1)}


def audit(iot_client: Any, *checks: str) -> dict[str, Any]:
    """Run an on-demand audit of ``checks``; its findings by check name."""
    task_id = iot_client.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    assert iot_client.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    findings: dict[str, Any] = {}
    for finding in iot_client.list_audit_findings(taskId=task_id)["findings"]:
        findings.setdefault(finding["checkName"], []).append(finding)
    return findings


def refused(scenario: Any) -> list[str]:
    """Load ``scenario`` (which must be refused) and return the messages."""
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(scenario)
    assert excinfo.value.messages, "a refusal carries at least one message"
    assert str(excinfo.value) == "\n".join(excinfo.value.messages)
    return excinfo.value.messages


# -- every section -------------------------------------------------------------------------------

CONFIGURED = """\
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/AuditRole
  checks:
    DEVICE_CERTIFICATE_EXPIRING_CHECK:
      enabled: true
      configuration: {CERT_EXPIRATION_THRESHOLD_IN_DAYS: 60}
    LOGGING_DISABLED_CHECK: {enabled: true}
    DEVICE_CERTIFICATE_AGE_CHECK: {enabled: false}
  sns:
    target_arn: arn:aws:sns:us-east-1:123456789012:audit-findings
    role_arn: arn:aws:iam::123456789012:role/AuditSnsRole
"""


def test_audit_configuration_sets_role_checks_settings_and_sns_target():
    with mock_iot_audit():
        load_scenario(CONFIGURED)
        config = iot().describe_account_audit_configuration()
        assert config["roleArn"] == ROLE
        checks = config["auditCheckConfigurations"]
        assert checks["DEVICE_CERTIFICATE_EXPIRING_CHECK"] == {
            "enabled": True, "configuration": {"CERT_EXPIRATION_THRESHOLD_IN_DAYS": "60"}}
        assert checks["LOGGING_DISABLED_CHECK"] == {"enabled": True}
        assert checks["DEVICE_CERTIFICATE_AGE_CHECK"] == {"enabled": False}
        assert checks["CA_CERTIFICATE_EXPIRING_CHECK"] == {"enabled": False}  # never configured
        assert config["auditNotificationTargetConfigurations"] == {"SNS": {
            "targetArn": "arn:aws:sns:us-east-1:123456789012:audit-findings",
            "roleArn": "arn:aws:iam::123456789012:role/AuditSnsRole", "enabled": True}}
        # Another region of the account is untouched.
        assert iot("eu-west-1").describe_account_audit_configuration().get("roleArn") is None


def test_logging_options_are_what_the_logging_check_reads():
    with mock_iot_audit():
        load_scenario(CONFIGURED + "logging: {role_arn: arn:aws:iam::123456789012:role/IoTLogging, level: WARN}\n")
        client_ = iot()
        assert body(client_.get_v2_logging_options()) == {
            "roleArn": "arn:aws:iam::123456789012:role/IoTLogging", "defaultLogLevel": "WARN",
            "disableAllLogs": False}
        assert "LOGGING_DISABLED_CHECK" not in audit(client_, "LOGGING_DISABLED_CHECK")
    with mock_iot_audit():
        load_scenario(CONFIGURED + "logging: {level: DISABLED}\n")
        findings = audit(iot(), "LOGGING_DISABLED_CHECK")["LOGGING_DISABLED_CHECK"]
        assert [f["nonCompliantResource"]["resourceIdentifier"] for f in findings] == [{"account": ACCOUNT}]


def test_thing_groups_things_attributes_and_membership():
    scenario = """
thing_groups: [{name: sensors}, {name: gateways}]
things:
  - {name: sensor-1, attributes: {model: th-100, site: plant-a}, groups: [sensors]}
  - {name: sensor-2, groups: [sensors, gateways]}
  - {name: loner}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        assert sorted(t["thingName"] for t in client_.list_things()["things"]) == ["loner", "sensor-1", "sensor-2"]
        assert client_.describe_thing(thingName="sensor-1")["attributes"] == {"model": "th-100", "site": "plant-a"}
        assert sorted(g["groupName"] for g in client_.list_thing_groups()["thingGroups"]) == ["gateways", "sensors"]
        assert sorted(client_.list_things_in_thing_group(thingGroupName="sensors")["things"]) == [
            "sensor-1", "sensor-2"]
        assert client_.list_things_in_thing_group(thingGroupName="gateways")["things"] == ["sensor-2"]


def test_policies_from_a_mapping_or_json_text_and_what_the_policy_check_sees():
    scenario = f"""
audit_configuration:
  role_arn: {ROLE}
  checks: {{IOT_POLICY_OVERLY_PERMISSIVE_CHECK: {{enabled: true}}}}
policies:
  - name: allow-everything
    document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "iot:*", Resource: "*"}}]}}
  - name: connect-only
    document: '{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "iot:Connect",
      "Resource": "arn:aws:iot:us-east-1:123456789012:client/sensor-1"}}]}}'
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        assert json.loads(client_.get_policy(policyName="allow-everything")["policyDocument"]) == WIDE_OPEN
        assert json.loads(client_.get_policy(policyName="connect-only")["policyDocument"])["Statement"][0][
            "Action"] == "iot:Connect"
        findings = audit(client_, "IOT_POLICY_OVERLY_PERMISSIVE_CHECK")["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"]
        assert [f["nonCompliantResource"]["resourceIdentifier"]["policyVersionIdentifier"]["policyName"]
                for f in findings] == ["allow-everything"]


CLOCK = "2031-05-01T12:00:00Z"
CLOCK_AT = dt.datetime(2031, 5, 1, 12, tzinfo=UTC)
CERTIFICATES = f"""
clock: {CLOCK}
things: [{{name: sensor-1}}, {{name: sensor-2}}]
policies:
  - name: fleet
    document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: iot:Connect, Resource: "*"}}]}}
ca_certificates:
  - {{name: root, subject: Example Root CA, key: {{type: rsa, size: 2048}}, not_before: -1000d, not_after: +3000d}}
  - {{name: issuing, subject: Example Issuing CA, issuer: root, status: INACTIVE}}
certificates:
  - name: sensor-1-cert
    subject: sensor-1
    key: {{type: rsa, size: 2048}}
    not_before: -400d
    not_after: +10d
    issuer: issuing
    things: [sensor-1]
    policies: [fleet]
  - {{name: sensor-2-cert, subject: sensor-2, key: {{type: ec, curve: secp384r1}}, not_after: 2032-01-01T00:00:00Z,
     things: [sensor-2]}}
  - {{name: defaults}}
  - {{name: revoked, subject: old-device, status: REVOKED}}
  - {{name: pending, status: PENDING_TRANSFER}}
"""


def test_generated_certificates_carry_subject_key_validity_and_issuer_in_their_pem():
    with mock_iot_audit():
        load_scenario(CERTIFICATES)
        client_ = iot()
        by_cn = {}
        for cert_id in certificate_ids(client_):
            description = client_.describe_certificate(certificateId=cert_id)["certificateDescription"]
            certificate = parsed(description["certificatePem"])
            by_cn[common_name(certificate.subject)] = (description, certificate)
        assert set(by_cn) == {"sensor-1", "sensor-2", "defaults", "old-device", "pending"}

        description, sensor_1 = by_cn["sensor-1"]
        assert description["status"] == "ACTIVE"
        assert isinstance(sensor_1.public_key(), rsa.RSAPublicKey) and sensor_1.public_key().key_size == 2048
        # Offsets count from the scenario's clock, to the second.
        assert sensor_1.not_valid_after_utc == CLOCK_AT + dt.timedelta(days=10)
        assert sensor_1.not_valid_before_utc == CLOCK_AT - dt.timedelta(days=400)
        assert common_name(sensor_1.issuer) == "Example Issuing CA"

        _, sensor_2 = by_cn["sensor-2"]
        assert isinstance(sensor_2.public_key(), ec.EllipticCurvePublicKey)
        assert sensor_2.public_key().curve.name == "secp384r1"
        assert sensor_2.not_valid_after_utc == dt.datetime(2032, 1, 1, tzinfo=UTC)  # absolute, unquoted in YAML
        assert sensor_2.issuer == sensor_2.subject  # self-signed without an issuer

        _, defaults = by_cn["defaults"]  # subject = label, EC P-256, -1d .. +365d
        assert isinstance(defaults.public_key(), ec.EllipticCurvePublicKey)
        assert defaults.public_key().curve.name == "secp256r1"
        assert defaults.not_valid_before_utc == CLOCK_AT - dt.timedelta(days=1)
        assert defaults.not_valid_after_utc == CLOCK_AT + dt.timedelta(days=365)
        assert by_cn["old-device"][0]["status"] == "REVOKED"  # a status the API cannot set
        assert by_cn["pending"][0]["status"] == "PENDING_TRANSFER"

        # Attachments.
        sensor_1_arn = description["certificateArn"]
        assert client_.list_principal_things(principal=sensor_1_arn)["things"] == ["sensor-1"]
        assert [p["policyName"] for p in client_.list_attached_policies(target=sensor_1_arn)["policies"]] == ["fleet"]
        assert client_.list_principal_things(principal=by_cn["defaults"][0]["certificateArn"])["things"] == []


def test_ca_certificates_sign_the_certificates_that_name_them():
    with mock_iot_audit():
        load_scenario(CERTIFICATES)
        client_ = iot()
        cas = {}
        # moto has no ListCACertificates; the dump names every CA certificate by its id.
        for listed in dump_scenario()["ca_certificates"]:
            description = client_.describe_ca_certificate(certificateId=listed["name"])[
                "certificateDescription"]
            cas[common_name(parsed(description["certificatePem"]).subject)] = description
        root, issuing = cas["Example Root CA"], cas["Example Issuing CA"]
        assert root["status"] == "ACTIVE" and issuing["status"] == "INACTIVE"
        root_cert, issuing_cert = parsed(root["certificatePem"]), parsed(issuing["certificatePem"])
        assert issuing_cert.issuer == root_cert.subject
        assert issuing_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert root_cert.public_key().key_size == 2048
        # moto knows which CA a device certificate was registered with...
        under_issuing = client_.list_certificates_by_ca(caCertificateId=issuing["certificateId"])["certificates"]
        assert len(under_issuing) == 1
        device = parsed(client_.describe_certificate(certificateId=under_issuing[0]["certificateId"])[
            "certificateDescription"]["certificatePem"])
        # ...and the CA really signed it.
        assert device.issuer == issuing_cert.subject
        issuing_key = issuing_cert.public_key()
        assert isinstance(issuing_key, ec.EllipticCurvePublicKey)
        issuing_key.verify(device.signature, device.tbs_certificate_bytes, ec.ECDSA(device.signature_hash_algorithm))
        root_key = root_cert.public_key()
        assert isinstance(root_key, rsa.RSAPublicKey)
        root_key.verify(issuing_cert.signature, issuing_cert.tbs_certificate_bytes, padding.PKCS1v15(),
                        issuing_cert.signature_hash_algorithm)


def test_a_certificate_given_as_pem_is_registered_exactly():
    with mock_iot_audit():
        load_scenario(CERTIFICATES)
        pems = [iot().describe_certificate(certificateId=c)["certificateDescription"]["certificatePem"]
                for c in certificate_ids(iot())]
    pem = pems[0]
    with mock_iot_audit():
        load_scenario({"certificates": [{"name": "given", "pem": pem, "status": "INACTIVE"}]})
        client_ = iot()
        (cert_id,) = certificate_ids(client_)
        assert cert_id == hashlib.sha256(pem.encode()).hexdigest()  # moto's id of that PEM
        description = client_.describe_certificate(certificateId=cert_id)["certificateDescription"]
        assert description["certificatePem"] == pem
        assert description["status"] == "INACTIVE"


def test_a_ca_given_as_pem_can_register_pem_certificates_but_not_sign_generated_ones():
    with mock_iot_audit():
        load_scenario(CERTIFICATES)
        dumped = dump_scenario()
    ca_pems = [c["pem"] for c in dumped["ca_certificates"]]
    issued = next(c for c in dumped["certificates"] if c.get("issuer"))
    scenario = {"ca_certificates": [{"name": "ca", "pem": pem} for pem in ca_pems[1:]],
                "certificates": [{"name": "issued", "pem": issued["pem"], "issuer": "ca"}]}
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        (ca_id,) = [c["name"] for c in dump_scenario()["ca_certificates"]]
        (listed,) = client_.list_certificates_by_ca(caCertificateId=ca_id)["certificates"]
        assert listed["certificateId"] == hashlib.sha256(issued["pem"].encode()).hexdigest()
        # The same CA again is refused.
        assert refused({"ca_certificates": scenario["ca_certificates"]}) == [
            "<scenario>: ca_certificates[0]: this CA certificate is already registered"]
    with mock_iot_audit():
        scenario["certificates"] = [{"name": "generated", "issuer": "ca"}]
        (message,) = refused(scenario)
        assert message == ("<scenario>: certificates[0].issuer: the CA 'ca' is given as a PEM, so there is no key "
                           "to sign a generated certificate with; give this one as a PEM too")
        scenario["certificates"] = [{"name": "mixed", "pem": issued["pem"], "subject": "x"}]
        assert refused(scenario) == [
            "<scenario>: certificates[0].subject: cannot be combined with pem (the PEM says it already)"]


def test_iam_roles_and_role_aliases_by_role_name_or_arn():
    scenario = f"""
audit_configuration:
  role_arn: {ROLE}
  checks: {{IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK: {{enabled: true}}}}
iam_roles:
  - name: uploader
    policies:
      - {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "s3:*", Resource: "*"}}]}}
role_aliases:
  - {{alias: uploader-alias, role: uploader}}
  - {{alias: by-arn, role: "arn:aws:iam::123456789012:role/ElsewhereRole"}}
service_usage:                 # s3 used within the year: "s3:*" is broad access to a used service
  - {{role: uploader, service: s3, last_accessed: -20d}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        assert sorted(client_.list_role_aliases()["roleAliases"]) == ["by-arn", "uploader-alias"]
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/uploader"
        assert client_.describe_role_alias(roleAlias="uploader-alias")["roleAliasDescription"]["roleArn"] == role_arn
        assert client_.describe_role_alias(roleAlias="by-arn")["roleAliasDescription"]["roleArn"].endswith(
            "role/ElsewhereRole")
        iam = client("iam", region=REGION)
        assert iam.get_role(RoleName="uploader")["Role"]["Arn"] == role_arn
        (policy_name,) = iam.list_role_policies(RoleName="uploader")["PolicyNames"]
        document = iam.get_role_policy(RoleName="uploader", PolicyName=policy_name)["PolicyDocument"]
        assert document["Statement"][0]["Action"] == "s3:*"
        findings = audit(client_, "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK")["IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK"]
        assert any(f["nonCompliantResource"]["resourceIdentifier"]["roleAliasArn"].endswith("rolealias/uploader-alias")
                   for f in findings)


def test_recorded_connections_are_what_a_fresh_audit_sees():
    scenario = f"""
audit_configuration:
  role_arn: {ROLE}
  checks: {{DEVICE_CERTIFICATE_SHARED_CHECK: {{enabled: true}}, CONFLICTING_CLIENT_IDS_CHECK: {{enabled: true}}}}
things: [{{name: sensor-1}}]
certificates:
  - {{name: shared, subject: sensor-1, things: [sensor-1]}}
  - {{name: alone, subject: sensor-2}}
connections:
  - {{client_id: sensor-1, certificate: shared, thing: sensor-1, connected_at: -4h}}
  - {{client_id: sensor-1-clone, certificate: shared, connected_at: -3h}}
  - {{client_id: sensor-2, certificate: alone, connected_at: -3h, disconnected_at: -2h}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        shared_id = next(c for c in certificate_ids(client_)
                         if common_name(parsed(client_.describe_certificate(certificateId=c)[
                             "certificateDescription"]["certificatePem"]).subject) == "sensor-1")
        findings = audit(client_, "DEVICE_CERTIFICATE_SHARED_CHECK", "CONFLICTING_CLIENT_IDS_CHECK")
        (shared,) = findings["DEVICE_CERTIFICATE_SHARED_CHECK"]
        assert shared["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": shared_id}
        assert sorted(r["resourceIdentifier"]["clientId"] for r in shared["relatedResources"]) == [
            "sensor-1", "sensor-1-clone"]
        assert "CONFLICTING_CLIENT_IDS_CHECK" not in findings  # each client id connected once


def test_suppressions_with_certificate_labels_expiry_and_description():
    scenario = f"""
audit_configuration:
  role_arn: {ROLE}
  checks: {{DEVICE_CERTIFICATE_EXPIRING_CHECK: {{enabled: true}}}}
certificates:
  - {{name: soon, not_after: +5d}}
suppressions:
  - check: DEVICE_CERTIFICATE_EXPIRING_CHECK
    resource: {{certificate: soon}}
    expires: +30d
    description: replacement ordered
  - check: LOGGING_DISABLED_CHECK
    resource: {{account: "123456789012"}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        (cert_id,) = certificate_ids(client_)
        listed = {s["checkName"]: s for s in client_.list_audit_suppressions()["suppressions"]}
        expiring = listed["DEVICE_CERTIFICATE_EXPIRING_CHECK"]
        assert expiring["resourceIdentifier"] == {"deviceCertificateId": cert_id}
        assert expiring["description"] == "replacement ordered"
        assert expiring["suppressIndefinitely"] is False
        assert abs(expiring["expirationDate"] - (dt.datetime.now(UTC) + dt.timedelta(days=30))) < dt.timedelta(
            minutes=1)
        assert listed["LOGGING_DISABLED_CHECK"]["suppressIndefinitely"] is True
        # The audit still reports the certificate, as suppressed.
        (finding,) = audit(client_, "DEVICE_CERTIFICATE_EXPIRING_CHECK")["DEVICE_CERTIFICATE_EXPIRING_CHECK"]
        assert finding["isSuppressed"] is True


def test_scheduled_audits_with_days_and_tags():
    scenario = f"""
audit_configuration:
  role_arn: {ROLE}
  checks: {{LOGGING_DISABLED_CHECK: {{enabled: true}}, DEVICE_CERTIFICATE_EXPIRING_CHECK: {{enabled: true}}}}
scheduled_audits:
  - {{name: daily, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}}
  - {{name: weekly, frequency: WEEKLY, day_of_week: MON, checks: [DEVICE_CERTIFICATE_EXPIRING_CHECK],
     tags: {{team: fleet}}}}
  - {{name: monthly, frequency: MONTHLY, day_of_month: LAST, checks: [LOGGING_DISABLED_CHECK]}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        listed = {a["scheduledAuditName"]: a for a in client_.list_scheduled_audits()["scheduledAudits"]}
        assert set(listed) == {"daily", "weekly", "monthly"}
        weekly = client_.describe_scheduled_audit(scheduledAuditName="weekly")
        assert (weekly["frequency"], weekly["dayOfWeek"]) == ("WEEKLY", "MON")
        assert weekly["targetCheckNames"] == ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]
        assert listed["monthly"]["dayOfMonth"] == "LAST"
        tags = client_.list_tags_for_resource(resourceArn=listed["weekly"]["scheduledAuditArn"])["tags"]
        assert tags == [{"Key": "team", "Value": "fleet"}]


def test_mitigation_actions_with_params_and_tags():
    scenario = f"""
thing_groups: [{{name: quarantine}}]
mitigation_actions:
  - name: deactivate
    role_arn: {MITIGATION_ROLE}
    params: {{updateDeviceCertificateParams: {{action: DEACTIVATE}}}}
  - name: quarantine
    role_arn: {MITIGATION_ROLE}
    params: {{addThingsToThingGroupParams: {{thingGroupNames: [quarantine]}}}}
    tags: {{owner: secops}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        names = {a["actionName"]: a for a in client_.list_mitigation_actions()["actionIdentifiers"]}
        assert set(names) == {"deactivate", "quarantine"}
        described = client_.describe_mitigation_action(actionName="quarantine")
        assert described["actionType"] == "ADD_THINGS_TO_THING_GROUP"
        assert described["roleArn"] == MITIGATION_ROLE
        assert described["actionParams"] == {"addThingsToThingGroupParams": {"thingGroupNames": ["quarantine"]}}
        tags = client_.list_tags_for_resource(resourceArn=names["quarantine"]["actionArn"])["tags"]
        assert tags == [{"Key": "owner", "Value": "secops"}]


def test_seeded_observations_are_reported_by_every_later_audit():
    scenario = f"""
audit_configuration:
  role_arn: {ROLE}
  checks:
    CA_CERTIFICATE_KEY_QUALITY_CHECK: {{enabled: true}}
    DEVICE_CERTIFICATE_KEY_QUALITY_CHECK: {{enabled: true}}
certificates: [{{name: weak}}]
seeded:
  - check: CA_CERTIFICATE_KEY_QUALITY_CHECK
    resource: {{caCertificateId: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
    reason_code: CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166
  - check: DEVICE_CERTIFICATE_KEY_QUALITY_CHECK
    resource: {{certificate: weak}}
    reason: seeded weak key
    additional_info: {{note: debian}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        client_ = iot()
        (cert_id,) = certificate_ids(client_)
        for _ in range(2):
            findings = audit(client_, "CA_CERTIFICATE_KEY_QUALITY_CHECK", "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK")
            (ca,) = findings["CA_CERTIFICATE_KEY_QUALITY_CHECK"]
            assert ca["reasonForNonComplianceCode"] == "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
            (device,) = findings["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"]
            assert device["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}
            assert device["reasonForNonCompliance"] == "seeded weak key"
            assert device["nonCompliantResource"]["additionalInfo"] == {"note": "debian"}


HISTORY = f"""
audit_configuration:
  role_arn: {ROLE}
  checks:
    DEVICE_CERTIFICATE_EXPIRING_CHECK: {{enabled: true}}
    LOGGING_DISABLED_CHECK: {{enabled: true}}
    CONFLICTING_CLIENT_IDS_CHECK: {{enabled: true}}
  # no scheduled audit: the history is explicit
thing_groups: [{{name: quarantine}}]
things: [{{name: sensor-7}}]
certificates:
  - {{name: sensor-7-cert, not_after: +5d, things: [sensor-7]}}
mitigation_actions:
  - name: deactivate
    role_arn: {MITIGATION_ROLE}
    params: {{updateDeviceCertificateParams: {{action: DEACTIVATE}}}}
  - name: quarantine
    role_arn: {MITIGATION_ROLE}
    params: {{addThingsToThingGroupParams: {{thingGroupNames: [quarantine]}}}}
audit_tasks:
  - id: quiet-week
    time: -8d
    checks: [DEVICE_CERTIFICATE_EXPIRING_CHECK]
    resources: {{DEVICE_CERTIFICATE_EXPIRING_CHECK: 4}}
  - id: failed-run
    time: -6d
    status: FAILED
    checks: [LOGGING_DISABLED_CHECK]
  - id: canceled-run
    time: -5d
    status: CANCELED
    type: SCHEDULED_AUDIT_TASK
    scheduled_audit: nightly
    checks: [LOGGING_DISABLED_CHECK]
  - id: loud-week
    time: -2d
    checks: [DEVICE_CERTIFICATE_EXPIRING_CHECK, CONFLICTING_CLIENT_IDS_CHECK]
    findings:
      - id: finding-expiring
        check: DEVICE_CERTIFICATE_EXPIRING_CHECK
        resource: {{certificate: sensor-7-cert}}
        reason_code: CERTIFICATE_APPROACHING_EXPIRATION
        reason: expires in five days
      - id: finding-client
        check: CONFLICTING_CLIENT_IDS_CHECK
        resource: {{clientId: sensor-7}}
        suppressed: true
mitigation_tasks:
  - id: fix-loud-week
    time: -1d
    target: {{auditTaskId: loud-week}}
    actions: {{DEVICE_CERTIFICATE_EXPIRING_CHECK: [quarantine, deactivate]}}
"""


def test_past_audit_tasks_and_their_findings():
    with mock_iot_audit():
        load_scenario(HISTORY)
        client_ = iot()
        now = dt.datetime.now(UTC)
        tasks = {t["taskId"]: t for t in client_.list_audit_tasks(**window())["tasks"]}
        assert {k: (t["taskStatus"], t["taskType"]) for k, t in tasks.items()} == {
            "quiet-week": ("COMPLETED", "ON_DEMAND_AUDIT_TASK"),
            "failed-run": ("FAILED", "ON_DEMAND_AUDIT_TASK"),
            "canceled-run": ("CANCELED", "SCHEDULED_AUDIT_TASK"),
            "loud-week": ("COMPLETED", "ON_DEMAND_AUDIT_TASK"),
        }
        loud = client_.describe_audit_task(taskId="loud-week")
        assert abs(loud["taskStartTime"] - (now - dt.timedelta(days=2))) < dt.timedelta(minutes=1)
        details = loud["auditDetails"]
        assert details["DEVICE_CERTIFICATE_EXPIRING_CHECK"]["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
        assert details["DEVICE_CERTIFICATE_EXPIRING_CHECK"]["nonCompliantResourcesCount"] == 1
        # Only a suppressed finding: compliant, with the finding counted as suppressed.
        assert details["CONFLICTING_CLIENT_IDS_CHECK"]["checkRunStatus"] == "COMPLETED_COMPLIANT"
        assert details["CONFLICTING_CLIENT_IDS_CHECK"]["suppressedNonCompliantResourcesCount"] == 1
        quiet = client_.describe_audit_task(taskId="quiet-week")["auditDetails"]["DEVICE_CERTIFICATE_EXPIRING_CHECK"]
        assert (quiet["checkRunStatus"], quiet["totalResourcesCount"]) == ("COMPLETED_COMPLIANT", 4)
        assert client_.describe_audit_task(taskId="canceled-run")["scheduledAuditName"] == "nightly"

        findings = {f["findingId"]: f for f in client_.list_audit_findings(taskId="loud-week")["findings"]}
        assert set(findings) == {"finding-expiring", "finding-client"}
        (cert_id,) = certificate_ids(client_)
        expiring = findings["finding-expiring"]
        assert expiring["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}
        assert expiring["reasonForNonCompliance"] == "expires in five days"
        assert expiring["isSuppressed"] is False and findings["finding-client"]["isSuppressed"] is True
        assert client_.list_audit_findings(taskId="failed-run")["findings"] == []


def test_past_mitigation_task_ran_its_actions():
    with mock_iot_audit():
        load_scenario(HISTORY)
        client_ = iot()
        task = client_.describe_audit_mitigation_actions_task(taskId="fix-loud-week")
        assert task["taskStatus"] == "COMPLETED"
        assert task["target"] == {"auditTaskId": "loud-week"}
        assert task["auditCheckToActionsMapping"] == {"DEVICE_CERTIFICATE_EXPIRING_CHECK": ["quarantine", "deactivate"]}
        assert task["taskStatistics"]["DEVICE_CERTIFICATE_EXPIRING_CHECK"]["succeededFindingsCount"] == 1
        assert abs(task["startTime"] - (dt.datetime.now(UTC) - dt.timedelta(days=1))) < dt.timedelta(minutes=1)
        executions = client_.list_audit_mitigation_actions_executions(
            taskId="fix-loud-week", findingId="finding-expiring")["actionsExecutions"]
        assert [(e["actionName"], e["status"]) for e in executions] == [("quarantine", "COMPLETED"),
                                                                       ("deactivate", "COMPLETED")]
        assert all(e["startTime"] == task["startTime"] for e in executions)
        listed = client_.list_audit_mitigation_actions_tasks(auditTaskId="loud-week", **window())["tasks"]
        assert [t["taskId"] for t in listed] == ["fix-loud-week"]
        # The effects are in the world.
        (cert_id,) = certificate_ids(client_)
        assert client_.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"] == "INACTIVE"
        assert client_.list_things_in_thing_group(thingGroupName="quarantine")["things"] == ["sensor-7"]


def test_past_mitigation_tasks_finish_even_when_new_tasks_are_held():
    from moto.moto_api import state_manager

    from iot_audit_fake.mitigation_tasks import MODEL_NAME

    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": 5})
    try:
        with mock_iot_audit():
            load_scenario(HISTORY)
            assert iot().describe_audit_mitigation_actions_task(taskId="fix-loud-week")["taskStatus"] == "COMPLETED"
    finally:
        state_manager.unset_transition(MODEL_NAME)


def test_a_second_account_and_region_are_isolated():
    scenario = f"""
things: [{{name: home-thing}}]
accounts:
  - account: "{ACCOUNT}"
    region: eu-west-1
    things: [{{name: eu-thing}}]
  - account: "{OTHER_ACCOUNT}"
    region: ap-southeast-2
    audit_configuration:
      role_arn: arn:aws:iam::{OTHER_ACCOUNT}:role/AuditRole
      checks: {{LOGGING_DISABLED_CHECK: {{enabled: true}}}}
    things: [{{name: partner-thing}}]
    certificates: [{{name: partner-cert, things: [partner-thing]}}]
    suppressions:
      - {{check: LOGGING_DISABLED_CHECK, resource: {{account: "{OTHER_ACCOUNT}"}}}}
"""
    with mock_iot_audit():
        load_scenario(scenario)
        names = lambda c: sorted(t["thingName"] for t in c.list_things()["things"])  # noqa: E731
        assert names(iot()) == ["home-thing"]
        assert names(iot("eu-west-1")) == ["eu-thing"]
        assert names(iot("ap-southeast-2")) == []  # the default account there has nothing
        partner = iot("ap-southeast-2", account=OTHER_ACCOUNT)
        assert names(partner) == ["partner-thing"]
        assert names(iot(account=OTHER_ACCOUNT)) == []  # the other account in us-east-1 has nothing
        (cert,) = partner.list_certificates()["certificates"]
        assert cert["certificateArn"].startswith(f"arn:aws:iot:ap-southeast-2:{OTHER_ACCOUNT}:cert/")
        assert partner.list_principal_things(principal=cert["certificateArn"])["things"] == ["partner-thing"]
        # The audit API follows the account too.
        assert partner.describe_account_audit_configuration()["roleArn"].startswith(f"arn:aws:iam::{OTHER_ACCOUNT}")
        assert iot("ap-southeast-2").describe_account_audit_configuration().get("roleArn") is None
        assert len(partner.list_audit_suppressions()["suppressions"]) == 1
        assert iot("ap-southeast-2").list_audit_suppressions()["suppressions"] == []


def test_one_account_and_region_is_described_once():
    scenario = {"things": [{"name": "a"}], "accounts": [{"account": ACCOUNT, "things": [{"name": "b"}]}]}
    with mock_iot_audit():
        (message,) = refused(scenario)
        assert "accounts[0]" in message and "already described by the top level" in message
        assert iot().list_things()["things"] == []
        # With nothing at the top level, the default place may be listed under accounts.
        load_scenario({"accounts": [{"account": ACCOUNT, "things": [{"name": "b"}]}]})
        assert [t["thingName"] for t in iot().list_things()["things"]] == ["b"]


def test_top_level_account_and_region():
    with mock_iot_audit():
        load_scenario({"account": OTHER_ACCOUNT, "region": "eu-central-1", "things": [{"name": "x"}]})
        assert iot("eu-central-1").list_things()["things"] == []
        assert [t["thingName"] for t in iot("eu-central-1", OTHER_ACCOUNT).list_things()["things"]] == ["x"]


def test_demo_scenario_loads_and_its_audit_finds_real_problems():
    with mock_iot_audit():
        load_scenario(DEMO_SCENARIO_PATH)
        findings = audit(iot(), "DEVICE_CERTIFICATE_EXPIRING_CHECK", "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK",
                         "IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "LOGGING_DISABLED_CHECK",
                         "DEVICE_CERTIFICATE_SHARED_CHECK")
        assert set(findings) == {"DEVICE_CERTIFICATE_EXPIRING_CHECK", "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK",
                                 "IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "LOGGING_DISABLED_CHECK",
                                 "DEVICE_CERTIFICATE_SHARED_CHECK"}
        # sensor-2's certificate carries a published ROCA key (check-triggers.md §8).
        (weak,) = findings["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"]
        assert weak["reasonForNonComplianceCode"] == "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"


# -- inputs: file, text, mapping ---------------------------------------------------------------


def test_a_scenario_is_a_path_a_file_name_yaml_text_or_a_mapping(tmp_path: Path):
    file = tmp_path / "fleet.yaml"
    file.write_text("things: [{name: from-file}]\n")
    for given, name in ((file, "from-file"), (str(file), "from-file"),
                        ("things: [{name: from-text}]\n", "from-text"),
                        ({"things": [{"name": "from-mapping"}]}, "from-mapping")):
        with mock_iot_audit():
            load_scenario(given)
            assert [t["thingName"] for t in iot().list_things()["things"]] == [name]


def test_a_mapping_from_yaml_safe_load_with_datetimes_is_accepted():
    data = yaml.safe_load("clock: 2031-05-01T12:00:00Z\ncertificates:\n  - {name: c, not_after: 2031-06-01}\n")
    assert isinstance(data["clock"], dt.datetime)
    with mock_iot_audit():
        load_scenario(data)
        (cert_id,) = certificate_ids(iot())
        pem = iot().describe_certificate(certificateId=cert_id)["certificateDescription"]["certificatePem"]
        assert parsed(pem).not_valid_after_utc == dt.datetime(2031, 6, 1, tzinfo=UTC)
        assert parsed(pem).not_valid_before_utc == CLOCK_AT - dt.timedelta(days=1)
    assert isinstance(data["clock"], dt.datetime)  # the caller's mapping is left as it was


def test_scenarios_load_one_on_top_of_another():
    with mock_iot_audit():
        load_scenario(HISTORY)
        load_scenario("""
things: [{name: second}]
suppressions:
  - {check: LOGGING_DISABLED_CHECK, resource: {account: "123456789012"}}
""")
        assert sorted(t["thingName"] for t in iot().list_things()["things"]) == ["second", "sensor-7"]
        assert len(iot().list_audit_suppressions()["suppressions"]) == 1


def test_validate_scenario_returns_messages_and_applies_nothing(tmp_path: Path):
    with mock_iot_audit():
        assert validate_scenario(HISTORY) == []
        assert validate_scenario(DEMO_SCENARIO_PATH) == []
        assert iot().list_things()["things"] == []
        assert iot().describe_account_audit_configuration().get("roleArn") is None
        file = tmp_path / "bad.yaml"
        file.write_text("things:\n  - name: ok\n  - nmae: typo\n")
        messages = validate_scenario(file)
        assert messages == [f"{file}:3:5: things[1].nmae: unknown key 'nmae'; did you mean 'name'?",
                            f"{file}:3:5: things[1]: 'name' is required"]
        assert validate_scenario(tmp_path / "missing.yaml") == [
            f"{tmp_path / 'missing.yaml'}: cannot read: No such file or directory"]
        assert iot().list_things()["things"] == []


# -- refusals --------------------------------------------------------------------------------------


def test_malformed_yaml_names_line_and_column(tmp_path: Path):
    file = tmp_path / "broken.yaml"
    file.write_text("things:\n  - name: a\n   - name: b\n")
    with mock_iot_audit():
        (message,) = refused(file)
        assert message.startswith(f"{file}:3:4: not valid YAML: ")
        (message,) = refused("things: [a, b\n")
        assert message.startswith("<scenario>:2:1: not valid YAML: ")


def test_a_wrong_type_deep_in_the_tree():
    text = "audit_configuration:\n  role_arn: arn:aws:iam::123456789012:role/Audit\n  checks:\n" \
           "    LOGGING_DISABLED_CHECK:\n      enabled: yes please\n"
    with mock_iot_audit():
        (message,) = refused(text)
        assert message == ("<scenario>:5:16: audit_configuration.checks.LOGGING_DISABLED_CHECK.enabled: "
                           "'yes please' is a string, expected true or false")
        (message,) = refused("things:\n  - name: a\n    attributes:\n      floor: 5\n")
        assert message == "<scenario>:4:14: things[0].attributes.floor: 5 is a number, expected a string"


def test_unknown_keys_at_the_top_nested_and_in_accounts():
    with mock_iot_audit():
        assert refused("thingz: []\n") == ["<scenario>:1:1: thingz: unknown key 'thingz'; did you mean 'things'?"]
        assert refused("things:\n  - name: a\n    colour: red\n") == [
            "<scenario>:3:5: things[0].colour: unknown key 'colour'; expected one of: name, attributes, groups"]
        assert refused(f"accounts:\n  - account: '{OTHER_ACCOUNT}'\n    polices: []\n") == [
            "<scenario>:3:5: accounts[0].polices: unknown key 'polices'; did you mean 'policies'?"]
        # `clock` belongs to the top level only.
        (message,) = refused(f"accounts:\n  - account: '{OTHER_ACCOUNT}'\n    clock: -1d\n")
        assert message.startswith("<scenario>:3:5: accounts[0].clock: unknown key 'clock'")


@pytest.mark.parametrize("value, problem", [
    ("+10x", "'+10x' is not in the expected format: expected an ISO-8601 instant, or an offset such as"),
    ("tomorrow", "'tomorrow' is not in the expected format"),
    ("2026-02-30", "'2026-02-30' is not a valid time (Invalid timestamp"),
])
def test_a_bad_time(value: str, problem: str):
    with mock_iot_audit():
        (message,) = refused(f"certificates:\n  - name: c\n    not_after: '{value}'\n")
        assert message.startswith(f"<scenario>:3:16: certificates[0].not_after: {problem}")


def test_an_unknown_check_in_the_audit_configuration_is_refused_with_a_suggestion():
    text = f"""audit_configuration:
  role_arn: {ROLE}
  checks:
    LOGGING_DISABLED_CHECK: {{enabled: true}}
    REVOKED_CA_CERT_CHECK: {{enabled: true}}
"""
    expected = ["<scenario>:5:5: audit_configuration.checks.REVOKED_CA_CERT_CHECK: unknown audit check "
                "'REVOKED_CA_CERT_CHECK'; did you mean 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK'?"]
    with mock_iot_audit():
        assert validate_scenario(text) == expected
        assert refused(text) == expected
        assert iot().describe_account_audit_configuration().get("roleArn") is None


@pytest.mark.parametrize("text, expected", [
    ("connections:\n  - client_id: x\n    certificate: nope\n",
     "<scenario>:3:18: connections[0].certificate: no certificate labelled 'nope' in certificates"),
    ("suppressions:\n  - check: DEVICE_CERTIFICATE_EXPIRING_CHECK\n    resource: {certificate: nope}\n",
     "<scenario>:3:29: suppressions[0].resource.certificate: no certificate labelled 'nope'"),
    ("seeded:\n  - check: CA_CERTIFICATE_EXPIRING_CHECK\n    resource: {ca_certificate: nope}\n",
     "<scenario>:3:32: seeded[0].resource.ca_certificate: no certificate labelled 'nope' in ca_certificates"),
    ("certificates:\n  - name: c\n    issuer: nope\n",
     "<scenario>:3:13: certificates[0].issuer: no CA certificate labelled 'nope' in ca_certificates"),
    ("certificates:\n  - {name: d}\n  - name: c\n    issuer: d\n",  # a device certificate is no CA
     "<scenario>:4:13: certificates[1].issuer: no CA certificate labelled 'd'"),
    ("things: [{name: t}]\ncertificates:\n  - name: c\n    things: [t, ghost]\n",
     "<scenario>:4:17: certificates[0].things[1]: no thing named 'ghost'"),
    ("certificates:\n  - name: c\n    policies: [ghost]\n",
     "<scenario>:3:16: certificates[0].policies[0]: no policy named 'ghost'"),
    ("role_aliases: [{alias: a, role: nope}]\n",
     "<scenario>:1:33: role_aliases[0].role: no IAM role named 'nope'"),
    ("things:\n  - {name: a, groups: [nope]}\n",
     "<scenario>:2:24: things[0].groups[0]: no thing group named 'nope'"),
    ("mitigation_tasks:\n  - {id: m, target: {auditTaskId: nope}, actions: {LOGGING_DISABLED_CHECK: [x]}}\n"
     "mitigation_actions: [{name: x, role_arn: arn:aws:iam::123456789012:role/M, params: {}}]\n",
     "<scenario>:2:35: mitigation_tasks[0].target.auditTaskId: no audit task with id 'nope' (in audit_tasks or "
     "the account)"),
    ("mitigation_tasks:\n  - {id: m, target: {findingIds: [f]}, actions: {LOGGING_DISABLED_CHECK: [nope]}}\n",
     "<scenario>:2:75: mitigation_tasks[0].actions.LOGGING_DISABLED_CHECK[0]: no mitigation action named 'nope'"),
    ("things: [{name: t}]\ncertificates:\n  - name: c\n    things: [tt]\n",
     "<scenario>:4:14: certificates[0].things[0]: no thing named 'tt'; did you mean 't'?"),
    ("ca_certificates: [{name: fleet-ca}]\ncertificates:\n  - {name: c, issuer: fleet-cs}\n",
     "<scenario>:3:23: certificates[0].issuer: no CA certificate labelled 'fleet-cs' in ca_certificates (of this "
     "account and region); did you mean 'fleet-ca'?"),
])
def test_a_reference_to_something_missing(text: str, expected: str):
    with mock_iot_audit():
        (message,) = refused(text)
        assert message.startswith(expected), message


@pytest.mark.parametrize("text, expected", [
    ("policies: [{name: p, document: 'not json'}]\n",
     "<scenario>:1:32: policies[0].document: the policy document is not valid JSON"),
    ("certificates: [{name: c, not_before: +2d, not_after: +1d}]\n",
     "<scenario>:1:54: certificates[0].not_after: not_after must be later than not_before"),
    ("certificates: [{name: c, pem: nope}]\n", "<scenario>:1:31: certificates[0].pem: not a PEM certificate"),
    ("audit_tasks: [{time: -100d, checks: [LOGGING_DISABLED_CHECK]}]\n",
     "<scenario>:1:22: audit_tasks[0].time: the task is older than the 90 days audit tasks are kept"),
    ("audit_tasks:\n  - time: -1d\n    checks: [LOGGING_DISABLED_CHECK]\n    findings:\n"
     "      - {check: LOGGING_DISABLED_CHECK, resource: "
     "{deviceCertificateId: abababababababababababababababababababababababababababababababab}}\n",
     "<scenario>:5:9: audit_tasks[0].findings[0]: LOGGING_DISABLED_CHECK identifies resources by account."),
    ("scheduled_audits: [{name: s, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}]\n",
     "<scenario>:1:20: scheduled_audits[0]: Check(s) not enabled in the account audit configuration"),
    ("suppressions: [{check: LOGGING_DISABLED_CHECK, resource: {account: '123456789012'}, expires: -1d}]\n",
     "<scenario>:1:16: suppressions[0]: expirationDate must be in the future."),
    ("connections: [{client_id: c, connected_at: -1h, disconnected_at: -2h}]\n",
     "<scenario>:1:15: connections[0]: disconnected_at is earlier than connected_at."),
])
def test_what_only_applying_finds(text: str, expected: str):
    with mock_iot_audit():
        assert validate_scenario(text) == []
        (message,) = refused(text)
        assert message.startswith(expected), message


@pytest.mark.parametrize("text, expected", [
    ("things: [{name: a}, {name: a}]\n",
     "<scenario>:1:28: things[1].name: a thing named 'a' is listed twice; first at <scenario>:1:17"),
    ("thing_groups: [{name: g}, {name: g}]\n",
     "<scenario>:1:34: thing_groups[1].name: a thing group named 'g' is listed twice; first at <scenario>:1:23"),
    ("policies: [{name: p, document: {}}, {name: p, document: {}}]\n",
     "<scenario>:1:44: policies[1].name: a policy named 'p' is listed twice; first at <scenario>:1:19"),
    ("certificates: [{name: c}, {name: c}]\n",
     "<scenario>:1:34: certificates[1].name: the certificate label 'c' is used twice; first at <scenario>:1:23"),
    ("ca_certificates: [{name: c}]\ncertificates: [{name: c}]\n",
     "<scenario>:2:23: certificates[0].name: the certificate label 'c' is used twice; first at <scenario>:1:26"),
    ("scheduled_audits:\n  - {name: s, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}\n"
     "  - {name: s, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}\n",
     "<scenario>:3:12: scheduled_audits[1].name: a scheduled audit named 's' is listed twice; first at "
     "<scenario>:2:12"),
    ("audit_tasks: [{time: -1d, checks: [NOT_A_CHECK]}]\n",
     "<scenario>:1:36: audit_tasks[0].checks[0]: unknown audit check 'NOT_A_CHECK'"),
    ("scheduled_audits: [{name: s, frequency: DAILY, checks: [LOGGING_DISABLED]}]\n",
     "<scenario>:1:57: scheduled_audits[0].checks[0]: unknown audit check 'LOGGING_DISABLED'; did you mean "
     "'LOGGING_DISABLED_CHECK'?"),
    ("audit_tasks:\n  - time: -1d\n    checks: [LOGGING_DISABLED_CHECK]\n    findings:\n"
     "      - {check: DEVICE_CERTIFICATE_EXPIRING_CHECK, resource: "
     "{deviceCertificateId: abababababababababababababababababababababababababababababababab}}\n",
     "<scenario>:5:17: audit_tasks[0].findings[0].check: DEVICE_CERTIFICATE_EXPIRING_CHECK is not among the "
     "task's checks (LOGGING_DISABLED_CHECK)"),
    ("scheduled_audits: [{name: s, frequency: daily, checks: [LOGGING_DISABLED_CHECK]}]\n",
     "<scenario>:1:41: scheduled_audits[0].frequency: 'daily' is not one of DAILY, WEEKLY, BIWEEKLY, MONTHLY; "
     "did you mean 'DAILY'?"),
    ("logging: {level: WARNING}\n",
     "<scenario>:1:18: logging.level: 'WARNING' is not one of DEBUG, INFO, ERROR, WARN, DISABLED; did you mean "
     "'WARN'?"),
])
def test_validation_finds_names_used_twice_unknown_checks_and_suggests(text: str, expected: str):
    with mock_iot_audit():
        assert validate_scenario(text) == [expected]
        assert refused(text) == [expected]


def test_the_same_pem_twice_points_at_its_first_use(tmp_path: Path):
    with mock_iot_audit():
        load_scenario({"certificates": [{"name": "c"}]})
        pem = dump_scenario()["certificates"][0]["pem"]
    file = tmp_path / "twice.yaml"
    file.write_text(yaml.safe_dump({"ca_certificates": [{"name": "ca", "pem": pem}],
                                    "certificates": [{"name": "device", "pem": pem}]}))
    (message,) = validate_scenario(file)
    first = pem_line = next(i for i, line in enumerate(file.read_text().splitlines(), 1) if "pem:" in line)
    assert message.startswith(f"{file}:"), message
    assert message.split(": ", 2)[1] == "certificates[0].pem"
    assert message.endswith(f"the same certificate PEM is given twice; first at {file}:{first}:8"), (message, pem_line)


def test_one_run_reports_schema_and_reference_problems_together(tmp_path: Path):
    file = tmp_path / "many.yaml"
    file.write_text("""\
thing_groups: [{name: sensors}]
things:
  - {name: a, groups: [sensorz]}
  - {name: a}
certificates:
  - {name: c, issuer: no-ca, things: [b]}
scheduled_audits:
  - {name: s, frequency: HOURLY, checks: [LOGGING_DISABLED_CHECK, NOPE_CHECK]}
suppressions:
  - {check: DEVICE_CERTIFICATE_EXPIRING_CHECK, resource: {certificate: d}}
""")
    with mock_iot_audit():
        messages = refused(file)
        assert validate_scenario(file) == messages
    assert [m.split(": ")[1] for m in messages] == [
        "things[0].groups[0]",
        "things[1].name",
        "certificates[0].issuer",
        "certificates[0].things[0]",
        "scheduled_audits[0].frequency",
        "scheduled_audits[0].checks[1]",
        "suppressions[0].resource.certificate",
    ], messages
    assert "did you mean 'sensors'?" in messages[0]
    assert f"first at {file}:3:12" in messages[1]
    assert all(m.startswith(f"{file}:") for m in messages)


def test_references_to_what_the_mock_already_holds_are_fine_and_taken_names_are_refused():
    with mock_iot_audit():
        load_scenario({"thing_groups": [{"name": "fleet"}], "things": [{"name": "old"}],
                       "policies": [{"name": "p", "document": {}}]})
        load_scenario({"things": [{"name": "new", "groups": ["fleet"]}],
                       "certificates": [{"name": "c", "things": ["old"], "policies": ["p"]}]})
        assert sorted(t["thingName"] for t in iot().list_things()["things"]) == ["new", "old"]
        assert refused({"things": [{"name": "old"}]}) == [
            "<scenario>: things[0].name: a thing named 'old' already exists"]
        # validation alone knows nothing of the mock's state
        assert validate_scenario({"things": [{"name": "new", "groups": ["fleet"]}]}) == [
            "<scenario>: things[0].groups[0]: no thing group named 'fleet' (in thing_groups or the account)"]


def test_a_document_that_is_not_a_mapping():
    with mock_iot_audit():
        assert refused("- things\n- policies\n") == [
            "<scenario>:1:1: (top level): a scenario must be a mapping of keys to values, not a list"]
        assert refused("just words\n") == [
            "<scenario>:1:1: (top level): a scenario must be a mapping of keys to values, not a string"]


def test_unsafe_yaml_tags_are_refused_and_never_run(tmp_path: Path):
    marker = tmp_path / "ran"
    text = f"things: !!python/object/apply:os.system ['touch {marker}']\n"
    with mock_iot_audit():
        (message,) = refused(text)
        assert message.startswith("<scenario>:1:9: not valid YAML: could not determine a constructor for the tag "
                                  "'tag:yaml.org,2002:python/object/apply:os.system'")
        assert validate_scenario(text) == [message]
        (message,) = refused("clock: !!python/name:os.getcwd ''\n")
        assert "python/name:os.getcwd" in message
    assert not marker.exists()


def test_yaml_anchors_are_fine_but_not_a_billion_laughs(monkeypatch: pytest.MonkeyPatch):
    from iot_audit_fake.scenario import source

    shared = "policies:\n  - {name: a, document: &doc {Version: '2012-10-17', Statement: []}}\n" \
             "  - {name: b, document: *doc}\n"
    with mock_iot_audit():
        load_scenario(shared)
        assert sorted(p["policyName"] for p in iot().list_policies()["policies"]) == ["a", "b"]
    monkeypatch.setattr(source, "MAX_NODES", 1000)
    laughs = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 5)]
    assert validate_scenario("\n".join(laughs) + "\nthings: *a4\n") == [
        "<scenario>: the scenario is too large: over 1,000 values once YAML aliases are expanded"]


@pytest.mark.parametrize("depth", [101, 5000])
def test_a_scenario_nested_too_deeply_is_refused_where_it_happens(depth):
    # The project's own limit and wording, whatever the YAML parser's version does with deep nesting.
    (message,) = validate_scenario("things: " + "[" * depth + "]" * depth + "\n")
    assert message == "<scenario>:1:109: not valid YAML: nested more than 100 levels deep"


def test_a_scenario_nested_just_within_the_limit_is_read():
    (message,) = validate_scenario("things: " + "[" * 99 + "]" * 99 + "\n")
    assert "nested" not in message and message.startswith("<scenario>:1:10: things[0]:")


def test_a_duplicate_key_is_refused():
    with mock_iot_audit():
        assert refused("things: [{name: a}]\nthings: [{name: b}]\n") == [
            "<scenario>:2:1: things: duplicate key 'things'; first at <scenario>:1:1"]


def test_every_schema_problem_is_reported_in_document_order():
    text = "things:\n  - name: 'bad name'\n    colour: red\n" + "".join(
        f"  - name: t{i}\n" for i in range(9)) + "  - name: b\n    groups: x\nclock: yesterday\n"
    with mock_iot_audit():
        messages = refused(text)
        assert [m.split(": ")[1] for m in messages] == [
            "things[0].name", "things[0].colour", "things[10].groups", "clock"]


# -- atomicity --------------------------------------------------------------------------------------


def test_a_scenario_that_fails_half_way_leaves_nothing_behind():
    with mock_iot_audit():
        client_ = iot()
        # The world before: a configured account with one thing.
        client_.create_thing(thingName="existing")
        client_.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
        before = body(client_.describe_account_audit_configuration())
        failing = f"""
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/OtherRole
  checks: {{DEVICE_CERTIFICATE_EXPIRING_CHECK: {{enabled: true}}}}
logging: {{level: INFO}}
iam_roles: [{{name: made-before-the-error}}]
thing_groups: [{{name: fleet}}]
policies: [{{name: p, document: {WIDE_OPEN}}}]
things:
  - {{name: first, groups: [fleet]}}
  - {{name: second}}
  - {{name: third, groups: [fleet]}}
certificates: [{{name: c, not_before: +2d, not_after: +1d}}]
accounts:
  - account: "{OTHER_ACCOUNT}"
    things: [{{name: other-account-thing}}]
"""
        # (a problem only applying finds: references are checked before anything is applied)
        assert refused(failing) == [
            "<scenario>:13:54: certificates[0].not_after: not_after must be later than not_before"]
        assert [t["thingName"] for t in client_.list_things()["things"]] == ["existing"]
        assert client_.list_thing_groups()["thingGroups"] == []
        assert client_.list_policies()["policies"] == []
        assert body(client_.describe_account_audit_configuration()) == before
        with pytest.raises(ClientError) as excinfo:
            client_.get_v2_logging_options()
        assert excinfo.value.response["Error"]["Code"] == "NotConfiguredException"
        assert iot(account=OTHER_ACCOUNT).list_things()["things"] == []
        iam = client("iam", region=REGION)
        assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []
        # The same in a later account entry: the first entry's state goes too.
        later = failing.replace("certificates: [{name: c, not_before: +2d, not_after: +1d}]", "").replace(
            "things: [{name: other-account-thing}]",
            "things: [{name: x}]\n    certificates: [{name: c, not_before: +2d, not_after: +1d}]")
        (message,) = refused(later)
        assert message == ("<scenario>:17:58: accounts[0].certificates[0].not_after: not_after must be later "
                           "than not_before")
        assert [t["thingName"] for t in client_.list_things()["things"]] == ["existing"]
        assert client_.describe_account_audit_configuration()["roleArn"] == ROLE
        assert iot(account=OTHER_ACCOUNT).list_things()["things"] == []


def test_a_refused_history_leaves_no_tasks_findings_or_effects():
    broken = HISTORY.replace("actions: {DEVICE_CERTIFICATE_EXPIRING_CHECK: [quarantine, deactivate]}",
                             "actions: {DEVICE_CERTIFICATE_EXPIRING_CHECK: [quarantine, no-such-action]}")
    with mock_iot_audit():
        (message,) = refused(broken)
        assert "mitigation_tasks[0]" in message and "no-such-action" in message
        client_ = iot()
        assert client_.list_audit_tasks(**window())["tasks"] == []
        assert client_.list_audit_findings(**window())["findings"] == []
        assert client_.list_mitigation_actions()["actionIdentifiers"] == []
        assert client_.list_certificates()["certificates"] == []
        # The loader's state is intact: the scenario loads once fixed.
        load_scenario(HISTORY)
        assert len(client_.list_audit_tasks(**window())["tasks"]) == 4


def test_dump_after_a_refusal_is_the_dump_before():
    with mock_iot_audit():
        load_scenario(HISTORY)
        before = dump_scenario()
        refused("things: [{name: fresh}, {name: sensor-7}]\n")
        assert dump_scenario() == before


def test_the_schema_is_valid_json_schema():
    import jsonschema

    from iot_audit_fake.scenario.source import schema

    jsonschema.Draft202012Validator.check_schema(schema())
    assert yaml.safe_load(DEMO_SCENARIO_PATH.read_text())  # the demo is plain safe YAML
