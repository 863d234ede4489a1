"""Server mode under load: 8 concurrent boto3 clients against one ThreadedServer.

    python benchmarks/bench_server_load.py [--threads 8] [--requests 250]

Each thread has its own boto3 client and sends a bounded number of mixed
describe_audit_task / list_audit_tasks / list_audit_findings calls over HTTP.
Prints requests/s, p50 and p99 latency and the error count (which must be 0;
the script exits 1 otherwise). Clients and server share this process (and its
GIL), so the figures are a floor for a server in its own process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3.session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from iot_audit_fake.server import ThreadedServer

ROLE = "arn:aws:iam::123456789012:role/Audit"
CHECK = "LOGGING_DISABLED_CHECK"
SEEDED_TASKS = 20


def client(endpoint: str) -> Any:
    return boto3.session.Session().client("iot", region_name="us-east-1", endpoint_url=endpoint,
                                          aws_access_key_id="testing", aws_secret_access_key="testing")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="requests per thread")
    args = parser.parse_args()

    with ThreadedServer(port=0) as server:
        iot = client(server.endpoint_url)
        iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={CHECK: {"enabled": True}})
        task_ids = [iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"] for _ in range(SEEDED_TASKS)]
        now = dt.datetime.now(dt.timezone.utc)
        window = {"startTime": now - dt.timedelta(days=1), "endTime": now + dt.timedelta(days=1)}

        latencies: list[list[float]] = [[] for _ in range(args.threads)]
        errors: list[str] = []
        ready = threading.Barrier(args.threads + 1)

        def worker(index: int) -> None:
            mine = client(server.endpoint_url)
            mine.describe_audit_task(taskId=task_ids[0])  # warm the client outside the timing
            ready.wait()
            for i in range(args.requests):
                started = time.perf_counter()
                try:
                    kind = (index + i) % 3
                    if kind == 0:
                        mine.describe_audit_task(taskId=task_ids[i % len(task_ids)])
                    elif kind == 1:
                        mine.list_audit_tasks(**window, maxResults=10)
                    else:
                        mine.list_audit_findings(taskId=task_ids[i % len(task_ids)])
                except Exception as error:  # counted, reported
                    errors.append(f"{type(error).__name__}: {error}")
                latencies[index].append(time.perf_counter() - started)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
        for thread in threads:
            thread.start()
        ready.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

    every = sorted(latency for per_thread in latencies for latency in per_thread)
    total = len(every)
    p50 = statistics.median(every)
    p99 = every[min(total - 1, int(total * 0.99))]
    print(f"server load: {args.threads} threads x {args.requests} requests = {total} requests in {elapsed:.2f} s")
    print(f"  throughput {total / elapsed:8.1f} requests/s")
    print(f"  latency    p50 {p50 * 1e3:6.2f} ms   p99 {p99 * 1e3:6.2f} ms   max {every[-1] * 1e3:6.2f} ms")
    print(f"  errors     {len(errors)}")
    for error in errors[:10]:
        print(f"    {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
