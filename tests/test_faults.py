"""Fault injection (issue 12, item 4): in-process, the fixture, the server and scenarios.

Every fault is seen by botocore exactly as an AWS answer would be: its retry logic retries
throttles and 5xx, and the call's ``ResponseMetadata.RetryAttempts`` counts them.
"""

from __future__ import annotations

import http.client
import json
import textwrap
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3.session
import botocore.retries.standard
import pytest
from botocore.config import Config
from conftest import NO_RETRIES, assert_error, client, enable
from moto.moto_api._internal.models import moto_api_backend

from iot_audit_fake import ScenarioError, clear_faults, entry, inject_fault, load_scenario, mock_iot_audit
from iot_audit_fake.faults import SEED_VARIABLE, list_faults
from iot_audit_fake.server import ThreadedServer

pytest_plugins = ["pytester"]

STANDARD = Config(retries={"mode": "standard"})  # at most 3 attempts


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard mode waits up to seconds between attempts; the attempts are what is tested."""
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def attempts(iot: Any) -> list[str]:
    """An entry per attempt the client makes (botocore creates and signs a new request for each)."""
    sent: list[str] = []
    iot.meta.events.register("request-created", lambda **kwargs: sent.append(kwargs["event_name"]))
    return sent


# -- in-process -----------------------------------------------------------------------------------


def test_two_throttles_give_three_attempts_then_success_in_standard_retry_mode():
    with mock_iot_audit():
        iot = client(config=STANDARD)
        enable(iot)
        task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
        sent = attempts(iot)
        fault = inject_fault("DescribeAuditTask", times=2)
        described = iot.describe_audit_task(taskId=task_id)
        assert described["taskType"] == "ON_DEMAND_AUDIT_TASK"
        assert described["ResponseMetadata"]["RetryAttempts"] == 2
        assert len(sent) == 3
        assert (fault.fired, fault.remaining) == (2, 0)
        assert list_faults() == []  # spent faults are gone


def test_three_throttles_exhaust_standard_retries():
    with mock_iot_audit():
        iot = client(config=STANDARD)
        inject_fault("ListScheduledAudits", times=3, message="Rate exceeded")
        error = assert_error(iot.list_scheduled_audits, "ThrottlingException", 400)
        assert error.response["Error"]["Message"] == "Rate exceeded"
        assert error.response["ResponseMetadata"]["RetryAttempts"] == 2
        assert iot.list_scheduled_audits()["scheduledAudits"] == []  # spent: the next call goes through


@pytest.mark.parametrize(("error", "status"), [
    ("ThrottlingException", 400), ("ServiceUnavailableException", 503), ("InternalFailureException", 500),
    ("ResourceNotFoundException", 404), ("InvalidRequestException", 400),
])
def test_each_error_answers_with_its_status(error: str, status: int):
    with mock_iot_audit():
        iot = client(config=NO_RETRIES)
        inject_fault("DescribeAuditTask", error, times=1)
        assert_error(lambda: iot.describe_audit_task(taskId="a" * 32), error, status)


def test_a_fault_answers_before_the_operation_runs_so_nothing_changes():
    with mock_iot_audit():
        iot = client(config=NO_RETRIES)
        enable(iot)
        inject_fault("CreateScheduledAudit", "LimitExceededException", times=1)
        assert_error(lambda: iot.create_scheduled_audit(
            scheduledAuditName="daily", frequency="DAILY", targetCheckNames=["LOGGING_DISABLED_CHECK"]),
            "LimitExceededException", 410)
        assert iot.list_scheduled_audits()["scheduledAudits"] == []


def test_a_fault_on_one_operation_leaves_the_others_alone_and_star_matches_every_one():
    with mock_iot_audit():
        iot = client(config=NO_RETRIES)
        inject_fault("ListAuditSuppressions")
        assert iot.list_scheduled_audits()["scheduledAudits"] == []
        assert iot.list_things()["things"] == []  # moto's IoT is not the audit API
        assert_error(iot.list_audit_suppressions, "ThrottlingException", 400)
        assert_error(iot.list_audit_suppressions, "ThrottlingException", 400)  # times=None: until removed
        clear_faults()
        everything = inject_fault("*", "ServiceUnavailableException")
        assert_error(iot.list_scheduled_audits, "ServiceUnavailableException", 503)
        assert_error(iot.describe_account_audit_configuration, "ServiceUnavailableException", 503)
        assert_error(iot.get_v2_logging_options, "ServiceUnavailableException", 503)
        assert iot.list_things()["things"] == []
        everything.remove()
        everything.remove()  # removing twice is harmless
        assert iot.list_audit_suppressions()["suppressions"] == []


def test_the_first_injected_matching_fault_answers():
    with mock_iot_audit():
        iot = client(config=NO_RETRIES)
        inject_fault("ListScheduledAudits", "InternalFailureException", times=1)
        inject_fault("*", "ServiceUnavailableException", times=1)
        assert_error(iot.list_scheduled_audits, "InternalFailureException", 500)
        assert_error(iot.list_scheduled_audits, "ServiceUnavailableException", 503)
        assert iot.list_scheduled_audits()["scheduledAudits"] == []


def test_latency_waits_without_the_lock_with_or_without_an_error(monkeypatch: pytest.MonkeyPatch):
    waits: list[float] = []
    lock_free: list[bool] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        free = []
        other = threading.Thread(target=lambda: free.append(_try_lock()))
        other.start()
        other.join()
        lock_free.extend(free)

    monkeypatch.setattr(entry.time, "sleep", sleep)
    with mock_iot_audit():
        iot = client(config=NO_RETRIES)
        inject_fault("ListScheduledAudits", None, latency=0.25, times=1)
        assert iot.list_scheduled_audits()["scheduledAudits"] == []
        inject_fault("ListAuditSuppressions", "ThrottlingException", latency=1.5, times=1)
        assert_error(iot.list_audit_suppressions, "ThrottlingException", 400)
    assert waits == [0.25, 1.5]
    assert lock_free == [True, True]


def _try_lock() -> bool:
    if entry.LOCK.acquire(blocking=False):
        entry.LOCK.release()
        return True
    return False


@pytest.mark.parametrize(("arguments", "options", "problem"), [
    (("DescribeThing",), {}, "Unknown operation"),
    (("describeAuditTask",), {}, "Unknown operation"),
    (("DescribeAuditTask", "NoSuchException"), {}, "is not an error"),
    (("DescribeAuditTask", "ResourceAlreadyExistsException"), {}, "is not an error"),  # not modeled for it
    (("*", "ResourceNotFoundException"), {}, "is not an error"),  # not every operation models it
    (("DescribeAuditTask",), {"times": 0}, "times"),
    (("DescribeAuditTask",), {"times": 1.5}, "times"),
    (("DescribeAuditTask",), {"probability": 0}, "probability"),
    (("DescribeAuditTask",), {"probability": 1.5}, "probability"),
    (("DescribeAuditTask",), {"latency": -1}, "latency"),
    (("DescribeAuditTask",), {"latency": float("nan")}, "latency"),
    (("DescribeAuditTask", None), {}, "needs a latency"),
])
def test_bad_arguments_raise_value_error_at_once(arguments: tuple[Any, ...], options: dict[str, Any], problem: str):
    with mock_iot_audit():
        with pytest.raises(ValueError, match=problem):
            inject_fault(*arguments, **options)
        assert list_faults() == []


def test_a_fault_needs_an_active_mock():
    with pytest.raises(RuntimeError, match="active mock"):
        inject_fault("DescribeAuditTask")


def test_moto_reset_and_the_end_of_the_outermost_mock_clear_every_fault():
    with mock_iot_audit():
        inject_fault("DescribeAuditTask")
        moto_api_backend.reset()
        assert list_faults() == []
        inject_fault("DescribeAuditTask")
        with mock_iot_audit():
            pass  # an inner mock ending keeps them
        assert len(list_faults()) == 1
    with mock_iot_audit():
        assert list_faults() == []
    outer = mock_iot_audit()
    outer.start()
    inject_fault("DescribeAuditTask")
    outer.stop(remove_data=False)  # the data is kept, the faults are not
    outer.start(reset=False)
    try:
        assert list_faults() == []
    finally:
        outer.stop()


def _pattern(probability: float, calls: int = 40) -> list[bool]:
    with mock_iot_audit():
        iot = client(config=NO_RETRIES)
        inject_fault("ListScheduledAudits", probability=probability)
        outcome = []
        for _ in range(calls):
            try:
                iot.list_scheduled_audits()
                outcome.append(False)
            except iot.exceptions.ThrottlingException:
                outcome.append(True)
        return outcome


def test_probability_draws_are_seeded_so_a_test_sees_the_same_pattern_every_run(monkeypatch: pytest.MonkeyPatch):
    first = _pattern(0.5)
    assert 5 < sum(first) < 35
    assert _pattern(0.5) == first
    monkeypatch.setenv(SEED_VARIABLE, "another seed")
    other = _pattern(0.5)
    assert other != first
    assert _pattern(0.5) == other


# -- the fixture ----------------------------------------------------------------------------------


def test_the_fixture_removes_its_faults_at_teardown(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID", "MOTO_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeconftest("""
        import pytest
        from moto import mock_aws

        @pytest.fixture(scope="session", autouse=True)
        def outer_mock():
            # An outer mock: the fixture's own mock ending is then not the outermost, nor a reset.
            with mock_aws():
                yield
    """)
    pytester.makepyfile(textwrap.dedent("""
        import boto3
        import pytest
        from iot_audit_fake.faults import list_faults

        def test_inject(iot_audit):
            fault = iot_audit.inject_fault("ListScheduledAudits", times=5)
            iot = boto3.client("iot", config=__import__("botocore.config").config.Config(
                retries={"total_max_attempts": 1}))
            with pytest.raises(iot.exceptions.ThrottlingException):
                iot.list_scheduled_audits()
            assert fault.remaining == 4

        def test_after():
            assert list_faults() == []
    """))
    # A subprocess: the plugin comes from its entry point, and the inner mocks are the inner run's own.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=2)


# -- scenarios ------------------------------------------------------------------------------------


def test_a_scenario_injects_its_faults():
    with mock_iot_audit():
        load_scenario(textwrap.dedent("""
            things: [{name: sensor-1}]
            faults:
              - {operation: ListScheduledAudits, error: ServiceUnavailableException, times: 1}
              - {operation: "*", latency: 0.01, error: null, times: 1}
        """))
        assert [(f.operation, f.error) for f in list_faults()] == [
            ("ListScheduledAudits", "ServiceUnavailableException"), ("*", None)]
        iot = client(region="us-east-1", config=NO_RETRIES)
        assert_error(iot.list_scheduled_audits, "ServiceUnavailableException", 503)


def test_a_scenario_with_a_bad_fault_changes_nothing():
    with mock_iot_audit():
        with pytest.raises(ScenarioError, match=r"faults\[1\].*Unknown operation"):
            load_scenario(textwrap.dedent("""
                things: [{name: sensor-1}]
                faults:
                  - {operation: ListScheduledAudits}
                  - {operation: ListSecurityProfiles}
            """))
        assert list_faults() == []
        assert client(region="us-east-1").list_things()["things"] == []


# -- the server -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0) as running:
        yield running


def control(server: ThreadedServer, method: str, body: Any = None) -> tuple[int, Any]:
    parts = urlsplit(server.endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, "/_iot_audit/faults", body=payload,
                           headers={"Content-Type": "application/json"} if payload else {})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def server_client(server: ThreadedServer, config: Config) -> Any:
    return boto3.session.Session().client("iot", region_name="us-east-1", endpoint_url=server.endpoint_url,
                                          aws_access_key_id="testing", aws_secret_access_key="testing",
                                          config=config)


def test_the_server_injects_lists_and_clears_faults(server: ThreadedServer):
    status, fault = control(server, "POST", {"operation": "ListScheduledAudits", "times": 2})
    assert status == 200
    assert (fault["operation"], fault["error"], fault["remaining"]) == ("ListScheduledAudits",
                                                                       "ThrottlingException", 2)
    iot = server_client(server, STANDARD)
    answer = iot.list_scheduled_audits()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert control(server, "GET") == (200, {"faults": []})

    control(server, "POST", {"operation": "*", "error": "InternalFailureException", "probability": 1,
                             "message": "down for a test"})
    status, listed = control(server, "GET")
    assert [f["message"] for f in listed["faults"]] == ["down for a test"]
    error = assert_error(server_client(server, NO_RETRIES).describe_account_audit_configuration,
                         "InternalFailureException", 500)
    assert error.response["Error"]["Message"] == "down for a test"
    assert control(server, "DELETE") == (200, {"status": "ok", "removed": 1})
    assert iot.list_scheduled_audits()["scheduledAudits"] == []


@pytest.mark.parametrize("body", [
    {"operation": "NoSuchOperation"},
    {"operation": "DescribeAuditTask", "error": "NoSuchException"},
    {"operation": "DescribeAuditTask", "times": 0},
    {"operation": "DescribeAuditTask", "times": "2"},
    {"operation": "DescribeAuditTask", "probability": 2},
    {"operation": "DescribeAuditTask", "latency": 1e400},
    {"operation": "DescribeAuditTask", "colour": "red"},
    {"error": "ThrottlingException"},
    ["DescribeAuditTask"],
])
def test_the_server_refuses_a_bad_fault(server: ThreadedServer, body: Any):
    status, answer = control(server, "POST", body)
    assert status == 400, answer
    assert answer["__type"] == "InvalidRequestException"
    assert control(server, "GET") == (200, {"faults": []})
