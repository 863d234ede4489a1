"""What importing the package costs (issue 14, goal 2).

Each figure is the median wall time of an import in a fresh interpreter (``python -c``), over
several runs, with what must already be there imported first and not counted (pytest, for the
plugin: pytest has imported itself before it loads plugins). Targets:

- the pytest plugin (``iot_audit_fake.pytest_plugin``, as pytest loads it): <= 50 ms, and none of
  moto, boto3, botocore, cryptography or the fake's core imported;
- ``import iot_audit_fake``: <= moto's own import + 100 ms. Both the bare import (names load on
  first use) and the import of what a test uses (``mock_iot_audit``, which brings moto's IoT, IAM,
  Cognito Identity and SNS backends) are shown, beside ``from moto import mock_aws`` and
  ``from moto import mock_aws`` plus moto's IoT backend.

Run: ``python benchmarks/bench_imports.py [runs]`` (default 7). ``-X importtime`` details for one
case: ``python -X importtime -c "import iot_audit_fake.pytest_plugin" 2>&1 | sort -t'|' -k2 -n``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

HEAVY = ("moto", "boto3", "botocore", "cryptography", "iot_audit_fake.backend")

#: name -> (imported first, not timed; timed)
CASES: dict[str, tuple[str, str]] = {
    "pytest plugin (after pytest)": ("import pytest", "import iot_audit_fake.pytest_plugin"),
    "import iot_audit_fake": ("", "import iot_audit_fake"),
    "from iot_audit_fake import mock_iot_audit": ("", "from iot_audit_fake import mock_iot_audit"),
    "from moto import mock_aws": ("", "from moto import mock_aws"),
    "from moto import mock_aws + moto.iot.models": ("", "from moto import mock_aws; import moto.iot.models"),
}

PROBE = """
import sys, time
{setup}
start = time.perf_counter()
{timed}
elapsed = time.perf_counter() - start
heavy = [m for m in {heavy!r} if m in sys.modules]
print(elapsed, ",".join(heavy))
"""


def measure(setup: str, timed: str) -> tuple[float, str]:
    code = PROBE.format(setup=setup, timed=timed, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    seconds, heavy = out.strip().split(" ", 1) if " " in out.strip() else (out.strip(), "")
    return float(seconds), heavy


def main(runs: int = 7) -> dict[str, float]:
    measure("", "import iot_audit_fake, moto")  # warm the bytecode caches once, not counted
    medians: dict[str, float] = {}
    print(f"median of {runs} fresh interpreters (Python {sys.version.split()[0]})")
    for name, (setup, timed) in CASES.items():
        samples = []
        heavy = ""
        for _ in range(runs):
            seconds, heavy = measure(setup, timed)
            samples.append(seconds)
        medians[name] = statistics.median(samples)
        print(f"  {name:<46} {medians[name] * 1000:8.1f} ms   (min {min(samples) * 1000:.1f})   "
              f"heavy modules afterwards: {heavy or 'none'}")
    plugin = medians["pytest plugin (after pytest)"]
    print(f"plugin: {plugin * 1000:.1f} ms (target <= 50 ms)")
    for package, moto in (("import iot_audit_fake", "from moto import mock_aws"),
                          ("from iot_audit_fake import mock_iot_audit", "from moto import mock_aws"),
                          ("from iot_audit_fake import mock_iot_audit", "from moto import mock_aws + moto.iot.models")):
        extra = (medians[package] - medians[moto]) * 1000
        print(f"{package} - ({moto}): {extra:+.1f} ms (target <= +100 ms)")
    return medians


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
