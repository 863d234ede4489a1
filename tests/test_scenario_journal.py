"""Scenario loads are atomic through an undo journal: a failure late in a big load, over an account that
already holds resources, leaves that account exactly as it was (the journal replaces a deep copy of
every backend, so these tests look at what a shallow record could miss: resources changed in place)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ACCOUNT, client

from iot_audit_fake import ScenarioError, dump_scenario, load_scenario, mock_iot_audit

REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AuditRole"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
COUNT = 1500


def fleet(count: int, prefix: str, broken_last: bool = False) -> dict[str, Any]:
    certificates: list[dict[str, Any]] = [
        {"name": f"{prefix}-cert-{i}", "things": [f"{prefix}-{i}"], "policies": ["shared"]} for i in range(count)]
    if broken_last:
        certificates[-1] |= {"not_before": "+2d", "not_after": "+1d"}
    return {
        "audit_configuration": {"role_arn": ROLE, "checks": {"DEVICE_CERTIFICATE_EXPIRING_CHECK": {"enabled": True}}},
        "thing_groups": [{"name": f"{prefix}-group"}],
        "things": [{"name": f"{prefix}-{i}", "groups": ["existing-group", f"{prefix}-group"]} for i in range(count)],
        "certificates": certificates,
        "suppressions": [{"check": "DEVICE_CERTIFICATE_EXPIRING_CHECK", "resource": {"certificate": f"{prefix}-cert-0"},
                          "indefinitely": True}],
        "audit_tasks": [{"time": "-1h", "checks": ["DEVICE_CERTIFICATE_EXPIRING_CHECK"],
                         "findings": [{"check": "DEVICE_CERTIFICATE_EXPIRING_CHECK",
                                       "resource": {"certificate": f"{prefix}-cert-1"}}]}],
    }


def world() -> dict[str, Any]:
    """What the account holds, read through the API."""
    iot = client("iot", region=REGION)
    things = iot.get_paginator("list_things").paginate().build_full_result()["things"]
    certificates = iot.get_paginator("list_certificates").paginate().build_full_result()["certificates"]
    members = iot.list_things_in_thing_group(thingGroupName="existing-group")["things"]
    return {
        "things": sorted(t["thingName"] for t in things),
        "certificates": sorted((c["certificateId"], c["status"]) for c in certificates),
        "groups": sorted(g["groupName"] for g in iot.list_thing_groups()["thingGroups"]),
        "members": sorted(members),
        "policy": iot.get_policy(policyName="shared")["defaultVersionId"],
        "targets": sorted(iot.list_targets_for_policy(policyName="shared")["targets"]),
        "dump": json.dumps(dump_scenario(), sort_keys=True, default=str),
    }


def test_a_failure_at_the_end_of_a_big_load_restores_the_populated_account():
    with mock_iot_audit():
        iot = client("iot", region=REGION)
        iot.create_thing_group(thingGroupName="existing-group")
        iot.create_policy(policyName="shared", policyDocument=json.dumps(POLICY))
        load_scenario(fleet(200, "old"))  # the account already holds a fleet, a suppression and a task
        before = world()
        assert len(before["members"]) == 200

        with pytest.raises(ScenarioError) as excinfo:
            load_scenario(fleet(COUNT, "new", broken_last=True))
        (message,) = excinfo.value.messages
        assert f"certificates[{COUNT - 1}].not_after" in message
        assert world() == before  # no new thing, certificate, group member, attachment, suppression or task

        load_scenario(fleet(COUNT, "new"))  # the same load, fixed, goes through on the restored state
        after = world()
        assert len(after["things"]) == 200 + COUNT and len(after["members"]) == 200 + COUNT
        assert len(after["targets"]) == 200 + COUNT
