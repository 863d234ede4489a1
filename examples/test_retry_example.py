"""Testing retry handling: the audit API throttles, as AWS does, and the code under test copes.

``scenarios/throttled.yaml`` makes the first two StartOnDemandAuditTask calls answer
ThrottlingException; ``iot_audit.inject_fault`` does the same from inside a test (the fault is
removed when the test ends). botocore's standard retry mode retries both, so the code under
test gets its answer on the third attempt, exactly as it would against AWS.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

CHECK = "LOGGING_DISABLED_CHECK"


def start_audit(iot) -> str:
    """The code under test: start an audit, relying on the SDK's retries."""
    return iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"]


@pytest.mark.iot_audit_scenario("scenarios/throttled.yaml")
def test_the_audit_starts_despite_two_throttles(iot_audit):
    iot = boto3.client("iot", config=Config(retries={"mode": "standard", "max_attempts": 3}))
    task_id = start_audit(iot)
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"


def test_without_retries_the_throttle_reaches_the_caller(iot_audit):
    iot = boto3.client("iot", config=Config(retries={"total_max_attempts": 1}))
    iot.update_account_audit_configuration(roleArn="arn:aws:iam::123456789012:role/AuditRole",
                                           auditCheckConfigurations={CHECK: {"enabled": True}})
    fault = iot_audit.inject_fault("StartOnDemandAuditTask", "ThrottlingException", times=1)
    with pytest.raises(iot.exceptions.ThrottlingException):
        start_audit(iot)
    assert fault.fired == 1
    start_audit(iot)  # the fault is spent
