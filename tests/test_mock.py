"""``mock_iot_audit``: every way to switch it on, nesting with moto, isolation, reset and clocks."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import unittest

import boto3
import pytest
import requests
import time_machine
from botocore.exceptions import ClientError
from conftest import ACCOUNT, REGION, ROLE, client, enable, iot_url
from freezegun import freeze_time
from moto import mock_aws
from moto.core.base_backend import BackendDict

import iot_audit_fake
from iot_audit_fake import IoTAuditMock, audit_backends, mock_iot_audit
from iot_audit_fake.mock import is_active

OTHER_ROLE = "arn:aws:iam::111111111111:role/OtherAudit"
FROZEN = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def role_of(iot) -> str | None:
    return iot.describe_account_audit_configuration().get("roleArn")


def enabled_checks(iot) -> set[str]:
    checks = iot.describe_account_audit_configuration()["auditCheckConfigurations"]
    return {name for name, conf in checks.items() if conf["enabled"]}


def assert_no_audit_state() -> None:
    assert not is_active()
    assert ACCOUNT not in audit_backends


@pytest.fixture(autouse=True)
def _no_mock_leaks():
    assert not is_active()
    yield
    assert not is_active()


# -- decorator -----------------------------------------------------------------------


def test_decorates_a_function():
    @mock_iot_audit
    def configure(role: str) -> str | None:
        iot = client()
        assert role_of(iot) is None
        enable(iot, role_arn=role)
        assert audit_backends[ACCOUNT][REGION].state.configuration.role_arn == role
        return role_of(iot)

    assert configure.__name__ == "configure"
    assert configure(ROLE) == ROLE
    assert_no_audit_state()
    # A second call starts from scratch.
    assert configure(OTHER_ROLE) == OTHER_ROLE


def test_decorates_a_function_when_called_with_parentheses():
    @mock_iot_audit()
    def configure() -> str | None:
        enable(client())
        return role_of(client())

    assert configure() == ROLE
    assert_no_audit_state()


def test_decorated_function_stops_the_mock_when_it_raises():
    @mock_iot_audit
    def boom() -> None:
        enable(client())
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        boom()
    assert_no_audit_state()


def test_decorates_an_async_function():
    @mock_iot_audit
    async def configure() -> str | None:
        iot = client()
        assert role_of(iot) is None
        enable(iot)
        await asyncio.sleep(0)
        assert is_active()
        return role_of(iot)

    assert inspect.iscoroutinefunction(configure)
    assert asyncio.run(configure()) == ROLE
    assert_no_audit_state()
    assert asyncio.run(configure()) == ROLE


@mock_iot_audit
class TestDecoratedPlainClass:
    """Each test method gets a fresh state, as with moto's class decoration."""

    def test_first(self):
        self.fresh_then_configure()

    def test_second(self):
        self.fresh_then_configure()

    def test_with_a_pytest_fixture(self, tmp_path):
        assert tmp_path.exists()
        self.fresh_then_configure()

    def fresh_then_configure(self):
        assert is_active()
        iot = client()
        assert role_of(iot) is None
        enable(iot)
        assert role_of(iot) == ROLE


@mock_iot_audit
class TestDecoratedClassWithSetupMethod:
    def setup_method(self, method):
        self.iot = client()
        assert role_of(self.iot) is None
        enable(self.iot, "LOGGING_DISABLED_CHECK")

    def test_sees_the_setup_state(self):
        assert enabled_checks(self.iot) == {"LOGGING_DISABLED_CHECK"}
        enable(self.iot, "CONFLICTING_CLIENT_IDS_CHECK")

    def test_sees_only_its_own_setup_state(self):
        assert enabled_checks(self.iot) == {"LOGGING_DISABLED_CHECK"}
        enable(self.iot, "DEVICE_CERTIFICATE_SHARED_CHECK")


@mock_iot_audit
class TestDecoratedUnittestCase(unittest.TestCase):
    def test_first(self):
        self._fresh_then_configure()

    def test_second(self):
        self._fresh_then_configure()

    def _fresh_then_configure(self):
        iot = client()
        self.assertIsNone(role_of(iot))
        enable(iot)
        self.assertEqual(role_of(iot), ROLE)


@mock_iot_audit
class TestDecoratedUnittestCaseWithSetUp(unittest.TestCase):
    def setUp(self):
        self.iot = client()
        self.assertIsNone(role_of(self.iot))
        enable(self.iot, "LOGGING_DISABLED_CHECK")

    def test_sees_the_setup_state(self):
        self.assertEqual(enabled_checks(self.iot), {"LOGGING_DISABLED_CHECK"})
        enable(self.iot, "CONFLICTING_CLIENT_IDS_CHECK")

    def test_sees_only_its_own_setup_state(self):
        self.assertEqual(enabled_checks(self.iot), {"LOGGING_DISABLED_CHECK"})
        enable(self.iot, "DEVICE_CERTIFICATE_SHARED_CHECK")


# -- context manager and start/stop ------------------------------------------------------


def test_context_manager():
    with mock_iot_audit() as mock:
        assert isinstance(mock, IoTAuditMock)
        assert is_active()
        iot = client()
        enable(iot)
        assert role_of(iot) == ROLE
    assert_no_audit_state()
    with mock_iot_audit():
        assert role_of(client()) is None


def test_start_and_stop():
    mock = mock_iot_audit()
    mock.start()
    try:
        iot = client()
        enable(iot)
        assert role_of(iot) == ROLE
    finally:
        mock.stop()
    assert_no_audit_state()


def test_stop_before_start_is_an_error():
    with pytest.raises(RuntimeError):
        mock_iot_audit().stop()


def test_fake_nests_in_itself():
    with mock_iot_audit():
        iot = client()
        enable(iot)
        with mock_iot_audit():
            assert role_of(iot) == ROLE
            enable(iot, "CONFLICTING_CLIENT_IDS_CHECK")
        assert is_active()
        assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK", "CONFLICTING_CLIENT_IDS_CHECK"}
    assert_no_audit_state()


# -- nesting with moto's mock_aws ------------------------------------------------------------


def test_nests_inside_mock_aws():
    with mock_aws():
        iot = client()
        iot.create_thing(thingName="before")
        with mock_iot_audit():
            enable(iot)
            iot.create_thing(thingName="during")
            assert iot.describe_thing(thingName="before")["thingName"] == "before"
            assert audit_backends[ACCOUNT][REGION].state.configuration.role_arn == ROLE
        # The inner stop is not the outermost: nothing is reset.
        assert iot.describe_thing(thingName="during")["thingName"] == "during"
        assert audit_backends[ACCOUNT][REGION].state.configuration.role_arn == ROLE
        with mock_iot_audit():
            assert role_of(iot) == ROLE
            assert {t["thingName"] for t in iot.list_things()["things"]} == {"before", "during"}
    assert_no_audit_state()


def test_mock_aws_nests_inside_the_fake():
    with mock_iot_audit():
        iot = client()
        enable(iot)
        with mock_aws():
            iot.create_thing(thingName="inner")
            assert role_of(iot) == ROLE
            enable(iot, "CONFLICTING_CLIENT_IDS_CHECK")
        assert iot.describe_thing(thingName="inner")["thingName"] == "inner"
        assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK", "CONFLICTING_CLIENT_IDS_CHECK"}
        assert audit_backends[ACCOUNT][REGION].state.configuration.role_arn == ROLE
    assert_no_audit_state()
    with mock_aws(), pytest.raises(ClientError) as excinfo:
        client().describe_thing(thingName="inner")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_moto_and_audit_calls_share_one_client():
    with mock_iot_audit():
        iot = client()
        iot.create_thing(thingName="sensor")
        enable(iot)
        task = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
        assert iot.describe_thing(thingName="sensor")["thingName"] == "sensor"
        assert iot.describe_audit_task(taskId=task)["taskStatus"] == "COMPLETED"


def test_audit_backends_is_exported_and_cleared_at_the_end():
    assert iot_audit_fake.audit_backends is audit_backends
    with mock_iot_audit():
        enable(client())
        backend = audit_backends[ACCOUNT][REGION]
        assert isinstance(backend, iot_audit_fake.AuditBackend)
        assert backend.state.configuration.role_arn == ROLE
        assert backend.account_id == ACCOUNT
        assert backend.region_name == REGION
    assert_no_audit_state()


# -- how requests reach the fake --------------------------------------------------------------


def test_client_created_before_the_mock_started_is_intercepted():
    early = boto3.client("iot", region_name=REGION)
    with mock_iot_audit():
        config = early.describe_account_audit_configuration()
        assert len(config["auditCheckConfigurations"]) == 17
        enable(early)
        assert role_of(client()) == ROLE


def test_hand_built_http_reaches_the_fake():
    with mock_iot_audit():
        body = {"roleArn": ROLE, "auditCheckConfigurations": {"LOGGING_DISABLED_CHECK": {"enabled": True}}}
        response = requests.patch(iot_url("/audit/configuration"), json=body, timeout=5)
        assert response.status_code == 200, response.text
        described = requests.get(iot_url("/audit/configuration"), timeout=5).json()
        assert described["roleArn"] == ROLE
        assert described["auditCheckConfigurations"]["LOGGING_DISABLED_CHECK"] == {"enabled": True}
        # Same account (no credentials means moto's default account) and region as a boto3 client.
        assert role_of(client()) == ROLE


# -- isolation --------------------------------------------------------------------------------


def test_accounts_are_isolated_by_moto_account_id(monkeypatch):
    with mock_iot_audit():
        iot = client()
        enable(iot)
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
        assert role_of(iot) is None
        enable(iot, "CONFLICTING_CLIENT_IDS_CHECK", role_arn=OTHER_ROLE)
        assert audit_backends["111111111111"][REGION].state.configuration.role_arn == OTHER_ROLE
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        assert role_of(iot) == ROLE
        assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK"}
        assert audit_backends[ACCOUNT][REGION].state.configuration.role_arn == ROLE


def test_accounts_are_isolated_by_the_moto_account_header():
    with mock_iot_audit():
        enable(client())
        other = {"x-moto-account-id": "111111111111"}
        assert "roleArn" not in requests.get(iot_url("/audit/configuration"), headers=other, timeout=5).json()
        body = {"roleArn": OTHER_ROLE, "auditCheckConfigurations": {"LOGGING_DISABLED_CHECK": {"enabled": True}}}
        requests.patch(iot_url("/audit/configuration"), json=body, headers=other, timeout=5).raise_for_status()
        assert requests.get(iot_url("/audit/configuration"), headers=other, timeout=5).json()["roleArn"] == OTHER_ROLE
        assert role_of(client()) == ROLE


def test_accounts_are_isolated_by_access_key(monkeypatch):
    with mock_iot_audit():
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "222222222222")
        iam = client("iam", region="us-east-1")
        iam.create_user(UserName="auditor")
        key = iam.create_access_key(UserName="auditor")["AccessKey"]
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        enable(client())
        theirs = client(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        assert role_of(theirs) is None
        enable(theirs, role_arn=OTHER_ROLE)
        assert audit_backends["222222222222"][REGION].state.configuration.role_arn == OTHER_ROLE
        assert role_of(client()) == ROLE
        # moto's IoT puts the same caller in the same account.
        theirs.create_thing(thingName="theirs")
        from moto.iot.models import iot_backends

        assert "theirs" in {t.thing_name for t in iot_backends["222222222222"][REGION].things.values()}


def test_regions_are_isolated():
    with mock_iot_audit():
        ireland, virginia = client(region="eu-west-1"), client(region="us-east-1")
        enable(ireland)
        assert role_of(virginia) is None
        enable(virginia, "CONFLICTING_CLIENT_IDS_CHECK", role_arn=OTHER_ROLE)
        assert enabled_checks(ireland) == {"LOGGING_DISABLED_CHECK"}
        assert enabled_checks(virginia) == {"CONFLICTING_CLIENT_IDS_CHECK"}
        assert audit_backends[ACCOUNT]["eu-west-1"].state.configuration.role_arn == ROLE
        assert audit_backends[ACCOUNT]["us-east-1"].state.configuration.role_arn == OTHER_ROLE
        task = ireland.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
        assert audit_backends[ACCOUNT]["eu-west-1"].state.tasks.get(task) is not None
        assert audit_backends[ACCOUNT]["us-east-1"].state.tasks.get(task) is None


# -- reset ------------------------------------------------------------------------------------


def test_backend_dict_reset_clears_audit_state():
    with mock_iot_audit():
        iot = client()
        enable(iot)
        BackendDict.reset()
        assert role_of(iot) is None
        assert is_active()


def test_moto_api_reset_clears_audit_state():
    with mock_iot_audit():
        iot = client()
        enable(iot)
        requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=5).raise_for_status()
        assert role_of(iot) is None


# -- clocks -----------------------------------------------------------------------------------


def start_and_describe(iot) -> dict:
    enable(iot)
    task = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
    return iot.describe_audit_task(taskId=task)


def test_freezegun_controls_task_start_time():
    with mock_iot_audit(), freeze_time("2026-03-01T12:00:00Z"):
        assert start_and_describe(client())["taskStartTime"] == FROZEN


def test_freezegun_started_outside_the_mock_controls_task_start_time():
    with freeze_time("2026-03-01T12:00:00Z"), mock_iot_audit():
        assert start_and_describe(client())["taskStartTime"] == FROZEN


def test_time_machine_controls_task_start_time():
    with mock_iot_audit(), time_machine.travel(FROZEN, tick=False):
        assert start_and_describe(client())["taskStartTime"] == FROZEN


def test_time_machine_moving_clock_orders_tasks():
    with mock_iot_audit(), time_machine.travel(FROZEN, tick=False) as traveller:
        iot = client()
        enable(iot)
        first = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
        traveller.shift(dt.timedelta(hours=1))
        second = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
        assert iot.describe_audit_task(taskId=second)["taskStartTime"] == FROZEN + dt.timedelta(hours=1)
        listed = iot.list_audit_tasks(startTime=FROZEN, endTime=FROZEN + dt.timedelta(hours=1))["tasks"]
        assert [t["taskId"] for t in listed] == [second, first]
