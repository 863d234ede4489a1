"""Server mode under load (issue 14, goal 5): the fake's server beside moto's own, in one run.

    python benchmarks/bench_server_load.py [--threads 8] [--requests 250] [--rounds 3] [--processes]

1. Reads with boto3 clients, side by side: ``threads`` client threads (a boto3 client each)
   against the fake's server answering DescribeAuditTask and ListScheduledAudits (its own
   reads of one stored resource, and of a listing of one), against the fake's server answering
   moto's DescribeThing (a request it hands to moto), and against moto's own server answering
   DescribeThing. Every round runs each of them in turn, so that the machine's load weighs on
   all alike; the figures are the medians of the rounds. Prints requests/s and each one's
   ratio to moto's own server. Goal: the fake's reads >= 2x moto's DescribeThing; moto's
   DescribeThing through the fake >= 1x (no dearer than on moto's own server).
2. The same reads with each thread replaying the one signed request botocore made, over a
   plain HTTP connection: botocore's own cost per call (the same for both servers, most of a
   call's cost here) no longer hides the servers' difference.
3. A mixed load with writes on the fake's server: every thread sends, in turn,
   describe_audit_task, list_audit_tasks (filtered), list_audit_findings,
   start_on_demand_audit_task, create_audit_suppression + delete_audit_suppression,
   update_account_audit_configuration, moto's create_thing through the same endpoint, and
   list_audit_suppressions. Prints requests/s, p50/p99 latency and the error count, which
   must be 0 (the script exits 1 otherwise).

By default the servers and the clients share this process (and its GIL): the fake's
ThreadedServer and moto's ThreadedMotoServer, each silent, and the clients' own cost (botocore,
HTTP), the same for both servers, weighs on the ratios. ``--processes`` runs each server in a
process of its own (``python -m iot_audit_fake server`` and ``python -m moto.server``, each
logging every request as it does by default, to /dev/null), and also prints each server's CPU
time per request (from /proc), what a server can take when the clients are not the limit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from moto.core.botocore_stubber import MockRawResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import run_together

from iot_audit_fake.server import ThreadedServer

ROLE = "arn:aws:iam::123456789012:role/Audit"
CHECK = "LOGGING_DISABLED_CHECK"
SEEDED_TASKS = 20
#: LimitExceeded is retried by botocore with back-off; a load test must see it as the error it is.
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def client(endpoint: str) -> Any:
    return boto3.session.Session().client("iot", region_name="us-east-1", endpoint_url=endpoint,
                                          aws_access_key_id="testing", aws_secret_access_key="testing",
                                          config=NO_RETRIES)


def run_threads(endpoint: str, threads: int, requests: int,
                call: Callable[[Any, int, int], Any]) -> tuple[float, list[float], list[str]]:
    """``threads`` clients each making ``requests`` calls ``call(client, thread, i)``: elapsed, latencies, errors."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[str] = []
    ready = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        mine = client(endpoint)
        call(mine, index, -1)  # warm the client outside the timing
        ready.wait()
        for i in range(requests):
            started = time.perf_counter()
            try:
                call(mine, index, i)
            except Exception as error:  # counted, reported
                errors.append(f"{type(error).__name__}: {error}")
            latencies[index].append(time.perf_counter() - started)

    elapsed = run_together([threading.Thread(target=worker, args=(i,)) for i in range(threads)], ready)
    return elapsed, sorted(x for per in latencies for x in per), errors


@contextlib.contextmanager
def moto_in_process() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto_server.start()
    try:
        host, port = moto_server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        moto_server.stop()


#: Server process ids by endpoint (``--processes``), to read the CPU time each server spent.
PIDS: dict[str, int] = {}


def server_cpu(endpoint: str) -> float | None:
    """CPU seconds the server process behind ``endpoint`` has used (None in-process or without /proc)."""
    pid = PIDS.get(endpoint)
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serving(command: list[str]) -> Iterator[str]:
    """A server in a process of its own (``{port}`` in ``command`` gets a free port); its endpoint."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([arg.format(port=port) for arg in command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{command[0:3]} did not start") from None
                time.sleep(0.2)
        PIDS[f"http://127.0.0.1:{port}"] = process.pid
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def prepare(fake: str, moto: str) -> list[str]:
    """Audit configuration, a scheduled audit and finished tasks on the fake's server, the thing
    both servers describe; the tasks' ids."""
    iot = client(fake)
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={CHECK: {"enabled": True}})
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[CHECK])
    task_ids = [iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"] for _ in range(SEEDED_TASKS)]
    for task_id in task_ids:
        iot.describe_audit_task(taskId=task_id)
    for endpoint in (fake, moto):
        client(endpoint).create_thing(thingName="sensor-1")
    return task_ids


def signed(endpoint: str, call: Callable[[Any], Any]) -> tuple[str, str, dict[str, str], bytes]:
    """The HTTP request botocore sends for ``call(client)``: method, path with query, headers, body."""
    captured: list[Any] = []

    def grab(request: Any, **_: Any) -> AWSResponse:
        captured.append(request)
        return AWSResponse(request.url, 200, {}, MockRawResponse(b"{}"))

    c = client(endpoint)
    c.meta.events.register("before-send", grab)
    call(c)
    request = captured[0]
    url = urlsplit(request.url)
    body = request.body or b""
    return request.method, url.path + (f"?{url.query}" if url.query else ""), dict(request.headers), (
        body.encode() if isinstance(body, str) else body)


def raw_rate(endpoint: str, request: tuple[str, str, dict[str, str], bytes], threads: int, requests: int) -> float:
    """Requests/s of ``threads`` keep-alive connections replaying one signed request (no botocore per call)."""
    method, path, headers, body = request
    host, port = urlsplit(endpoint).hostname, urlsplit(endpoint).port
    ready = threading.Barrier(threads + 1)
    failures: list[int] = []

    def worker() -> None:
        connection = http.client.HTTPConnection(str(host), port)
        for i in range(-1, requests):
            if i == 0:
                ready.wait()
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        connection.close()

    elapsed = run_together([threading.Thread(target=worker) for _ in range(threads)], ready)
    assert not failures, failures[:5]
    return threads * requests / elapsed


class Contender:
    """One server answering one read: a label, the endpoint, the boto3 call, the figures of each round."""

    def __init__(self, label: str, endpoint: str, call: Callable[[Any], Any]) -> None:
        self.label, self.endpoint, self.call = label, endpoint, call
        self.rates: list[float] = []
        self.cpu = 0.0

    @property
    def rate(self) -> float:
        return float(statistics.median(self.rates))


def compare(title: str, contenders: list[Contender], measure: Callable[[Contender], float], threads: int,
            requests: int, rounds: int) -> dict[str, float]:
    """Each contender measured in turn, ``rounds`` times; prints the medians and the ratios to the
    last contender (moto's own server); returns the ratios by label."""
    for _ in range(rounds):
        for contender in contenders:
            before = server_cpu(contender.endpoint)
            contender.rates.append(measure(contender))
            after = server_cpu(contender.endpoint)
            if before is not None and after is not None:
                contender.cpu += after - before
    floor = contenders[-1]
    print(f"{title}, {threads} threads x {requests} requests, median of {rounds} alternating rounds:")
    ratios: dict[str, float] = {}
    for contender in contenders:
        ratios[contender.label] = contender.rate / floor.rate
        cpu = (f"   server CPU {contender.cpu / (rounds * threads * requests) * 1e3:.2f} ms/request"
               if contender.cpu else "")
        print(f"  {contender.label:<49} {contender.rate:8.1f} requests/s   ratio {ratios[contender.label]:5.2f}"
              f"   (rounds: {', '.join(f'{r:.0f}' for r in contender.rates)}){cpu}")
    return ratios


def readers(fake: str, moto: str, task_id: str) -> list[Contender]:
    """The comparable reads: the fake's own two, moto's through the fake, moto's on its own server (last)."""
    return [
        Contender("fake    DescribeAuditTask", fake, lambda c: c.describe_audit_task(taskId=task_id)),
        Contender("fake    ListScheduledAudits", fake, lambda c: c.list_scheduled_audits()),
        Contender("fake    DescribeThing (moto's, through the fake)", fake,
                  lambda c: c.describe_thing(thingName="sensor-1")),
        Contender("moto    DescribeThing (moto's own server)", moto, lambda c: c.describe_thing(thingName="sensor-1")),
    ]


def compare_reads(fake: str, moto: str, task_id: str, threads: int, requests: int, rounds: int) -> dict[str, float]:
    def measure(contender: Contender) -> float:
        elapsed, _, errors = run_threads(contender.endpoint, threads, requests, lambda c, t, i: contender.call(c))
        assert not errors, errors[:3]
        return threads * requests / elapsed

    return compare("reads with boto3 clients", readers(fake, moto, task_id), measure, threads, requests, rounds)


def compare_raw(fake: str, moto: str, task_id: str, threads: int, requests: int, rounds: int) -> dict[str, float]:
    contenders = readers(fake, moto, task_id)
    replayed = {id(contender): signed(contender.endpoint, contender.call) for contender in contenders}
    return compare("reads replayed over plain HTTP (no botocore per request)", contenders,
                   lambda contender: raw_rate(contender.endpoint, replayed[id(contender)], threads, requests),
                   threads, requests, rounds)


def mixed(endpoint: str, task_ids: list[str], threads: int, requests: int) -> int:
    now = dt.datetime.now(dt.timezone.utc)
    window = {"startTime": now - dt.timedelta(days=1), "endTime": now + dt.timedelta(days=1)}

    def call(c: Any, thread: int, i: int) -> None:
        kind = (thread + i) % 8
        if kind == 0:
            c.describe_audit_task(taskId=task_ids[i % len(task_ids)])
        elif kind == 1:
            c.list_audit_tasks(**window, taskStatus="COMPLETED", maxResults=10)
        elif kind == 2:
            c.list_audit_findings(taskId=task_ids[i % len(task_ids)])
        elif kind == 3:
            c.start_on_demand_audit_task(targetCheckNames=[CHECK])
        elif kind == 4:
            resource = {"clientId": f"client-{thread}-{i}"}
            c.create_audit_suppression(checkName="CONFLICTING_CLIENT_IDS_CHECK", resourceIdentifier=resource,
                                       suppressIndefinitely=True, clientRequestToken=f"t-{thread}-{i}")
            c.delete_audit_suppression(checkName="CONFLICTING_CLIENT_IDS_CHECK", resourceIdentifier=resource)
        elif kind == 5:
            c.update_account_audit_configuration(auditCheckConfigurations={CHECK: {"enabled": True}})
        elif kind == 6:
            c.create_thing(thingName=f"thing-{thread}-{i}")
        else:
            c.list_audit_suppressions(checkName="CONFLICTING_CLIENT_IDS_CHECK", maxResults=5)

    elapsed, every, errors = run_threads(endpoint, threads, requests, call)
    total = len(every)
    p50, p99 = statistics.median(every), every[min(total - 1, int(total * 0.99))]
    print(f"mixed load with writes: {threads} threads x {requests} requests = {total} requests in {elapsed:.2f} s")
    print(f"  throughput {total / elapsed:8.1f} requests/s")
    print(f"  latency    p50 {p50 * 1e3:6.2f} ms   p99 {p99 * 1e3:6.2f} ms   max {every[-1] * 1e3:6.2f} ms")
    print(f"  errors     {len(errors)}")
    for error in errors[:10]:
        print(f"    {error}")
    return len(errors)


def run(fake: str, moto: str, args: argparse.Namespace) -> int:
    task_ids = prepare(fake, moto)
    ratios = compare_reads(fake, moto, task_ids[0], args.threads, args.requests, args.rounds)
    compare_raw(fake, moto, task_ids[0], args.threads, args.requests, args.rounds)
    errors = mixed(fake, task_ids, args.threads, args.requests)
    own = min(ratio for label, ratio in ratios.items() if label.startswith("fake") and "moto's" not in label)
    through = next(ratio for label, ratio in ratios.items() if "through the fake" in label)
    print(f"goal 5: the fake's reads {own:.2f}x moto's own server with boto3 clients (target >= 2: "
          f"{'met' if own >= 2 else 'NOT met'}); moto's DescribeThing through the fake {through:.2f}x "
          f"(target >= 1: {'met' if through >= 1 else 'NOT met'}); errors with writes: {errors} (target 0)")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="requests per thread")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the side-by-side reads")
    parser.add_argument("--processes", action="store_true",
                        help="run each server in a process of its own (python -m iot_audit_fake server / "
                             "python -m moto.server) instead of in this one")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    if args.processes:
        python = sys.executable
        root = str(Path(__file__).resolve().parent.parent)
        with serving([python, "-c", f"import sys; sys.path.insert(0, {root!r}); from iot_audit_fake.cli import "
                      "main; sys.exit(main(['server', '--port', '{port}', '--empty']))"]) as fake, \
                serving([python, "-m", "moto.server", "-p", "{port}"]) as moto:
            print("servers in processes of their own")
            return run(fake, moto, args)
    with ThreadedServer(port=0) as server, moto_in_process() as moto:
        print("servers in this process (threads)")
        return run(server.endpoint_url, moto, args)


if __name__ == "__main__":
    raise SystemExit(main())
