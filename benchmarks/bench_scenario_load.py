"""How long ``load_scenario`` takes for a fleet of 1,000 devices, each with its own certificate.

Run: ``.venv/bin/python benchmarks/bench_scenario_load.py [--count N] [--repeat R] [--profile]``

The scenario has ``count`` things, one generated device certificate per thing (attached
to it) and one policy attached to every certificate, plus an audit configuration. Each
repetition loads it in a fresh ``mock_iot_audit``, three ways: as a mapping with the default
key (EC P-256), as a mapping with RSA-2048 keys, and from a YAML file with the default key
(adding parsing with positions and schema validation). Keys are generated once per distinct
key spec (see ``iot_audit_fake.scenario.certgen``); that one generation is inside the
figure. The target is a few seconds, far from minutes. ``--profile`` prints the top of a
cProfile of one EC load instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                    ("AWS_DEFAULT_REGION", "us-east-1")):
    os.environ.setdefault(name, value)

import yaml  # noqa: E402
from moto.iot.models import iot_backends  # noqa: E402

from iot_audit_fake import load_scenario, mock_iot_audit  # noqa: E402
from iot_audit_fake.scenario import certgen  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"

#: label -> (key spec, load from a YAML file rather than a mapping)
VARIANTS: dict[str, tuple[dict[str, Any] | None, bool]] = {
    "EC P-256 (default key)": (None, False),
    "RSA-2048": ({"type": "rsa", "size": 2048}, False),
    "EC P-256, YAML file": (None, True),
}


def fleet(count: int, key: dict[str, Any] | None) -> dict[str, Any]:
    """A scenario mapping: ``count`` things, each with its own certificate and the fleet policy."""
    certificates = []
    for i in range(count):
        entry: dict[str, Any] = {"name": f"cert-{i:04d}", "subject": f"device-{i:04d}",
                                 "not_before": f"-{i % 400}d", "not_after": f"+{30 + i % 700}d",
                                 "things": [f"device-{i:04d}"], "policies": ["fleet-policy"]}
        if key is not None:
            entry["key"] = key
        certificates.append(entry)
    return {
        "audit_configuration": {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Audit",
                                "checks": {"DEVICE_CERTIFICATE_EXPIRING_CHECK": {"enabled": True}}},
        "things": [{"name": f"device-{i:04d}"} for i in range(count)],
        "policies": [{"name": "fleet-policy", "document": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}}],
        "certificates": certificates,
    }


def load_once(scenario: dict[str, Any] | Path, count: int) -> float:
    with mock_iot_audit():
        start = time.perf_counter()
        load_scenario(scenario)
        elapsed = time.perf_counter() - start
        backend = iot_backends[ACCOUNT][REGION]
        assert len(backend.things) == count and len(backend.certificates) == count
        assert len(backend.principal_things) == count and len(backend.principal_policies) == count
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one EC load and print the top 30")
    args = parser.parse_args()

    if args.profile:
        scenario = fleet(args.count, None)
        profiler = cProfile.Profile()
        with mock_iot_audit():
            profiler.enable()
            load_scenario(scenario)
            profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return

    # A first load warms imports, moto's backends and the boto3 session outside the figures.
    load_once(fleet(10, None), 10)
    print(f"load_scenario: {args.count} things, {args.count} certificates (one per thing), "
          f"{args.count} policy attachments; {args.repeat} repetitions, fresh mock each")
    directory = tempfile.TemporaryDirectory()
    for label, (key, from_file) in VARIANTS.items():
        scenario: dict[str, Any] | Path = fleet(args.count, key)
        if from_file:
            path = Path(directory.name) / "fleet.yaml"
            path.write_text(yaml.safe_dump(scenario, sort_keys=False))
            scenario = path
        times = []
        for _ in range(args.repeat):
            certgen._key.cache_clear()  # the one key generation of the spec is part of the figure
            times.append(load_once(scenario, args.count))
        per_device = statistics.median(times) / args.count * 1000
        print(f"  {label:<24} median {statistics.median(times):6.2f} s   best {min(times):6.2f} s   "
              f"({per_device:.2f} ms per device)")
    directory.cleanup()


if __name__ == "__main__":
    main()
