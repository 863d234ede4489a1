"""A bug in the fake is never disguised as an AWS outcome (issue 12, item 3).

In-process it raises :class:`iot_audit_fake.FakeBug` through botocore, not retried, with the
original exception as its cause; in server mode it is a 500 InternalFailureException with
the traceback logged once. Evaluators and mitigation effects follow the same rule. The bugs
here are planted with monkeypatch in an evaluator, an effect, an operation and the upkeep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3.session
import pytest
import requests
from botocore.config import Config
from conftest import LOGGING, NO_RETRIES, assert_error, client, iot_url
from mitigation_helpers import audit_findings, create_action, run_audit, start_task

from iot_audit_fake import FakeBug, mock_iot_audit
from iot_audit_fake.backend import AuditBackend
from iot_audit_fake.checks import engine
from iot_audit_fake.mitigation_effects import EFFECTS
from iot_audit_fake.server import ThreadedServer


class Planted(Exception):
    """The planted bug."""


def boom(*args: Any, **kwargs: Any) -> Any:
    raise Planted("planted bug")


@pytest.fixture
def iot() -> Iterator[Any]:
    with mock_iot_audit():
        yield client(region="us-east-1")


def attempts(iot: Any) -> list[str]:
    sent: list[str] = []
    iot.meta.events.register("request-created", lambda **kwargs: sent.append(kwargs["event_name"]))
    return sent


@pytest.mark.parametrize("mode", ["standard", "legacy", "adaptive"])
def test_an_evaluator_bug_raises_fake_bug_not_retried_in_any_retry_mode(monkeypatch: pytest.MonkeyPatch, mode: str):
    with mock_iot_audit():
        iot = client(region="us-east-1", config=Config(retries={"mode": mode, "max_attempts": 5}))
        iot.update_account_audit_configuration(roleArn="arn:aws:iam::123456789012:role/Audit",
                                               auditCheckConfigurations={LOGGING: {"enabled": True}})
        monkeypatch.setattr(engine, "run", boom)
        sent = attempts(iot)
        with pytest.raises(FakeBug) as raised:
            iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])
        assert len(sent) == 1
        assert isinstance(raised.value.__cause__, Planted)
        assert "StartOnDemandAuditTask" in str(raised.value)
        assert "bug in the fake" in str(raised.value)


def test_a_mitigation_effect_bug_raises_fake_bug(iot: Any, monkeypatch: pytest.MonkeyPatch):
    audit = run_audit(iot, LOGGING)
    assert len(audit_findings(iot, audit)) == 1
    create_action(iot, "log", "ENABLE_IOT_LOGGING")
    monkeypatch.setitem(EFFECTS, "ENABLE_IOT_LOGGING", boom)
    with pytest.raises(FakeBug) as raised:
        start_task(iot, "task-1", {LOGGING: ["log"]}, audit_task_id=audit)
        iot.describe_audit_mitigation_actions_task(taskId="task-1")
    assert isinstance(raised.value.__cause__, Planted)


def test_an_operation_bug_names_the_operation(iot: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(AuditBackend, "list_scheduled_audits", boom)
    with pytest.raises(FakeBug, match="ListScheduledAudits") as raised:
        iot.list_scheduled_audits()
    assert isinstance(raised.value.__cause__, Planted)


def test_a_bug_in_the_upkeep_before_a_moto_request_raises_fake_bug(iot: Any, monkeypatch: pytest.MonkeyPatch):
    iot.list_scheduled_audits()  # the region's audit backend exists, so an IoT request brings it up to date
    monkeypatch.setattr(AuditBackend, "catch_up", boom)
    with pytest.raises(FakeBug, match="bug in the fake") as raised:
        iot.create_thing(thingName="sensor-1")
    assert isinstance(raised.value.__cause__, Planted)
    monkeypatch.undo()
    assert iot.list_things()["things"] == []  # moto never saw the request


def test_a_bug_reached_through_requests_raises_fake_bug(iot: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(AuditBackend, "list_scheduled_audits", boom)
    with pytest.raises(FakeBug):
        requests.get(iot_url("/audit/scheduledaudits", region="us-east-1"), timeout=5)


def test_a_modeled_error_is_still_an_aws_answer(iot: Any):
    assert_error(lambda: iot.describe_scheduled_audit(scheduledAuditName="nope"), "ResourceNotFoundException", 404)


# -- server mode ----------------------------------------------------------------------------------


def test_the_server_answers_a_bug_500_and_logs_its_traceback_once(monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture):
    with ThreadedServer(port=0) as server:
        iot = boto3.session.Session().client("iot", region_name="us-east-1", endpoint_url=server.endpoint_url,
                                             aws_access_key_id="testing", aws_secret_access_key="testing",
                                             config=NO_RETRIES)
        monkeypatch.setattr(AuditBackend, "list_scheduled_audits", boom)
        with caplog.at_level(logging.INFO, logger="iot_audit_fake"):
            error = assert_error(iot.list_scheduled_audits, "InternalFailureException", 500)
        assert "ListScheduledAudits" in error.response["Error"]["Message"]
        tracebacks = [record for record in caplog.records if record.exc_info]
        assert len(tracebacks) == 1
        assert isinstance(tracebacks[0].exc_info[1], FakeBug)  # type: ignore[index]
        assert isinstance(tracebacks[0].exc_info[1].__cause__, Planted)  # type: ignore[index]
        monkeypatch.undo()
        assert iot.list_scheduled_audits()["scheduledAudits"] == []
