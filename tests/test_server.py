"""Server mode (issue 7): the fake over HTTP, driven by boto3 and by the real AWS CLI.

One :class:`ThreadedServer` per module (port 0), reset before every test through its own
``POST /_iot_audit/reset``. Each audit command family is exercised with the AWS CLI as a
subprocess (its serializer, paginator and error printing), with boto3 beside it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3.session
import pytest
import yaml
from botocore.exceptions import ClientError
from conftest import ACCOUNT, AUDIT_TASK_MODEL, LOG_ROLE, LOGGING, MITIGATION_ROLE, NO_RETRIES, ROLE, assert_error

from iot_audit_fake import audit_backends
from iot_audit_fake.backend import AuditBackend
from iot_audit_fake.server import MAX_BODY_BYTES, ThreadedServer

OTHER_ACCOUNT = "111122223333"
MITIGATION_TASK_MODEL = "iot::auditmitigationactionstask"


# -- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server: ThreadedServer) -> Iterator[None]:
    """Every test starts on an empty state, the real clock and default task progression."""
    _clean(server)
    yield
    _clean(server)


def _clean(server: ThreadedServer) -> None:
    assert request(server, "POST", "/_iot_audit/reset")[0] == 200
    assert request(server, "POST", "/_iot_audit/clock", {"reset": True})[0] == 200
    for model in (AUDIT_TASK_MODEL, MITIGATION_TASK_MODEL):
        status, _, _ = request(server, "POST", "/moto-api/state-manager/unset-transition", {"model_name": model})
        assert status in (200, 201), status


def request(server: ThreadedServer, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request to the server (a dict or list body is sent as JSON)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    parts = urlsplit(server.endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def api(server: ThreadedServer, service: str = "iot", region: str = "us-east-1", **kwargs: Any) -> Any:
    """A boto3 client of the server (its own session: safe to use from its own thread)."""
    session = boto3.session.Session()
    return session.client(service, region_name=region, endpoint_url=server.endpoint_url,
                          aws_access_key_id="testing", aws_secret_access_key="testing", **kwargs)


def cli_env(tmp: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="")
    return env


def run_cli(server: ThreadedServer, *args: str, region: str = "us-east-1") -> subprocess.CompletedProcess[str]:
    """The real AWS CLI (v1, ``python -m awscli``) against the server."""
    command = [sys.executable, "-m", "awscli", *args, "--endpoint-url", server.endpoint_url,
               "--region", region, "--output", "json"]
    return subprocess.run(command, env=cli_env(), capture_output=True, text=True, timeout=120)


def cli(server: ThreadedServer, *args: str, region: str = "us-east-1") -> Any:
    """Run the AWS CLI; assert it succeeded and return its JSON output ({} when it printed nothing)."""
    done = run_cli(server, *args, region=region)
    assert done.returncode == 0, (args, done.returncode, done.stderr)
    return json.loads(done.stdout) if done.stdout.strip() else {}


def cli_error(server: ThreadedServer, *args: str, code: str) -> str:
    """Run the AWS CLI expecting it to fail with ``code``; returns its stderr."""
    done = run_cli(server, *args)
    assert done.returncode != 0, (args, done.stdout)
    assert code in done.stderr, done.stderr
    return done.stderr


def enable(iot: Any, *checks: str) -> None:
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in checks or (LOGGING,)})


def window() -> tuple[str, str]:
    now = dt.datetime.now(dt.timezone.utc)
    return (now - dt.timedelta(days=1)).isoformat(), (now + dt.timedelta(days=1)).isoformat()


def held_tasks(server: ThreadedServer, model: str = AUDIT_TASK_MODEL, times: int = 5) -> None:
    """Hold tasks IN_PROGRESS through moto's state-manager endpoint (unset again by the fixture)."""
    status, _, _ = request(server, "POST", "/moto-api/state-manager/set-transition",
                           {"model_name": model, "transition": {"progression": "manual", "times": times}})
    assert status == 201


def error_document(status: int, headers: dict[str, str], body: bytes, code: str, expected: int) -> dict[str, Any]:
    assert status == expected, (status, body)
    document: dict[str, Any] = json.loads(body)
    assert document["__type"] == code, document
    assert headers["x-amzn-errortype"].startswith(code), headers
    assert "Traceback" not in body.decode()
    return document


# -- audit command families through the AWS CLI ---------------------------------------------------


def test_account_audit_configuration_with_the_cli(server):
    iot = api(server)
    assert cli(server, "iot", "update-account-audit-configuration", "--role-arn", ROLE,
               "--audit-check-configurations", json.dumps({LOGGING: {"enabled": True}})) == {}
    described = cli(server, "iot", "describe-account-audit-configuration")
    assert described["roleArn"] == ROLE
    assert described["auditCheckConfigurations"][LOGGING] == {"enabled": True}
    assert iot.describe_account_audit_configuration()["roleArn"] == ROLE  # one state for both clients
    cli(server, "iot", "delete-account-audit-configuration", "--delete-scheduled-audits")
    assert "roleArn" not in iot.describe_account_audit_configuration()


def test_on_demand_tasks_start_describe_list_and_cancel_with_the_cli(server):
    enable(api(server))
    held_tasks(server)
    task_id = cli(server, "iot", "start-on-demand-audit-task", "--target-check-names", LOGGING)["taskId"]
    described = cli(server, "iot", "describe-audit-task", "--task-id", task_id)
    assert described["taskStatus"] == "IN_PROGRESS"
    assert described["taskType"] == "ON_DEMAND_AUDIT_TASK"
    start, end = window()
    listed = cli(server, "iot", "list-audit-tasks", "--start-time", start, "--end-time", end,
                 "--task-status", "IN_PROGRESS")
    assert [task["taskId"] for task in listed["tasks"]] == [task_id]
    assert cli(server, "iot", "cancel-audit-task", "--task-id", task_id) == {}
    assert api(server).describe_audit_task(taskId=task_id)["taskStatus"] == "CANCELED"


def test_findings_with_the_cli(server):
    iot = api(server)
    enable(iot)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    findings = cli(server, "iot", "list-audit-findings", "--task-id", task_id)["findings"]
    assert len(findings) == 1
    finding = findings[0]
    assert finding["checkName"] == LOGGING
    assert finding["nonCompliantResource"]["resourceType"] == "ACCOUNT_SETTINGS"
    described = cli(server, "iot", "describe-audit-finding", "--finding-id", finding["findingId"])["finding"]
    assert described["findingId"] == finding["findingId"]
    assert described["taskId"] == task_id


def test_suppressions_with_the_cli(server):
    identifier = json.dumps({"account": ACCOUNT})
    cli(server, "iot", "create-audit-suppression", "--check-name", LOGGING, "--resource-identifier", identifier,
        "--suppress-indefinitely", "--description", "known", "--client-request-token", uuid.uuid4().hex)
    listed = cli(server, "iot", "list-audit-suppressions")["suppressions"]
    assert [(s["checkName"], s["resourceIdentifier"]) for s in listed] == [(LOGGING, {"account": ACCOUNT})]
    cli(server, "iot", "update-audit-suppression", "--check-name", LOGGING, "--resource-identifier", identifier,
        "--description", "still known")
    described = cli(server, "iot", "describe-audit-suppression", "--check-name", LOGGING,
                    "--resource-identifier", identifier)
    assert described["description"] == "still known"
    cli(server, "iot", "delete-audit-suppression", "--check-name", LOGGING, "--resource-identifier", identifier)
    assert api(server).list_audit_suppressions()["suppressions"] == []


def test_scheduled_audits_with_the_cli(server):
    enable(api(server))
    arn = cli(server, "iot", "create-scheduled-audit", "--scheduled-audit-name", "nightly", "--frequency", "DAILY",
              "--target-check-names", LOGGING)["scheduledAuditArn"]
    assert arn == f"arn:aws:iot:us-east-1:{ACCOUNT}:scheduledaudit/nightly"
    cli(server, "iot", "update-scheduled-audit", "--scheduled-audit-name", "nightly", "--frequency", "WEEKLY",
        "--day-of-week", "MON")
    described = cli(server, "iot", "describe-scheduled-audit", "--scheduled-audit-name", "nightly")
    assert (described["frequency"], described["dayOfWeek"]) == ("WEEKLY", "MON")
    listed = cli(server, "iot", "list-scheduled-audits")["scheduledAudits"]
    assert [audit["scheduledAuditName"] for audit in listed] == ["nightly"]
    cli(server, "iot", "delete-scheduled-audit", "--scheduled-audit-name", "nightly")
    assert api(server).list_scheduled_audits()["scheduledAudits"] == []


def test_mitigation_actions_and_tasks_with_the_cli(server):
    iot = api(server)
    enable(iot)
    audit_task = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    finding_id = iot.list_audit_findings(taskId=audit_task)["findings"][0]["findingId"]
    params = {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "WARN"}}
    created = cli(server, "iot", "create-mitigation-action", "--action-name", "enable-logging",
                  "--role-arn", MITIGATION_ROLE, "--action-params", json.dumps(params))
    assert created["actionArn"].endswith(":mitigationaction/enable-logging")
    described = cli(server, "iot", "describe-mitigation-action", "--action-name", "enable-logging")
    assert described["actionType"] == "ENABLE_IOT_LOGGING"
    listed = cli(server, "iot", "list-mitigation-actions")["actionIdentifiers"]
    assert [action["actionName"] for action in listed] == ["enable-logging"]

    cli(server, "iot", "start-audit-mitigation-actions-task", "--task-id", "fix-logging",
        "--target", json.dumps({"findingIds": [finding_id]}),
        "--audit-check-to-actions-mapping", json.dumps({LOGGING: ["enable-logging"]}),
        "--client-request-token", uuid.uuid4().hex)
    task = cli(server, "iot", "describe-audit-mitigation-actions-task", "--task-id", "fix-logging")
    assert task["taskStatus"] == "COMPLETED"
    assert task["taskStatistics"][LOGGING]["succeededFindingsCount"] == 1
    start, end = window()
    tasks = cli(server, "iot", "list-audit-mitigation-actions-tasks", "--start-time", start, "--end-time", end)
    assert [t["taskId"] for t in tasks["tasks"]] == ["fix-logging"]
    executions = cli(server, "iot", "list-audit-mitigation-actions-executions", "--task-id", "fix-logging",
                     "--finding-id", finding_id)["actionsExecutions"]
    assert [(e["actionName"], e["status"]) for e in executions] == [("enable-logging", "COMPLETED")]
    # The action took effect on the state the audit reads: logging is on now.
    assert iot.get_v2_logging_options()["defaultLogLevel"] == "WARN"

    cli(server, "iot", "delete-mitigation-action", "--action-name", "enable-logging")
    assert iot.list_mitigation_actions()["actionIdentifiers"] == []


def test_mitigation_task_held_and_cancelled_with_the_cli(server):
    iot = api(server)
    enable(iot)
    audit_task = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    iot.create_mitigation_action(actionName="enable-logging", roleArn=MITIGATION_ROLE, actionParams={
        "enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "WARN"}})
    held_tasks(server, MITIGATION_TASK_MODEL)
    iot.start_audit_mitigation_actions_task(taskId="held", target={"auditTaskId": audit_task},
                                            auditCheckToActionsMapping={LOGGING: ["enable-logging"]},
                                            clientRequestToken=uuid.uuid4().hex)
    assert cli(server, "iot", "describe-audit-mitigation-actions-task", "--task-id", "held")["taskStatus"] \
        == "IN_PROGRESS"
    cli(server, "iot", "cancel-audit-mitigation-actions-task", "--task-id", "held")
    assert iot.describe_audit_mitigation_actions_task(taskId="held")["taskStatus"] == "CANCELED"


def test_tags_with_the_cli(server):
    iot = api(server)
    enable(iot)
    arn = iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                     targetCheckNames=[LOGGING])["scheduledAuditArn"]
    cli(server, "iot", "tag-resource", "--resource-arn", arn, "--tags", "Key=team,Value=fleet", "Key=env,Value=test")
    tags = cli(server, "iot", "list-tags-for-resource", "--resource-arn", arn)["tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "test"), ("team", "fleet")]
    cli(server, "iot", "untag-resource", "--resource-arn", arn, "--tag-keys", "env")
    assert iot.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "team", "Value": "fleet"}]


def test_cli_errors_exit_non_zero_with_the_error_code(server):
    stderr = cli_error(server, "iot", "describe-audit-task", "--task-id", "nope", code="ResourceNotFoundException")
    assert "DescribeAuditTask" in stderr
    cli_error(server, "iot", "start-on-demand-audit-task", "--target-check-names", "NO_SUCH_CHECK",
              code="InvalidRequestException")


def test_cli_paging_with_max_items_and_starting_token(server):
    iot = api(server)
    enable(iot)
    started = {iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"] for _ in range(5)}
    start, end = window()
    query = ("iot", "list-audit-tasks", "--start-time", start, "--end-time", end, "--max-items", "2")
    seen: list[str] = []
    page = cli(server, *query)
    while True:
        assert len(page["tasks"]) <= 2
        seen += [task["taskId"] for task in page["tasks"]]
        if "NextToken" not in page:
            break
        page = cli(server, *query, "--starting-token", page["NextToken"])
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == started
    # Without --max-items the CLI follows every nextToken itself (page size 2 on the wire).
    everything = cli(server, "iot", "list-audit-tasks", "--start-time", start, "--end-time", end, "--page-size", "2")
    assert {task["taskId"] for task in everything["tasks"]} == started


# -- moto behind the same endpoint ----------------------------------------------------------------


def test_moto_serves_the_rest_of_iot_and_other_services_on_the_same_endpoint(server):
    thing = cli(server, "iot", "create-thing", "--thing-name", "sensor-1")
    assert thing["thingName"] == "sensor-1"
    assert api(server).describe_thing(thingName="sensor-1")["thingName"] == "sensor-1"
    topic = api(server, "sns").create_topic(Name="audit-findings")["TopicArn"]
    assert topic == f"arn:aws:sns:us-east-1:{ACCOUNT}:audit-findings"
    queue = api(server, "sqs").create_queue(QueueName="q")["QueueUrl"]
    assert queue.endswith("/q")
    assert api(server, "iam").create_role(RoleName="Audit", AssumeRolePolicyDocument="{}")["Role"]["Arn"] == ROLE
    cognito = api(server, "cognito-identity")
    pool = cognito.create_identity_pool(IdentityPoolName="pool", AllowUnauthenticatedIdentities=False)
    assert pool["IdentityPoolName"] == "pool"
    # Served by the fake (moto does not), through the same dispatch as in-process.
    cognito.set_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"], Roles={"authenticated": ROLE})
    assert cognito.get_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"])["Roles"] == {"authenticated": ROLE}


def test_moto_answers_pass_through_unchanged_head_included(server):
    s3 = api(server, "s3")
    s3.create_bucket(Bucket="audit-reports")
    s3.put_object(Bucket="audit-reports", Key="report.json", Body=b"x" * 1234)
    assert s3.head_object(Bucket="audit-reports", Key="report.json")["ContentLength"] == 1234
    assert s3.get_object(Bucket="audit-reports", Key="report.json")["Body"].read() == b"x" * 1234


def test_the_audit_reads_resources_created_through_moto_on_the_server(server):
    iot = api(server)
    cli(server, "iot", "create-policy", "--policy-name", "allow-everything", "--policy-document",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    enable(iot, "IOT_POLICY_OVERLY_PERMISSIVE_CHECK")
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"])["taskId"]
    findings = iot.list_audit_findings(taskId=task_id)["findings"]
    assert [f["nonCompliantResource"]["resourceIdentifier"]["policyVersionIdentifier"]["policyName"]
            for f in findings] == ["allow-everything"]


def test_moto_api_reset_clears_the_audit_state_too(server):
    iot = api(server)
    enable(iot)
    assert request(server, "POST", "/moto-api/reset")[0] == 200
    assert "roleArn" not in iot.describe_account_audit_configuration()


# -- control endpoints ----------------------------------------------------------------------------


def test_control_reset_clears_moto_and_the_audit_state(server):
    iot = api(server)
    enable(iot)
    iot.create_thing(thingName="sensor-1")
    status, _, body = request(server, "POST", "/_iot_audit/reset")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert "roleArn" not in iot.describe_account_audit_configuration()
    assert iot.list_things()["things"] == []


SCENARIO = """\
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/AuditRole
  checks:
    LOGGING_DISABLED_CHECK: {enabled: true}
things:
  - name: sensor-1
scheduled_audits:
  - {name: daily, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}
"""


def test_control_scenario_post_and_get(server):
    status, _, body = request(server, "POST", "/_iot_audit/scenario", SCENARIO,
                              {"Content-Type": "application/yaml"})
    assert status == 200, body
    iot = api(server)
    assert iot.describe_account_audit_configuration()["roleArn"] == "arn:aws:iam::123456789012:role/AuditRole"
    assert [t["thingName"] for t in iot.list_things()["things"]] == ["sensor-1"]

    status, headers, body = request(server, "GET", "/_iot_audit/scenario")
    assert status == 200 and headers["content-type"].startswith("application/json")
    dumped = json.loads(body)
    assert "sensor-1" in json.dumps(dumped)
    status, headers, body = request(server, "GET", "/_iot_audit/scenario", headers={"Accept": "application/yaml"})
    assert status == 200 and headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(body) == dumped

    # The dump loads back: reset, post it as JSON, same state.
    request(server, "POST", "/_iot_audit/reset")
    status, _, body = request(server, "POST", "/_iot_audit/scenario", dumped, {"Content-Type": "application/json"})
    assert status == 200, body
    assert [t["thingName"] for t in iot.list_things()["things"]] == ["sensor-1"]


def test_control_scenario_malformed_yaml_is_a_400_and_changes_nothing(server):
    iot = api(server)
    enable(iot)
    status, headers, body = request(server, "POST", "/_iot_audit/scenario", "things: [unclosed\n  - name: x\n",
                                    {"Content-Type": "application/yaml"})
    document = error_document(status, headers, body, "InvalidRequestException", 400)
    assert len(document["errors"]) == 1
    assert document["errors"][0].startswith("<scenario>:2:")  # the line of the problem
    assert "not valid YAML" in document["message"]
    assert iot.describe_account_audit_configuration()["roleArn"] == ROLE


def test_control_scenario_invalid_lists_every_problem_and_changes_nothing(server):
    iot = api(server)
    iot.create_thing(thingName="kept")
    bad = "things:\n  - nam: x\nbogus: 1\n"
    status, headers, body = request(server, "POST", "/_iot_audit/scenario", bad)
    document = error_document(status, headers, body, "InvalidRequestException", 400)
    assert len(document["errors"]) >= 2
    assert any("bogus" in message for message in document["errors"])
    assert any("things[0]" in message for message in document["errors"])
    assert [t["thingName"] for t in iot.list_things()["things"]] == ["kept"]


def test_control_scenario_one_line_body_is_never_read_as_a_server_file_name(server):
    status, headers, body = request(server, "POST", "/_iot_audit/scenario", "demo.yaml")
    document = error_document(status, headers, body, "InvalidRequestException", 400)
    assert "must be a mapping" in document["message"]


def test_control_malformed_json_is_a_400(server):
    for path in ("/_iot_audit/clock", "/_iot_audit/scenario"):
        status, headers, body = request(server, "POST", path, "{not json", {"Content-Type": "application/json"})
        error_document(status, headers, body, "InvalidRequestException", 400)
    status, headers, body = request(server, "POST", "/_iot_audit/clock", {"travel": 1})
    error_document(status, headers, body, "InvalidRequestException", 400)
    status, headers, body = request(server, "POST", "/_iot_audit/clock", {"set": "yesterday"})
    error_document(status, headers, body, "InvalidRequestException", 400)


def test_control_unknown_endpoint_and_wrong_method(server):
    status, headers, body = request(server, "GET", "/_iot_audit/nope")
    error_document(status, headers, body, "ResourceNotFoundException", 404)
    status, headers, body = request(server, "GET", "/_iot_audit/reset")
    error_document(status, headers, body, "MethodNotAllowedException", 405)


def _clock(server: ThreadedServer, body: Any = None) -> dt.datetime:
    status, _, raw = request(server, "POST" if body else "GET", "/_iot_audit/clock", body)
    assert status == 200, raw
    return dt.datetime.fromisoformat(json.loads(raw)["now"].replace("Z", "+00:00"))


def test_control_clock_set_and_advance_move_task_start_times(server):
    iot = api(server)
    enable(iot)
    moved = _clock(server, {"set": "2026-03-01T00:00:00Z"})
    target = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    assert target <= moved < target + dt.timedelta(seconds=30)
    first = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    started = iot.describe_audit_task(taskId=first)["taskStartTime"]
    assert target <= started < target + dt.timedelta(seconds=30)

    _clock(server, {"advance": 3600})
    second = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
    later = iot.describe_audit_task(taskId=second)["taskStartTime"]
    assert dt.timedelta(hours=1) <= later - started < dt.timedelta(hours=1, seconds=30)
    assert abs(_clock(server) - later) < dt.timedelta(seconds=30)

    now = _clock(server, {"reset": True})
    assert abs(now - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=30)
    assert now - target > dt.timedelta(hours=2) or now < target


def test_control_clock_advance_without_set_starts_from_now(server):
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(milliseconds=1)  # the fake's clock is to the ms
    moved = _clock(server, {"advance": 86400})
    assert dt.timedelta(days=1) <= moved - before < dt.timedelta(days=1, seconds=30)


# -- the wire: sizes, malformed bodies, failures --------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_without_being_read(server):
    parts = urlsplit(server.endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.putrequest("POST", "/audit/tasks")
        connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        connection.putheader("Content-Type", "application/json")
        connection.endheaders()  # the body is never sent: the server must answer without waiting for it
        response = connection.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()
    error_document(response.status, headers, body, "RequestEntityTooLargeException", 413)
    # The server is fine afterwards.
    assert api(server).list_audit_suppressions()["suppressions"] == []


def test_a_chunked_body_over_the_limit_is_refused_with_413():
    with ThreadedServer(port=0, max_body_bytes=1024) as small:
        parts = urlsplit(small.endpoint_url)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        try:
            connection.request("POST", "/_iot_audit/scenario", body=iter([b"x" * 1000, b"y" * 1000]),
                               encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
            response = connection.getresponse()
            assert response.status == 413
            assert json.loads(response.read())["__type"] == "RequestEntityTooLargeException"
        finally:
            connection.close()
        # A body under the limit is served.
        assert request(small, "POST", "/_iot_audit/clock", {"reset": True})[0] == 200


SIGNED_IOT = "AWS4-HMAC-SHA256 Credential=testing/20260301/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=0"


def test_malformed_json_to_an_audit_operation_is_a_400(server):
    status, headers, body = request(server, "POST", "/audit/tasks", "{not json",
                                    {"Authorization": SIGNED_IOT, "Content-Type": "application/json"})
    error_document(status, headers, body, "InvalidRequestException", 400)
    # Recognised by the Host header alone too, unsigned.
    status, headers, body = request(server, "PATCH", "/audit/configuration", "[1, 2",
                                    {"Host": "iot.eu-west-1.amazonaws.com"})
    error_document(status, headers, body, "InvalidRequestException", 400)


def test_an_unexpected_failure_is_internal_failure_json_and_state_is_intact(server, monkeypatch):
    iot = api(server, config=NO_RETRIES)
    enable(iot)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(AuditBackend, "describe_audit_task", broken)
    error = assert_error(lambda: iot.describe_audit_task(taskId=task_id), "InternalFailureException", 500)
    assert "Traceback" not in json.dumps(error.response)
    monkeypatch.undo()
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    assert iot.describe_account_audit_configuration()["roleArn"] == ROLE


def test_a_failure_inside_moto_is_internal_failure_json_not_a_traceback_page(server, monkeypatch):
    from moto.iot.responses import IoTResponse

    def broken(self: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(IoTResponse, "list_things", broken)
    status, headers, body = request(server, "GET", "/things", headers={"Authorization": SIGNED_IOT})
    error_document(status, headers, body, "InternalFailureException", 500)
    monkeypatch.undo()
    assert api(server).list_things()["things"] == []


def test_a_refused_request_changes_nothing(server):
    iot = api(server, config=NO_RETRIES)
    enable(iot)
    with pytest.raises(ClientError):
        iot.update_account_audit_configuration(
            roleArn="arn:aws:iam::123456789012:role/Other",
            auditCheckConfigurations={"IOT_POLICY_OVERLY_PERMISSIVE_CHECK": {"enabled": True},
                                      "NO_SUCH_CHECK": {"enabled": True}})
    described = iot.describe_account_audit_configuration()
    assert described["roleArn"] == ROLE
    assert described["auditCheckConfigurations"]["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"]["enabled"] is False


def test_concurrent_clients_all_succeed(server):
    iot = api(server)
    enable(iot)
    task_ids = [iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"] for _ in range(3)]
    start, end = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1), dt.datetime.now(dt.timezone.utc)
    failures: list[BaseException] = []
    counts = [0] * 8

    def hammer(index: int) -> None:
        client = api(server)
        try:
            for i in range(30):
                if i % 3 == 0:
                    assert client.describe_audit_task(taskId=task_ids[i % 3])["taskStatus"] == "COMPLETED"
                elif i % 3 == 1:
                    assert len(client.list_audit_tasks(startTime=start, endTime=end + dt.timedelta(hours=1))
                               ["tasks"]) == 3
                else:
                    assert len(client.list_audit_findings(taskId=task_ids[0])["findings"]) == 1
                counts[index] += 1
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert counts == [30] * 8


def test_moto_writers_and_audits_run_concurrently_without_errors(server):
    enable(api(server), "IOT_POLICY_OVERLY_PERMISSIVE_CHECK")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*",
                                                                   "Resource": "*"}]})
    failures: list[BaseException] = []

    def write(index: int) -> None:
        client = api(server)
        try:
            for i in range(10):
                client.create_policy(policyName=f"p-{index}-{i}", policyDocument=document)
                client.create_thing(thingName=f"t-{index}-{i}")
        except BaseException as error:  # reported below
            failures.append(error)

    def audit() -> None:
        client = api(server)
        try:
            for _ in range(5):
                task_id = client.start_on_demand_audit_task(
                    targetCheckNames=["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"])["taskId"]
                assert client.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
                client.list_audit_findings(taskId=task_id)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=audit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    iot = api(server)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"])["taskId"]
    findings = iot.get_paginator("list_audit_findings").paginate(taskId=task_id).build_full_result()["findings"]
    assert len(findings) == 40


def test_in_process_clients_reach_the_server_over_http(server, caplog):
    with caplog.at_level(logging.INFO, logger="iot_audit_fake.server"):
        api(server).describe_account_audit_configuration()
    lines = [r.getMessage() for r in caplog.records if r.name == "iot_audit_fake.server"]
    assert any(line.startswith("GET /audit/configuration 200 ") and line.endswith("ms") for line in lines), lines


# -- accounts and regions -------------------------------------------------------------------------


def test_unknown_access_keys_are_the_default_account(server):
    enable(api(server))
    assert audit_backends[ACCOUNT]["us-east-1"].describe_account_audit_configuration()["roleArn"] == ROLE


def test_x_moto_account_id_header_selects_another_account(server):
    other = api(server)

    def add_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = OTHER_ACCOUNT

    other.meta.events.register("before-sign", add_account)
    enable(other)
    assert other.describe_account_audit_configuration()["roleArn"] == ROLE
    assert "roleArn" not in api(server).describe_account_audit_configuration()
    assert audit_backends[OTHER_ACCOUNT]["us-east-1"].describe_account_audit_configuration()["roleArn"] == ROLE


def test_access_keys_of_another_accounts_iam_user_select_that_account(server):
    iam = api(server, "iam")

    def add_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = OTHER_ACCOUNT

    iam.meta.events.register("before-sign", add_account)
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    session = boto3.session.Session()
    theirs = session.client("iot", region_name="us-east-1", endpoint_url=server.endpoint_url,
                            aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    enable(theirs)
    assert "roleArn" not in api(server).describe_account_audit_configuration()
    assert audit_backends[OTHER_ACCOUNT]["us-east-1"].describe_account_audit_configuration()["roleArn"] == ROLE


def test_the_region_comes_from_the_sigv4_scope(server):
    enable(api(server, region="eu-west-1"))
    assert api(server, region="eu-west-1").describe_account_audit_configuration()["roleArn"] == ROLE
    assert "roleArn" not in api(server, region="us-east-1").describe_account_audit_configuration()
    described = cli(server, "iot", "describe-account-audit-configuration", region="eu-west-1")
    assert described["roleArn"] == ROLE


# -- the ThreadedServer itself --------------------------------------------------------------------


def test_threaded_server_lifecycle_and_shared_state(server):
    second = ThreadedServer(port=0, scenario=SCENARIO)
    with pytest.raises(RuntimeError):
        _ = second.endpoint_url
    with second:
        assert second.running
        assert second.endpoint_url.startswith("http://127.0.0.1:")
        assert second.port != server.port
        # One process, one set of moto backends: the module's server sees the scenario too.
        assert api(server).describe_account_audit_configuration()["roleArn"].endswith("role/AuditRole")
        url = second.endpoint_url
    assert not second.running
    parts = urlsplit(url)
    with pytest.raises(OSError):
        http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5).request("GET", "/")


# -- unimplemented operations, the log ------------------------------------------------------------


def _server_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "iot_audit_fake.server"]


def test_an_operation_neither_the_fake_nor_moto_serves_is_a_501_naming_it_not_retried(server, caplog):
    iot = api(server)  # botocore's default retries: a 500 would be tried again, a 501 is not
    with caplog.at_level(logging.INFO, logger="iot_audit_fake.server"):
        error = assert_error(lambda: iot.list_security_profiles(), "NotImplementedException", 501)
    assert "ListSecurityProfiles" in error.response["Error"]["Message"]
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 0
    lines = [record for record in _server_lines(caplog) if "/security-profiles" in record.getMessage()]
    assert len(lines) == 1, [record.getMessage() for record in lines]
    assert "501 NotImplementedException ListSecurityProfiles" in lines[0].getMessage()
    assert lines[0].exc_info is None  # one line, no traceback


def test_every_request_line_carries_its_error_code(server, caplog):
    iot = api(server, config=NO_RETRIES)
    with caplog.at_level(logging.INFO, logger="iot_audit_fake.server"):
        assert_error(lambda: iot.describe_audit_task(taskId="a3aea009955e501a31b764abe1bebd3d"),
                     "ResourceNotFoundException", 404)
        request(server, "GET", "/audit/no-such-path", headers={"Authorization": SIGNED_IOT})
        assert_error(lambda: api(server, "sns").get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:x"),
                     "NotFound", 404)
        iot.list_audit_suppressions()
    messages = [record.getMessage() for record in _server_lines(caplog)]
    assert any(m.startswith("GET /audit/tasks/a3aea009955e501a31b764abe1bebd3d 404 ResourceNotFoundException ")
               for m in messages), messages
    assert any(m.startswith("GET /audit/no-such-path 404 UnknownOperationException ") for m in messages), messages
    assert any(m.startswith("POST / 404 NotFound ") for m in messages), messages  # moto's XML error
    assert any(m.startswith("POST /audit/suppressions/list 200 - ") for m in messages), messages


def test_log_times_are_real_time_and_the_fake_time_is_shown_apart(server, caplog):
    real_before = dt.datetime.now(dt.timezone.utc).timestamp()
    assert request(server, "POST", "/_iot_audit/clock", {"set": "2031-06-01T00:00:00Z"})[0] == 200
    with caplog.at_level(logging.INFO, logger="iot_audit_fake.server"):
        api(server).list_audit_suppressions()
    line = next(r for r in _server_lines(caplog) if r.getMessage().startswith("POST /audit/suppressions/list"))
    assert real_before - 1 <= line.created <= real_before + 60  # not 2031
    assert "[fake time 2031-06-01T00:00" in line.getMessage()
    assert logging.Formatter("%(asctime)s").format(line)[:4] != "2031"


def test_requests_that_name_no_service_get_a_json_403(server):
    for method, path, headers in [("GET", "/whatever", {}), ("POST", "/", {}),
                                  ("GET", "/", {"Authorization": "garbage"}),
                                  ("GET", "/", {"Authorization": "AWS4-HMAC-SHA256 Credential=x"}),
                                  ("GET", "/", {"Authorization": SIGNED_IOT.replace("/iot/", "/nosuchservice/")})]:
        status, _, body = request(server, method, path, headers=headers)
        assert status == 403, (path, headers, body)
        assert json.loads(body)["__type"] in ("MissingAuthenticationTokenException", "InvalidSignatureException")
    # S3 path-style with SigV2 or a presigned URL still reaches moto's S3.
    s3 = api(server, "s3")
    s3.create_bucket(Bucket="kept")
    url = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": "kept"})
    status, _, body = request(server, "GET", url[len(server.endpoint_url):])
    assert status == 200, body


@pytest.mark.parametrize("headers", [{"Authorization": SIGNED_IOT.replace("us-east-1", "xx-nowhere-1")},
                                     {"Authorization": SIGNED_IOT.replace("us-east-1", "EU-WEST-1")},
                                     {"Host": "iot.xx-nowhere-1.amazonaws.com"}])
def test_an_iot_request_for_a_region_no_partition_has_is_refused(server, headers):
    for path in ("/audit/configuration", "/things"):  # the fake's and moto's operations alike
        status, answer_headers, body = request(server, "GET", path, headers=headers)
        error_document(status, answer_headers, body, "InvalidSignatureException", 403)


def test_a_host_name_is_read_case_insensitively(server):
    enable(api(server, region="eu-west-1"))
    status, _, body = request(server, "GET", "/audit/configuration", headers={"Host": "IOT.EU-WEST-1.amazonaws.com"})
    assert (status, json.loads(body)["roleArn"]) == (200, ROLE)


def test_a_body_that_cannot_be_read_is_a_400_and_the_server_goes_on(server):
    import socket

    parts = urlsplit(server.endpoint_url)
    for raw in (b"POST /audit/tasks HTTP/1.1\r\nHost: iot.us-east-1.amazonaws.com\r\nContent-Length: 100\r\n\r\n{",
                b"POST /audit/tasks HTTP/1.1\r\nHost: iot.us-east-1.amazonaws.com\r\n"
                b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"):
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
            connection.sendall(raw)
            connection.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), head
        assert json.loads(body)["__type"] == "SerializationException"
    assert api(server).list_audit_suppressions()["suppressions"] == []
