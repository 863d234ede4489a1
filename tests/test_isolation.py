"""Nothing outlives a mock, and the fake reaches moto's state the one way (issue 13).

Ids restart with moto's reset, so what a test sees does not depend on what ran before
it; IAM is looked up by the region's partition everywhere; mitigation effects act
through moto's own backend methods, so moto's rules hold for them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ROLE, client
from mitigation_helpers import (
    DEVICE_EXPIRING,
    REGION,
    assert_consistent,
    create_action,
    device_findings,
    start_task,
)

from iot_audit_fake import load_scenario, mock_iot_audit


@pytest.fixture
def iot() -> Any:
    with mock_iot_audit():
        yield client(region=REGION)


def _first_ids() -> tuple[str, str]:
    """The first audit task id and finding id of a fresh mock."""
    with mock_iot_audit():
        iot = client(region=REGION)
        task, _ = device_findings(iot)
        findings = iot.list_audit_findings(taskId=task)["findings"]
        return task, findings[0]["findingId"]


def test_ids_restart_with_each_mock():
    first = _first_ids()
    with mock_iot_audit():  # a test in between that draws many ids
        iot = client(region=REGION)
        iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
        for _ in range(5):
            iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])
    assert _first_ids() == first


def test_ids_do_not_repeat_within_a_mock(iot):
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
    tasks = [iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
             for _ in range(20)]
    findings = [f["findingId"] for t in tasks for f in iot.list_audit_findings(taskId=t)["findings"]]
    assert len(set(tasks)) == 20 and len(set(findings)) == len(findings) == 20
    assert not set(tasks) & {f.replace("-", "") for f in findings}


def test_a_scenario_names_an_existing_role_of_its_regions_partition():
    """IAM is per partition: a role made in cn-north-1's partition is found by a scenario there."""
    with mock_iot_audit():
        iam = client("iam", region="cn-north-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "credentials.iot.amazonaws.com"}}]}
        arn = iam.create_role(RoleName="uploader", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        assert arn.startswith("arn:aws-cn:")
        load_scenario({"region": "cn-north-1", "role_aliases": [{"alias": "upload", "role": "uploader"}]})
        alias = client(region="cn-north-1").describe_role_alias(roleAlias="upload")["roleAliasDescription"]
        assert alias["roleArn"] == arn


def test_publishing_to_a_fifo_topic_fails_the_execution_as_moto_refuses_it(iot):
    """[INF] The finding is published without a message group, which a FIFO topic refuses: the
    execution is FAILED with SNS's error, the task goes on."""
    sns = client("sns", region=REGION)
    topic = sns.create_topic(Name="findings.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    audit, _ = device_findings(iot)
    create_action(iot, "notify", "PUBLISH_FINDING_TO_SNS", topicArn=topic)
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["notify"]}, audit_task_id=audit)
    result = assert_consistent(iot, "task-1")
    [runs] = result.executions.values()
    assert [r["status"] for r in runs] == ["FAILED"]
    assert runs[0]["errorCode"] and runs[0]["message"]  # moto's refusal, passed on
