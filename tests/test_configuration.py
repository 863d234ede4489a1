"""Account audit configuration through a real boto3 client (reference §5, §3)."""

from __future__ import annotations

import pytest
from conftest import ALL_CHECKS, ROLE, SNS_TOPIC, assert_error, enable, unvalidated_client

OTHER_ROLE = "arn:aws:iam::123456789012:role/AuditToo"


def describe(iot):
    response = iot.describe_account_audit_configuration()
    response.pop("ResponseMetadata")
    return response


def enabled_checks(iot) -> set[str]:
    return {name for name, conf in describe(iot)["auditCheckConfigurations"].items() if conf["enabled"]}


def assert_unconfigured(iot) -> None:
    config = describe(iot)
    assert "roleArn" not in config
    assert "auditNotificationTargetConfigurations" not in config
    assert config["auditCheckConfigurations"] == {name: {"enabled": False} for name in ALL_CHECKS}


# -- describe ------------------------------------------------------------------


def test_describe_fresh_account_lists_all_17_checks_disabled(iot):
    config = describe(iot)
    assert len(config["auditCheckConfigurations"]) == 17
    assert set(config["auditCheckConfigurations"]) == set(ALL_CHECKS)
    assert_unconfigured(iot)


def test_describe_lists_every_check_after_enabling_one(iot):
    enable(iot, "LOGGING_DISABLED_CHECK")
    config = describe(iot)
    assert config["roleArn"] == ROLE
    assert set(config["auditCheckConfigurations"]) == set(ALL_CHECKS)
    assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK"}


# -- the first update ----------------------------------------------------------


def test_first_update_without_role_is_refused_and_changes_nothing(iot):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}}
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_first_update_without_checks_is_refused_and_changes_nothing(iot):
    assert_error(lambda: iot.update_account_audit_configuration(roleArn=ROLE), "InvalidRequestException", 400)
    assert_unconfigured(iot)


def test_first_update_with_only_disabled_checks_is_refused(iot):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": False}}
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_first_update_with_role_and_enabled_check_succeeds(iot):
    response = iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}}
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert describe(iot)["roleArn"] == ROLE
    assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK"}


# -- patch semantics -------------------------------------------------------------


def test_update_changes_only_the_named_checks(iot):
    enable(iot, "LOGGING_DISABLED_CHECK", "CONFLICTING_CLIENT_IDS_CHECK")
    iot.update_account_audit_configuration(
        auditCheckConfigurations={
            "CONFLICTING_CLIENT_IDS_CHECK": {"enabled": False},
            "DEVICE_CERTIFICATE_SHARED_CHECK": {"enabled": True},
        }
    )
    assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK", "DEVICE_CERTIFICATE_SHARED_CHECK"}


def test_role_is_kept_when_omitted_and_replaced_when_given(iot):
    enable(iot)
    iot.update_account_audit_configuration(auditCheckConfigurations={"CONFLICTING_CLIENT_IDS_CHECK": {"enabled": True}})
    assert describe(iot)["roleArn"] == ROLE
    iot.update_account_audit_configuration(roleArn=OTHER_ROLE)
    config = describe(iot)
    assert config["roleArn"] == OTHER_ROLE
    assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK", "CONFLICTING_CLIENT_IDS_CHECK"}


def test_later_update_may_disable_every_check(iot):
    enable(iot)
    iot.update_account_audit_configuration(auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": False}})
    config = describe(iot)
    assert config["roleArn"] == ROLE
    assert enabled_checks(iot) == set()


def test_sns_notification_target_is_echoed_and_merged(iot):
    iot.update_account_audit_configuration(
        roleArn=ROLE,
        auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}},
        auditNotificationTargetConfigurations={"SNS": {"targetArn": SNS_TOPIC, "roleArn": ROLE, "enabled": True}},
    )
    assert describe(iot)["auditNotificationTargetConfigurations"] == {
        "SNS": {"targetArn": SNS_TOPIC, "roleArn": ROLE, "enabled": True}
    }
    iot.update_account_audit_configuration(auditNotificationTargetConfigurations={"SNS": {"enabled": False}})
    config = describe(iot)
    assert config["auditNotificationTargetConfigurations"] == {
        "SNS": {"targetArn": SNS_TOPIC, "roleArn": ROLE, "enabled": False}
    }
    assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK"}


def test_refused_update_is_atomic(iot):
    enable(iot, "LOGGING_DISABLED_CHECK")
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=OTHER_ROLE,
            auditCheckConfigurations={
                "LOGGING_DISABLED_CHECK": {"enabled": False},
                "NonExistentCheck": {"enabled": True},
            },
        ),
        "InvalidRequestException", 400,
    )
    config = describe(iot)
    assert config["roleArn"] == ROLE
    assert enabled_checks(iot) == {"LOGGING_DISABLED_CHECK"}


# -- check names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "NonExistentCheck",
        "REVOKED_CA_CERT_CHECK",
        "CA_CERT_APPROACHING_EXPIRATION_CHECK",
        "DEVICE_CERT_APPROACHING_EXPIRATION_CHECK",
        "REVOKED_DEVICE_CERT_CHECK",
        "AUTHENTICATE_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
        "logging_disabled_check",
    ],
)
def test_unknown_and_legacy_check_names_are_refused(iot, name):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={name: {"enabled": True}}
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_unknown_check_refused_on_a_configured_account_too(iot):
    enable(iot)
    assert_error(
        lambda: iot.update_account_audit_configuration(
            auditCheckConfigurations={"REVOKED_CA_CERT_CHECK": {"enabled": True}}
        ),
        "InvalidRequestException", 400,
    )
    assert "REVOKED_CA_CERT_CHECK" not in describe(iot)["auditCheckConfigurations"]


def test_every_documented_check_can_be_enabled(iot):
    enable(iot, *ALL_CHECKS)
    assert enabled_checks(iot) == set(ALL_CHECKS)


# -- custom configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "setting"),
    [
        ("DEVICE_CERTIFICATE_AGE_CHECK", "CERT_AGE_THRESHOLD_IN_DAYS"),
        ("DEVICE_CERTIFICATE_EXPIRING_CHECK", "CERT_EXPIRATION_THRESHOLD_IN_DAYS"),
    ],
)
@pytest.mark.parametrize("value", ["30", "365", "3650"])
def test_custom_configuration_in_range_is_accepted_and_echoed(iot, check, setting, value):
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True, "configuration": {setting: value}}}
    )
    assert describe(iot)["auditCheckConfigurations"][check] == {"enabled": True, "configuration": {setting: value}}


@pytest.mark.parametrize(
    ("check", "setting"),
    [
        ("DEVICE_CERTIFICATE_AGE_CHECK", "CERT_AGE_THRESHOLD_IN_DAYS"),
        ("DEVICE_CERTIFICATE_EXPIRING_CHECK", "CERT_EXPIRATION_THRESHOLD_IN_DAYS"),
    ],
)
@pytest.mark.parametrize("value", ["29", "3653", "0", "-40", "abc", "12.5"])
def test_custom_configuration_out_of_range_is_refused(iot, check, setting, value):
    enable(iot)
    assert_error(
        lambda: iot.update_account_audit_configuration(
            auditCheckConfigurations={check: {"enabled": True, "configuration": {setting: value}}}
        ),
        "InvalidRequestException", 400,
    )
    assert describe(iot)["auditCheckConfigurations"][check] == {"enabled": False}


@pytest.mark.parametrize(
    ("check", "setting"),
    [
        ("LOGGING_DISABLED_CHECK", "CERT_AGE_THRESHOLD_IN_DAYS"),
        ("CA_CERTIFICATE_EXPIRING_CHECK", "CERT_EXPIRATION_THRESHOLD_IN_DAYS"),
        ("DEVICE_CERTIFICATE_AGE_CHECK", "CERT_EXPIRATION_THRESHOLD_IN_DAYS"),
        ("DEVICE_CERTIFICATE_EXPIRING_CHECK", "CERT_AGE_THRESHOLD_IN_DAYS"),
    ],
)
def test_custom_configuration_on_a_check_that_does_not_take_it_is_refused(iot, check, setting):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True, "configuration": {setting: "60"}}}
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_custom_configuration_kept_when_check_is_toggled(iot):
    check, setting = "DEVICE_CERTIFICATE_AGE_CHECK", "CERT_AGE_THRESHOLD_IN_DAYS"
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={check: {"enabled": True, "configuration": {setting: "90"}}}
    )
    iot.update_account_audit_configuration(auditCheckConfigurations={check: {"enabled": False}})
    assert describe(iot)["auditCheckConfigurations"][check] == {"enabled": False, "configuration": {setting: "90"}}
    iot.update_account_audit_configuration(
        auditCheckConfigurations={check: {"enabled": True, "configuration": {setting: "120"}}}
    )
    assert describe(iot)["auditCheckConfigurations"][check] == {"enabled": True, "configuration": {setting: "120"}}


# -- delete -------------------------------------------------------------------------


def test_delete_resets_to_defaults(iot):
    iot.update_account_audit_configuration(
        roleArn=ROLE,
        auditCheckConfigurations={
            "LOGGING_DISABLED_CHECK": {"enabled": True},
            "DEVICE_CERTIFICATE_AGE_CHECK": {"enabled": True, "configuration": {"CERT_AGE_THRESHOLD_IN_DAYS": "90"}},
        },
        auditNotificationTargetConfigurations={"SNS": {"targetArn": SNS_TOPIC, "roleArn": ROLE, "enabled": True}},
    )
    response = iot.delete_account_audit_configuration()
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert_unconfigured(iot)


def test_after_delete_the_first_update_rules_apply_again(iot):
    enable(iot)
    iot.delete_account_audit_configuration()
    assert_error(
        lambda: iot.update_account_audit_configuration(
            auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}}
        ),
        "InvalidRequestException", 400,
    )
    enable(iot)
    assert describe(iot)["roleArn"] == ROLE


def test_delete_with_nothing_configured_is_not_found(iot):
    assert_error(iot.delete_account_audit_configuration, "ResourceNotFoundException", 404)
    assert_error(
        lambda: iot.delete_account_audit_configuration(deleteScheduledAudits=True), "ResourceNotFoundException", 404
    )


def test_second_delete_is_not_found(iot):
    enable(iot)
    iot.delete_account_audit_configuration(deleteScheduledAudits=False)
    assert_error(iot.delete_account_audit_configuration, "ResourceNotFoundException", 404)


def test_delete_after_a_refused_first_update_is_not_found(iot):
    assert_error(lambda: iot.update_account_audit_configuration(roleArn=ROLE), "InvalidRequestException", 400)
    assert_error(iot.delete_account_audit_configuration, "ResourceNotFoundException", 404)


# -- model validation reaching the server --------------------------------------------


def test_role_arn_shorter_than_20_characters_is_refused(iot):
    # botocore checks ``min`` itself; turn that off so the request reaches the fake.
    error = assert_error(
        lambda: unvalidated_client().update_account_audit_configuration(
            roleArn="arn:aws:iam::1:r/x", auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}}
        ),
        "InvalidRequestException", 400,
    )
    assert "roleArn" in error.response["Error"]["Message"]
    assert_unconfigured(iot)


def test_role_arn_longer_than_2048_characters_is_refused(iot):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE + "x" * 2048, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}}
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_notification_target_key_outside_the_enum_is_refused(iot):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE,
            auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}},
            auditNotificationTargetConfigurations={"EMAIL": {"targetArn": SNS_TOPIC, "roleArn": ROLE}},
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_notification_target_that_is_not_an_sns_topic_is_refused(iot):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE,
            auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}},
            auditNotificationTargetConfigurations={"SNS": {"targetArn": "arn:aws:sqs:us-east-1:123456789012:q",
                                                           "roleArn": ROLE}},
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)


def test_notification_target_role_shorter_than_20_characters_is_refused(iot):
    enable(iot)
    assert_error(
        lambda: unvalidated_client().update_account_audit_configuration(
            auditNotificationTargetConfigurations={"SNS": {"targetArn": SNS_TOPIC, "roleArn": "short"}}
        ),
        "InvalidRequestException", 400,
    )
    assert "auditNotificationTargetConfigurations" not in describe(iot)


def test_custom_configuration_key_outside_the_enum_is_refused(iot):
    assert_error(
        lambda: iot.update_account_audit_configuration(
            roleArn=ROLE,
            auditCheckConfigurations={
                "DEVICE_CERTIFICATE_AGE_CHECK": {"enabled": True, "configuration": {"CERT_AGE_IN_WEEKS": "10"}}
            },
        ),
        "InvalidRequestException", 400,
    )
    assert_unconfigured(iot)
