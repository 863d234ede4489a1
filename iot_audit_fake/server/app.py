"""The WSGI application of server mode (see :mod:`iot_audit_fake.server`).

Per request: read the body (413 over the limit, unread; 400 for a body that cannot be
read), then answer the control endpoints, or pass the request through the one entry,
:func:`iot_audit_fake.entry.serve`, which answers what the fake serves and hands the rest
to moto. Every answer is logged in one line with its error code, if any.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from .. import clock as _clock
from .. import entry
from ..errors import AuditError, FakeBug, InternalFailureException
from ..wire.protocol import SerializationException, StatusError
from . import control
from .clock import RealTimeLogFilter, ServerClock
from .guard import guard
from .handler import BODY_READ
from .moto_gateway import MotoGateway
from .responses import HeaderView, error_code, error_response, from_answer, full_url

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("iot_audit_fake.server")
log.addFilter(RealTimeLogFilter())

#: The largest request body the server reads; a bigger one is answered 413 without being read.
MAX_BODY_BYTES = 10 * 1024 * 1024


class ServerApplication:
    """The WSGI application of server mode.

    ``allowed_hosts``: host names, beside the loopback ones, that the control endpoints
    answer (the address the server is bound to); see :func:`.guard.guard`.
    """

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES, allowed_hosts: Collection[str] = ()) -> None:
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = {host.lower().strip("[]") for host in allowed_hosts}
        self.clock = ServerClock()
        self.moto = MotoGateway()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("PATH_INFO", ""))
        note = ""
        try:
            response = self._respond(environ)
        except AuditError as error:
            response = error_response(error)
            if "operation" in error.members:
                note = f" {error.members['operation']}"
        except Exception as error:  # never a traceback page: answer like AWS, keep the traceback in the log (once)
            log.exception("iot_audit_fake server failed on %s %s", method, path)
            message = (f"{error} The traceback is in the server's log." if isinstance(error, FakeBug)
                       else f"Internal failure: {type(error).__name__}")
            response = error_response(InternalFailureException(message))
        self._log(method, path, response, note, time.perf_counter() - started)
        return response(environ, start_response)

    def _log(self, method: str, path: str, response: Response, note: str, seconds: float) -> None:
        code = error_code(response)
        fake = f" [fake time {_clock.now().isoformat()}]" if self.clock.travelling else ""
        level = logging.WARNING if response.status_code == 501 else logging.INFO
        log.log(level, "%s %s %s %s%s %.1fms%s", method, path, response.status_code, code or "-", note,
                seconds * 1000, fake)

    def _respond(self, environ: WSGIEnvironment) -> Response:
        request = Request(environ)
        body = self._read_body(request)
        environ[BODY_READ] = True  # the connection can carry the next request (see handler.py)
        if control.is_control(request.path):
            guard(request, self.allowed_hosts)
            with entry.LOCK:  # the one lock of every request (iot_audit_fake.entry)
                return control.serve(control.ControlCall(request, body, self.clock))
        if request.path.startswith("/moto-api"):
            guard(request, self.allowed_hosts)  # moto's own control endpoints reset state too

        def to_moto() -> Response:
            return self.moto.call(environ, body)

        answer = entry.serve(request.method, full_url(environ), HeaderView(request), body, to_moto, any_host=True)
        return answer if isinstance(answer, Response) else from_answer(answer)

    def _read_body(self, request: Request) -> bytes:
        length = request.content_length
        if length is not None and length > self.max_body_bytes:
            raise _too_large(self.max_body_bytes)
        stream = request.stream
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                chunk = stream.read(min(1 << 16, self.max_body_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > self.max_body_bytes:  # a chunked body with no Content-Length
                    raise _too_large(self.max_body_bytes)
        except (OSError, ValueError, HTTPException) as error:
            raise _UnreadableBody(f"The request body could not be read: {_describe(error)}") from None
        return b"".join(chunks)


class _UnreadableBody(SerializationException):
    """A body shorter than its Content-Length, or broken chunked framing."""


def _describe(error: BaseException) -> str:
    if isinstance(error, HTTPException):
        return error.description or type(error).__name__
    return str(error) or type(error).__name__


def _too_large(limit: int) -> StatusError:
    return StatusError(413, "RequestEntityTooLargeException",
                       f"The request body is larger than the server's limit of {limit} bytes.")
