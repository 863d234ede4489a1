"""The restJson1 wire format as a raw HTTP caller sees it (reference §1)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from conftest import ROLE, assert_error, enable, iot_url

UNKNOWN_TASK = "a3aea009955e501a31b764abe1bebd3d"


def assert_wire_error(response: requests.Response, code: str, status: int) -> dict:
    """AWS's error format: the code in x-amzn-ErrorType (trailing colon), a JSON body with a message."""
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == code
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body.get("__type", code) == code
    return body


def call(method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, iot_url(path), timeout=5, **kwargs)


# -- error responses --------------------------------------------------------------------


def test_not_found_error_format(iot):
    response = call("GET", f"/audit/tasks/{UNKNOWN_TASK}")
    assert_wire_error(response, "ResourceNotFoundException", 404)
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException:"
    assert response.headers["x-amzn-RequestId"]


def test_invalid_request_error_format(iot):
    body = assert_wire_error(call("GET", "/audit/tasks/bad_id!"), "InvalidRequestException", 400)
    assert "taskId" in body["message"]


def test_delete_without_configuration_error_format(iot):
    assert_wire_error(call("DELETE", "/audit/configuration"), "ResourceNotFoundException", 404)


def test_boto3_reads_the_error_and_its_message(iot):
    error = assert_error(lambda: iot.describe_audit_task(taskId=UNKNOWN_TASK), "ResourceNotFoundException", 404)
    assert error.response["Error"]["Message"]


# -- request bodies -----------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{bad", b'{"roleArn": ', b"\xff\xfe", b"{'roleArn': 'x'}"])
def test_malformed_json_body_is_refused(iot, body):
    response = call("PATCH", "/audit/configuration", data=body, headers={"Content-Type": "application/json"})
    assert_wire_error(response, "InvalidRequestException", 400)
    assert "roleArn" not in iot.describe_account_audit_configuration()


@pytest.mark.parametrize("body", [b"[1]", b'"text"', b"42", b"null", b"true"])
def test_non_object_json_body_is_refused(iot, body):
    assert_wire_error(call("PATCH", "/audit/configuration", data=body), "InvalidRequestException", 400)
    assert_wire_error(call("POST", "/audit/tasks", data=body), "InvalidRequestException", 400)


@pytest.mark.parametrize(
    "document",
    [
        {"roleArn": 12345678901234567890, "auditCheckConfigurations": {"LOGGING_DISABLED_CHECK": {"enabled": True}}},
        {"roleArn": ROLE, "auditCheckConfigurations": ["LOGGING_DISABLED_CHECK"]},
        {"roleArn": ROLE, "auditCheckConfigurations": {"LOGGING_DISABLED_CHECK": {"enabled": "yes"}}},
        {"roleArn": ROLE, "auditCheckConfigurations": {"LOGGING_DISABLED_CHECK": True}},
    ],
)
def test_wrong_member_types_are_refused(iot, document):
    assert_wire_error(call("PATCH", "/audit/configuration", json=document), "InvalidRequestException", 400)
    assert "roleArn" not in iot.describe_account_audit_configuration()


def test_empty_body_reads_as_no_members(iot):
    # The first update needs roleArn and an enabled check: an empty body has neither.
    assert_wire_error(call("PATCH", "/audit/configuration", data=b""), "InvalidRequestException", 400)
    enable(iot)
    assert call("PATCH", "/audit/configuration", data=b"").status_code == 200
    assert call("PATCH", "/audit/configuration", data=b"{}").status_code == 200
    assert iot.describe_account_audit_configuration()["roleArn"] == ROLE


def test_required_body_member_missing_is_refused(iot):
    enable(iot)
    assert_wire_error(call("POST", "/audit/tasks", json={}), "InvalidRequestException", 400)
    assert_wire_error(call("POST", "/audit/tasks", json={"targetCheckNames": "LOGGING_DISABLED_CHECK"}),
                      "InvalidRequestException", 400)


def test_successful_calls_answer_200_with_json(iot):
    body = {"roleArn": ROLE, "auditCheckConfigurations": {"LOGGING_DISABLED_CHECK": {"enabled": True}}}
    response = call("PATCH", "/audit/configuration", json=body)
    assert response.status_code == 200
    assert response.json() == {}
    response = call("POST", "/audit/tasks", json={"targetCheckNames": ["LOGGING_DISABLED_CHECK"]})
    assert response.status_code == 200
    assert set(response.json()) == {"taskId"}


# -- query strings and path labels -----------------------------------------------------------


@pytest.mark.parametrize("flag", ["true", "false", "TRUE"])
def test_boolean_query_parameter(iot, flag):
    enable(iot)
    assert call("DELETE", "/audit/configuration", params={"deleteScheduledAudits": flag}).status_code == 200
    assert "roleArn" not in iot.describe_account_audit_configuration()


def test_boolean_query_parameter_that_is_not_a_boolean_is_refused(iot):
    enable(iot)
    response = call("DELETE", "/audit/configuration", params={"deleteScheduledAudits": "maybe"})
    assert_wire_error(response, "InvalidRequestException", 400)
    assert iot.describe_account_audit_configuration()["roleArn"] == ROLE


def test_percent_encoded_path_label_is_decoded_before_validation(iot):
    assert_wire_error(call("GET", "/audit/tasks/bad%21"), "InvalidRequestException", 400)
    assert_wire_error(call("GET", f"/audit/tasks/{UNKNOWN_TASK[:4]}%2D{UNKNOWN_TASK[5:]}"),
                      "ResourceNotFoundException", 404)


# -- what no IoT operation is ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/audit/no-such-thing"),
        ("PUT", "/audit/configuration"),
        ("POST", f"/audit/tasks/{UNKNOWN_TASK}"),
        ("GET", "/audit/scheduledaudits/x/"),
        ("GET", "/audit/tasks/"),
        ("OPTIONS", "/audit/configuration"),
    ],
)
def test_a_path_or_method_no_iot_operation_has_is_unknown_operation(iot, method, path):
    """Never moto's unimplemented handlers nor an HTML page: AWS's UnknownOperationException, 404."""
    body = assert_wire_error(call(method, path), "UnknownOperationException", 404)
    assert method in body["message"]


def test_an_iot_operation_moto_does_not_implement_is_left_to_moto(iot):
    """In-process, moto's own NotImplementedError reaches the caller, as with moto alone."""
    with pytest.raises(NotImplementedError):
        iot.list_security_profiles()


@pytest.mark.parametrize("region", ["xx-nowhere-1", "us-east-1x"])
def test_a_host_naming_no_region_is_refused_with_a_json_error(iot, region):
    response = requests.get(f"https://iot.{region}.amazonaws.com/audit/configuration", timeout=5)
    body = assert_wire_error(response, "InvalidSignatureException", 403)
    assert region in body["message"]


@pytest.mark.parametrize("value", ["1e400", "-1e400", "nan", "inf", "99999999999999999999", "-5",
                                   "0001-01-01T00:00:00Z", "x" * 200])
def test_an_out_of_range_or_unreadable_timestamp_is_invalid_request(iot, value):
    response = call("GET", "/audit/tasks", params={"startTime": value, "endTime": "1700000000",
                                                    "taskType": "ON_DEMAND_AUDIT_TASK"})
    body = assert_wire_error(response, "InvalidRequestException", 400)
    assert "startTime" in body["message"]


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b'{"roleArn": ' + b"[" * 70 + b"]" * 70 + b"}",
                                  b'{"roleArn": NaN}', b'{"roleArn": Infinity}'])
def test_deep_nesting_and_non_json_numbers_are_refused(iot, body):
    response = call("PATCH", "/audit/configuration", data=body, headers={"Content-Type": "application/json"})
    assert_wire_error(response, "InvalidRequestException", 400)


def test_an_operation_that_models_no_invalid_request_refuses_with_serialization_exception(iot):
    """GetV2LoggingOptions models no InvalidRequestException: a bad value is a protocol error.

    Its ``verbose`` member is newer than botocore 1.37 (the lowest supported); on a model without it,
    the parameter is not the operation's, and is ignored as any unknown query parameter is."""
    response = call("GET", "/v2LoggingOptions", params={"verbose": "maybe"})
    members = iot.meta.service_model.operation_model("GetV2LoggingOptions").input_shape
    if members is not None and "verbose" in members.members:
        assert_wire_error(response, "SerializationException", 400)
    else:
        assert_wire_error(response, "NotConfiguredException", 404)


def test_moto_still_serves_the_rest_of_iot_over_http(iot):
    iot.create_thing(thingName="sensor")
    response = call("GET", "/things/sensor")
    assert response.status_code == 200
    assert response.json()["thingName"] == "sensor"


# -- where a signed request is routed ---------------------------------------------------------------


def test_a_custom_endpoint_is_routed_by_its_credential_scope_only_in_server_mode(iot):
    """In-process, as with moto, only AWS's own IoT host is intercepted; the server serves any host."""
    from iot_audit_fake.wire import router

    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/eu-west-1/iot/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    url = "https://iot-proxy.example.com/audit/configuration"
    assert router.handle("GET", url, headers, b"") is None
    status, _, body = router.handle("GET", url, headers, b"", any_host=True)
    assert status == 200
    assert "auditCheckConfigurations" in json.loads(body)


# -- timestamps ------------------------------------------------------------------------------------


def test_timestamps_are_epoch_numbers_on_the_wire(iot):
    enable(iot)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
    response = call("GET", f"/audit/tasks/{task_id}")
    assert response.status_code == 200
    document = json.loads(response.text)
    started = document["taskStartTime"]
    assert isinstance(started, (int, float))
    assert not isinstance(started, bool)
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    assert now - 60 < started <= now + 1
    assert document["taskStatus"] == "COMPLETED"
    assert set(document["taskStatistics"]) >= {"totalChecks", "compliantChecks", "nonCompliantChecks"}
    # boto3 turns the same number into an aware datetime.
    parsed = iot.describe_audit_task(taskId=task_id)["taskStartTime"]
    assert abs(parsed.timestamp() - started) < 0.001
