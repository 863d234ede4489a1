"""A whole starting world from a scenario file, through the pytest plugin's fixtures.

``@pytest.mark.iot_audit_scenario(...)`` loads ``scenarios/expiring-fleet.yaml`` (the path is
relative to this file) before the test, and ``iot_client`` is a boto3 IoT client talking to
it. The scenario holds a fleet of three things whose certificates expire in 10, 45 and 700
days, the expiry check with a 60-day threshold, and a suppressed finding for an over-broad
policy. No conftest is needed: installing the package registers the plugin.
"""

from __future__ import annotations

import pytest

EXPIRING = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
PERMISSIVE = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"


def certificate_of(iot, thing_name: str) -> str:
    """The id of the certificate attached to a thing (its principal ARN ends in ``cert/<id>``)."""
    [principal] = iot.list_thing_principals(thingName=thing_name)["principals"]
    return principal.rsplit("/", 1)[1]


@pytest.mark.iot_audit_scenario("scenarios/expiring-fleet.yaml")
def test_the_scenario_fleet_is_audited(iot_client):
    iot = iot_client

    # The scenario's resources are ordinary moto resources.
    assert {thing["thingName"] for thing in iot.list_things()["things"]} == {"sensor-1", "sensor-2", "gateway-1"}

    task_id = iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING, PERMISSIVE])["taskId"]

    # Two sensors expire within the 60-day threshold; the gateway (700 days) does not.
    expiring = iot.list_audit_findings(taskId=task_id, checkName=EXPIRING)["findings"]
    found = {finding["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"] for finding in expiring}
    assert found == {certificate_of(iot, "sensor-1"), certificate_of(iot, "sensor-2")}

    # The scenario suppressed the over-broad policy's finding: it is reported, marked suppressed.
    [policy] = iot.list_audit_findings(taskId=task_id, checkName=PERMISSIVE, listSuppressedFindings=True)["findings"]
    assert policy["isSuppressed"] is True
    assert iot.list_audit_findings(taskId=task_id, checkName=PERMISSIVE, listSuppressedFindings=False)[
        "findings"
    ] == []


def test_without_the_marker_the_world_is_empty(iot_client):
    # Every test starts from nothing; the scenario belonged to the test above only.
    assert iot_client.list_things()["things"] == []
