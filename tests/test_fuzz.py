"""A model-driven fuzz of the audit API (issue 12): no 5xx, JSON bodies, modeled errors only.

Requests come from botocore's IoT model (tests/fuzz_requests.py): valid and mutated
parameters for every audit operation, malformed and deeply nested bodies, absurd numbers,
near-miss paths, wrong methods, unknown regions and malformed SigV4 scopes. The same seeded
requests run in-process (through ``requests``, intercepted by the mock) and against a
:class:`ThreadedServer` over raw HTTP. Every answer must be below 500, a JSON body (HEAD
aside), and an error's code must be one its operation models or a protocol-level one.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from fuzz_requests import REGION, FuzzRequest
from fuzz_requests import requests as fuzz_requests

from iot_audit_fake import mock_iot_audit
from iot_audit_fake.server import ThreadedServer

SEED = 20260301
PER_MODE = 2000
SIGNED = f"AWS4-HMAC-SHA256 Credential=testing/20260301/{REGION}/iot/aws4_request, SignedHeaders=host, Signature=0"

Answer = tuple[int, dict[str, str], bytes]


def check(request: FuzzRequest, answer: Answer) -> str | None:
    """What is wrong with ``answer`` to ``request``, or None."""
    status, headers, body = answer
    if status >= 500:
        return f"status {status}"
    if request.method == "HEAD":
        return None
    if not headers.get("content-type", "").startswith("application/json"):
        return f"content type {headers.get('content-type')!r}"
    try:
        document = json.loads(body)
    except ValueError:
        return "a body that is not JSON"
    if status >= 400:
        code = document.get("__type") if isinstance(document, dict) else None
        if code is None or headers.get("x-amzn-errortype", "").split(":")[0] != code:
            return f"an error without a code: {body[:200]!r}"
        if code not in request.allowed:
            return f"{code}, which the operation does not model"
    return None


def run(send: Callable[[FuzzRequest], Answer], seed: int) -> list[str]:
    problems = []
    served = 0
    for request in fuzz_requests(seed, PER_MODE):
        answer = send(request)
        served += answer[0] < 300
        problem = check(request, answer)
        if problem is not None:
            problems.append(f"{request.what}: {request.method} {request.path[:120]} {request.headers} -> {problem}")
    # Not only refusals: enough generated calls are valid ones the fake carries out.
    assert served > PER_MODE // 20, served
    return problems


# -- in-process -----------------------------------------------------------------------------------


def test_fuzz_in_process() -> None:
    session = requests.Session()

    def send(request: FuzzRequest) -> Answer:
        headers = dict(request.headers)
        host = headers.pop("Host", f"iot.{REGION}.amazonaws.com")
        response = session.request(request.method, f"https://{host}{request.path}", data=request.body,
                                   headers=headers, timeout=10)
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content

    with mock_iot_audit():
        problems = run(send, SEED)
    assert not problems, f"{len(problems)} bad answers, e.g.:\n" + "\n".join(problems[:15])


# -- against the server ---------------------------------------------------------------------------


class Connection:
    """One keep-alive connection to the server, reopened when the server closes it."""

    def __init__(self, server: ThreadedServer) -> None:
        parts = urlsplit(server.endpoint_url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: FuzzRequest) -> Answer:
        headers = {"Authorization": SIGNED, **request.headers}
        if "Host" in request.headers:
            headers.pop("Authorization")  # recognised by its host alone
        headers.setdefault("Content-Type", "application/json")
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(*self.address, timeout=30)
            try:
                self.connection.request(request.method, request.path, body=request.body, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0) as running:
        yield running


def test_fuzz_against_the_server(server: ThreadedServer) -> None:
    connection = Connection(server)
    try:
        problems = run(connection.send, SEED + 1)
    finally:
        connection.close()
    assert not problems, f"{len(problems)} bad answers, e.g.:\n" + "\n".join(problems[:15])


def test_the_fuzz_reaches_every_audit_operation_and_every_kind_of_request() -> None:
    """The generator is not degenerate: valid calls succeed somewhere, and every kind is drawn."""
    drawn = list(fuzz_requests(SEED, PER_MODE))
    kinds = {request.what.split(" ", 1)[0] for request in drawn}
    assert kinds >= {"valid", "mutated", "raw", "near-miss", "wrong", "bad"}
    operations = {request.what.rsplit(" ", 1)[1] for request in drawn}
    from fuzz_requests import AUDIT_OPERATIONS

    assert operations == {op.name for op in AUDIT_OPERATIONS}


def test_a_check_that_finds_a_5xx_html_or_an_unmodeled_error() -> None:
    """The fuzz's own judge fails what it must (so a green fuzz means something)."""
    request = FuzzRequest("GET", "/audit/tasks", b"", {}, frozenset({"InvalidRequestException"}), "t")
    json_headers: dict[str, Any] = {"content-type": "application/json"}
    assert check(request, (500, json_headers, b"{}")) == "status 500"
    assert check(request, (404, {"content-type": "text/html"}, b"<html>")) is not None
    error = {**json_headers, "x-amzn-errortype": "NotModeledException:"}
    assert check(request, (400, error, b'{"__type": "NotModeledException"}')) is not None
    ok = {**json_headers, "x-amzn-errortype": "InvalidRequestException:"}
    assert check(request, (400, ok, b'{"__type": "InvalidRequestException"}')) is None
