"""How long ``load_scenario`` takes for a fleet of 1,000 devices, each with its own certificate.

Run: ``.venv/bin/python benchmarks/bench_scenario_load.py [--count N] [--repeat R] [--profile]``

The scenario has ``count`` things, one generated device certificate per thing (attached
to it) and one policy attached to every certificate, plus an audit configuration. Each
repetition loads it in a fresh ``mock_iot_audit``, three ways: as a mapping with the default
key (EC P-256: a key pair per certificate), as a mapping with one shared RSA-2048 key pair
(``key: {type: rsa, size: 2048, share: fleet}``), and from a YAML file with the default key
(adding parsing with positions and schema validation). Key generation is inside the figures
(see ``iot_audit_fake.scenario.certgen``). The target is a few seconds, far from minutes.
``--profile`` prints the top of a cProfile of one EC load instead.

``--scale`` measures issue 14's goal 4 instead: loading 10 x ``count`` devices costs at most
12 x loading ``count`` (EC keys, fresh mock each, median of ``repeat``), and what atomicity
costs: the same ``count`` devices loaded into an account that already holds 10 x ``count``
(the undo journal records what is there by reference; a deep copy cloned it all), next to
the deep copy of the backends the journal replaced.
"""

from __future__ import annotations

import argparse
import copy
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

ACCOUNT = "123456789012"
REGION = "us-east-1"

#: label -> (key spec, load from a YAML file rather than a mapping)
VARIANTS: dict[str, tuple[dict[str, Any] | None, bool]] = {
    "EC P-256 (default key)": (None, False),
    "RSA-2048, one shared key": ({"type": "rsa", "size": 2048, "share": "fleet"}, False),
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
    parser.add_argument("--scale", action="store_true", help="10 x count against count, and the journal's cost")
    args = parser.parse_args()

    if args.scale:
        scale(args.count, args.repeat)
        return

    if args.profile:
        profiled = fleet(args.count, None)
        profiler = cProfile.Profile()
        with mock_iot_audit():
            profiler.enable()
            load_scenario(profiled)
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
            times.append(load_once(scenario, args.count))
        per_device = statistics.median(times) / args.count * 1000
        print(f"  {label:<24} median {statistics.median(times):6.2f} s   best {min(times):6.2f} s   "
              f"({per_device:.2f} ms per device)")
    directory.cleanup()


def scale(count: int, repeat: int) -> None:
    load_once(fleet(10, None), 10)
    small = statistics.median(load_once(fleet(count, None), count) for _ in range(repeat))
    large = statistics.median(load_once(fleet(10 * count, None), 10 * count) for _ in range(repeat))
    print(f"load_scenario {count:,} devices {small:6.2f} s   {10 * count:,} devices {large:6.2f} s   "
          f"ratio {large / small:5.2f}  (target <= 12)")

    def renamed(scenario: dict[str, Any], prefix: str) -> dict[str, Any]:
        text = yaml.safe_dump(scenario).replace("device-", f"{prefix}-").replace("cert-", f"{prefix}c-")
        return yaml.safe_load(text.replace("fleet-policy", f"{prefix}-policy"))  # type: ignore[no-any-return]

    from iot_audit_fake.scenario.journal import recorded

    with mock_iot_audit():
        load_scenario(renamed(fleet(10 * count, None), "old"))
        start = time.perf_counter()
        load_scenario(renamed(fleet(count, None), "new"))
        populated = time.perf_counter() - start
        start = time.perf_counter()
        with recorded():
            journal = time.perf_counter() - start
        start = time.perf_counter()
        copy.deepcopy(dict(iot_backends[ACCOUNT]))
        deep = time.perf_counter() - start
    print(f"load_scenario {count:,} devices into an account holding {10 * count:,}: {populated:6.2f} s "
          f"(vs {small:.2f} s into an empty one)")
    print(f"  recording the undo journal of that account {journal * 1e3:7.1f} ms; "
          f"a deep copy of its IoT backend alone (what a snapshot cost) {deep * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
