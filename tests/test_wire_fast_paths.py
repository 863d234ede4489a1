"""The wire layer's per-call shortcuts give the answers of the general way they replace.

Route lookup (a dict of literal paths, then the operations sharing the first two segments)
against trying every operation's pattern in turn; the direct ISO-8601 reading against
botocore's general timestamp parser; the prebuilt compact JSON encoder against the standard
library's; the request id against AWS's layout and uniqueness; the nesting shortcut against
the walk. Then the same through boto3 and raw HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re

import pytest
import requests
import time_machine
from botocore.utils import parse_timestamp
from conftest import ACCOUNT, REGION, assert_error, client, enable, held_tasks, iot_url

from iot_audit_fake import mock_iot_audit
from iot_audit_fake.clock import UTC
from iot_audit_fake.errors import InvalidRequestException
from iot_audit_fake.wire import router
from iot_audit_fake.wire.encoding import compact_encoder
from iot_audit_fake.wire.json_body import MAX_NESTING, read_json
from iot_audit_fake.wire.routes import SERVICE_MODEL, RouteTable, build_routes, model_operation
from iot_audit_fake.wire.shapes import EARLIEST, LATEST, _parse_iso, read_timestamp

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
_LABEL_VALUES = ("a", "abc-123", "x%2Fy", "a b", "..", "%", "\u00e9", "tasks", "cancel", "a" * 300)


def scan(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The general way: every served operation's pattern in turn, literal paths first."""
    for op in router.ROUTES.get(method, ()):
        found = op.pattern.match(path)
        if found:
            return op.name, found.groupdict()
    return None


def candidate_paths() -> list[str]:
    """Each served path with its labels filled in, near misses of it, and other IoT paths."""
    paths = {"/", "", "//", "/audit", "/audit/", "/things/x", "/audit/tasks/x/y/z", "audit/tasks"}
    for ops in router.ROUTES.values():
        for op in ops:
            template = op.model.http["requestUri"].split("?", 1)[0]
            for value in _LABEL_VALUES:
                path = re.sub(r"\{[^}]+\}", value, template)
                paths.update({path, path + "/", path + "/x", "/" + path, path.upper(), path[:-1], "/x" + path})
    for name in SERVICE_MODEL.operation_names:  # the rest of IoT: moto's, or nobody's
        paths.add(re.sub(r"\{[^}]+\}", "x", SERVICE_MODEL.operation_model(name).http["requestUri"].split("?")[0]))
    return sorted(paths)


@pytest.mark.parametrize("method", METHODS)
def test_route_lookup_answers_as_trying_every_pattern(method):
    table = RouteTable(build_routes())
    for path in candidate_paths():
        found = table.find(method, path)
        expected = scan(method, path)
        assert (None if found is None else (found[0].name, found[1])) == expected, (method, path)
        again = table.find(method, path)  # remembered the second time: the same answer
        assert (None if again is None else (again[0].name, again[1])) == expected, (method, path)


def test_route_lookup_forgets_beyond_its_bound():
    table = RouteTable(build_routes())
    for i in range(RouteTable.REMEMBERED * 2 + 5):
        found = table.find("GET", f"/audit/tasks/task{i}")
        assert found is not None and found[1] == {"taskId": f"task{i}"}
    assert len(table._remembered) <= RouteTable.REMEMBERED


def test_unserved_iot_paths_are_still_told_from_unknown_ones():
    assert router.match("GET", "/things/sensor") is None
    assert model_operation("GET", "/things/sensor") == "DescribeThing"
    assert model_operation("GET", "/audit/nothing-here") is None


def test_iso_timestamps_read_directly_match_botocores_parser():
    generator = random.Random(12)
    for _ in range(3000):
        year = generator.choice((1970, 1999, 2026, 9998, 9999, 1, 0, generator.randint(1, 9999)))
        month, day = generator.randint(0, 13), generator.randint(0, 32)
        hour, minute, second = generator.randint(0, 25), generator.randint(0, 61), generator.randint(0, 61)
        fraction = generator.choice(("", ".5", ".000", ".123456", f".{generator.randint(0, 999):03d}"))
        text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}Z"
        try:
            parsed = parse_timestamp(text)
            expected = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError, OSError, RuntimeError):
            expected = None
        assert _parse_iso(text) == expected, text
        if expected is not None and EARLIEST <= expected <= LATEST:
            assert read_timestamp(text, "startTime") == expected
        else:
            with pytest.raises(InvalidRequestException, match="startTime"):
                read_timestamp(text, "startTime")


@pytest.mark.parametrize("value", [
    {}, {"a": 1}, {"é": "\u00e9\u2028\n\"\\", "n": None, "t": True, "f": False},
    {"x": [1.5, -0.0, 1e300, 123456789012345678901234567890, 1796024540.76], "y": {"z": []}},
    {"nan": float("nan"), "inf": float("inf")},
])
def test_compact_encoder_writes_what_the_standard_encoder_writes(value):
    assert compact_encoder()(value) == json.dumps(value, separators=(",", ":"))


def test_compact_encoder_uses_its_default_and_refuses_without_one():
    assert compact_encoder(default=str)({"a": {1, 2} - {1, 2}}) == '{"a":"set()"}'
    with pytest.raises(TypeError):
        compact_encoder()({"a": object()})


def test_nesting_is_measured_only_when_the_brackets_allow_it():
    deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(InvalidRequestException, match="nested deeper"):
        read_json(deep.encode(), InvalidRequestException)
    shallow = json.dumps({"text": "[" * 500 + "{" * 500})  # brackets inside a string: no nesting at all
    assert read_json(shallow.encode(), InvalidRequestException) == json.loads(shallow)
    exactly = "[" * MAX_NESTING + "]" * MAX_NESTING
    assert read_json(exactly, InvalidRequestException) is not None


# -- through the API ----------------------------------------------------------------------------------


def test_request_ids_are_uuid_shaped_and_unique_across_resets(iot):
    uuid_like = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    seen = set()
    for _ in range(3):
        for _ in range(5):
            request_id = iot.describe_account_audit_configuration()["ResponseMetadata"]["RequestId"]
            assert uuid_like.match(request_id)
            seen.add(request_id)
        requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=5)
    assert len(seen) == 15


def test_replies_are_compact_json_boto3_reads_alike(iot):
    enable(iot)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
    response = requests.get(iot_url(f"/audit/tasks/{task_id}"), timeout=5)
    assert response.status_code == 200
    assert b": " not in response.content and b", " not in response.content
    document = json.loads(response.content)
    described = iot.describe_audit_task(taskId=task_id)
    assert document["taskStatus"] == described["taskStatus"]
    assert document["taskStatistics"] == described["taskStatistics"]
    assert abs(document["taskStartTime"] - described["taskStartTime"].timestamp()) < 0.001


def test_a_listing_window_reads_the_same_as_text_or_as_epoch_seconds(iot):
    enable(iot)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
    start = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).replace(microsecond=0)
    end = start + dt.timedelta(days=2, milliseconds=500)
    as_boto3 = [task["taskId"] for task in iot.list_audit_tasks(startTime=start, endTime=end)["tasks"]]
    windows = [
        {"startTime": str(int(start.timestamp())), "endTime": str(end.timestamp())},
        {"startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "endTime": end.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
        {"startTime": start.isoformat(), "endTime": end.strftime("%Y-%m-%dT%H:%M:%S.500+00:00")},
    ]
    for window in windows:
        listed = requests.get(iot_url("/audit/tasks"), params=window, timeout=5).json()
        assert [task["taskId"] for task in listed["tasks"]] == as_boto3, window
    assert as_boto3 == [task_id]


def test_the_account_of_an_access_key_is_the_one_moto_picks(monkeypatch):
    """The fake's lookup of the account holding an access key (every request pays for it) against
    moto's own ``get_account_id_from``: keys in two accounts, in another partition, deleted, unknown."""
    from moto.iam.models import get_account_id_from

    from iot_audit_fake import moto_backends
    from iot_audit_fake.accounts import account_of

    keys = ["AKIAUNKNOWN000000000"]
    with mock_iot_audit():
        for account, region in (("111111111111", "us-east-1"), ("222222222222", "cn-north-1"),
                                ("333333333333", "us-east-1")):
            monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
            iam = client("iam", region=region)
            iam.create_user(UserName="auditor")
            keys += [iam.create_access_key(UserName="auditor")["AccessKey"]["AccessKeyId"] for _ in range(2)]
        iam.delete_access_key(UserName="auditor", AccessKeyId=keys[-1])  # account 333333333333
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        for key in keys:
            headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20261130/us-east-1/iot/aws4_request, "
                                        "SignedHeaders=host, Signature=0"}
            assert account_of(headers) == get_account_id_from(key), key
        found = [moto_backends.account_holding_key(key) for key in keys]
    assert found == [None, "111111111111", "111111111111", "222222222222", "222222222222", "333333333333", None]


def test_an_ended_task_is_written_once_and_reads_as_written_afresh(iot):
    """A task that has ended is described from the bytes written on the first call: they are the
    bytes the general writer gives now, for a completed and a canceled task; a running task is
    written afresh on every call (its answer changes), and an expired one is gone."""
    from iot_audit_fake import audit_backends
    from iot_audit_fake.replies import FinalReply
    from iot_audit_fake.service_model import shape_writer

    enable(iot, "LOGGING_DISABLED_CHECK", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK")
    iot.create_policy(policyName="open", policyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    checks = ["LOGGING_DISABLED_CHECK", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"]
    backend = audit_backends[ACCOUNT][REGION]
    operation = router.match("GET", "/audit/tasks/x")[0]
    now = dt.datetime.now(UTC)
    window = {"startTime": now - dt.timedelta(days=1), "endTime": now + dt.timedelta(days=1)}

    def listed() -> dict[str, str]:
        return {t["taskId"]: t["taskStatus"] for t in iot.list_audit_tasks(**window)["tasks"]}

    with held_tasks():
        held = iot.start_on_demand_audit_task(targetCheckNames=checks)["taskId"]
        assert iot.describe_audit_task(taskId=held)["taskStatus"] == "IN_PROGRESS"
        assert listed() == {held: "IN_PROGRESS"}
        task = backend.state.tasks.get(held)
        assert not isinstance(task.describe(), FinalReply) and not isinstance(task.metadata(), FinalReply)
        iot.cancel_audit_task(taskId=held)
        assert listed() == {held: "CANCELED"}
    done = iot.start_on_demand_audit_task(targetCheckNames=checks)["taskId"]
    for task_id, status in ((done, "COMPLETED"), (held, "CANCELED")):
        first = iot.describe_audit_task(taskId=task_id)
        again = iot.describe_audit_task(taskId=task_id)
        assert first["taskStatus"] == again["taskStatus"] == status
        assert {k: v for k, v in first.items() if k != "ResponseMetadata"} == \
            {k: v for k, v in again.items() if k != "ResponseMetadata"}
        reply = backend.state.tasks.get(task_id).describe()
        assert isinstance(reply, FinalReply) and reply.encoded == router._body(operation, dict(reply))
    assert first["auditDetails"]["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"]["checkRunStatus"] == "CANCELED"
    assert listed() == {held: "CANCELED", done: "COMPLETED"}
    # Findings never change: each is written once, as the general writer writes it now.
    findings = iot.list_audit_findings(taskId=done)["findings"]
    assert len(findings) == 2 and iot.list_audit_findings(taskId=done)["findings"] == findings
    for listed_finding in findings:
        finding = backend.state.findings.get(listed_finding["findingId"])
        described = iot.describe_audit_finding(findingId=finding.finding_id)["finding"]
        assert {k: v for k, v in described.items()} == listed_finding
        reply = finding.describe()
        assert isinstance(reply, FinalReply) and reply.written == shape_writer("AuditFinding")(dict(reply))
    with time_machine.travel(dt.datetime.now(UTC) + dt.timedelta(days=91)):
        assert_error(lambda: iot.describe_audit_task(taskId=done), "ResourceNotFoundException", 404)
