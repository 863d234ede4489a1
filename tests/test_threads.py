"""Eight threads on one fake, in-process and against a ThreadedServer (issue 12, items 1 and 5).

Seven threads write (mitigation actions, suppressions, tags, moto things, on-demand audits,
deleting half of what they made) and read (listings, which bring the state up to the clock)
while two daily scheduled audits are ten days behind the clock, so every call races to
materialise the same twenty scheduled runs. The eighth loads scenarios: some valid, some that
fail after applying part of themselves and roll back. The final state must be exactly the
sum of the writes: every run once, nothing a rollback erased, nothing a rollback left behind.
Without the one lock at the entry this failed with duplicated runs (850 tasks instead of 340
in the original report), "dictionary changed size during iteration", and lost writes.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3.session
import pytest
import time_machine
from conftest import ROLE, client

from iot_audit_fake import ScenarioError, load_scenario, mock_iot_audit
from iot_audit_fake.scenario import apply
from iot_audit_fake.server import ThreadedServer

REGION = "us-east-1"
CHECK = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
WRITERS, ROUNDS, DAYS = 7, 4, 10
START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
SCHEDULES = ("nightly-a", "nightly-b")
VALID_SCENARIOS = 3
FAILING_SCENARIOS = 3


@pytest.fixture(autouse=True)
def planted_rollback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario thing named ``rolled-fail`` fails after the things before it were applied, so
    the load rolls back (a failure no validation can see ahead)."""
    original = apply.RegionLoader.thing

    def thing(self: apply.RegionLoader, entry: dict[str, Any], path: apply.KeyPath) -> None:
        if entry["name"] == "rolled-fail":
            raise apply.Step(path, "planted failure")
        original(self, entry, path)

    monkeypatch.setattr(apply.RegionLoader, "thing", thing)


def cert_id(writer: int, round_: int) -> str:
    return f"{writer:02d}{round_:02d}".ljust(64, "a")


class Progress:
    """How many steps the writers have made; the keeper moves the clock and loads as they go."""

    def __init__(self) -> None:
        self.steps = 0
        self.writing = WRITERS
        self._changed = threading.Condition()

    def step(self) -> None:
        with self._changed:
            self.steps += 1
            self._changed.notify_all()

    def writer_done(self) -> None:
        with self._changed:
            self.writing -= 1
            self._changed.notify_all()

    def wait_for(self, steps: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.steps >= steps or not self.writing, timeout=60)


def write(iot: Any, writer: int, schedule_arn: str, progress: Progress) -> None:
    window = {"startTime": START - dt.timedelta(days=1), "endTime": START + dt.timedelta(days=DAYS + 1)}
    for k in range(ROUNDS):
        iot.create_mitigation_action(actionName=f"act-{writer}-{k}", roleArn=ROLE,
                                     actionParams={"enableIoTLoggingParams": {"roleArnForLogging": ROLE,
                                                                              "logLevel": "INFO"}})
        iot.list_audit_tasks(**window)
        progress.step()
        iot.create_audit_suppression(checkName=CHECK, resourceIdentifier={"deviceCertificateId": cert_id(writer, k)},
                                     suppressIndefinitely=True, clientRequestToken=f"token-{writer}-{k}")
        iot.tag_resource(resourceArn=schedule_arn, tags=[{"Key": f"t{writer}-{k}", "Value": str(k)}])
        iot.list_audit_suppressions()
        iot.create_thing(thingName=f"thing-{writer}-{k}")  # moto's IoT: due runs are materialised first
        progress.step()
        iot.list_mitigation_actions()
        if k % 2:
            iot.delete_mitigation_action(actionName=f"act-{writer}-{k - 1}")
            iot.delete_audit_suppression(checkName=CHECK,
                                         resourceIdentifier={"deviceCertificateId": cert_id(writer, k - 1)})
        iot.list_scheduled_audits()
        progress.step()
    iot.start_on_demand_audit_task(targetCheckNames=[CHECK])


def scenarios() -> list[tuple[str, bool]]:
    """(scenario, whether it loads), interleaved."""
    loads = [(f"things: [{{name: scenario-{j}}}]\n", True) for j in range(VALID_SCENARIOS)]
    fails = [(f"things: [{{name: rolled-{j}}}, {{name: rolled-fail}}]\n", False) for j in range(FAILING_SCENARIOS)]
    return [item for pair in zip(loads, fails, strict=True) for item in pair]


def race(iots: list[Any], schedule_arn: str, load: Callable[[str], bool], next_day: Callable[[], None]) -> None:
    """Seven writers, and a keeper that moves the clock a day at a time (so that every day's runs
    fall due while the writers call) and loads scenarios between the days."""
    errors: list[str] = []
    barrier = threading.Barrier(WRITERS + 1)
    progress = Progress()
    stride = WRITERS * ROUNDS * 3 // (DAYS + 1)

    def guarded(work: Callable[[], None], writer: bool) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait(timeout=60)
                work()
            except BaseException:  # reported by the main thread
                errors.append(traceback.format_exc())
            finally:
                if writer:
                    progress.writer_done()
        return run

    def keeper() -> None:
        loads = scenarios()
        for day in range(DAYS):
            next_day()
            progress.wait_for((day + 1) * stride)
            if loads:
                text, loaded = loads.pop(0)
                assert load(text) is loaded, text
        for text, loaded in loads:
            assert load(text) is loaded, text

    threads = [threading.Thread(target=guarded(lambda i=i: write(iots[i], i, schedule_arn, progress), True))
               for i in range(WRITERS)]
    threads.append(threading.Thread(target=guarded(keeper, False)))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can, so that races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        sys.setswitchinterval(interval)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [], "\n".join(errors)


def prepare(iot: Any) -> str:
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={CHECK: {"enabled": True}})
    for name in SCHEDULES:
        arn = iot.create_scheduled_audit(scheduledAuditName=name, frequency="DAILY",
                                         targetCheckNames=[CHECK])["scheduledAuditArn"]
    return arn  # type: ignore[no-any-return]


def assert_final_state(iot: Any, schedule_arn: str) -> None:
    odd = [(i, k) for i in range(WRITERS) for k in range(ROUNDS) if k % 2]
    actions = {a["actionName"] for a in iot.get_paginator("list_mitigation_actions").paginate().search(
        "actionIdentifiers[]")}
    assert actions == {f"act-{i}-{k}" for i, k in odd}
    suppressions = {s["resourceIdentifier"]["deviceCertificateId"]
                    for s in iot.get_paginator("list_audit_suppressions").paginate().search("suppressions[]")}
    assert suppressions == {cert_id(i, k) for i, k in odd}
    tags = {t["Key"]: t["Value"] for t in iot.get_paginator("list_tags_for_resource").paginate(
        resourceArn=schedule_arn).search("tags[]")}
    assert tags == {f"t{i}-{k}": str(k) for i in range(WRITERS) for k in range(ROUNDS)}
    things = {t["thingName"] for t in iot.get_paginator("list_things").paginate().search("things[]")}
    assert things == ({f"thing-{i}-{k}" for i in range(WRITERS) for k in range(ROUNDS)}
                      | {f"scenario-{j}" for j in range(VALID_SCENARIOS)})
    window = {"startTime": START - dt.timedelta(days=1), "endTime": START + dt.timedelta(days=DAYS + 1)}
    tasks = list(iot.get_paginator("list_audit_tasks").paginate(**window).search("tasks[]"))
    scheduled = [t for t in tasks if t["taskType"] == "SCHEDULED_AUDIT_TASK"]
    assert len([t for t in tasks if t["taskType"] == "ON_DEMAND_AUDIT_TASK"]) == WRITERS
    runs: dict[str, list[dt.datetime]] = {}
    for task in scheduled:
        described = iot.describe_audit_task(taskId=task["taskId"])
        runs.setdefault(described["scheduledAuditName"], []).append(described["taskStartTime"])
    midnights = [dt.datetime(2026, 3, 2 + d, tzinfo=dt.timezone.utc) for d in range(DAYS)]
    assert {name: sorted(times) for name, times in runs.items()} == dict.fromkeys(SCHEDULES, midnights)


def test_eight_threads_in_process():
    with mock_iot_audit(), time_machine.travel(START, tick=False) as traveller:
        session = boto3.session.Session()
        iots = [session.client("iot", region_name=REGION) for _ in range(WRITERS)]
        checker = client(region=REGION)
        schedule_arn = prepare(checker)

        def load(text: str) -> bool:
            try:
                load_scenario(text)
                return True
            except ScenarioError:
                return False

        race(iots, schedule_arn, load, lambda: traveller.shift(dt.timedelta(days=1)))
        assert_final_state(checker, schedule_arn)


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0) as running:
        yield running


def control(server: ThreadedServer, path: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(f"{server.endpoint_url}/_iot_audit/{path}", data=body, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_eight_threads_against_the_server(server: ThreadedServer):
    def api() -> Any:
        return boto3.session.Session().client("iot", region_name=REGION, endpoint_url=server.endpoint_url,
                                              aws_access_key_id="testing", aws_secret_access_key="testing")

    try:
        assert control(server, "clock", json.dumps({"set": START.isoformat()}).encode(), "application/json") == 200
        checker = api()
        schedule_arn = prepare(checker)

        def next_day() -> None:
            assert control(server, "clock", json.dumps({"advance": 86400}).encode(), "application/json") == 200

        def load(text: str) -> bool:
            status = control(server, "scenario", text.encode(), "application/yaml")
            assert status in (200, 400), status
            return status == 200

        race([api() for _ in range(WRITERS)], schedule_arn, load, next_day)
        assert_final_state(checker, schedule_arn)
    finally:
        control(server, "clock", json.dumps({"reset": True}).encode(), "application/json")
