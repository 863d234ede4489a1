"""Helpers for the mitigation-action and audit mitigation-actions task tests (reference §10, §11).

:func:`assert_consistent` is the one shared assertion: every test that runs a mitigation task
ends with it. The rest builds what those tests need (findings, actions, tasks, SNS queues, CAs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conftest import ACCOUNT, LOG_ROLE, client
from conftest import MITIGATION_ROLE as ROLE
from conftest import ROLE as AUDIT_ROLE
from conftest import backend as region_backend
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REGION = "us-east-1"
TASK_MODEL = "iot::auditmitigationactionstask"

DEVICE_EXPIRING = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
CA_EXPIRING = "CA_CERTIFICATE_EXPIRING_CHECK"
POLICY_PERMISSIVE = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"
CLIENT_IDS = "CONFLICTING_CLIENT_IDS_CHECK"

TERMINAL_TASK = {"COMPLETED", "FAILED", "CANCELED"}
TERMINAL_EXECUTION = {"COMPLETED", "FAILED", "CANCELED", "SKIPPED"}
OUTCOME_COUNTER = {
    "failed": "failedFindingsCount",
    "succeeded": "succeededFindingsCount",
    "skipped": "skippedFindingsCount",
    "canceled": "canceledFindingsCount",
}

#: One valid actionParams per action type.
PARAMS: dict[str, dict[str, Any]] = {
    "UPDATE_DEVICE_CERTIFICATE": {"updateDeviceCertificateParams": {"action": "DEACTIVATE"}},
    "UPDATE_CA_CERTIFICATE": {"updateCACertificateParams": {"action": "DEACTIVATE"}},
    "ADD_THINGS_TO_THING_GROUP": {"addThingsToThingGroupParams": {"thingGroupNames": ["quarantine"]}},
    "REPLACE_DEFAULT_POLICY_VERSION": {"replaceDefaultPolicyVersionParams": {"templateName": "BLANK_POLICY"}},
    "ENABLE_IOT_LOGGING": {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "WARN"}},
    "PUBLISH_FINDING_TO_SNS": {
        "publishFindingToSnsParams": {"topicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:audit-findings"}
    },
}


# -- the shared assertion ---------------------------------------------------------------


@dataclass
class Consistency:
    """What :func:`assert_consistent` read, for the test's own further assertions."""

    #: DescribeAuditMitigationActionsTask, without ResponseMetadata.
    task: dict[str, Any]
    #: The findings the task covers (target findings of the mapped checks), by findingId.
    findings: dict[str, dict[str, Any]]
    #: Every execution of each of those findings (all pages), by findingId.
    executions: dict[str, list[dict[str, Any]]]
    #: failed / succeeded / skipped / canceled, by findingId.
    outcomes: dict[str, str]

    def statuses(self, finding_id: str) -> list[str]:
        return [e["status"] for e in self.executions[finding_id]]


def assert_consistent(iot: Any, task_id: str) -> Consistency:
    """For a finished mitigation task, the executions and the taskStatistics agree (reference §11).

    * per check: totalFindingsCount = failed + succeeded + skipped + canceled, and each counter is
      the number of the check's findings with that outcome, where a finding is failed iff one of its
      executions FAILED, succeeded iff all are COMPLETED, canceled iff one is CANCELED, and skipped
      otherwise (no executions, or all SKIPPED);
    * taskStatus is FAILED iff some execution FAILED;
    * every execution is terminal and belongs to the task and the finding; a finding has either no
      executions or one per mapped action, and after a FAILED one the later actions are SKIPPED;
    * suppressed findings are not acted on, nor findings left out by auditCheckToReasonCodeFilter,
      and every other finding is.
    """
    task = iot.describe_audit_mitigation_actions_task(taskId=task_id)
    task.pop("ResponseMetadata")
    assert task["taskStatus"] in TERMINAL_TASK, task
    assert "endTime" in task and task["endTime"] >= task["startTime"], task
    mapping: dict[str, list[str]] = task["auditCheckToActionsMapping"]
    stats = task["taskStatistics"]
    assert set(stats) == set(mapping), (stats, mapping)

    findings = {f["findingId"]: f for f in _task_findings(iot, task["target"], mapping)}
    reason_filter = task["target"].get("auditCheckToReasonCodeFilter")
    executions: dict[str, list[dict[str, Any]]] = {}
    outcomes: dict[str, str] = {}
    counted = {check: Counter({counter: 0 for counter in OUTCOME_COUNTER.values()}) for check in mapping}
    any_failed = False
    for finding_id, finding in findings.items():
        check = finding["checkName"]
        runs = list_executions(iot, task_id, finding_id)
        executions[finding_id] = runs
        actions = mapping[check]
        for run in runs:
            assert run["taskId"] == task_id and run["findingId"] == finding_id, run
            assert run["status"] in TERMINAL_EXECUTION, run
        if runs:
            assert sorted(r["actionName"] for r in runs) == sorted(actions), (runs, actions)
        in_order = sorted(runs, key=lambda r: actions.index(r["actionName"]))
        for before, after in itertools.pairwise(in_order):
            if before["status"] in ("FAILED", "SKIPPED") and not finding["isSuppressed"]:
                assert after["status"] == "SKIPPED", (before, after)

        wanted = reason_filter is None or finding["reasonForNonComplianceCode"] in reason_filter.get(check, [])
        if not wanted:
            assert runs == [], (finding, runs)
        elif finding["isSuppressed"]:
            assert runs and {r["status"] for r in runs} == {"SKIPPED"}, (finding, runs)
        else:
            assert runs, f"finding {finding_id} of the task has no executions"

        statuses = [r["status"] for r in runs]
        any_failed |= "FAILED" in statuses
        if "FAILED" in statuses:
            outcome = "failed"
        elif statuses and set(statuses) == {"COMPLETED"}:
            outcome = "succeeded"
        elif "CANCELED" in statuses:
            outcome = "canceled"
        else:
            assert set(statuses) <= {"SKIPPED"}, statuses
            outcome = "skipped"
        outcomes[finding_id] = outcome
        counted[check][OUTCOME_COUNTER[outcome]] += 1

    for check, counters in stats.items():
        expected = {"totalFindingsCount": sum(counted[check].values()), **counted[check]}
        assert counters == expected, (check, counters, expected)
        assert counters["totalFindingsCount"] == sum(counters[c] for c in OUTCOME_COUNTER.values()), counters
    assert (task["taskStatus"] == "FAILED") == any_failed, (task["taskStatus"], executions)
    return Consistency(task, findings, executions, outcomes)


def _task_findings(iot: Any, target: dict[str, Any], mapping: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The findings a task covers: the target's findings whose check has actions in the mapping."""
    if "findingIds" in target:
        found = [iot.describe_audit_finding(findingId=fid)["finding"] for fid in dict.fromkeys(target["findingIds"])]
    else:
        found = audit_findings(iot, target["auditTaskId"])
    return [f for f in found if f["checkName"] in mapping]


# -- reading ------------------------------------------------------------------------------


def audit_findings(iot: Any, audit_task_id: str) -> list[dict[str, Any]]:
    """Every finding of an audit task (suppressed ones included), all pages."""
    pages = iot.get_paginator("list_audit_findings").paginate(taskId=audit_task_id)
    return [finding for page in pages for finding in page["findings"]]


def list_executions(iot: Any, task_id: str, finding_id: str, **filters: Any) -> list[dict[str, Any]]:
    pages = iot.get_paginator("list_audit_mitigation_actions_executions").paginate(
        taskId=task_id, findingId=finding_id, **filters
    )
    return [execution for page in pages for execution in page["actionsExecutions"]]


def certificate_status(iot: Any, cert_id: str) -> str:
    return iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"]  # type: ignore[no-any-return]


# -- building ---------------------------------------------------------------------------


def backend() -> Any:
    """The audit backend of REGION: these tests run in us-east-1, not in conftest's REGION."""
    return region_backend(REGION)


def enable_checks(iot: Any, *checks: str) -> None:
    iot.update_account_audit_configuration(
        roleArn=AUDIT_ROLE, auditCheckConfigurations={name: {"enabled": True} for name in checks}
    )


def device_certificate(iot: Any, expires_in: dt.timedelta = dt.timedelta(days=400)) -> str:
    """An ACTIVE device certificate registered in moto; returns its id.

    An EC certificate made here: moto's CreateKeysAndCertificate makes an RSA key (about 0.25 s each).
    """
    pem = self_signed_pem(expires_in, "device", ca=False)
    response = iot.register_certificate_without_ca(certificatePem=pem, status="ACTIVE")
    return response["certificateId"]  # type: ignore[no-any-return]


def seed_device_finding(cert_id: str, reason_code: str | None = None, check: str = DEVICE_EXPIRING) -> None:
    """Make the next audits of ``check`` report this device certificate."""
    backend().seed_observation(check, {"deviceCertificateId": cert_id}, reason_code=reason_code)


def run_audit(iot: Any, *checks: str) -> str:
    """An on-demand audit of ``checks`` (enabled first); returns its task id, the task COMPLETED."""
    enable_checks(iot, *checks)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    return task_id  # type: ignore[no-any-return]


def device_findings(iot: Any, count: int = 1, reason_code: str | None = None) -> tuple[str, list[str]]:
    """``count`` ACTIVE device certificates reported by one DEVICE_CERTIFICATE_EXPIRING_CHECK audit.

    Returns the audit task id and the certificate ids.
    """
    certs = [device_certificate(iot) for _ in range(count)]
    for cert in certs:
        seed_device_finding(cert, reason_code)
    return run_audit(iot, DEVICE_EXPIRING), certs


def finding_of(iot: Any, audit_task_id: str, **resource_identifier: Any) -> dict[str, Any]:
    """The one finding of an audit task about the resource named by ``resource_identifier``."""
    matching = [f for f in audit_findings(iot, audit_task_id)
                if f["nonCompliantResource"]["resourceIdentifier"] == resource_identifier]
    assert len(matching) == 1, matching
    return matching[0]


def create_action(iot: Any, name: str, action_type: str, **params: Any) -> dict[str, Any]:
    """A mitigation action of ``action_type``; keyword arguments replace members of its default params."""
    member, defaults = next(iter(PARAMS[action_type].items()))
    response = iot.create_mitigation_action(
        actionName=name, roleArn=ROLE, actionParams={member: {**defaults, **params}}
    )
    response.pop("ResponseMetadata")
    return response  # type: ignore[no-any-return]


def start_task(iot: Any, task_id: str, mapping: dict[str, list[str]], *, audit_task_id: str | None = None,
               finding_ids: list[str] | None = None, reason_codes: dict[str, list[str]] | None = None,
               token: str | None = None) -> str:
    target: dict[str, Any] = {}
    if audit_task_id is not None:
        target["auditTaskId"] = audit_task_id
    if finding_ids is not None:
        target["findingIds"] = finding_ids
    if reason_codes is not None:
        target["auditCheckToReasonCodeFilter"] = reason_codes
    kwargs = {"clientRequestToken": token} if token else {}
    response = iot.start_audit_mitigation_actions_task(
        taskId=task_id, target=target, auditCheckToActionsMapping=mapping, **kwargs
    )
    return response["taskId"]  # type: ignore[no-any-return]


@contextlib.contextmanager
def held_mitigation_tasks(times: int = 1) -> Iterator[None]:
    """Mitigation tasks stay IN_PROGRESS until described ``times`` times (manual progression)."""
    from moto.moto_api import state_manager

    state_manager.set_transition(TASK_MODEL, {"progression": "manual", "times": times})
    try:
        yield
    finally:
        state_manager.unset_transition(TASK_MODEL)


@dataclass
class SubscribedQueue:
    """An SQS queue subscribed to an SNS topic, both in moto."""

    topic_arn: str
    queue_url: str

    def messages(self) -> list[dict[str, Any]]:
        """The SNS notifications delivered so far, each the parsed envelope with a parsed ``Message``."""
        sqs = client("sqs", region=REGION)
        received = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        notifications = []
        for message in received:
            envelope = json.loads(message["Body"])
            envelope["Message"] = json.loads(envelope["Message"])
            notifications.append(envelope)
        return notifications


def subscribed_queue(topic_name: str = "audit-findings") -> SubscribedQueue:
    sns, sqs = client("sns", region=REGION), client("sqs", region=REGION)
    topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{topic_name}-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return SubscribedQueue(topic_arn, queue_url)


def ca_certificate_pem(expires_in: dt.timedelta, common_name: str = "Audit Test CA") -> str:
    """A self-signed CA certificate (EC P-256) that expires ``expires_in`` from now."""
    return self_signed_pem(expires_in, common_name, ca=True)


def self_signed_pem(expires_in: dt.timedelta, common_name: str, ca: bool) -> str:
    """A fresh self-signed EC P-256 certificate (a new key, so a new certificate id, every call)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + expires_in)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
