"""Shared fixtures and helpers for the test suite (keep names generic and stable: other files import them)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import boto3.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from freezegun import freeze_time

# The package is not installed into the virtualenv; make the checkout importable.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Fake credentials and region for clients created outside a mock (moto swaps its own in while active).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from iot_audit_fake import audit_backends, mock_iot_audit  # noqa: E402

# -- accounts, the default region of ``client()`` and IAM roles ------------------------------------
ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "210987654321"  # a second account, for isolation tests
REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/Audit"
MITIGATION_ROLE = "arn:aws:iam::123456789012:role/Mitigation"  # what mitigation actions run as
LOG_ROLE = "arn:aws:iam::123456789012:role/IoTLogging"  # what IoT logging writes with
SNS_TOPIC = "arn:aws:sns:eu-west-1:123456789012:audit-findings"
AUDIT_TASK_MODEL = "iot::audittask"

# -- time: the suite's common frozen instant and units -------------------------------------------
# Files whose clock starts elsewhere (NOW, START, ...) name their own instant.
UTC = dt.timezone.utc
BASE = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# -- (error code, HTTP status) pairs, for ``assert_error(call, *IRE)`` -----------------------------
IRE = ("InvalidRequestException", 400)
RNF = ("ResourceNotFoundException", 404)
RAE = ("ResourceAlreadyExistsException", 409)

# -- check names used across many files (the rest are spelled where they are used) ----------------
LOGGING = "LOGGING_DISABLED_CHECK"
EXPIRING = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
POLICY = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"

#: Every audit check the API knows today (reference §4).
ALL_CHECKS = (
    "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
    "CA_CERTIFICATE_EXPIRING_CHECK",
    "CA_CERTIFICATE_KEY_QUALITY_CHECK",
    "CONFLICTING_CLIENT_IDS_CHECK",
    "DEVICE_CERTIFICATE_AGE_CHECK",
    "DEVICE_CERTIFICATE_EXPIRING_CHECK",
    "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK",
    "DEVICE_CERTIFICATE_SHARED_CHECK",
    "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK",
    "IOT_POLICY_OVERLY_PERMISSIVE_CHECK",
    "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK",
    "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK",
    "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK",
    "LOGGING_DISABLED_CHECK",
    "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK",
    "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK",
    "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
)

#: TaskStatistics counter for each checkRunStatus (reference §6).
STATISTIC_OF_STATUS = {
    "IN_PROGRESS": "inProgressChecks",
    "WAITING_FOR_DATA_COLLECTION": "waitingForDataCollectionChecks",
    "COMPLETED_COMPLIANT": "compliantChecks",
    "COMPLETED_NON_COMPLIANT": "nonCompliantChecks",
    "FAILED": "failedChecks",
    "CANCELED": "canceledChecks",
}


# One session for the suite: a client from a warm session costs milliseconds, a cold one ~50 ms.
_SESSION = boto3.session.Session()


def client(service: str = "iot", region: str = REGION, **kwargs: Any) -> Any:
    """A real boto3 client (the whole HTTP path: serializer, ``before-send``, parser)."""
    return _SESSION.client(service, region_name=region, **kwargs)


@pytest.fixture
def iot() -> Iterator[Any]:
    """A real boto3 IoT client (eu-west-1) with the fake active for the test."""
    with mock_iot_audit():
        yield client()


# -- the frozen clock, backends, device certificate ids and policy documents -----------------------


@pytest.fixture
def frozen() -> Iterator[Any]:
    """freezegun's clock stopped at BASE; ``frozen.tick(delta)`` moves it. Modules with another clock override it."""
    with freeze_time(BASE) as clock:
        yield clock


def backend(region: str = REGION, account: str = ACCOUNT) -> Any:
    """The audit backend of a region (REGION by default), for seeding what the API cannot set."""
    return audit_backends[account][region]


def cert(n: int) -> str:
    """A well-formed device certificate id (64 hex characters), numbered ``n``."""
    return f"{n:064x}"


def device(n: int) -> dict[str, str]:
    """The resourceIdentifier of device certificate ``n``."""
    return {"deviceCertificateId": cert(n)}


def policy_document(*statements: dict[str, Any]) -> str:
    """An IAM or IoT policy document (JSON text) holding ``statements``."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


#: botocore retries LimitExceededException and throttling with back-off (seconds); tests that expect them use this.
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def unvalidated_client(region: str = REGION) -> Any:
    """An IoT client that skips botocore's client-side checks (required, types, ``min``), so the server sees all."""
    return client(region=region, config=Config(parameter_validation=False))


def iot_url(path: str, region: str = REGION) -> str:
    """The IoT control-plane URL of ``path`` (for hand-built HTTP through ``requests``)."""
    return f"https://iot.{region}.amazonaws.com{path}"


def enable(iot: Any, *checks: str, role_arn: str = ROLE) -> None:
    """Enable ``checks`` (LOGGING_DISABLED_CHECK if none) with the account audit role."""
    names = checks or ("LOGGING_DISABLED_CHECK",)
    iot.update_account_audit_configuration(
        roleArn=role_arn, auditCheckConfigurations={name: {"enabled": True} for name in names}
    )


def assert_error(excinfo_or_callable: Any, code: str, status: int) -> ClientError:
    """Assert a ClientError's code and HTTP status.

    Takes a ``pytest.raises`` ExceptionInfo, a ClientError, or a zero-argument callable that must raise.
    Returns the ClientError for further checks.
    """
    if isinstance(excinfo_or_callable, ClientError):
        error = excinfo_or_callable
    elif isinstance(excinfo_or_callable, pytest.ExceptionInfo):
        error = excinfo_or_callable.value
    elif callable(excinfo_or_callable):
        with pytest.raises(ClientError) as excinfo:
            excinfo_or_callable()
        error = excinfo.value
    else:
        raise TypeError(f"assert_error cannot read {excinfo_or_callable!r}")
    assert isinstance(error, ClientError), error
    assert error.response["Error"]["Code"] == code, error.response
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status, error.response
    return error


def assert_task_statistics(description: dict[str, Any]) -> dict[str, int]:
    """DescribeAuditTask's taskStatistics partition its auditDetails (reference §6); returns the statistics."""
    stats = description["taskStatistics"]
    details = description["auditDetails"]
    counters = list(STATISTIC_OF_STATUS.values())
    assert set(stats) == {"totalChecks", *counters}, stats
    assert stats["totalChecks"] == len(details)
    assert stats["totalChecks"] == sum(stats[c] for c in counters), stats
    statuses = [detail["checkRunStatus"] for detail in details.values()]
    for status, counter in STATISTIC_OF_STATUS.items():
        assert stats[counter] == statuses.count(status), (counter, stats, statuses)
    return stats


@contextlib.contextmanager
def audit_task_transition(**transition: Any) -> Iterator[None]:
    """Set moto's state-manager transition for audit tasks, e.g. ``progression="manual", times=3``."""
    from moto.moto_api import state_manager

    state_manager.set_transition(AUDIT_TASK_MODEL, transition)
    try:
        yield
    finally:
        state_manager.unset_transition(AUDIT_TASK_MODEL)


def held_tasks(times: int = 3) -> contextlib.AbstractContextManager[None]:
    """Audit tasks stay IN_PROGRESS until described ``times`` times (manual progression)."""
    return audit_task_transition(progression="manual", times=times)

