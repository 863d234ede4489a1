"""moto's own ``mock_aws`` serves the audit API once iot_audit_fake is imported (issue 15, item 2).

``mock_iot_audit`` stays as the explicit name; both reach the same entry, so the audit API,
the rest of IoT (moto's) and the fake's state are the same under either.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, client, enable
from moto import mock_aws

from iot_audit_fake import audit_backends, inject_fault, mock_iot_audit
from iot_audit_fake.faults import list_faults


@mock_aws
def test_a_mock_aws_decorated_test_gets_the_audit_api():
    iot = client()
    enable(iot)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
    described = iot.describe_audit_task(taskId=task_id)
    assert described["taskType"] == "ON_DEMAND_AUDIT_TASK"
    assert set(described["auditDetails"]) == {"LOGGING_DISABLED_CHECK"}
    # The same state the fake's backend holds, and moto's IoT beside it.
    assert task_id in audit_backends["123456789012"]["eu-west-1"].state.tasks
    iot.create_thing(thingName="sensor-1")
    assert [t["thingName"] for t in iot.list_things()["things"]] == ["sensor-1"]


def test_mock_aws_as_a_context_manager_and_its_reset():
    with mock_aws():
        iot = client()
        enable(iot)
        assert iot.describe_account_audit_configuration()["roleArn"].endswith(":role/Audit")
    with mock_aws():  # a new outermost mock starts empty
        assert "roleArn" not in client().describe_account_audit_configuration()


def test_mock_aws_and_mock_iot_audit_nest_on_one_state():
    with mock_aws():
        enable(client())
        with mock_iot_audit():
            assert client().describe_account_audit_configuration()["roleArn"].endswith(":role/Audit")
        # The inner mock ending is not the outermost one: the state stays.
        assert client().describe_account_audit_configuration()["roleArn"].endswith(":role/Audit")


def test_the_end_of_an_outermost_mock_aws_clears_the_faults():
    with mock_aws():
        inject_fault("DescribeAuditTask", times=3)
        assert len(list_faults()) == 1
    with mock_aws():
        assert list_faults() == []


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("order", ["fake first", "moto first"])
def test_mock_aws_serves_the_audit_api_whichever_is_imported_first(order: str):
    imports = "import iot_audit_fake\nfrom moto import mock_aws" if order == "fake first" else \
        "from moto import mock_aws\nimport iot_audit_fake"
    result = _run(f"""
        import sys
        sys.path.insert(0, ".")
        {imports.replace(chr(10), chr(10) + '        ')}
        import boto3

        with mock_aws():
            iot = boto3.client("iot", region_name="us-east-1")
            iot.update_account_audit_configuration(
                roleArn="arn:aws:iam::123456789012:role/Audit",
                auditCheckConfigurations={{"LOGGING_DISABLED_CHECK": {{"enabled": True}}}})
            task = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])
            print(iot.describe_audit_task(taskId=task["taskId"])["taskType"])
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ON_DEMAND_AUDIT_TASK"


def test_importing_the_package_does_not_import_moto_to_install_the_hook():
    result = _run("""
        import sys
        sys.path.insert(0, ".")
        import iot_audit_fake
        print(sorted(name for name in sys.modules if name == "moto" or name.startswith("moto.")))
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
