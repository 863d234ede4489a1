"""LOGGING_DISABLED_CHECK over the account's V1 and V2 IoT logging options (check-triggers.md 15)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ACCOUNT, LOG_ROLE, LOGGING, ROLE, enable


def audit(iot: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    enable(iot, LOGGING, role_arn=ROLE)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    return (iot.describe_audit_task(taskId=task_id)["auditDetails"][LOGGING],
            iot.list_audit_findings(taskId=task_id)["findings"])


def test_an_account_that_never_set_logging_is_non_compliant(iot: Any) -> None:
    """15: IoT logs to CloudWatch are not enabled; one ACCOUNT_SETTINGS resource examined [INF]."""
    details, [finding] = audit(iot)
    assert (details["totalResourcesCount"], details["nonCompliantResourcesCount"]) == (1, 1)
    assert finding["nonCompliantResource"] == {"resourceType": "ACCOUNT_SETTINGS",
                                               "resourceIdentifier": {"account": ACCOUNT}}
    assert finding["reasonForNonComplianceCode"] == "LOGGING_DISABLED"
    assert "relatedResources" not in finding


def test_the_workshop_trigger_is_non_compliant(iot: Any) -> None:
    """15 [WS]: SetV2LoggingOptions(defaultLogLevel=DISABLED, disableAllLogs=true)."""
    iot.set_v2_logging_options(roleArn=LOG_ROLE, defaultLogLevel="DISABLED", disableAllLogs=True)
    assert audit(iot)[0]["nonCompliantResourcesCount"] == 1


@pytest.mark.parametrize(("v2", "v1", "compliant"), [
    ({"defaultLogLevel": "INFO", "disableAllLogs": False}, None, True),
    ({"defaultLogLevel": "ERROR", "disableAllLogs": True}, None, False),  # disableAllLogs wins
    ({"defaultLogLevel": "DISABLED", "disableAllLogs": False}, None, False),
    ({"defaultLogLevel": "DISABLED", "disableAllLogs": True}, "WARN", True),  # V1 alone is enough [INF]
    (None, "DISABLED", False),
    (None, "DEBUG", True),
])
def test_either_logging_generation_enabled_is_compliant(iot: Any, v2: dict[str, Any] | None, v1: str | None,
                                                        compliant: bool) -> None:
    """15 [INF]: non-compliant only when neither V1 nor V2 logging is enabled."""
    if v2 is not None:
        iot.set_v2_logging_options(roleArn=LOG_ROLE, **v2)
    if v1 is not None:
        iot.set_logging_options(loggingOptionsPayload={"roleArn": LOG_ROLE, "logLevel": v1})
    details, findings = audit(iot)
    assert details["checkRunStatus"] == ("COMPLETED_COMPLIANT" if compliant else "COMPLETED_NON_COMPLIANT")
    assert len(findings) == (0 if compliant else 1)
