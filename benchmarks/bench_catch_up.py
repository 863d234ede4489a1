"""What ``AuditBackend.catch_up()`` costs when nothing is due (``upkeep.catch_up``): it runs before every audit call,
every ``record_*`` call and every IoT, IAM and Cognito Identity request (so that scheduled runs are evaluated
as of their own instant), so its idle cost is paid on every request.

    python benchmarks/bench_catch_up.py [--calls 100000]

The account holds five scheduled audits and 90 days of their daily runs (450 finished tasks with
their findings); the clock is frozen between two runs. Prints the mean cost per idle catch-up, and
the cost of one catch-up that catches up a day (five runs evaluated) for scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine

from iot_audit_fake import audit_backends, mock_iot_audit

START = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
CHECKS = ["LOGGING_DISABLED_CHECK", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "CONFLICTING_CLIENT_IDS_CHECK"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    calls = parser.parse_args().calls
    with mock_iot_audit(), time_machine.travel(START, tick=False) as clock:
        backend = audit_backends["123456789012"]["us-east-1"]
        backend.update_account_audit_configuration("arn:aws:iam::123456789012:role/Audit", None,
                                                   {check: {"enabled": True} for check in CHECKS})
        for i in range(5):
            backend.create_scheduled_audit(f"audit-{i}", "DAILY", CHECKS, None, None, None)
        clock.shift(dt.timedelta(days=90))
        backend.catch_up()
        print(f"history: {len(backend.state.tasks)} tasks, {len(backend.state.findings)} findings, "
              f"{len(backend.state.scheduled_audits)} scheduled audits")
        begin = time.perf_counter()
        for _ in range(calls):
            backend.catch_up()
        idle = (time.perf_counter() - begin) / calls
        print(f"idle catch-up (nothing due): {idle * 1e6:.2f} us per call over {calls:,} calls")
        clock.shift(dt.timedelta(days=1))
        begin = time.perf_counter()
        backend.catch_up()
        print(f"catch-up that brings one day (5 runs of {len(CHECKS)} checks): "
              f"{(time.perf_counter() - begin) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
