"""What the dashboard costs: a page of a task with many findings, and the state poll.

    python benchmarks/bench_dashboard.py [--findings 10000] [--repeat 5]

One on-demand task with ``--findings`` seeded findings (one check). Through werkzeug's
test client on the server's WSGI application, it prints the median wall time of:

* the page on the first, a middle and the last page of that task's findings;
* ``GET /_iot_audit/dashboard/state``, which every open page polls once a second;
* for scale, the API's own ``ListAuditFindings`` of the whole task through boto3
  (``max_results`` pages of 250).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3
from werkzeug.test import Client

from iot_audit_fake import audit_backends, mock_iot_audit
from iot_audit_fake.dashboard.data import FINDINGS_PER_PAGE
from iot_audit_fake.server import ServerApplication

CHECK = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
ACCOUNT, REGION = "123456789012", "us-east-1"


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with mock_iot_audit():
        iot = boto3.client("iot", region_name=REGION)
        iot.update_account_audit_configuration(roleArn="arn:aws:iam::123456789012:role/Audit",
                                               auditCheckConfigurations={CHECK: {"enabled": True}})
        backend = audit_backends[ACCOUNT][REGION]
        for n in range(options.findings):
            backend.seed_observation(CHECK, {"deviceCertificateId": f"{n:064x}"})
        task_id = iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"]
        iot.describe_audit_task(taskId=task_id)
        web = Client(ServerApplication())
        pages = max(1, -(-options.findings // FINDINGS_PER_PAGE))
        print(f"{options.findings} findings, {pages} pages of {FINDINGS_PER_PAGE}; median of {options.repeat}")
        for number in sorted({1, (pages + 1) // 2, pages}):
            def get_page(number: int = number) -> object:
                response = web.get(f"/_iot_audit/?task={task_id}&findings_page={number}")
                assert response.status_code == 200
                return response
            print(f"  page {number:>5}: {median_ms(get_page, options.repeat):8.1f} ms")
        print(f"  state poll:  {median_ms(lambda: web.get('/_iot_audit/dashboard/state'), options.repeat):8.2f} ms")

        def list_all() -> object:
            paginator = iot.get_paginator("list_audit_findings")
            pages = paginator.paginate(taskId=task_id, PaginationConfig={"PageSize": 250})
            return sum(len(page["findings"]) for page in pages)
        print(f"  ListAuditFindings of the whole task (boto3): {median_ms(list_all, options.repeat):8.1f} ms")


if __name__ == "__main__":
    main()
