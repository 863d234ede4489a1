"""A scenario's API-shaped values are read by the API's own reader: what a call refuses, a scenario refuses.

Each case loads a scenario with one bad value and makes the call that takes the same value
through boto3; both are refused, the scenario's message is the API's (at the value's
``file:line:col: key.path``), and nothing is applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, ROLE, unvalidated_client

from iot_audit_fake import ScenarioError, load_scenario, mock_iot_audit, validate_scenario
from iot_audit_fake.scenario.source import schema
from iot_audit_fake.service_model import SERVICE_MODEL

HEX = "ab" * 32


def refused(text: str) -> str:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(f"region: {REGION}\n{text}")
    (message,) = excinfo.value.messages
    return message


def api_refusal(call: Callable[[Any], Any]) -> str:
    """What the API says about the bad value, without the count of problems."""
    with pytest.raises(ClientError) as excinfo:
        call(unvalidated_client(REGION))
    error = excinfo.value.response["Error"]
    assert error["Code"] == "InvalidRequestException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(error["Message"]).split("detected: ", 1)[1]


CASES: list[tuple[str, str, str, Callable[[Any], Any]]] = [
    # (id, scenario after its region line, where the scenario's message points, the call)
    ("scheduled audit name against the pattern",
     "scheduled_audits: [{name: nightly.audit, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}]\n",
     "<scenario>:2:27: scheduled_audits[0].name",
     lambda iot: iot.create_scheduled_audit(scheduledAuditName="nightly.audit", frequency="DAILY",
                                            targetCheckNames=["LOGGING_DISABLED_CHECK"])),
    ("a tag value over its maximum length",
     "scheduled_audits: [{name: s, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK], "
     f"tags: {{team: {'v' * 257}}}}}]\n",
     "<scenario>:2:95: scheduled_audits[0].tags.team",
     lambda iot: iot.create_scheduled_audit(scheduledAuditName="s", frequency="DAILY",
                                            targetCheckNames=["LOGGING_DISABLED_CHECK"],
                                            tags=[{"Key": "team", "Value": "v" * 257}])),
    ("an enum inside the action's params",
     f"mitigation_actions: [{{name: m, role_arn: '{ROLE}', "
     "params: {enableIoTLoggingParams: {roleArnForLogging: 'arn:aws:iam::123456789012:role/Log', logLevel: LOUD}}}]\n",
     "<scenario>:2:183: mitigation_actions[0].params.enableIoTLoggingParams.logLevel",
     lambda iot: iot.create_mitigation_action(
         actionName="m", roleArn=ROLE,
         actionParams={"enableIoTLoggingParams": {"roleArnForLogging": "arn:aws:iam::123456789012:role/Log",
                                                  "logLevel": "LOUD"}})),
    ("suppression description over the maximum length",
     f"suppressions: [{{check: LOGGING_DISABLED_CHECK, resource: {{account: '123456789012'}}, "
     f"description: {'d' * 1001}}}]\n",
     "<scenario>:2:98: suppressions[0].description",
     lambda iot: iot.create_audit_suppression(
         checkName="LOGGING_DISABLED_CHECK", resourceIdentifier={"account": "123456789012"},
         suppressIndefinitely=True, description="d" * 1001, clientRequestToken="t")),
    ("a resource identifier under its minimum length",
     "suppressions: [{check: DEVICE_CERTIFICATE_EXPIRING_CHECK, resource: {deviceCertificateId: abc}}]\n",
     "<scenario>:2:91: suppressions[0].resource.deviceCertificateId",
     lambda iot: iot.create_audit_suppression(
         checkName="DEVICE_CERTIFICATE_EXPIRING_CHECK", resourceIdentifier={"deviceCertificateId": "abc"},
         suppressIndefinitely=True, clientRequestToken="t")),
    ("the SNS target's role under its minimum length",
     f"audit_configuration: {{role_arn: '{ROLE}', checks: {{LOGGING_DISABLED_CHECK: {{}}}}, "
     "sns: {target_arn: 'arn:aws:sns:eu-west-1:123456789012:audit', role_arn: 'arn:aws:iam::1:r/x'}}\n",
     "<scenario>:2:183: audit_configuration.sns.role_arn",
     lambda iot: iot.update_account_audit_configuration(
         roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}},
         auditNotificationTargetConfigurations={"SNS": {
             "targetArn": "arn:aws:sns:eu-west-1:123456789012:audit", "roleArn": "arn:aws:iam::1:r/x",
             "enabled": True}})),
    ("a custom setting's name not in the enum",
     f"audit_configuration: {{role_arn: '{ROLE}', checks: {{DEVICE_CERTIFICATE_EXPIRING_CHECK: "
     "{configuration: {DAYS: 30}}}}\n",
     "<scenario>:2:133: audit_configuration.checks.DEVICE_CERTIFICATE_EXPIRING_CHECK.configuration",
     lambda iot: iot.update_account_audit_configuration(
         roleArn=ROLE, auditCheckConfigurations={"DEVICE_CERTIFICATE_EXPIRING_CHECK": {
             "enabled": True, "configuration": {"DAYS": "30"}}})),
]


@pytest.mark.parametrize("text, where, call", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_scenario_refuses_what_the_api_refuses_in_its_words(text: str, where: str,
                                                              call: Callable[[Any], Any]) -> None:
    with mock_iot_audit():
        api = api_refusal(call)
        message = refused(text)
        assert message.startswith(f"{where}: {api}"), (message, api)
        assert validate_scenario(f"region: {REGION}\n{text}") == [message]  # found before applying


def test_nothing_is_applied_when_a_value_is_refused() -> None:
    text = (f"audit_configuration: {{role_arn: '{ROLE}', checks: {{LOGGING_DISABLED_CHECK: {{}}}}}}\n"
            "scheduled_audits:\n"
            "  - {name: fine, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}\n"
            "  - {name: not.fine, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK]}\n")
    with mock_iot_audit():
        message = refused(text)
        assert message.startswith("<scenario>:5:12: scheduled_audits[1].name: Value 'not.fine' at "
                                  "'scheduledAuditName'"), message
        iot = unvalidated_client(REGION)
        assert iot.list_scheduled_audits()["scheduledAudits"] == []
        assert iot.describe_account_audit_configuration()["auditCheckConfigurations"].get(
            "LOGGING_DISABLED_CHECK", {}).get("enabled") is not True


def test_a_log_level_the_api_refuses_is_refused_with_the_values_the_api_takes() -> None:
    """``level: LOUD`` (once accepted): the schema says so in the scenario's words, listing the values the
    API's reader takes; a level the API takes loads."""
    with mock_iot_audit():
        api = api_refusal(lambda iot: iot.set_v2_logging_options(defaultLogLevel="LOUD"))
        message = refused("logging: {level: LOUD}\n")
        assert message.startswith("<scenario>:2:18: logging.level: 'LOUD' "), message
        listed = re.search(r"\[(.*)\]", api)
        assert listed is not None
        assert all(level in message for level in listed.group(1).split(", "))
        assert validate_scenario(f"region: {REGION}\nlogging: {{level: LOUD}}\n") == [message]
        with pytest.raises(ClientError) as excinfo:  # nothing was set
            unvalidated_client(REGION).get_v2_logging_options()
        assert excinfo.value.response["Error"]["Code"] == "NotConfiguredException"


def test_good_values_load_and_read_back_through_the_api() -> None:
    text = (f"audit_configuration: {{role_arn: '{ROLE}', checks: {{LOGGING_DISABLED_CHECK: {{}}}}}}\n"
            "logging: {level: WARN, role_arn: 'arn:aws:iam::123456789012:role/Log'}\n"
            "scheduled_audits: [{name: nightly_audit-1, frequency: MONTHLY, day_of_month: LAST, "
            "checks: [LOGGING_DISABLED_CHECK], tags: {team.name: fleet}}]\n")
    with mock_iot_audit():
        load_scenario(f"region: {REGION}\n{text}")
        iot = unvalidated_client(REGION)
        assert iot.get_v2_logging_options()["defaultLogLevel"] == "WARN"
        audit = iot.describe_scheduled_audit(scheduledAuditName="nightly_audit-1")
        assert (audit["frequency"], audit["dayOfMonth"]) == ("MONTHLY", "LAST")


def test_an_unknown_key_in_an_api_structure_is_refused_not_ignored() -> None:
    """The API ignores unknown JSON members; a scenario's are typos, so they are refused at the key."""
    text = (f"mitigation_actions:\n  - name: m\n    role_arn: '{ROLE}'\n    params:\n"
            "      updateDeviceCertificateParams: {action: DEACTIVATE, actoin: DEACTIVATE}\n"
            "mitigation_tasks:\n  - {id: t, target: {findingId: [f]}, actions: {LOGGING_DISABLED_CHECK: [m]}}\n")
    problems = validate_scenario(f"region: {REGION}\n{text}")
    assert problems == [
        "<scenario>:6:59: mitigation_actions[0].params.updateDeviceCertificateParams.actoin: unknown key 'actoin' "
        "of UpdateDeviceCertificateParams; did you mean 'action'?",
        "<scenario>:8:22: mitigation_tasks[0].target.findingId: unknown key 'findingId' of "
        "AuditMitigationActionsTaskTarget; did you mean 'findingIds'?",
    ]


def test_a_tag_key_is_read_as_the_api_reads_tags() -> None:
    text = ("scheduled_audits: [{name: s, frequency: DAILY, checks: [LOGGING_DISABLED_CHECK], "
            f"tags: {{ok: v, {'k' * 129}: v}}}}]\n")
    (problem,) = validate_scenario(f"region: {REGION}\n{text}")
    assert problem.startswith(f"<scenario>:2:96: scheduled_audits[0].tags.{'k' * 129}: Value '{'k' * 129}' at "
                              "'tags.2.member.Key' failed to satisfy constraint: "), problem


def test_a_wrong_kind_of_value_keeps_the_schema_message_and_is_reported_once() -> None:
    problems = validate_scenario(f"region: {REGION}\nlogging: {{disable_all_logs: sometimes}}\n")
    assert problems == ["<scenario>:2:29: logging.disable_all_logs: 'sometimes' is a string, expected true or false"]


@pytest.mark.parametrize("path, shape", [
    (("logging", "properties", "level"), "LogLevel"),
    (("scheduled_audits", "items", "properties", "frequency"), "AuditFrequency"),
    (("scheduled_audits", "items", "properties", "day_of_week"), "DayOfWeek"),
])
def test_the_schema_lists_the_values_the_api_takes(path: tuple[str, ...], shape: str) -> None:
    """The schema's enums document the format (docs/scenarios.md); they are the model's, so neither refuses
    what the other takes."""
    node: Any = schema()["$defs"]["region_state"]["properties"]
    for part in path:
        node = node[part]
    assert sorted(node["enum"]) == sorted(SERVICE_MODEL.shape_for(shape).enum)
