"""Server mode: the fake, moto behind it, over HTTP for any SDK or the AWS CLI.

:class:`ServerApplication` is a WSGI application. Per request it reads the body
(refusing one over :data:`MAX_BODY_BYTES` with 413, unread), answers the
``/_iot_audit/...`` control endpoints, serves the audit API, and hands
everything else to moto's own server application, so the rest of IoT, IAM,
Cognito Identity, SNS, SQS, ... and moto's ``/moto-api/`` keep working on the
same endpoint. What the fake serves goes through :func:`iot_audit_fake.dispatch.dispatch`
(the audit API, and the few operations of other services it serves because moto does not),
exactly as in-process. An IoT request is recognised by its host
(``iot.<region>.amazonaws.com``) or by its SigV4 credential scope; the region
comes from the same place, the account the way moto decides it.

The state is moto's backends in this process: the server runs
:func:`~iot_audit_fake.mock.mock_iot_audit` for its lifetime, exactly the
state the in-process API uses. Clients in the same process that are pointed at
the server's endpoint are not short-circuited by that mock; their requests go
over HTTP to the server like anyone else's.

Control endpoints (JSON in and out; errors are modeled ``InvalidRequestException``):

``POST /_iot_audit/reset``
    moto's full reset (as ``POST /moto-api/reset``): every backend, the audit state
    included. The clock and moto's state-manager transitions are left as they are.
``POST /_iot_audit/scenario``
    load a scenario (YAML or JSON body), atomically; a refused one changes nothing.
``GET /_iot_audit/scenario``
    the current state as a scenario: JSON, or YAML with ``Accept: application/yaml``.
``POST /_iot_audit/clock``
    ``{"set": "2026-03-01T00:00:00Z"}``, ``{"advance": 3600}`` (seconds) or
    ``{"reset": true}``; the clock keeps ticking from there (time-machine).
``GET /_iot_audit/clock``
    ``{"now": "..."}``.

:class:`ThreadedServer` runs it on a werkzeug server in a daemon thread.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.test import run_wsgi_app
from werkzeug.wrappers import Request, Response

from . import clock as _clock
from . import ids
from .dispatch import dispatch
from .errors import AuditError, InternalFailureException, InvalidRequestException
from .mock import IoTAuditMock, mock_iot_audit
from .wire import router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("iot_audit_fake.server")

#: The largest request body the server reads; a bigger one is answered 413 without being read.
MAX_BODY_BYTES = 10 * 1024 * 1024

#: The path prefix of the fake's own control endpoints.
CONTROL_PREFIX = "/_iot_audit/"

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")

#: The fake's state is not safe for concurrent mutation. Audit operations, control endpoints,
#: ``/moto-api/`` and moto's requests for the services the audit reads or writes (below) run
#: one at a time; moto's other services are not serialised (as in moto's own server), so a
#: moto Lambda container calling back into the server cannot deadlock it.
_state_lock = threading.RLock()

#: moto services whose state the audit reads or changes (checks, mitigation actions).
AUDITED_SERVICES = frozenset({"iot", "iam", "cognito-identity", "sns"})
_SCOPE_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/")
_HOST_SERVICE = re.compile(r"^([a-z0-9-]+)\.(?:[a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?(?::\d+)?$")


class ServerError(AuditError):
    """A refusal of the server itself (status set per instance), answered in the modeled error format."""

    def __init__(self, status: int, code: str, message: str, **members: Any) -> None:
        super().__init__(message, **members)
        self.status = status
        self.code = code


# -- the clock ------------------------------------------------------------------------------------


class ServerClock:
    """The fake's clock in server mode: real time until moved, then time-machine travel (ticking)."""

    def __init__(self) -> None:
        self._travel: Any = None
        self._traveller: Any = None
        self._lock = threading.Lock()

    @property
    def travelling(self) -> bool:
        return self._travel is not None

    def set(self, destination: dt.datetime) -> None:
        with self._lock:
            if self._traveller is not None:
                self._traveller.move_to(destination)
            else:
                self._start(destination)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._traveller is not None:
                self._traveller.shift(seconds)
            else:
                self._start(_clock.now() + dt.timedelta(seconds=seconds))

    def reset(self) -> None:
        with self._lock:
            if self._travel is not None:
                self._travel.stop()
            self._travel = self._traveller = None

    def _start(self, destination: dt.datetime) -> None:
        try:
            import time_machine
        except ImportError:
            raise InvalidRequestException(
                "Moving the clock needs the time-machine package: pip install time-machine."
            ) from None
        travel = time_machine.travel(destination, tick=True)
        self._traveller = travel.start()
        self._travel = travel


# -- the WSGI application -------------------------------------------------------------------------


class ServerApplication:
    """The WSGI application of server mode (see the module docstring)."""

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.max_body_bytes = max_body_bytes
        self.clock = ServerClock()
        self._moto: WSGIApplication | None = None
        self._moto_lock = threading.Lock()

    @property
    def moto_app(self) -> WSGIApplication:
        """moto's own server application (created on first use: importing it loads Flask)."""
        with self._moto_lock:
            if self._moto is None:
                try:
                    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
                except ImportError:
                    raise ServerError(501, "NotImplementedException",
                                      "Only the audit API is served: moto's server needs flask and flask-cors "
                                      "(pip install flask flask-cors).") from None
                self._moto = DomainDispatcherApplication(create_backend_app)
            return self._moto

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("PATH_INFO", ""))
        try:
            response = self._respond(environ)
        except AuditError as error:
            response = _error(error)
        except Exception as error:  # never a traceback page: answer like AWS, keep the traceback in the log
            log.exception("iot_audit_fake server failed on %s %s", method, path)
            response = _error(InternalFailureException(f"Internal failure: {type(error).__name__}"))
        log.info("%s %s %s %.1fms", method, path, response.status_code, (time.perf_counter() - started) * 1000)
        return response(environ, start_response)

    def _respond(self, environ: WSGIEnvironment) -> Response:
        request = Request(environ)
        body = self._read_body(request)
        if request.path.startswith(CONTROL_PREFIX):
            with _state_lock:
                return self._control(request, body)
        url = _full_url(environ)
        with _state_lock:
            answer = dispatch(request.method, url, _HeaderView(request), body, any_host=True)
        if answer is not None:
            return _response(answer)
        if _touches_audited_state(request):
            with _state_lock:
                return self._to_moto(environ, body)
        return self._to_moto(environ, body)

    def _read_body(self, request: Request) -> bytes:
        length = request.content_length
        if length is not None and length > self.max_body_bytes:
            raise _too_large(self.max_body_bytes)
        stream = request.stream
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = stream.read(min(1 << 16, self.max_body_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > self.max_body_bytes:  # a chunked body with no Content-Length
                raise _too_large(self.max_body_bytes)
        return b"".join(chunks)

    def _to_moto(self, environ: WSGIEnvironment, body: bytes) -> Response:
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        app_iter, status, headers = run_wsgi_app(self.moto_app, environ, buffered=True)
        try:
            content = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        response = Response(content, status=status)
        response.headers = headers  # moto's, as they are (a HEAD answer's Content-Length is the resource's)
        headers.remove("Transfer-Encoding")
        if environ.get("REQUEST_METHOD") != "HEAD":
            headers["Content-Length"] = str(len(content))
        return response

    # -- control endpoints ------------------------------------------------------------------------

    def _control(self, request: Request, body: bytes) -> Response:
        name = request.path[len(CONTROL_PREFIX):].strip("/")
        handlers: dict[tuple[str, str], Callable[[Request, bytes], Response]] = {
            ("POST", "reset"): self._reset,
            ("POST", "scenario"): self._load_scenario,
            ("GET", "scenario"): self._dump_scenario,
            ("POST", "clock"): self._set_clock,
            ("GET", "clock"): self._get_clock,
        }
        handler = handlers.get((request.method, name))
        if handler is None:
            allowed = sorted(method for method, known in handlers if known == name)
            if allowed:
                raise ServerError(405, "MethodNotAllowedException",
                                  f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}.")
            raise ServerError(404, "ResourceNotFoundException", f"No control endpoint {request.path}.")
        return handler(request, body)

    def _reset(self, request: Request, body: bytes) -> Response:
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        return _json(200, {"status": "ok"})

    def _load_scenario(self, request: Request, body: bytes) -> Response:
        try:
            from .scenario import ScenarioError, load_scenario
        except ImportError:
            raise ServerError(501, "NotImplementedException", "Scenarios are not available in this build.") from None
        scenario: str | Mapping[str, Any]
        if request.mimetype == "application/json":
            document = _json_document(body)
            if not isinstance(document, dict):
                raise InvalidRequestException("A scenario must be a JSON object at the top level.")
            scenario = document
        else:
            if not body.strip():
                raise InvalidRequestException("The request body is empty; a YAML or JSON scenario was expected.")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidRequestException("The request body is not UTF-8 text.") from None
            # Always text, never a file name on the server (load_scenario reads a one-line "x.yaml" as a path).
            scenario = text if text.endswith("\n") else text + "\n"
        try:
            load_scenario(scenario)
        except ScenarioError as error:
            messages = [str(message) for message in error.messages] or [str(error)]
            more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
            raise InvalidRequestException(f"The scenario is not valid: {messages[0]}{more}", errors=messages) from None
        return _json(200, {"status": "ok"})

    def _dump_scenario(self, request: Request, body: bytes) -> Response:
        try:
            from .scenario import dump_scenario
        except ImportError:
            raise ServerError(501, "NotImplementedException", "Scenarios are not available in this build.") from None
        document = dump_scenario()
        if _wants_yaml(request):
            from .scenario.dump import to_yaml

            text = to_yaml(document)
            return Response(text.encode(), status=200, headers=_base_headers("application/yaml"))
        return _json(200, document)

    def _set_clock(self, request: Request, body: bytes) -> Response:
        document = _json_document(body)
        if not isinstance(document, dict) or len(document) != 1 or not {"set", "advance", "reset"} >= set(document):
            raise InvalidRequestException(
                'The clock body must be exactly one of {"set": "<ISO-8601 instant>"}, {"advance": <seconds>}'
                ' or {"reset": true}.'
            )
        (key, value), = document.items()
        if key == "set":
            if not isinstance(value, str):
                raise InvalidRequestException('"set" must be an ISO-8601 instant, e.g. "2026-03-01T00:00:00Z".')
            self.clock.set(_parse_instant(value))
        elif key == "advance":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidRequestException('"advance" must be a number of seconds.')
            self.clock.advance(float(value))
        else:
            if value is not True:
                raise InvalidRequestException('"reset" must be true.')
            self.clock.reset()
        return self._get_clock(request, body)

    def _get_clock(self, request: Request, body: bytes) -> Response:
        return _json(200, {"now": _iso(_clock.now()), "travelling": self.clock.travelling})


# -- helpers --------------------------------------------------------------------------------------


class _HeaderView(Mapping[str, str]):
    """The request's headers as the case-insensitive mapping the router reads."""

    def __init__(self, request: Request) -> None:
        self._headers = request.headers

    def __getitem__(self, name: str) -> str:
        value = self._headers.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter([key for key, _ in self._headers.items()])

    def __len__(self) -> int:
        return len(self._headers)


def _touches_audited_state(request: Request) -> bool:
    """Whether moto's answer to ``request`` reads or changes state the audit also uses."""
    if request.path.startswith("/moto-api/"):
        return True
    scope = _SCOPE_SERVICE.search(request.headers.get("Authorization", ""))
    if scope is not None:
        return scope.group(1).lower() in AUDITED_SERVICES
    host = _HOST_SERVICE.match(request.host.lower())
    return host is not None and host.group(1) in AUDITED_SERVICES


def _full_url(environ: WSGIEnvironment) -> str:
    """The URL as the client sent it: the raw request target (still percent-encoded) on the Host."""
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not target:
        from urllib.parse import quote

        target = quote(environ.get("PATH_INFO", "")) + (
            f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""
        )
    if "://" in target:  # an absolute-form request target (through a proxy)
        return str(target)
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{target}"


def _base_headers(content_type: str = "application/json") -> dict[str, str]:

    return {"Content-Type": content_type, "x-amzn-RequestId": ids.uuid_like()}


def _response(answer: router.Response) -> Response:
    status, headers, body = answer
    return Response(body, status=status, headers=headers)


def _json(status: int, document: Any) -> Response:
    return Response(json.dumps(document, default=_json_default).encode(), status=status, headers=_base_headers())


def _error(error: AuditError) -> Response:
    if isinstance(error, ServerError):
        headers = _base_headers()
        headers["x-amzn-ErrorType"] = f"{error.code}:"
        document = {"__type": error.code, "message": error.message, **error.members}
        response = Response(json.dumps(document).encode(), status=error.status, headers=headers)
        if error.status == 413:
            response.headers["Connection"] = "close"
        return response
    return _response(router.error_response(error))


def _too_large(limit: int) -> ServerError:
    return ServerError(413, "RequestEntityTooLargeException",
                       f"The request body is larger than the server's limit of {limit} bytes.")


def _json_document(body: bytes) -> Any:
    if not body.strip():
        raise InvalidRequestException("The request body is empty; a JSON document was expected.")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequestException(f"The request body is not valid JSON: {error}") from None


def _wants_yaml(request: Request) -> bool:
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in _YAML_TYPES)


def _parse_instant(value: str) -> dt.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequestException(f'"set" is not an ISO-8601 instant: {value!r}.') from None
    return _clock.aware(instant)


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _iso(_clock.aware(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _plain(value: Any) -> Any:
    """``value`` with only the types ``yaml.safe_dump`` writes."""
    return json.loads(json.dumps(value, default=_json_default))


# -- the threaded server --------------------------------------------------------------------------


class _RequestHandler(WSGIRequestHandler):
    """moto's request handler (keeps underscored header names), without werkzeug's own access log:
    the application logs one line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _handler_class() -> type[WSGIRequestHandler]:
    try:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
    except ImportError:  # moto's server extras (Flask) missing: the audit API still works
        return _RequestHandler

    class Handler(MotoRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    return Handler


class ThreadedServer:
    """The fake over HTTP on a werkzeug server in a daemon thread.

    ``port=0`` picks a free port; :attr:`endpoint_url` is the address to give an SDK or the
    AWS CLI. ``scenario`` (a path, mapping or YAML text) is loaded before the first request.
    Usable as a context manager; :meth:`stop` shuts the server down and stops the mock
    (which clears the state, as the end of any outermost mock does).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, scenario: Any = None,
                 *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.host = host
        self.requested_port = port
        self.scenario = scenario
        self.app = ServerApplication(max_body_bytes)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._mock: IoTAuditMock | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The server is not running; call start() first.")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ThreadedServer:
        if self._server is not None:
            raise RuntimeError("The server is already running.")
        mock = mock_iot_audit()
        mock.start()
        try:
            if self.scenario is not None:
                from .scenario import load_scenario

                load_scenario(self.scenario)
            server = make_server(self.host, self.requested_port, self.app, threaded=True,
                                 request_handler=_handler_class())
        except BaseException:
            mock.stop()
            raise
        self._mock, self._server = mock, server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"iot-audit-fake-server:{self.port}", daemon=True)
        self._thread.start()
        log.info("iot_audit_fake server listening on %s", self.endpoint_url)
        return self

    def stop(self) -> None:
        server, thread, mock = self._server, self._thread, self._mock
        if server is None:
            return
        self._server = self._thread = self._mock = None
        try:
            server.shutdown()
            if thread is not None:
                thread.join(timeout=10)
            server.server_close()
        finally:
            self.app.clock.reset()
            if mock is not None:
                mock.stop()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
