"""A scenario certificate's registration date: what DEVICE_CERTIFICATE_AGE_CHECK counts from.

check-triggers.md §6: the age is counted from the certificate's registration in AWS IoT (its
``creationDate``), so a scenario that describes an old fleet says when its certificates were registered
(``registered``), or lets it default to the start of validity when that is in the past.
"""

from __future__ import annotations

import datetime as dt

from conftest import client

from iot_audit_fake import dump_scenario, load_scenario, mock_iot_audit

ROLE = "arn:aws:iam::123456789012:role/AuditRole"
SCENARIO = """
audit_configuration:
  role_arn: {role}
  checks:
    DEVICE_CERTIFICATE_AGE_CHECK: {{enabled: true}}
certificates:
  - {{name: old, not_before: -400d}}
  - {{name: re-registered, not_before: -400d, registered: -10d}}
  - {{name: future, not_before: +2d, not_after: +400d}}
  - {{name: explicit-old, registered: -366d}}
"""


def test_registration_defaults_to_validity_start_and_can_be_given():
    with mock_iot_audit():
        load_scenario(SCENARIO.format(role=ROLE))
        iot = client("iot", region="us-east-1")  # the scenario's top-level region
        now = dt.datetime.now(dt.timezone.utc)
        created = {}
        for summary in iot.list_certificates()["certificates"]:
            cert = iot.describe_certificate(certificateId=summary["certificateId"])["certificateDescription"]
            created[cert["certificateId"]] = (now - cert["creationDate"]).days
        task = iot.start_on_demand_audit_task(targetCheckNames=["DEVICE_CERTIFICATE_AGE_CHECK"])["taskId"]
        flagged = {f["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"]
                   for f in iot.list_audit_findings(taskId=task)["findings"]}
        ages = sorted(created.values())
        assert ages == [0, 10, 366, 400]  # future: registered at load time, not in its future validity
        assert {created[c] for c in flagged} == {366, 400}  # §6: age >= 365 days (the default threshold)


def test_the_registration_date_round_trips():
    with mock_iot_audit():
        load_scenario(SCENARIO.format(role=ROLE))
        first = dump_scenario()
        assert all(c["registered"] for c in first["certificates"])
    with mock_iot_audit():
        load_scenario(first)
        assert dump_scenario()["certificates"] == first["certificates"]
