"""The server's HTTP handling: werkzeug's threaded server, with HTTP/1.1 keep-alive.

werkzeug's development server answers every request with ``Connection: close`` (its
``run_wsgi`` cannot tell whether the application read the whole request body, so the next
request line could not be found), and so costs every request a TCP connection and a thread.
Here the application tells: :class:`~.app.ServerApplication` marks the environ once it has
read the body to its end (:data:`BODY_READ`), and the connection is kept for the next request
only then, for a request framed by ``Content-Length`` (not chunked), when the client speaks
HTTP/1.1 without ``Connection: close`` and the answer does not close it (a 413 does: its body
was not read). Otherwise the connection closes after the answer, draining what the client
still sends first, as werkzeug does. The status line, headers and body go out in one write.

:meth:`KeepAliveServer.close_connections` closes the connections kept open, so that no handler
thread goes on answering once the server has stopped.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger("iot_audit_fake.server")

#: The environ key the application sets once it has read the request body to its end.
BODY_READ = "iot_audit_fake.body_read"

#: [INF] How long a kept connection may stay idle before the server closes it (AWS's load
#: balancers close idle connections after 60 s to 350 s; SDKs reconnect transparently).
IDLE_SECONDS = 300.0


class KeepAliveServer(ThreadedWSGIServer):
    """werkzeug's threaded server, knowing its open connections (see :meth:`close_connections`)."""

    def __init__(self, host: str, port: int, app: WSGIApplication) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(host, port, app, handler=KeepAliveRequestHandler)

    def close_connections(self) -> None:
        """Shut down every open connection: a handler waiting for the next request ends."""
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class KeepAliveRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, keeping the connection when it safely can, without an access
    log (the application logs one line per request)."""

    server: KeepAliveServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    _sent = False  # the status line of the current answer has gone out
    _headers_buffer: list[bytes]  # http.server's, sent here with the body in one write

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out"):  # an idle kept connection closing: nothing went wrong
            return
        super().log_error(format, *args)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        try:
            self._answer(environ, self.server.app)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        except Exception:  # the application never raises; if it does, a 500 and the traceback in the log
            log.exception("iot_audit_fake server failed on %s %s", self.command, self.path)
            self.close_connection = True
            if not self._sent:
                self._answer(environ, _internal_error)
        if self.close_connection:
            self._drain()

    def _answer(self, environ: dict[str, Any], app: WSGIApplication) -> None:
        status_set: list[str] = []
        headers_set: list[list[tuple[str, str]]] = []
        self._sent = False
        chunked = False

        def write(data: bytes) -> None:
            nonlocal chunked
            if not self._sent:
                self._sent = True
                code_text, _, message = status_set[0].partition(" ")
                code = int(code_text)
                # Where the next request line starts is known only after a body read to its end
                # by its Content-Length; otherwise close after this answer.
                closing = self.close_connection or not environ.get(BODY_READ) or \
                    "chunked" in self.headers.get("Transfer-Encoding", "").lower()
                self.send_response(code, message)
                keys = set()
                for key, value in headers_set[0]:
                    if closing and key.lower() == "connection" and value.lower() != "close":
                        continue  # e.g. a keep-alive from moto: this connection closes
                    self.send_header(key, value)  # (a "Connection: close" sets close_connection)
                    keys.add(key.lower())
                self.close_connection = self.close_connection or closing
                if not ("content-length" in keys or environ["REQUEST_METHOD"] == "HEAD"
                        or 100 <= code < 200 or code in (204, 304)):
                    chunked = True
                    self.send_header("Transfer-Encoding", "chunked")
                if self.close_connection and "connection" not in keys:
                    self.send_header("Connection", "close")
                self._headers_buffer.append(b"\r\n")
                head = b"".join(self._headers_buffer)
                self._headers_buffer = []
            else:
                head = b""
            if chunked and data:
                data = b"%x\r\n%s\r\n" % (len(data), data)
            self.wfile.write(head + data)  # one write: the status line, headers and body together
            self.wfile.flush()

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: OptExcInfo | None = None) -> Callable[[bytes], None]:
            if exc_info is not None and exc_info[1] is not None and self._sent:
                raise exc_info[1].with_traceback(exc_info[2])
            status_set[:] = [status]
            headers_set[:] = [headers]
            return write

        iterable = app(environ, start_response)
        try:
            for data in iterable:
                write(data)
            if not self._sent:
                write(b"")
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    def _drain(self) -> None:
        """Read what the client still sends before the connection closes (as werkzeug does), so
        that it sees the answer (a 413's, say) rather than a reset connection."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.connection, selectors.EVENT_READ)
            total = 0
            for _ in range(1000):
                if not selector.select(timeout=0.01):
                    break
                try:
                    data = self.rfile.read1(10_000_000)  # type: ignore[attr-defined]
                except OSError:
                    break
                total += len(data)
                if not data or total >= 10_000_000_000:
                    break


def _internal_error(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = b'{"message":"Internal failure. The traceback is in the server\'s log."}'
    start_response("500 Internal Server Error", [("Content-Type", "application/json"),
                                                 ("Content-Length", str(len(body))),
                                                 ("x-amzn-ErrorType", "InternalFailureException")])
    return [body]
