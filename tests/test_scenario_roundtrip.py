"""load -> dump -> load -> dump gives the same dump, for every example scenario and the demo.

Each scenario is loaded into a fresh mock and dumped; moto's backends (the audit ones
included) are reset inside the mock; the dump is loaded (through YAML text, as a file
would be) and dumped again. The two dumps must be equal, and the second load must give
the same state seen through the API.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import client
from moto.core.base_backend import BackendDict

from iot_audit_fake import dump_scenario, load_scenario, mock_iot_audit, validate_scenario
from iot_audit_fake.scenario import DEMO_SCENARIO_PATH
from iot_audit_fake.scenario.dump import to_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))
SCENARIOS = [*EXAMPLES, DEMO_SCENARIO_PATH]


def test_there_are_example_scenarios():
    assert len(EXAMPLES) >= 3, EXAMPLES


def test_the_examples_cover_every_section_of_the_format():
    from iot_audit_fake.scenario.source import schema

    used: set[str] = set()
    for path in EXAMPLES:
        data = yaml.safe_load(path.read_text())
        for state in (data, *data.get("accounts", [])):
            used |= set(state)
    assert used >= set(schema()["properties"]) - {"clock", "account", "region"}


def observed() -> dict[str, Any]:
    """What the API shows of the default account in us-east-1 (a cross-check of the dumps)."""
    iot = client("iot", region="us-east-1")
    now = dt.datetime.now(dt.timezone.utc)
    tasks = iot.list_audit_tasks(startTime=now - dt.timedelta(days=89), endTime=now + dt.timedelta(days=1))["tasks"]
    return {
        "things": sorted(t["thingName"] for t in iot.list_things()["things"]),
        "certificates": sorted((c["certificateId"], c["status"]) for c in iot.list_certificates()["certificates"]),
        "policies": sorted(p["policyName"] for p in iot.list_policies()["policies"]),
        "tasks": sorted((t["taskId"], t["taskStatus"]) for t in tasks),
        "findings": sorted(f["findingId"] for t in tasks
                           for f in iot.list_audit_findings(taskId=t["taskId"])["findings"]),
        "suppressions": len(iot.list_audit_suppressions()["suppressions"]),
        "configuration": iot.describe_account_audit_configuration()["auditCheckConfigurations"],
    }


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_load_dump_load_dump_is_stable(path: Path):
    assert validate_scenario(path) == []
    with mock_iot_audit():
        load_scenario(path)
        first = dump_scenario()
        seen = observed()
        text = to_yaml(first)
        assert yaml.safe_load(text) == first  # the dump is plain, safe YAML
        assert validate_scenario(text) == []

        BackendDict.reset()
        assert client("iot", region="us-east-1").list_things()["things"] == []

        load_scenario(text)
        second = dump_scenario()
        assert second == first, "\n" + to_yaml(second)
        assert observed() == seen


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_the_dump_is_ordered_like_the_format(path: Path):
    from iot_audit_fake.scenario.source import schema

    # The place, its state in the schema's order, then the other places (sorted).
    order = ["account", "region", *schema()["$defs"]["region_state"]["properties"], "accounts"]
    with mock_iot_audit():
        load_scenario(path)
        dumped = dump_scenario()
    for state in (dumped, *dumped.get("accounts", [])):
        keys = list(state)
        assert keys == sorted(keys, key=order.index)
    places = [(a["account"], a["region"]) for a in dumped.get("accounts", [])]
    assert places == sorted(places)
