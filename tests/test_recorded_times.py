"""Times a test records are kept as the fake's clock keeps time: to the millisecond.

A test that records "now" with ``datetime.now()`` gets microseconds the fake's clock does not
have; kept as given, such a time lies up to a millisecond in the fake's future, so a check run
at once would not see it (a flaky "unused service" before this rule).
"""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from conftest import client

from iot_audit_fake import audit_backends, mock_iot_audit

ROLE_NAME = "device-role"
ROLE = f"arn:aws:iam::123456789012:role/{ROLE_NAME}"
AT = dt.datetime(2026, 3, 1, 12, 0, 0, 999, tzinfo=dt.timezone.utc)  # 999 µs past a millisecond
UNUSED = "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"


def test_a_service_used_this_very_instant_counts_as_used():
    with time_machine.travel(AT, tick=False), mock_iot_audit():
        iot, iam = client("iot", region="us-east-1"), client("iam", region="us-east-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "credentials.iot.amazonaws.com"}}]}
        iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}))
        iot.create_role_alias(roleAlias="alias", roleArn=ROLE)
        iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={UNUSED: {"enabled": True}})
        backend = audit_backends["123456789012"]["us-east-1"]
        backend.record_service_usage(ROLE, "lambda", dt.datetime.now(dt.timezone.utc))
        assert backend.state.service_usage[ROLE]["lambda"] == AT.replace(microsecond=0)
        task = iot.start_on_demand_audit_task(targetCheckNames=[UNUSED])["taskId"]
        assert iot.list_audit_findings(taskId=task)["findings"] == []


def test_connection_times_are_kept_to_the_millisecond():
    with mock_iot_audit():
        backend = audit_backends["123456789012"]["us-east-1"]
        connection = backend.record_connection("sensor-1", connected_at=AT, disconnected_at=AT + dt.timedelta(hours=1))
        assert (connection.connected_at.microsecond, connection.disconnected_at.microsecond) == (0, 0)
