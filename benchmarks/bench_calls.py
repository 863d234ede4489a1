"""Per-call cost of the fake against the floor, list cost at size, and mock start/stop cost.

    python benchmarks/bench_calls.py

The floor is the same call on a plain botocore client whose ``before-send`` hook
returns a canned response (the very bytes the fake answered): everything botocore
itself does (serialize, sign, parse) and nothing else. A ratio of 1.0 would mean the
fake adds nothing. The target (issue 12) is describe_audit_task at most 1.15; the two
listings are printed beside it so that a change to the wire layer shows on them too.
Fake and floor are measured in alternating blocks; on a loaded machine run it a few
times and compare the minimum and median of the ratios.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.core.botocore_stubber import MockRawResponse
from timing import median_time

from iot_audit_fake import audit_backends, mock_iot_audit, upkeep
from iot_audit_fake.tasks import ON_DEMAND

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/Audit"
CALLS = 2000
OPEN_POLICY = json.dumps({"Version": "2012-10-17",
                          "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]})


def median_call(func: Callable[[], Any], calls: int = CALLS) -> float:
    return median_time(func, calls, warmup=50)


def canned_client(body: bytes) -> Any:
    client = boto3.client("iot", region_name=REGION, aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, MockRawResponse(body))  # type: ignore[arg-type]

    client.meta.events.register("before-send", answer)
    return client


def enable(iot: Any) -> None:
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}}
    )


def interleaved(fake: Callable[[], Any], floor: Callable[[], Any], mock: Any, rounds: int = 8) -> tuple[float, float]:
    """Median per-call times of ``fake`` (under the mock) and ``floor`` (without it), measured in
    alternating blocks so that machine load drifting during the run weighs on both alike.

    The floor runs with the mock stopped: botocore calls every before-send hook, so under the
    mock moto's hook (and the fake behind it) would still run and be counted in the floor."""
    times_fake: list[float] = []
    times_floor: list[float] = []
    for _ in range(rounds):
        for func, times, active in ((fake, times_fake, True), (floor, times_floor, False)):
            if active:
                mock.start(reset=False)
            for _ in range(CALLS // rounds):
                start = time.perf_counter()
                func()
                times.append(time.perf_counter() - start)
            if active:
                mock.stop(remove_data=False)
    return statistics.median(times_fake), statistics.median(times_floor)


def raw_body(client: Any, call: Callable[[], Any]) -> bytes:
    """The body of the fake's answer to ``call``: the floor's canned answer is the same bytes."""
    seen: list[bytes] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        seen.append(response_dict["body"])

    client.meta.events.register("before-parse", keep)
    call()
    client.meta.events.unregister("before-parse", keep)
    return seen[-1]


def per_call() -> None:
    mock = mock_iot_audit()
    mock.start()
    iot = boto3.client("iot", region_name=REGION)
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={
        "LOGGING_DISABLED_CHECK": {"enabled": True}, "IOT_POLICY_OVERLY_PERMISSIVE_CHECK": {"enabled": True}})
    for i in range(10):
        iot.create_policy(policyName=f"open-{i}", policyDocument=OPEN_POLICY)
    task_id = iot.start_on_demand_audit_task(
        targetCheckNames=["LOGGING_DISABLED_CHECK", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"])["taskId"]
    for _ in range(20):
        iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])
    now = dt.datetime.now(dt.timezone.utc)
    window = {"startTime": now - dt.timedelta(days=1), "endTime": now + dt.timedelta(days=1)}
    iot.create_thing(thingName="sensor-1")
    calls: dict[str, Callable[[Any], Any]] = {
        "describe_audit_task": lambda client: client.describe_audit_task(taskId=task_id),
        "list_audit_findings": lambda client: client.list_audit_findings(taskId=task_id),
        "list_audit_tasks": lambda client: client.list_audit_tasks(**window),
    }
    bodies = {name: raw_body(iot, functools.partial(call, iot)) for name, call in calls.items()}
    thing_body = json.dumps(iot.describe_thing(thingName="sensor-1") | {"ResponseMetadata": None}).encode()
    for _ in range(100):  # warm the fake's path
        for call in calls.values():
            call(iot)
    mock.stop(remove_data=False)
    sizes = {name: len(iot_page) for name, iot_page in (
        ("list_audit_findings", json.loads(bodies["list_audit_findings"])["findings"]),
        ("list_audit_tasks", json.loads(bodies["list_audit_tasks"])["tasks"]))}
    for name, call in calls.items():
        floor_client = canned_client(bodies[name])
        ours, floor = interleaved(functools.partial(call, iot), functools.partial(call, floor_client), mock)
        note = "(target ≤ 1.15)" if name == "describe_audit_task" else f"({sizes[name]} items; for comparison)"
        print(f"{name:21s}fake {ours * 1e6:7.1f} us  floor {floor * 1e6:7.1f} us  ratio {ours / floor:.2f}  {note}")
    thing_client = canned_client(thing_body)
    moto_thing, floor_thing = interleaved(lambda: iot.describe_thing(thingName="sensor-1"),
                                          lambda: thing_client.describe_thing(thingName="sensor-1"), mock)
    mock.start(reset=False)
    mock.stop()
    print(f"describe_thing       moto {moto_thing * 1e6:7.1f} us  floor {floor_thing * 1e6:7.1f} us  "
          f"ratio {moto_thing / floor_thing:.2f}  (moto's own IoT, for comparison)")


def list_first_page(stored: int) -> float:
    with mock_iot_audit():
        iot = boto3.client("iot", region_name=REGION)
        enable(iot)
        backend = audit_backends[ACCOUNT][REGION]
        start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
        step = dt.timedelta(days=30) / stored
        settled = dt.datetime.now(dt.timezone.utc)
        for i in range(stored):
            upkeep.start_task(backend.state, ON_DEMAND, start + i * step, ["LOGGING_DISABLED_CHECK"], settled)
        now = dt.datetime.now(dt.timezone.utc)
        window = {"startTime": now - dt.timedelta(days=60), "endTime": now}
        return median_call(lambda: iot.list_audit_tasks(**window), 300)


def lists() -> None:
    small, large = list_first_page(100), list_first_page(100_000)
    print(f"list_audit_tasks first page  100 stored {small * 1e6:7.1f} us  100,000 stored {large * 1e6:7.1f} us  "
          f"ratio {large / small:.2f}  (target <= 2)")


def start_stop() -> None:
    def ours() -> None:
        with mock_iot_audit():
            pass

    def moto() -> None:
        with mock_aws():
            pass

    a, b = median_call(ours, 200), median_call(moto, 200)
    print(f"mock start+stop  mock_iot_audit {a * 1e3:6.2f} ms  mock_aws {b * 1e3:6.2f} ms  ratio {a / b:.2f}")


if __name__ == "__main__":
    per_call()
    lists()
    start_stop()
