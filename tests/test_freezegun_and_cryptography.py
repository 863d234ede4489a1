"""A scenario loaded under freezegun does not break certificates after the freeze (crypto_time).

cryptography keeps the first ``datetime.datetime`` class it sees; under freezegun that is
FakeDatetime, and every real datetime after the freeze would be refused. Run in a fresh
interpreter: the first date cryptography sees in the process must be inside the freeze.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import datetime as dt
    from freezegun import freeze_time
    import boto3
    from iot_audit_fake import load_scenario, mock_iot_audit

    SCENARIO = '''
    audit_configuration:
      role_arn: arn:aws:iam::123456789012:role/Audit
      checks: {DEVICE_CERTIFICATE_EXPIRING_CHECK: {enabled: true}}
    certificates: [{name: soon, not_after: +10d}]
    '''

    def audit():
        iot = boto3.client("iot", region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        task = iot.start_on_demand_audit_task(targetCheckNames=["DEVICE_CERTIFICATE_EXPIRING_CHECK"])["taskId"]
        return len(iot.list_audit_findings(taskId=task)["findings"])

    with freeze_time("2026-01-01"), mock_iot_audit():
        load_scenario(SCENARIO)
        frozen = audit()
    with mock_iot_audit():
        load_scenario(SCENARIO)
        thawed = audit()
    print(frozen, thawed)
""")


def test_certificates_work_on_both_sides_of_a_freeze():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["1", "1"]
