"""Mitigation actions through a real boto3 client: create, describe, update, delete, list, tags (reference §10, §3)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from botocore.exceptions import ParamValidationError
from conftest import BASE, IRE, NO_RETRIES, assert_error, client, unvalidated_client
from freezegun import freeze_time
from mitigation_helpers import (
    ACCOUNT,
    DEVICE_EXPIRING,
    LOG_ROLE,
    PARAMS,
    REGION,
    ROLE,
    assert_consistent,
    certificate_status,
    create_action,
    device_findings,
    held_mitigation_tasks,
    start_task,
)

from iot_audit_fake import mock_iot_audit

OTHER_ROLE = "arn:aws:iam::123456789012:role/MitigationToo"


@pytest.fixture
def iot():
    """A real boto3 IoT client in us-east-1 with the fake active."""
    with mock_iot_audit():
        yield client(region=REGION)


def arn_of(name: str) -> str:
    return f"arn:aws:iot:{REGION}:{ACCOUNT}:mitigationaction/{name}"


def describe(iot, name: str) -> dict:
    response = iot.describe_mitigation_action(actionName=name)
    response.pop("ResponseMetadata")
    return response


def create(iot, name: str, params: dict, **kwargs) -> dict:
    response = iot.create_mitigation_action(actionName=name, roleArn=kwargs.pop("roleArn", ROLE),
                                            actionParams=params, **kwargs)
    response.pop("ResponseMetadata")
    return response


def names(response) -> list[str]:
    return [item["actionName"] for item in response["actionIdentifiers"]]


# -- create and describe ---------------------------------------------------------------------------


@pytest.mark.parametrize("action_type", sorted(PARAMS))
def test_create_then_describe_derives_the_action_type(iot, action_type):
    created = create(iot, "act-1", PARAMS[action_type])
    assert created["actionArn"] == arn_of("act-1")
    assert str(uuid.UUID(created["actionId"])) == created["actionId"]
    described = describe(iot, "act-1")
    assert described.pop("creationDate") == described.pop("lastModifiedDate")
    assert described == {
        "actionName": "act-1",
        "actionType": action_type,
        "actionArn": arn_of("act-1"),
        "actionId": created["actionId"],
        "roleArn": ROLE,
        "actionParams": PARAMS[action_type],
    }


def test_creation_date_is_the_time_of_creation(iot):
    with freeze_time(BASE):
        create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
        described = describe(iot, "act-1")
    assert described["creationDate"] == BASE
    assert described["lastModifiedDate"] == BASE


def test_add_things_params_keep_override_dynamic_groups(iot):
    params = {"addThingsToThingGroupParams": {"thingGroupNames": ["a", "b"], "overrideDynamicGroups": True}}
    create(iot, "act-1", params)
    assert describe(iot, "act-1")["actionParams"] == params


def test_each_action_gets_its_own_id(iot):
    ids = {create(iot, f"act-{i}", PARAMS["PUBLISH_FINDING_TO_SNS"])["actionId"] for i in range(3)}
    assert len(ids) == 3


def test_describe_unknown_action_is_not_found(iot):
    assert_error(lambda: iot.describe_mitigation_action(actionName="nope"), "ResourceNotFoundException", 404)


# -- exactly one kind of params --------------------------------------------------------------------


def test_create_without_params_is_refused(iot):
    assert_error(lambda: create(iot, "act-1", {}), *IRE)
    assert_error(lambda: iot.describe_mitigation_action(actionName="act-1"), "ResourceNotFoundException", 404)


@pytest.mark.parametrize(("first", "second"), [
    ("UPDATE_DEVICE_CERTIFICATE", "PUBLISH_FINDING_TO_SNS"),
    ("ENABLE_IOT_LOGGING", "REPLACE_DEFAULT_POLICY_VERSION"),
    ("UPDATE_CA_CERTIFICATE", "ADD_THINGS_TO_THING_GROUP"),
])
def test_create_with_two_kinds_of_params_is_refused(iot, first, second):
    assert_error(lambda: create(iot, "act-1", {**PARAMS[first], **PARAMS[second]}), *IRE)
    assert iot.list_mitigation_actions()["actionIdentifiers"] == []


# -- field rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"updateDeviceCertificateParams": {"action": "ACTIVATE"}},
    {"updateCACertificateParams": {"action": "REVOKE"}},
    {"replaceDefaultPolicyVersionParams": {"templateName": "OPEN_POLICY"}},
    {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "VERBOSE"}},
], ids=["device-cert-action", "ca-cert-action", "policy-template", "log-level"])
def test_enum_violations_are_refused(iot, params):
    assert_error(lambda: create(iot, "act-1", params), *IRE)


def test_log_level_disabled_is_refused(iot):
    params = {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "DISABLED"}}
    error = assert_error(lambda: create(iot, "act-1", params), *IRE)
    assert "DISABLED" in error.response["Error"]["Message"]


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "ERROR", "WARN"])
def test_every_other_log_level_is_accepted(iot, level):
    params = {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": level}}
    create(iot, "act-1", params)
    assert describe(iot, "act-1")["actionParams"] == params


def test_no_thing_group_is_refused_by_botocore_before_sending(iot):
    with pytest.raises(ParamValidationError):
        create(iot, "act-1", {"addThingsToThingGroupParams": {"thingGroupNames": []}})


def test_no_thing_group_is_refused_by_the_server(iot):
    raw = unvalidated_client(region=REGION)
    assert_error(lambda: raw.create_mitigation_action(
        actionName="act-1", roleArn=ROLE, actionParams={"addThingsToThingGroupParams": {"thingGroupNames": []}}
    ), *IRE)


def test_eleven_thing_groups_are_refused_ten_are_accepted(iot):
    groups = [f"group-{i}" for i in range(11)]
    assert_error(lambda: create(iot, "act-1", {"addThingsToThingGroupParams": {"thingGroupNames": groups}}), *IRE)
    create(iot, "act-1", {"addThingsToThingGroupParams": {"thingGroupNames": groups[:10]}})
    assert describe(iot, "act-1")["actionType"] == "ADD_THINGS_TO_THING_GROUP"


@pytest.mark.parametrize("topic_arn", [
    "not-an-arn",
    f"arn:aws:sqs:{REGION}:{ACCOUNT}:a-queue",
    f"arn:aws:sns:{REGION}:12345:topic",
    f"arn:aws:sns:{REGION}:{ACCOUNT}:" + "t" * 340,
], ids=["not-an-arn", "sqs-arn", "bad-account", "too-long"])
def test_bad_topic_arn_is_refused(iot, topic_arn):
    assert_error(lambda: create(iot, "act-1", {"publishFindingToSnsParams": {"topicArn": topic_arn}}), *IRE)


@pytest.mark.parametrize("name", ["bad name!", "a" * 129, "dots.not.allowed"])
def test_bad_action_name_is_refused(iot, name):
    assert_error(lambda: create(iot, name, PARAMS["UPDATE_DEVICE_CERTIFICATE"]), *IRE)


def test_longest_name_is_accepted(iot):
    name = "a-_" * 42 + "zz"
    create(iot, name, PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    assert describe(iot, name)["actionArn"] == arn_of(name)


# -- duplicates and the quota ----------------------------------------------------------------------


def test_duplicate_name_with_different_params_is_already_exists(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    error = assert_error(lambda: create(iot, "act-1", PARAMS["PUBLISH_FINDING_TO_SNS"]),
                         "ResourceAlreadyExistsException", 409)
    assert error.response["resourceId"] == "act-1"
    assert error.response["resourceArn"] == arn_of("act-1")
    assert describe(iot, "act-1")["actionType"] == "UPDATE_DEVICE_CERTIFICATE"


def test_duplicate_name_with_a_different_role_is_already_exists(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    assert_error(lambda: create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"], roleArn=OTHER_ROLE),
                 "ResourceAlreadyExistsException", 409)


def test_duplicate_name_with_different_tags_is_already_exists(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"], tags=[{"Key": "team", "Value": "a"}])
    assert_error(lambda: create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"],
                                tags=[{"Key": "team", "Value": "b"}]), "ResourceAlreadyExistsException", 409)


def test_identical_create_returns_the_same_action(iot):
    tags = [{"Key": "team", "Value": "a"}]
    first = create(iot, "act-1", PARAMS["ENABLE_IOT_LOGGING"], tags=tags)
    again = create(iot, "act-1", PARAMS["ENABLE_IOT_LOGGING"], tags=tags)
    assert again == first
    assert names(iot.list_mitigation_actions()) == ["act-1"]


def test_hundred_and_first_action_is_over_the_quota(iot):
    limited = client(region=REGION, config=NO_RETRIES)
    for i in range(100):
        create(limited, f"act-{i:03}", PARAMS["PUBLISH_FINDING_TO_SNS"])
    assert_error(lambda: create(limited, "act-100", PARAMS["PUBLISH_FINDING_TO_SNS"]),
                 "LimitExceededException", 410)
    # An identical retry of an existing action is not a new one, and a deletion makes room.
    create(limited, "act-000", PARAMS["PUBLISH_FINDING_TO_SNS"])
    limited.delete_mitigation_action(actionName="act-000")
    create(limited, "act-100", PARAMS["PUBLISH_FINDING_TO_SNS"])
    assert len(list(limited.get_paginator("list_mitigation_actions").paginate().search("actionIdentifiers"))) == 100


# -- update ----------------------------------------------------------------------------------------


def test_update_keeps_the_id_and_bumps_last_modified(iot):
    with freeze_time(BASE) as frozen:
        created = create(iot, "act-1", PARAMS["ENABLE_IOT_LOGGING"])
        frozen.tick(dt.timedelta(minutes=5))
        params = {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "DEBUG"}}
        updated = iot.update_mitigation_action(actionName="act-1", actionParams=params, roleArn=OTHER_ROLE)
        described = describe(iot, "act-1")
    assert updated["actionId"] == created["actionId"]
    assert updated["actionArn"] == arn_of("act-1")
    assert described["actionId"] == created["actionId"]
    assert described["creationDate"] == BASE
    assert described["lastModifiedDate"] == BASE + dt.timedelta(minutes=5)
    assert described["actionParams"] == params
    assert described["roleArn"] == OTHER_ROLE


def test_update_of_role_only_keeps_the_params(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    iot.update_mitigation_action(actionName="act-1", roleArn=OTHER_ROLE)
    described = describe(iot, "act-1")
    assert described["roleArn"] == OTHER_ROLE
    assert described["actionParams"] == PARAMS["UPDATE_DEVICE_CERTIFICATE"]


def test_update_may_change_the_action_type(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    iot.update_mitigation_action(actionName="act-1", actionParams=PARAMS["PUBLISH_FINDING_TO_SNS"])
    assert describe(iot, "act-1")["actionType"] == "PUBLISH_FINDING_TO_SNS"
    listed = iot.list_mitigation_actions(actionType="PUBLISH_FINDING_TO_SNS")
    assert names(listed) == ["act-1"]


def test_update_with_invalid_params_changes_nothing(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    before = describe(iot, "act-1")
    two = {**PARAMS["UPDATE_DEVICE_CERTIFICATE"], **PARAMS["PUBLISH_FINDING_TO_SNS"]}
    assert_error(lambda: iot.update_mitigation_action(actionName="act-1", actionParams=two), *IRE)
    disabled = {"enableIoTLoggingParams": {"roleArnForLogging": LOG_ROLE, "logLevel": "DISABLED"}}
    assert_error(lambda: iot.update_mitigation_action(actionName="act-1", actionParams=disabled), *IRE)
    assert describe(iot, "act-1") == before


def test_update_of_unknown_action_is_not_found(iot):
    assert_error(lambda: iot.update_mitigation_action(actionName="nope", roleArn=OTHER_ROLE),
                 "ResourceNotFoundException", 404)


# -- delete ----------------------------------------------------------------------------------------


def test_delete_removes_the_action(iot):
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    iot.delete_mitigation_action(actionName="act-1")
    assert_error(lambda: iot.describe_mitigation_action(actionName="act-1"), "ResourceNotFoundException", 404)
    assert iot.list_mitigation_actions()["actionIdentifiers"] == []


def test_delete_is_idempotent(iot):
    response = iot.delete_mitigation_action(actionName="never-created")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    iot.delete_mitigation_action(actionName="act-1")
    iot.delete_mitigation_action(actionName="act-1")


def test_recreating_a_deleted_action_gives_a_new_id(iot):
    first = create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    iot.delete_mitigation_action(actionName="act-1")
    second = create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    assert second["actionId"] != first["actionId"]
    assert second["actionArn"] == first["actionArn"]


# -- list ------------------------------------------------------------------------------------------


def make_actions(iot, frozen) -> list[str]:
    """Six actions a minute apart (two of each of three types); names oldest first."""
    made = []
    for i, action_type in enumerate(["UPDATE_DEVICE_CERTIFICATE", "PUBLISH_FINDING_TO_SNS", "ENABLE_IOT_LOGGING"] * 2):
        frozen.tick(dt.timedelta(minutes=1))
        create(iot, f"act-{i}", PARAMS[action_type])
        made.append(f"act-{i}")
    return made


def test_list_is_newest_first_with_only_name_arn_and_date(iot):
    with freeze_time(BASE) as frozen:
        made = make_actions(iot, frozen)
        response = iot.list_mitigation_actions()
    assert names(response) == list(reversed(made))
    assert "nextToken" not in response
    newest = response["actionIdentifiers"][0]
    assert newest == {"actionName": "act-5", "actionArn": arn_of("act-5"),
                      "creationDate": BASE + dt.timedelta(minutes=6)}


def test_list_empty_keeps_the_list_key(iot):
    response = iot.list_mitigation_actions()
    assert response["actionIdentifiers"] == []
    assert "nextToken" not in response


def test_list_filters_by_action_type(iot):
    with freeze_time(BASE) as frozen:
        make_actions(iot, frozen)
        assert names(iot.list_mitigation_actions(actionType="PUBLISH_FINDING_TO_SNS")) == ["act-4", "act-1"]
        assert names(iot.list_mitigation_actions(actionType="ENABLE_IOT_LOGGING")) == ["act-5", "act-2"]
        assert iot.list_mitigation_actions(actionType="UPDATE_CA_CERTIFICATE")["actionIdentifiers"] == []


def test_list_with_unknown_action_type_is_refused(iot):
    assert_error(lambda: iot.list_mitigation_actions(actionType="DELETE_EVERYTHING"), *IRE)


def test_list_pages_by_two(iot):
    with freeze_time(BASE) as frozen:
        made = make_actions(iot, frozen)
        pages, token = [], None
        while True:
            response = iot.list_mitigation_actions(maxResults=2, **({"nextToken": token} if token else {}))
            pages.append(names(response))
            token = response.get("nextToken")
            if token is None:
                break
    assert pages == [["act-5", "act-4"], ["act-3", "act-2"], ["act-1", "act-0"]]
    assert [n for page in pages for n in page] == list(reversed(made))


def test_list_pages_by_two_within_a_type_filter(iot):
    with freeze_time(BASE) as frozen:
        make_actions(iot, frozen)
        first = iot.list_mitigation_actions(actionType="UPDATE_DEVICE_CERTIFICATE", maxResults=1)
        assert names(first) == ["act-3"]
        second = iot.list_mitigation_actions(actionType="UPDATE_DEVICE_CERTIFICATE", maxResults=1,
                                             nextToken=first["nextToken"])
        assert names(second) == ["act-0"]
        assert "nextToken" not in second
        # A token belongs to its query.
        assert_error(lambda: iot.list_mitigation_actions(actionType="ENABLE_IOT_LOGGING",
                                                         nextToken=first["nextToken"]), *IRE)


def test_list_with_garbage_token_is_refused(iot):
    assert_error(lambda: iot.list_mitigation_actions(nextToken="garbage"), *IRE)


@pytest.mark.parametrize("max_results", [251, 1000])
def test_list_with_too_many_results_is_refused(iot, max_results):
    assert_error(lambda: iot.list_mitigation_actions(maxResults=max_results), *IRE)


# -- tags ------------------------------------------------------------------------------------------


def test_tags_from_create_are_listed(iot):
    tags = [{"Key": "team", "Value": "security"}, {"Key": "env", "Value": "test"}]
    created = create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"], tags=tags)
    listed = iot.list_tags_for_resource(resourceArn=created["actionArn"])["tags"]
    assert sorted(listed, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])
    assert "tags" not in describe(iot, "act-1")


def test_action_without_tags_lists_none(iot):
    created = create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    assert iot.list_tags_for_resource(resourceArn=created["actionArn"])["tags"] == []


def test_tags_go_with_the_deleted_action(iot):
    created = create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"], tags=[{"Key": "team", "Value": "a"}])
    iot.delete_mitigation_action(actionName="act-1")
    assert_error(lambda: iot.list_tags_for_resource(resourceArn=created["actionArn"]),
                 "ResourceNotFoundException", 404)
    again = create(iot, "act-1", PARAMS["UPDATE_DEVICE_CERTIFICATE"])
    assert iot.list_tags_for_resource(resourceArn=again["actionArn"])["tags"] == []


# -- actions as tasks see them ---------------------------------------------------------------------


def test_a_task_keeps_the_definition_it_started_with(iot):
    audit, [cert] = device_findings(iot)
    created = create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
    iot.update_mitigation_action(actionName="deactivate", roleArn=OTHER_ROLE)
    iot.delete_mitigation_action(actionName="deactivate")
    result = assert_consistent(iot, "task-1")
    assert result.task["actionsDefinition"] == [{
        "name": "deactivate", "id": created["actionId"], "roleArn": ROLE,
        "actionParams": PARAMS["UPDATE_DEVICE_CERTIFICATE"],
    }]
    assert set(result.outcomes.values()) == {"succeeded"}
    assert certificate_status(iot, cert) == "INACTIVE"


def test_a_deleted_action_cannot_start_a_task(iot):
    audit, [cert] = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    iot.delete_mitigation_action(actionName="deactivate")
    assert_error(lambda: start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit), *IRE)
    assert certificate_status(iot, cert) == "ACTIVE"


def test_a_held_task_runs_the_definition_it_started_with(iot):
    audit, [cert] = device_findings(iot)
    create_action(iot, "deactivate", "UPDATE_DEVICE_CERTIFICATE")
    with held_mitigation_tasks(times=1):
        start_task(iot, "task-1", {DEVICE_EXPIRING: ["deactivate"]}, audit_task_id=audit)
        iot.update_mitigation_action(
            actionName="deactivate",
            actionParams={"addThingsToThingGroupParams": {"thingGroupNames": ["no-such-group"]}},
        )
        assert iot.describe_audit_mitigation_actions_task(taskId="task-1")["taskStatus"] == "COMPLETED"
    result = assert_consistent(iot, "task-1")
    assert result.task["actionsDefinition"][0]["actionParams"] == PARAMS["UPDATE_DEVICE_CERTIFICATE"]
    assert certificate_status(iot, cert) == "INACTIVE"
