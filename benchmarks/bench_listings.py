"""Filtered listings at 100,000 stored items against the same call at 100 (issue 14, goal 1).

    python benchmarks/bench_listings.py [--large 100000] [--calls 200]

For every listing and filter, the same stored mix is built at two sizes (injected
straight into the backend: the benchmark is about listing, not about creating), with
the filter matching 1% and 50% of the items. Each cell is the median time of one
call through a real boto3 client under ``mock_iot_audit``, for the first page and
for a page in the middle of the matching items (its nextToken taken from one
backend call with maxResults = half of the matches). The goal: large / small <= 2
in every row. A second ratio, of the backend method alone (no botocore), shows the
listing's own cost, which boto3's fixed cost would otherwise hide.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                    ("AWS_DEFAULT_REGION", "us-east-1")):
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from timing import median_time  # noqa: E402

from iot_audit_fake import audit_backends, mock_iot_audit  # noqa: E402
from iot_audit_fake.checks.engine import Observation  # noqa: E402
from iot_audit_fake.findings import Finding  # noqa: E402
from iot_audit_fake.ids import task_id, uuid_like  # noqa: E402
from iot_audit_fake.mitigation_tasks import Execution, MitigationTask, Selection  # noqa: E402
from iot_audit_fake.tasks import ON_DEMAND, SCHEDULED  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/Audit"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
SPAN = dt.timedelta(days=30)
WINDOW = {"startTime": NOW - SPAN - dt.timedelta(days=1), "endTime": NOW + dt.timedelta(days=1)}
EXPIRING, AGE = "DEVICE_CERTIFICATE_EXPIRING_CHECK", "DEVICE_CERTIFICATE_AGE_CHECK"
FRACTIONS = (0.01, 0.1, 0.5)


def hits(i: int, fraction: float) -> bool:
    """Whether item i carries the filtered value: spread evenly through the timeline."""
    return int((i + 1) * fraction) != int(i * fraction)


def at(i: int, n: int) -> dt.datetime:
    return NOW - SPAN + SPAN * i / n


def device(i: int) -> dict[str, str]:
    return {"deviceCertificateId": f"{i:064x}"}


@dataclass
class Case:
    listing: str
    filter: str
    #: Fills the backend with n items of which ``fraction`` match; returns the call's parameters.
    build: Callable[[Any, int, float], dict[str, Any]]
    client_call: str
    backend_call: Callable[[Any, dict[str, Any], str | None, int | None], dict[str, Any]]
    items: str


# -- builders -------------------------------------------------------------------------


def tasks(by: str) -> Callable[[Any, int, float], dict[str, Any]]:
    def build(backend: Any, n: int, fraction: float) -> dict[str, Any]:
        for i in range(n):
            match = hits(i, fraction)
            kind = SCHEDULED if by in ("taskType", "both") and match else ON_DEMAND
            status = "FAILED" if by in ("taskStatus", "both") and match else "COMPLETED"
            backend.record_audit_task(at(i, n), ["LOGGING_DISABLED_CHECK"], status=status, task_type=kind)
        return {"taskType": {"taskType": SCHEDULED}, "taskStatus": {"taskStatus": "FAILED"},
                "both": {"taskType": SCHEDULED, "taskStatus": "FAILED"}}[by] | WINDOW
    return build


def _observation(check: str, i: int) -> Observation:
    return Observation(check, "DEVICE_CERTIFICATE", device(i), "CERTIFICATE_EXPIRING", "expiring")


def findings(by: str) -> Callable[[Any, int, float], dict[str, Any]]:
    """Findings in tasks of 100 (the taskId filter sees one task among n / 100); all n in one task for
    taskId+checkName; one per task (spread through the timeline) for the time window."""
    def build(backend: Any, n: int, fraction: float) -> dict[str, Any]:
        per_task = {"taskId+checkName": n, "time": 1}.get(by, 100)
        last_task = ""
        for start in range(0, n, per_task):
            made = []
            for i in range(start, min(n, start + per_task)):
                match = hits(i, fraction)
                check = AGE if by.endswith("checkName") and match else EXPIRING
                resource = 0 if by == "resourceIdentifier" and match else i + 1
                made.append((_observation(check, resource), False, None))
            last_task = backend.record_audit_task(at(start, n), [EXPIRING, AGE], made).task_id
        queries: dict[str, dict[str, Any]] = {
                "checkName": {"checkName": AGE} | WINDOW,
                "resourceIdentifier": {"resourceIdentifier": device(0)} | WINDOW,
                # A window holding ``fraction`` of the findings.
                "time": {"startTime": at(n - max(1, int(n * fraction)), n), "endTime": NOW},
                "taskId": {"taskId": last_task},
                "taskId+checkName": {"taskId": last_task, "checkName": AGE}}
        return queries[by]
    return build


def mitigation_tasks(by: str) -> Callable[[Any, int, float], dict[str, Any]]:
    def build(backend: Any, n: int, fraction: float) -> dict[str, Any]:
        audit = backend.record_audit_task(at(0, n), [EXPIRING], [(_observation(EXPIRING, 1), False, None)])
        target_finding = audit.findings[0]
        other = Finding(uuid_like(), "0" * 32, at(0, n), at(0, n), _observation(EXPIRING, 2), False)
        for i in range(n):
            match = hits(i, fraction)
            finding = target_finding if by == "findingId" and match else other
            target = {"auditTaskId": audit.task_id if by == "auditTaskId" and match else "f" * 32}
            task = MitigationTask(task_id(), uuid_like(), at(i, n), target, {EXPIRING: ["a"]}, [],
                                  [Selection(finding)])
            task.final_status, task.end_time = ("CANCELED" if by == "taskStatus" and match else "COMPLETED"), at(i, n)
            backend.state.mitigation_tasks.add(task.start_time, task.task_id, task)
        return {"auditTaskId": {"auditTaskId": audit.task_id}, "findingId": {"findingId": target_finding.finding_id},
                "taskStatus": {"taskStatus": "CANCELED"}}[by] | WINDOW
    return build


def executions(backend: Any, n: int, fraction: float) -> dict[str, Any]:
    """One mitigation task over n findings; the listing asks for one finding's executions by status."""
    selections = []
    for i in range(n):
        finding = Finding(uuid_like(), "0" * 32, NOW, NOW, _observation(EXPIRING, i), False)
        statuses = ["COMPLETED", "FAILED", "SKIPPED"]
        selections.append(Selection(finding, [Execution(finding, f"a{k}", f"id{k}", "UPDATE_DEVICE_CERTIFICATE", {},
                                                        status) for k, status in enumerate(statuses)]))
    task = MitigationTask("bench", "token", NOW, {"findingIds": []}, {EXPIRING: ["a0", "a1", "a2"]}, [], selections)
    task.final_status = "FAILED"
    backend.state.mitigation_tasks.add(NOW, "bench", task)
    return {"taskId": "bench", "findingId": selections[int(n * fraction) - 1 if n * fraction >= 1 else 0]
            .finding.finding_id, "actionStatus": "COMPLETED"}


def suppressions(by: str) -> Callable[[Any, int, float], dict[str, Any]]:
    def build(backend: Any, n: int, fraction: float) -> dict[str, Any]:
        shared = 0
        for i in range(n):
            match = hits(i, fraction)
            check, resource = EXPIRING, device(i + 1)
            if by == "checkName" and match:
                check = AGE
            elif by == "resourceIdentifier" and match and shared < len(CERTIFICATE_CHECKS):
                check, resource = CERTIFICATE_CHECKS[shared], device(0)
                shared += 1
            backend.create_audit_suppression(check, resource, f"t{i}", NOW + dt.timedelta(days=1, seconds=i))
        queries: dict[str, dict[str, Any]] = {"checkName": {"checkName": AGE},
                                              "resourceIdentifier": {"resourceIdentifier": device(0)}}
        return queries[by]
    return build


#: A resource is suppressed at most once per check, so at most this many suppressions share one resource.
CERTIFICATE_CHECKS = [EXPIRING, AGE, "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "DEVICE_CERTIFICATE_SHARED_CHECK",
                      "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK"]


def _backend_call(method: str, rename: dict[str, str]) -> Callable[[Any, dict[str, Any], str | None, int | None],
                                                                   dict[str, Any]]:
    def call(backend: Any, params: dict[str, Any], token: str | None, size: int | None) -> dict[str, Any]:
        kwargs = {rename.get(k, k): v for k, v in params.items()}
        return getattr(backend, method)(**kwargs, next_token=token, max_results=size)  # type: ignore[no-any-return]
    return call


SNAKE = {"startTime": "start_time", "endTime": "end_time", "taskType": "task_type", "taskStatus": "task_status",
         "taskId": "task_id", "checkName": "check_name", "resourceIdentifier": "resource_identifier",
         "auditTaskId": "audit_task_id", "findingId": "finding_id", "actionStatus": "action_status"}

CASES = [
    *(Case("ListAuditTasks", f, tasks(f if f != "taskType+taskStatus" else "both"), "list_audit_tasks",
           _backend_call("list_audit_tasks", SNAKE), "tasks")
      for f in ("taskType", "taskStatus", "taskType+taskStatus")),
    *(Case("ListAuditFindings", f, findings(f), "list_audit_findings", _backend_call("list_audit_findings", SNAKE),
           "findings") for f in ("taskId", "checkName", "resourceIdentifier", "time", "taskId+checkName")),
    *(Case("ListAuditMitigationActionsTasks", f, mitigation_tasks(f), "list_audit_mitigation_actions_tasks",
           _backend_call("list_audit_mitigation_actions_tasks", SNAKE), "tasks")
      for f in ("auditTaskId", "findingId", "taskStatus")),
    Case("ListAuditMitigationActionsExecutions", "taskId+findingId+actionStatus", executions,
         "list_audit_mitigation_actions_executions", _backend_call("list_audit_mitigation_actions_executions", SNAKE),
         "actionsExecutions"),
    *(Case("ListAuditSuppressions", f, suppressions(f), "list_audit_suppressions",
           _backend_call("list_audit_suppressions", SNAKE), "suppressions")
      for f in ("checkName", "resourceIdentifier")),
]


def measure(case: Case, n: int, fraction: float, calls: int, size: int | None) -> tuple[dict[str, Any], int]:
    """Median seconds per call: (client|backend, first|deep) -> time; and how many items match.

    ``size`` is the page size (None: the one the small store allows, which the large one then uses)."""
    with mock_iot_audit():
        iot = boto3.client("iot", region_name=REGION)
        iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={
            c: {"enabled": True} for c in (EXPIRING, AGE, "LOGGING_DISABLED_CHECK")})
        backend = audit_backends[ACCOUNT][REGION]
        params = case.build(backend, n, fraction)
        matching = len(case.backend_call(backend, params, None, 10**9)[case.items])
        # Equal pages at both sizes: as many items as the small store holds past its middle, up to 25.
        size = size or max(1, min(25, matching // 2))
        deep = case.backend_call(backend, params, None, max(1, matching // 2)).get("nextToken")
        out: dict[str, Any] = {"size": size}
        for page, token in (("first", None), ("deep", deep)):
            extra = {"nextToken": token} if token else {}
            client_call = functools.partial(getattr(iot, case.client_call), **params, **extra, maxResults=size)
            out[f"client {page}"] = median_time(client_call, calls)
            out[f"backend {page}"] = median_time(
                functools.partial(case.backend_call, backend, params, token, size), calls)
        return out, matching


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--only", help="run only listings whose name contains this")
    args = parser.parse_args()
    worst = 0.0
    print(f"{'listing / filter':62} {'match':>5}  {'page':5} {'client small':>12} {'large':>9} {'ratio':>6}"
          f"  {'backend small':>13} {'large':>9} {'ratio':>6}")
    for case in CASES:
        if args.only and args.only not in case.listing + case.filter:
            continue
        for fraction in FRACTIONS:
            small, _ = measure(case, 100, fraction, args.calls, None)
            large, matching = measure(case, args.large, fraction, args.calls, small["size"])
            for page in ("first", "deep"):
                c = large[f"client {page}"] / small[f"client {page}"]
                b = large[f"backend {page}"] / small[f"backend {page}"]
                worst = max(worst, c)
                print(f"{case.listing + ' by ' + case.filter:62} {fraction:5.0%}  {page:5} "
                      f"{small[f'client {page}'] * 1e6:10.0f}us {large[f'client {page}'] * 1e6:7.0f}us {c:6.2f}"
                      f"  {small[f'backend {page}'] * 1e6:11.0f}us {large[f'backend {page}'] * 1e6:7.0f}us {b:6.2f}"
                      f"   ({matching} match at {args.large:,}, pages of {small['size']})")
    print(f"worst client ratio {worst:.2f}  (target <= 2)")
    if not args.only:
        first_calls(args.large)
    return 0


def first_calls(n: int) -> None:
    """The first call of a finding-filter combination no index was kept for (the rows above are warm)."""
    with mock_iot_audit():
        backend = audit_backends[ACCOUNT][REGION]
        findings("resourceIdentifier")(backend, n, 0.5)  # half the findings on one resource
        window: dict[str, Any] = {"start_time": WINDOW["startTime"], "end_time": WINDOW["endTime"]}
        for filters in ({"check_name": EXPIRING, "resource_identifier": device(7)},
                        {"check_name": EXPIRING, "resource_identifier": device(0)},
                        {"resource_identifier": device(0), "list_suppressed_findings": False},
                        {"check_name": EXPIRING, "list_suppressed_findings": False}):
            timings = []
            for _ in range(2):
                start = time.perf_counter()
                backend.list_audit_findings(**filters, **window)
                timings.append(time.perf_counter() - start)
            names = "+".join(name for name in filters)
            print(f"ListAuditFindings by {names:46} at {n:,}: first call {timings[0] * 1e3:7.1f} ms, "
                  f"second {timings[1] * 1e3:6.2f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
