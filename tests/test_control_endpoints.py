"""Every refusal of the server's control endpoints (``/_iot_audit/...``), and that a refusal changes nothing.

Refusals: a cross-origin request (Origin, Sec-Fetch-Site) or a Host that is not this machine
(403 AccessDeniedException), moto's ``/moto-api/`` likewise; clock values that are not finite
or out of range, bodies that are not JSON, nested too deeply, or of the wrong shape (400
InvalidRequestException); unknown endpoints (404) and methods (405).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from iot_audit_fake.server import ThreadedServer

SCENARIO = """
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/Audit
  checks:
    LOGGING_DISABLED_CHECK: {enabled: true}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0, allowed_hosts=["fake.test"]) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server: ThreadedServer) -> Iterator[None]:
    assert send(server, "POST", "/_iot_audit/clock", {"reset": True})[0] == 200
    yield
    assert send(server, "POST", "/_iot_audit/clock", {"reset": True})[0] == 200


def send(server: ThreadedServer, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """One raw request; the answer's status and JSON document."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
    parts = urlsplit(server.endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(method, path, body=raw, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        assert response.getheader("Content-Type", "").startswith("application/json"), content[:200]
        return response.status, json.loads(content)
    finally:
        connection.close()


def refused(server: ThreadedServer, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
            *, status: int = 400, code: str = "InvalidRequestException") -> str:
    answer_status, document = send(server, method, path, body, headers)
    assert (answer_status, document["__type"]) == (status, code), document
    assert document["message"]
    return str(document["message"])


def now(server: ThreadedServer) -> dt.datetime:
    status, document = send(server, "GET", "/_iot_audit/clock")
    assert status == 200
    return dt.datetime.fromisoformat(document["now"].replace("Z", "+00:00"))


def assert_clock_not_moved(server: ThreadedServer) -> None:
    assert abs(now(server) - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=30)
    assert send(server, "GET", "/_iot_audit/clock")[1]["travelling"] is False


# -- the clock ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    b'{"advance": NaN}', b'{"advance": Infinity}', b'{"advance": -Infinity}', b'{"advance": 1e400}',
    b'{"advance": 1e300}', b'{"advance": 3155760000}', b'{"advance": -3155760000}',
    b'{"advance": 1' + b"0" * 400 + b"}", b'{"advance": "3600"}', b'{"advance": true}', b'{"advance": null}',
])
def test_an_advance_that_is_not_a_finite_number_in_range_is_refused(server, body):
    message = refused(server, "POST", "/_iot_audit/clock", body)
    assert "advance" in message or "JSON" in message
    assert_clock_not_moved(server)


@pytest.mark.parametrize("instant", [
    "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+05:00", "yesterday", "", "2026-13-01T00:00:00Z",
])
def test_a_set_outside_the_clock_range_or_not_an_instant_is_refused(server, instant):
    message = refused(server, "POST", "/_iot_audit/clock", {"set": instant})
    assert "set" in message
    assert_clock_not_moved(server)


@pytest.mark.parametrize("body", [
    {}, {"travel": 1}, {"set": "2026-03-01T00:00:00Z", "advance": 1}, {"set": 1700000000}, {"reset": False},
    [], "reset", b"", b"{not json", b"\xff",
])
def test_a_clock_body_of_the_wrong_shape_is_refused(server, body):
    refused(server, "POST", "/_iot_audit/clock", body)
    assert_clock_not_moved(server)


def test_a_refused_move_leaves_a_moved_clock_where_it_was(server):
    assert send(server, "POST", "/_iot_audit/clock", {"set": "2026-03-01T00:00:00Z"})[0] == 200
    refused(server, "POST", "/_iot_audit/clock", {"advance": 1e12})
    refused(server, "POST", "/_iot_audit/clock", {"set": "0001-01-01T00:00:00Z"})
    moved = now(server)
    target = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    assert target <= moved < target + dt.timedelta(seconds=30)


def test_the_clock_range_ends_are_accepted(server):
    for instant in ("2000-01-01T00:00:00Z", "2099-12-31T00:00:00Z"):
        status, document = send(server, "POST", "/_iot_audit/clock", {"set": instant})
        assert status == 200
        assert document["now"].startswith(instant[:10])


# -- nesting --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_iot_audit/clock", "/_iot_audit/scenario", "/_iot_audit/faults"])
@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a": ' * 50_000, b"[" * 40 + b"]" * 40])
def test_a_json_body_nested_too_deeply_is_refused(server, path, body):
    assert "nested" in refused(server, "POST", path, body)


@pytest.mark.parametrize("text", [
    "a:\n" + "".join("  " * level + f"k{level}:\n" for level in range(1, 200)),
    "a: " + "[" * 5000 + "]" * 5000 + "\n",
])
def test_a_yaml_scenario_nested_too_deeply_is_refused(server, text):
    before = send(server, "GET", "/_iot_audit/scenario")[1]
    message = refused(server, "POST", "/_iot_audit/scenario", text.encode(), {"Content-Type": "application/yaml"})
    assert "nested" in message
    assert send(server, "GET", "/_iot_audit/scenario")[1] == before


# -- cross-origin requests ------------------------------------------------------------------------


def _own_origin(server: ThreadedServer) -> str:
    return server.endpoint_url


@pytest.mark.parametrize("path", ["/_iot_audit/reset", "/_iot_audit/clock", "/_iot_audit/scenario",
                                  "/moto-api/reset"])
@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost.evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Host": "evil.example"},
    {"Host": "rebound.example:80", "Origin": "http://rebound.example:80"},  # DNS rebinding: same origin, foreign Host
    {"Host": "127.0.0.1.evil.example"},
    {"Host": "[bad"},
])
def test_cross_origin_and_foreign_host_requests_are_refused(server, path, headers):
    iot = _client(server)
    iot.create_thing(thingName="kept")
    body = {"set": "2026-03-01T00:00:00Z"} if path.endswith("clock") else {}
    refused(server, "POST", path, body, headers, status=403, code="AccessDeniedException")
    assert [thing["thingName"] for thing in iot.list_things()["things"]] == ["kept"]
    assert_clock_not_moved(server)
    send(server, "POST", "/_iot_audit/reset")


@pytest.mark.parametrize("path", ["/_iot_audit/clock", "/_iot_audit/scenario", "/_iot_audit/faults"])
def test_cross_origin_reads_are_refused_too(server, path):
    refused(server, "GET", path, headers={"Origin": "http://evil.example"}, status=403, code="AccessDeniedException")


def test_same_origin_and_loopback_requests_are_served(server):
    own = _own_origin(server)
    port = urlsplit(own).port
    cases = [
        {},
        {"Origin": own},
        {"Origin": own.upper()},  # origins compare case-insensitively
        {"Sec-Fetch-Site": "same-origin", "Origin": own},
        {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"},
        {"Host": f"[::1]:{port}"},
        {"Host": f"dev.localhost:{port}"},
        {"Host": f"fake.test:{port}", "Origin": f"http://fake.test:{port}"},  # allowed_hosts
    ]
    for headers in cases:
        status, document = send(server, "POST", "/_iot_audit/clock", {"advance": 60}, headers)
        assert status == 200, (headers, document)
        assert send(server, "POST", "/_iot_audit/clock", {"reset": True}, headers)[0] == 200


def test_a_top_level_navigation_may_open_a_control_page(server):
    """A link followed from another site (no Origin, Sec-Fetch-Mode: navigate) may GET; never POST."""
    navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    status, _ = send(server, "GET", "/_iot_audit/clock", headers=navigation)
    assert status == 200
    refused(server, "POST", "/_iot_audit/reset", {}, navigation, status=403, code="AccessDeniedException")


# -- endpoints, methods, scenarios ----------------------------------------------------------------


def test_an_unknown_endpoint_is_404_and_a_wrong_method_405(server):
    refused(server, "GET", "/_iot_audit/nope", status=404, code="ResourceNotFoundException")
    refused(server, "POST", "/_iot_audit/clock/extra", {}, status=404, code="ResourceNotFoundException")
    message = refused(server, "DELETE", "/_iot_audit/clock", status=405, code="MethodNotAllowedException")
    assert "GET" in message and "POST" in message


@pytest.mark.parametrize("query", ["replace=maybe", "replace=1"])
def test_a_replace_flag_that_is_not_a_boolean_is_refused(server, query):
    assert "replace" in refused(server, "POST", f"/_iot_audit/scenario?{query}", SCENARIO.encode(),
                                {"Content-Type": "application/yaml"})


def test_a_scenario_replace_refused_by_validation_keeps_the_state(server):
    iot = _client(server)
    iot.create_thing(thingName="kept")
    refused(server, "POST", "/_iot_audit/scenario?replace=true", b"audit_configuration: 12\n",
            {"Content-Type": "application/yaml"})
    assert [thing["thingName"] for thing in iot.list_things()["things"]] == ["kept"]
    send(server, "POST", "/_iot_audit/reset")


def test_a_scenario_with_replace_resets_first_and_without_it_adds(server):
    iot = _client(server)
    iot.create_thing(thingName="before")
    status, document = send(server, "POST", "/_iot_audit/scenario", SCENARIO.encode(),
                            {"Content-Type": "application/yaml"})
    assert (status, document["replaced"]) == (200, False)
    assert [thing["thingName"] for thing in iot.list_things()["things"]] == ["before"]
    status, document = send(server, "POST", "/_iot_audit/scenario?replace=true", SCENARIO.encode(),
                            {"Content-Type": "application/yaml"})
    assert (status, document["replaced"]) == (200, True)
    assert iot.list_things()["things"] == []
    assert iot.describe_account_audit_configuration()["roleArn"] == "arn:aws:iam::123456789012:role/Audit"
    send(server, "POST", "/_iot_audit/reset")


def _client(server: ThreadedServer) -> Any:
    import boto3.session

    return boto3.session.Session().client("iot", region_name="us-east-1", endpoint_url=server.endpoint_url,
                                          aws_access_key_id="testing", aws_secret_access_key="testing")
