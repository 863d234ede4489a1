"""How much an audit of 10,000 device certificates costs, against the floor of parsing their PEMs once.

Run: ``.venv/bin/python benchmarks/bench_certificate_evaluation.py [--count N] [--repeat R]``

The floor is ``cryptography``'s ``load_pem_x509_certificate`` over every PEM. The
audit is an on-demand task running DEVICE_CERTIFICATE_EXPIRING_CHECK,
DEVICE_CERTIFICATE_AGE_CHECK and DEVICE_CERTIFICATE_KEY_QUALITY_CHECK through a
boto3 client under ``mock_iot_audit``, timed from StartOnDemandAuditTask to the
DescribeAuditTask that reports it, with the mock's certificate readings empty (cold)
and then again with the cache warm. Each repetition uses a fresh mock, so findings
from earlier runs do not pile up. Times are CPU times, and each figure is the
minimum over the repetitions, floor and audits interleaved, so that other work on
the machine disturbs them as little as it can. The target is a cold ratio of at
most 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                    ("AWS_DEFAULT_REGION", "us-east-1")):
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from moto.iot.models import iot_backends  # noqa: E402

from iot_audit_fake import mock_iot_audit  # noqa: E402
from iot_audit_fake.checks.x509_facts import read  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Audit"
CHECKS = ["DEVICE_CERTIFICATE_EXPIRING_CHECK", "DEVICE_CERTIFICATE_AGE_CHECK", "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"]


def make_pems(count: int, max_age_days: int = 400) -> list[str]:
    """``count`` device certificates for one P-256 key, signed by one CA, with spread-out validity.

    Ages run from 0 to ``max_age_days - 1`` days and lifetimes from 1 to 3 years. With the
    default 400, about 9% are past the default age threshold (365 days) and about 1% expire
    within the default 30 days; with 365 none is non-compliant.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Benchmark CA")])
    now = dt.datetime.now(dt.timezone.utc)
    pems = []
    for i in range(count):
        not_before = now - dt.timedelta(days=i % max_age_days, minutes=i % 1440)
        lifetime = dt.timedelta(days=365 + (i * 37) % 730)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"device-{i:05d}")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_before + lifetime)
            .sign(key, hashes.SHA256())
        )
        pems.append(cert.public_bytes(serialization.Encoding.PEM).decode())
    return pems


def timed(func: Callable[[], Any]) -> float:
    """CPU seconds ``func`` takes: unlike wall time, not inflated by other processes taking the CPU."""
    gc.collect()
    start = time.process_time()
    func()
    return time.process_time() - start


def parse_all(pems: list[str]) -> None:
    for pem in pems:
        x509.load_pem_x509_certificate(pem.encode())


def audit_once(pems: list[str]) -> tuple[float, float, dict[str, Any]]:
    """(cold seconds, warm seconds, the cold task's auditDetails) in a fresh mock."""
    with mock_iot_audit():
        backend = iot_backends[ACCOUNT][REGION]
        for pem in pems:
            cert = backend.register_certificate_without_ca(certificate_pem=pem, status="ACTIVE")
            # The age check counts from registration (creationDate): register each one at its notBefore.
            not_before = x509.load_pem_x509_certificate(pem.encode()).not_valid_before_utc
            # moto's creationDate is a naive UTC datetime (epoch seconds before moto 5.1.x).
            is_float = isinstance(cert.creation_date, float)
            cert.creation_date = not_before.timestamp() if is_float else not_before.replace(tzinfo=None)
        iot = boto3.client("iot", region_name=REGION)
        iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in CHECKS})
        iot.describe_account_audit_configuration()  # warm the client before timing
        results: list[dict[str, Any]] = []

        def audit() -> None:
            task_id = iot.start_on_demand_audit_task(targetCheckNames=CHECKS)["taskId"]
            described = iot.describe_audit_task(taskId=task_id)
            assert described["taskStatus"] == "COMPLETED", described
            results.append(described["auditDetails"])

        cold = timed(audit)  # a fresh mock: its certificate readings start empty
        warm = timed(audit)
        return cold, warm, results[0]


def measure(label: str, pems: list[str], repeat: int) -> float:
    """Floor and audits, interleaved so that both see the same machine; returns the cold ratio of the minima."""
    floors, colds, warms = [], [], []
    details: dict[str, Any] = {}
    for _ in range(repeat):
        floors.append(timed(lambda: parse_all(pems)))
        cold, warm, details = audit_once(pems)
        colds.append(cold)
        warms.append(warm)
    ms = 1000
    floor, cold, warm = min(floors), min(colds), min(warms)
    findings = sum(d["nonCompliantResourcesCount"] for d in details.values())
    print(f"{label}: {len(pems)} device certificates, {findings} findings ("
          + ", ".join(f"{name.removeprefix('DEVICE_CERTIFICATE_').removesuffix('_CHECK')} "
                      f"{d['nonCompliantResourcesCount']}" for name, d in details.items()) + ")")
    print(f"  floor: parse every PEM once          {floor * ms:7.1f} ms")
    print(f"  audit of 3 checks, cold cache        {cold * ms:7.1f} ms   ratio {cold / floor:.2f}"
          f"   (median ratio {statistics.median(c / f for c, f in zip(colds, floors, strict=True)):.2f})")
    print(f"  audit of 3 checks, warm cache        {warm * ms:7.1f} ms   ratio {warm / floor:.2f}")
    return cold / floor


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    healthy = make_pems(args.count, max_age_days=365)
    mixed = make_pems(args.count)
    print(f"built {2 * args.count} certificates in {time.perf_counter() - start:.2f} s; "
          f"minimum of {args.repeat} interleaved runs each")
    facts = []
    for _ in range(args.repeat):
        facts.append(timed(lambda: [read(pem) for pem in mixed]))
    floor = min(timed(lambda: parse_all(mixed)) for _ in range(args.repeat))
    print(f"x509_facts.read over {args.count} PEMs, cold: {min(facts) * 1000:.1f} ms, "
          f"ratio {min(facts) / floor:.2f} to the floor")
    ratios = [measure("compliant fleet", healthy, args.repeat), measure("mixed fleet", mixed, args.repeat)]
    print(f"target: cold ratio <= 2 -> {'met' if max(ratios) <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
