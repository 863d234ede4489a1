"""Server mode keeps HTTP/1.1 connections (iot_audit_fake/server/handler.py), and closes them when it must.

Raw sockets, so that what travels on the connection is what is checked: pipelined requests
answered one after the other on one connection, ``Connection: close`` where the next request
cannot be found for sure (a chunked body, a 413, HTTP/1.0, the client asking), and every kept
connection closed when the server stops.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iot_audit_fake.server import ThreadedServer


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0, max_body_bytes=1024) as running:
        yield running


def signed(server: ThreadedServer, method: str, path: str, body: bytes = b"") -> bytes:
    """The raw bytes of an IoT request signed as botocore signs it (Host: the server's address)."""
    url = f"{server.endpoint_url}{path}"
    request = AWSRequest(method=method, url=url, data=body,
                         headers={"Content-Type": "application/json"} if body else {})
    SigV4Auth(Credentials("testing", "testing"), "iot", "us-east-1").add_auth(request)
    prepared = request.prepare()
    host = server.endpoint_url.split("://", 1)[1]
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{key}: {value}" for key, value in prepared.headers.items() if key.lower() != "host"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def plain(server: ThreadedServer, method: str, path: str, body: bytes = b"", version: str = "HTTP/1.1",
          headers: tuple[str, ...] = ()) -> bytes:
    host = server.endpoint_url.split("://", 1)[1]
    lines = [f"{method} {path} {version}", f"Host: {host}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def closes(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"


class Answers:
    """The answers read one after the other from one connection (each framed by its Content-Length)."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.reader = connection.makefile("rb")

    def next(self) -> Answer:
        status_line = self.reader.readline()
        assert status_line.startswith(b"HTTP/1.1 "), status_line
        headers: dict[str, str] = {}
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.reader.read(int(headers["content-length"]))
        return Answer(int(status_line.split()[1]), headers, body)

    def closed(self) -> bool:
        """Whether the server has closed the connection (read gives end of file)."""
        return self.reader.read(1) == b""


def connect(server: ThreadedServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_pipelined_requests_of_the_fake_and_of_moto_are_answered_on_one_connection(server):
    with connect(server) as connection:
        connection.sendall(signed(server, "GET", "/audit/scheduledaudits")
                           + signed(server, "POST", "/things/sensor-1", b"{}")
                           + signed(server, "GET", "/things/sensor-1")
                           + plain(server, "GET", "/_iot_audit/clock"))
        answers = Answers(connection)
        listed, created, described, clock = (answers.next() for _ in range(4))
        assert (listed.status, created.status, described.status, clock.status) == (200, 200, 200, 200)
        assert json.loads(listed.body)["scheduledAudits"] == []
        assert json.loads(described.body)["thingName"] == "sensor-1"
        assert not any(answer.closes for answer in (listed, created, described, clock))
        connection.sendall(plain(server, "GET", "/_iot_audit/clock"))
        assert answers.next().status == 200


def test_a_chunked_request_is_answered_and_its_connection_closed(server):
    with connect(server) as connection:
        host = server.endpoint_url.split("://", 1)[1]
        connection.sendall(f"POST /_iot_audit/clock HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                           f"Transfer-Encoding: chunked\r\n\r\n".encode()
                           + b'f\r\n{"reset": true}\r\n0\r\n\r\n' + plain(server, "GET", "/_iot_audit/clock"))
        answers = Answers(connection)
        answer = answers.next()
        assert answer.status == 200
        assert answer.closes
        assert answers.closed()  # the pipelined request is not read as if it began where the body ended


def test_a_body_over_the_limit_is_a_413_that_closes_the_connection(server):
    with connect(server) as connection:
        connection.sendall(plain(server, "POST", "/_iot_audit/clock", b"x" * 2048))
        answers = Answers(connection)
        answer = answers.next()
        assert answer.status == 413
        assert answer.closes
        assert answers.closed()


@pytest.mark.parametrize(("version", "headers"), [("HTTP/1.0", ()), ("HTTP/1.1", ("Connection: close",))])
def test_a_client_that_does_not_keep_the_connection_gets_it_closed(server, version, headers):
    with connect(server) as connection:
        connection.sendall(plain(server, "GET", "/_iot_audit/clock", version=version, headers=headers))
        answers = Answers(connection)
        assert answers.next().status == 200
        assert answers.closed()


def test_stopping_the_server_closes_its_kept_connections():
    running = ThreadedServer(port=0).start()
    try:
        connection = connect(running)
        connection.sendall(plain(running, "GET", "/_iot_audit/clock"))
        answers = Answers(connection)
        assert answers.next().status == 200
    finally:
        running.stop()
    with connection:
        assert answers.closed()  # no handler thread is left answering for a stopped server
