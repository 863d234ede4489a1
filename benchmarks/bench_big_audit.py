"""An on-demand audit of all 17 checks over a big fleet: time against the floor, memory against the fleet.

    python benchmarks/bench_big_audit.py [--divide 1] [--profile]

The fleet (issue 14, goal 3): 100,000 device certificates, 1,000 CA certificates, 10,000
policies, 1,000 role aliases and 100,000 recorded connections (``--divide N`` makes every
count N times smaller, for a quick run). It is injected straight into moto's backends and
the audit backend's recording calls: building it is not what is measured. Keys come from a
small pre-generated set, and a few percent of everything is non-compliant (expiring,
old, weak-keyed, shared or conflicting, over-permissive), so findings are made too.

* Time: CPU seconds of StartOnDemandAuditTask + DescribeAuditTask (through boto3 under
  ``mock_iot_audit``) for all 17 checks, cold (no certificate read yet) and warm, against the
  floor: ``cryptography``'s ``load_pem_x509_certificate`` of every device and CA PEM plus the
  fields the checks read (validity, subject, issuer, serial, public key), and ``json.loads`` of
  every policy document (IoT policies and the role aliases' IAM role policies). Target <= 2.
* Memory (``tracemalloc``, in a separate fleet): what the fleet adds to moto, against the peak
  the audit adds on top of it, and what the audit leaves behind (findings, cached readings).
  Target: audit peak <= 2 x the fleet. tracemalloc sees Python allocations only; memory that
  cryptography's Rust code allocates for parsed certificates is not in either figure, so the
  maximum RSS is printed beside them.
* ``--profile`` prints the top of a cProfile of the cold audit.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import pstats
import resource
import sys
import time
import tracemalloc
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
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.iot.models import FakeCaCertificate, FakeCertificate, iot_backends  # noqa: E402

from iot_audit_fake import audit_backends, mock_iot_audit  # noqa: E402
from iot_audit_fake.checks.catalogue import CHECK_NAMES  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Audit"
NOW = dt.datetime.now(dt.timezone.utc)
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "credentials.iot.amazonaws.com"}}]})


class Fleet:
    """The PEMs and documents of the fleet, generated once (outside every figure)."""

    def __init__(self, divide: int) -> None:
        self.devices, self.cas = 100_000 // divide, 1_000 // divide
        self.policies, self.aliases, self.connections = 10_000 // divide, 1_000 // divide, 100_000 // divide
        ca_keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(4)]
        device_keys: list[Any] = [ec.generate_private_key(ec.SECP256R1()) for _ in range(4)]
        device_keys.append(rsa.generate_private_key(65537, 1024))  # a weak key: key-quality findings
        self.ca_pems: list[str] = []
        ca_names = []
        for i in range(self.cas):
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Fleet CA {i}")])
            key = ca_keys[i % len(ca_keys)]
            lifetime = dt.timedelta(days=20 if i % 100 == 7 else 3650)  # 1% expiring
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                    .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=10))
                    .not_valid_after(NOW + lifetime)
                    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                    .sign(key, hashes.SHA256()))
            self.ca_pems.append(cert.public_bytes(serialization.Encoding.PEM).decode())
            ca_names.append(name)
        self.device_pems: list[str] = []
        for i in range(self.devices):
            ca = i % self.cas
            age = dt.timedelta(days=i % 400, minutes=i % 1440)  # ~9% older than a year
            subject_key = device_keys[4 if i % 50 == 0 else i % 4]  # 2% weak
            cert = (x509.CertificateBuilder()
                    .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"device-{i}")]))
                    .issuer_name(ca_names[ca]).public_key(subject_key.public_key())
                    .serial_number(x509.random_serial_number()).not_valid_before(NOW - age)
                    .not_valid_after(NOW - age + dt.timedelta(days=365 + (i * 37) % 730))
                    .sign(ca_keys[ca % len(ca_keys)], hashes.SHA256()))
            self.device_pems.append(cert.public_bytes(serialization.Encoding.PEM).decode())
        self.policy_documents = [json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:*" if i % 100 == 3 else ["iot:Connect", "iot:Publish"],
             "Resource": "*" if i % 100 == 3 else f"arn:aws:iot:{REGION}:{ACCOUNT}:client/device-{i}"}]})
            for i in range(self.policies)]
        self.role_documents = [json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:*" if r == 0 else ["iot:Publish"], "Resource": "*"}]})
            for r in range(10)]


def build(fleet: Fleet) -> None:
    """Inject the fleet into the active mock's backends (copies of every string, so tracemalloc counts them)."""
    iot = iot_backends[ACCOUNT][REGION]
    ca_ids = []
    for pem in fleet.ca_pems:
        ca = FakeCaCertificate(pem.encode().decode(), "ACTIVE", ACCOUNT, REGION, {})
        iot.ca_certificates[ca.certificate_id] = ca
        ca_ids.append(ca.certificate_id)
    device_ids = []
    for i, pem in enumerate(fleet.device_pems):
        cert = FakeCertificate(pem.encode().decode(), "ACTIVE", ACCOUNT, REGION, ca_ids[i % len(ca_ids)])
        iot.certificates[cert.certificate_id] = cert
        device_ids.append(cert.certificate_id)
    for i, document in enumerate(fleet.policy_documents):
        text: Any = document.encode().decode()  # moto's annotation says dict; it stores the JSON text
        iot.create_policy(f"policy-{i}", text)
    iam = iam_backends[ACCOUNT]["global"]
    role_arns = []
    for r, document in enumerate(fleet.role_documents):
        role = iam.create_role(f"alias-role-{r}", TRUST, "/", None, "", [], None)
        iam.put_role_policy(role.name, "access", document)
        role_arns.append(role.arn)
    for i in range(fleet.aliases):
        iot.create_role_alias(f"alias-{i}", role_arns[i % len(role_arns)], 3600)
    audit = audit_backends[ACCOUNT][REGION]
    for i in range(fleet.connections):
        # 1% of clients share a certificate with another, 1% reuse another client's id, at the same time.
        twin = i - 1 if i % 100 in (5, 9) else i
        device = device_ids[(twin if i % 100 == 5 else i) % len(device_ids)]
        client = f"client-{twin if i % 100 == 9 else i}"
        start = NOW - dt.timedelta(hours=1 + twin % 48)
        audit.record_connection(client, device, None, start, start + dt.timedelta(minutes=30))


def enable_all() -> Any:
    iot = boto3.client("iot", region_name=REGION)
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True} for check in CHECK_NAMES})
    audit_backends[ACCOUNT][REGION].state.configuration.enabled_at.clear()  # enabled long ago: no collection wait
    return iot


def audit(iot: Any) -> dict[str, Any]:
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(CHECK_NAMES))["taskId"]
    described = iot.describe_audit_task(taskId=task_id)
    assert described["taskStatus"] == "COMPLETED", described["taskStatus"]
    return described  # type: ignore[no-any-return]


def floor(fleet: Fleet) -> None:
    for pem in (*fleet.device_pems, *fleet.ca_pems):
        cert = x509.load_pem_x509_certificate(pem.encode())
        (cert.not_valid_before_utc, cert.not_valid_after_utc, cert.subject.rfc4514_string(),
         cert.issuer.rfc4514_string(), cert.serial_number, cert.public_key())
    for document in (*fleet.policy_documents, *fleet.role_documents):
        json.loads(document)


def rss(field: str = "VmRSS") -> int | None:
    """This process's resident memory (``VmHWM``: its peak since the last reset), in bytes; None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def cpu(func: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.process_time()
    result = func()
    return time.process_time() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--divide", type=int, default=1, help="make every count this many times smaller")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    fleet = Fleet(args.divide)
    print(f"fleet: {fleet.devices:,} device certificates, {fleet.cas:,} CAs, {fleet.policies:,} policies, "
          f"{fleet.aliases:,} role aliases, {fleet.connections:,} connections "
          f"(generated in {time.perf_counter() - started:.1f} s)")

    with mock_iot_audit():
        iot = enable_all()
        gc.collect()
        rss_before = rss()
        build(fleet)
        gc.collect()
        rss_fleet = rss()
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            audit(iot)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return 0
        # The audit first, so that its resident peak is not hidden in memory a floor run freed.
        rss_start = rss()
        peak_reset = reset_peak_rss()
        cold, described = cpu(lambda: audit(iot))
        rss_peak = rss("VmHWM") if peak_reset else None
        warm, _ = cpu(lambda: audit(iot))
        floors = [cpu(lambda: floor(fleet))[0] for _ in range(3)]
    # Memory, in a fleet of its own so that tracemalloc's cost stays out of the times (and after them,
    # so that the resident figures above come from a process that had not held a fleet yet).
    with mock_iot_audit():
        iot = enable_all()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        build(fleet)
        gc.collect()
        footprint = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        audit(iot)
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    mb = 1 / 2**20
    print(f"memory: fleet in moto {footprint * mb:8.1f} MB   audit peak +{(peak - before) * mb:8.1f} MB "
          f"(ratio {(peak - before) / footprint:.2f}, target <= 2)   "
          f"kept after the audit +{(after - before) * mb:.1f} MB")

    best = min(floors)
    details = described["auditDetails"]
    print("findings: " + ", ".join(f"{name.removesuffix('_CHECK')} {d.get('nonCompliantResourcesCount')}"
                                   for name, d in details.items() if d.get("nonCompliantResourcesCount")))
    failed = [name for name, d in details.items() if d["checkRunStatus"] == "FAILED"]
    print(f"floor (parse every PEM + fields, json.loads every policy) {best:7.2f} s CPU")
    print(f"audit of all 17 checks, cold  {cold:7.2f} s CPU   ratio {cold / best:.2f}  (target <= 2)")
    print(f"audit of all 17 checks, warm  {warm:7.2f} s CPU   ratio {warm / best:.2f}")
    if None not in (rss_before, rss_fleet, rss_start, rss_peak):
        assert rss_before is not None and rss_fleet is not None and rss_start is not None and rss_peak is not None
        grown, fleet_rss = rss_peak - rss_start, rss_fleet - rss_before
        print(f"resident memory (Rust allocations included): fleet +{fleet_rss * mb:.1f} MB, cold audit peak "
              f"+{grown * mb:.1f} MB (ratio {grown / fleet_rss:.2f})")
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
          + (f"   FAILED checks: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
