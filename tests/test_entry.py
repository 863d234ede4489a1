"""The single entry (iot_audit_fake.entry): due scheduled runs are materialised before moto handles a
request that can change what a check reads (issue 11, item 2), in the right account and region(s).

Whether a run then sees the resources as they were is the scheduled-audit tests' concern; here
the backends are inspected directly (an audit call would bring the state up to date itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3.session
import pytest
import time_machine
from botocore.config import Config
from conftest import ACCOUNT, OTHER_ACCOUNT, ROLE, client

from iot_audit_fake import audit_backends, entry, mock_iot_audit
from iot_audit_fake.server import ThreadedServer

CHECK = "LOGGING_DISABLED_CHECK"
START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def schedule(region: str) -> None:
    iot = client(region=region)
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={CHECK: {"enabled": True}})
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[CHECK])


def runs(region: str, account: str = ACCOUNT) -> int:
    return len(audit_backends[account][region].state.tasks)


@pytest.fixture
def two_days_behind() -> Iterator[Any]:
    """Daily scheduled audits in us-east-1 and eu-west-1, then the clock two days on (two runs due in each)."""
    with mock_iot_audit(), time_machine.travel(START, tick=False) as traveller:
        schedule("us-east-1")
        schedule("eu-west-1")
        traveller.shift(dt.timedelta(days=2))
        assert runs("us-east-1") == runs("eu-west-1") == 0
        yield traveller


def test_an_iot_request_materialises_its_region_only(two_days_behind: Any):
    client(region="us-east-1").create_thing(thingName="sensor-1")
    assert runs("us-east-1") == 2
    assert runs("eu-west-1") == 0


def test_a_read_of_moto_iot_materialises_too(two_days_behind: Any):
    client(region="eu-west-1").list_things()
    assert (runs("us-east-1"), runs("eu-west-1")) == (0, 2)


def test_an_iam_request_materialises_every_region_of_the_account(two_days_behind: Any):
    client("iam", region="us-east-1").create_role(RoleName="device", AssumeRolePolicyDocument="{}")
    assert (runs("us-east-1"), runs("eu-west-1")) == (2, 2)
    # Only existing backends: none is created for the other regions.
    assert dict.get(audit_backends[ACCOUNT], "ap-south-1") is None
    assert set(dict.keys(audit_backends[ACCOUNT])) == {"us-east-1", "eu-west-1"}


def test_a_cognito_identity_request_materialises_its_region(two_days_behind: Any):
    client("cognito-identity", region="eu-west-1").create_identity_pool(
        IdentityPoolName="devices", AllowUnauthenticatedIdentities=False)
    assert (runs("us-east-1"), runs("eu-west-1")) == (0, 2)


def test_other_services_do_not_materialise(two_days_behind: Any):
    client("sqs", region="us-east-1").create_queue(QueueName="findings")
    client("sns", region="eu-west-1").create_topic(Name="findings")
    assert (runs("us-east-1"), runs("eu-west-1")) == (0, 0)


def test_a_moto_request_in_a_region_without_audit_state_creates_none(two_days_behind: Any):
    client(region="ap-south-1").list_things()
    assert dict.get(audit_backends[ACCOUNT], "ap-south-1") is None
    assert (runs("us-east-1"), runs("eu-west-1")) == (0, 0)


def test_only_the_requests_account_is_materialised(monkeypatch: pytest.MonkeyPatch):
    with mock_iot_audit(), time_machine.travel(START, tick=False) as traveller:
        monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
        schedule("us-east-1")  # filed under MOTO_ACCOUNT_ID, as moto files it
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        schedule("us-east-1")
        traveller.shift(dt.timedelta(days=1))
        client("iam", region="us-east-1").list_roles()
        assert (runs("us-east-1"), runs("us-east-1", OTHER_ACCOUNT)) == (1, 0)


def test_the_server_does_not_serialise_lambda_requests():
    """A moto Lambda container calls back into the server while its invocation is answered: a Lambda
    request must not wait for the lock (held here by this thread) or the callback would deadlock."""
    with ThreadedServer(port=0) as server:
        session = boto3.session.Session()
        config = Config(read_timeout=20, retries={"total_max_attempts": 1})
        lambda_client = session.client("lambda", region_name="us-east-1", endpoint_url=server.endpoint_url,
                                       aws_access_key_id="testing", aws_secret_access_key="testing", config=config)
        with entry.LOCK:
            assert lambda_client.list_functions()["Functions"] == []
