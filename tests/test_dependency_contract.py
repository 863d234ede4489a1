"""What the package promises about its dependencies, on every version setup.cfg allows (issue 10).

CI runs the suite on the newest versions and on the lowest ones; these tests pin down the behaviours
that differed between them.
"""

from __future__ import annotations

import sys
import types

import boto3
import pytest
import requests

from iot_audit_fake import mock_iot_audit


def test_requests_to_another_moto_service_get_motos_answer():
    # moto before 5.2.5 hands the dispatcher a werkzeug Request, later ones a prepared request:
    # both must reach moto's S3 unharmed under mock_iot_audit.
    with mock_iot_audit():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="fleet-reports")
        put = requests.put("https://fleet-reports.s3.amazonaws.com/report.json", data=b'{"ok": true}', timeout=5)
        assert put.status_code == 200
        assert s3.get_object(Bucket="fleet-reports", Key="report.json")["Body"].read() == b'{"ok": true}'
        s3.put_object(Bucket="fleet-reports", Key="public.json", Body=b"[]", ACL="public-read")
        got = requests.get("https://fleet-reports.s3.amazonaws.com/public.json", timeout=5)
        assert (got.status_code, got.content) == (200, b"[]")
        missing = requests.get("https://no-such-bucket.s3.amazonaws.com/x", timeout=5)
        assert missing.status_code == 404 and b"NoSuchBucket" in missing.content


def test_requests_to_the_audit_api_reach_the_fake():
    with mock_iot_audit():
        answer = requests.get("https://iot.eu-west-1.amazonaws.com/audit/configuration", timeout=5)
        assert answer.status_code == 200
        assert answer.json()["auditCheckConfigurations"]  # every check, disabled: the fake's answer, not moto's


def test_a_deprecation_in_the_package_fails_the_suite():
    # pyproject's filterwarnings turns DeprecationWarnings raised from iot_audit_fake.* into errors.
    probe = types.ModuleType("iot_audit_fake._deprecation_probe")
    exec("import warnings\ndef old():\n    warnings.warn('gone soon', DeprecationWarning)\n", probe.__dict__)
    sys.modules[probe.__name__] = probe
    try:
        with pytest.raises(DeprecationWarning):
            probe.old()
    finally:
        del sys.modules[probe.__name__]
