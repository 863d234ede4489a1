"""Scenarios carry what AWS observes: the identity pool on connections, service usage, and CRL entries
(revocations); the example scenario finds what its comments promise, and they survive a round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ACCOUNT, client

from iot_audit_fake import audit_backends, dump_scenario, load_scenario, mock_iot_audit
from iot_audit_fake.scenario import ScenarioError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "scenarios" / "observed-fleet.yaml"
REGION = "us-east-1"


def audit(iot: Any, *checks: str) -> dict[str, list[dict[str, Any]]]:
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    found: dict[str, list[dict[str, Any]]] = {check: [] for check in checks}
    for finding in iot.list_audit_findings(taskId=task_id)["findings"]:
        found[finding["checkName"]].append(finding)
    return found


def test_the_example_finds_what_it_promises() -> None:
    with mock_iot_audit():
        load_scenario(EXAMPLE)
        iot = client("iot", REGION)
        found = audit(iot, "DEVICE_CERTIFICATE_SHARED_CHECK", "CONFLICTING_CLIENT_IDS_CHECK",
                      "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK",
                      "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK")
        [shared] = found["DEVICE_CERTIFICATE_SHARED_CHECK"]
        assert [r["resourceIdentifier"]["clientId"] for r in shared["relatedResources"]] == [
            "sensor-7", "sensor-7b", "sensor-7"]
        [conflict] = found["CONFLICTING_CLIENT_IDS_CHECK"]
        assert conflict["nonCompliantResource"]["resourceIdentifier"] == {"clientId": "sensor-7"}
        [unused] = found["IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"]
        assert unused["reasonForNonCompliance"].endswith("[dynamodb].")
        assert len(found["REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK"]) == 1
        backend = audit_backends[ACCOUNT][REGION]
        assert [c.identity_pool_id for c in backend.state.connections if c.client_id == "app-client"] == [
            "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]
        assert len(backend.state.revoked_serials) == 2


def test_the_new_facts_are_dumped_and_loaded_back() -> None:
    with mock_iot_audit():
        load_scenario(EXAMPLE)
        dumped = dump_scenario()
        revoked = audit_backends[ACCOUNT][REGION].state.revoked_serials
        serial = next(s for i, s in revoked if i == "CN=Old Root")
        assert {"issuer": "CN=Old Root", "serial": serial} in dumped["revocations"]
        assert sorted((u["service"], u["role"]) for u in dumped["service_usage"]) == [
            ("dynamodb", f"arn:aws:iam::{ACCOUNT}:role/uploader"), ("s3", f"arn:aws:iam::{ACCOUNT}:role/uploader")]
        assert [c.get("identity_pool") for c in dumped["connections"]][-1].startswith("us-east-1:")


@pytest.mark.parametrize(("entry", "message"), [
    ("revocations: [{serial: '01'}]", "give either issuer and serial, or certificate, or ca_certificate"),
    ("revocations: [{issuer: 'CN=x', serial: '01', certificate: c}]", "give either"),
    ("revocations: [{certificate: nope}]", "no certificate labelled 'nope'"),
    ("service_usage: [{role: Nobody, service: s3}]", "no IAM role named 'Nobody'"),
    ("audit_configuration: {role_arn: arn:aws:iam::123456789012:role/Audit, checks: "
     "{LOGGING_DISABLED_CHECK: {enabled: true}, CONFLICTING_CLIENT_IDS_CHECK: {enabled: false, enabled_at: -1h}}}",
     "not enabled"),
])
def test_bad_entries_are_refused_with_where_and_why(entry: str, message: str) -> None:
    with mock_iot_audit():
        with pytest.raises(ScenarioError) as caught:
            load_scenario(entry + "\n")
        assert message in str(caught.value)
        assert audit_backends[ACCOUNT][REGION].state.revoked_serials == set()


def test_a_failed_load_leaves_no_usage_revocation_or_enable_time_behind() -> None:
    text = """
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/Audit
  checks: {CONFLICTING_CLIENT_IDS_CHECK: {enabled: true, enabled_at: -1d}}
revocations: [{issuer: "CN=Root", serial: "0a"}]
service_usage: [{role: "arn:aws:iam::123456789012:role/R", service: s3}]
connections: [{client_id: x, certificate: nope}]
"""
    with mock_iot_audit():
        with pytest.raises(ScenarioError):
            load_scenario(text)
        state = audit_backends[ACCOUNT][REGION].state
        assert (state.revoked_serials, state.service_usage, state.connections) == (set(), {}, [])
        assert state.configuration.enabled_at == {}
        assert not state.configuration.is_enabled("CONFLICTING_CLIENT_IDS_CHECK")
