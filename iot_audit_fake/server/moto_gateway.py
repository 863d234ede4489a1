"""Handing a request to moto's own server application, and the answers moto cannot give itself.

moto's dispatcher picks a service from the SigV4 scope (or a few unsigned clues), falls back
to S3 when it finds none, and raises when a scope names a service it does not know or an
operation it has not implemented. Here, before moto sees the request:

- a request that names no service (unsigned, no S3 query-string signature, no AWS host) is
  answered 403 ``MissingAuthenticationTokenException``, AWS's answer to an unsigned request;
- a malformed SigV4 header, or a scope naming a region no partition has or a service moto
  does not serve, is 403 ``InvalidSignatureException`` (moto would fail on it);

and after: moto's ``NotImplementedError`` is 501 ``NotImplementedException`` naming the
operation, which SDKs do not retry (they retry 500, 502, 503 and 504), and Flask's HTML
page for a path no moto route has is 404 ``UnknownOperationException`` in JSON.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from typing import TYPE_CHECKING, Any, cast

from moto.settings import allow_unknown_region
from werkzeug.test import run_wsgi_app
from werkzeug.wrappers import Response

from ..wire.protocol import InvalidSignatureException, StatusError, UnknownOperationException
from ..wire.routes import model_operation

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_NOT_IMPLEMENTED = re.compile(r"The (\w+) action has not been implemented")
_SIGV2_OR_PRESIGNED = re.compile(r"(?:^|&)(?:X-Amz-Credential|AWSAccessKeyId|Signature)=", re.IGNORECASE)
_SIGV4_SCOPE = re.compile(r"^AWS4-HMAC-SHA256 Credential=[^/,\s]+/\d{8}/([^/,\s]+)/[^/,\s]+/aws4_request,")
_IOT_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/iot/")
#: The environ key under which :meth:`MotoGateway.call` hands moto's dispatcher the host it worked out.
_SERVICE_HOST = "iot_audit_fake.service_host"
#: How many hosts' backends the dispatcher remembers.
_REMEMBERED_HOSTS = 1024


class MotoGateway:
    """moto's server application (created on first use: importing it loads Flask)."""

    def __init__(self) -> None:
        self._dispatcher: Any = None
        self._lock = threading.Lock()

    @property
    def dispatcher(self) -> Any:
        with self._lock:
            if self._dispatcher is None:
                self._dispatcher = _host_aware_dispatcher()
            return self._dispatcher

    def call(self, environ: WSGIEnvironment, body: bytes) -> Response:
        """moto's answer to the request, as it is; refused first as :meth:`_service_host` says, and
        501 for an operation moto has not implemented."""
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        dispatcher = self.dispatcher
        # Worked out once here, and handed to moto's dispatcher so that it does not work it out again.
        environ[_SERVICE_HOST] = self._service_host(dispatcher, environ, body)
        environ["wsgi.input"] = io.BytesIO(body)  # moto's inference may have read it
        try:
            app_iter, status, headers = run_wsgi_app(dispatcher, environ, buffered=True)
        except NotImplementedError as error:
            raise _not_implemented(environ, error) from None
        try:
            content = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        if status.startswith(("404", "405")) and headers.get("Content-Type", "").startswith("text/html"):
            # Flask's page for a path or method no moto route has: AWS answers such a request in JSON
            raise UnknownOperationException(f"No operation is {environ.get('REQUEST_METHOD')} "
                                            f"{environ.get('PATH_INFO')} for this service.")
        response = Response(content, status=status)
        response.headers = headers  # moto's, as they are (a HEAD answer's Content-Length is the resource's)
        headers.remove("Transfer-Encoding")
        if environ.get("REQUEST_METHOD") != "HEAD":
            headers["Content-Length"] = str(len(content))
        return response

    @staticmethod
    def _service_host(dispatcher: Any, environ: dict[str, Any], body: bytes) -> str | None:
        """The host moto's dispatcher picks the service by (None: moto's own paths, or its S3 fallback).

        Refuses a request moto would hand to its S3 fallback for want of a service, or one whose
        SigV4 scope names a region no partition has or a service moto does not serve."""
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(("/moto-api", "/latest/meta-data/", "/latest/api/")) or path == "/favicon.ico":
            return None  # moto's dispatcher answers these by their path, before any inference
        authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
        scope = _SIGV4_SCOPE.search(authorization)
        if authorization.startswith("AWS4-") and scope is None:
            raise InvalidSignatureException("The Authorization header's Credential is not "
                                            "<key>/<date>/<region>/<service>/aws4_request.")
        try:
            host: str | None = dispatcher.infer_service_region_host(environ, path)
        except (ValueError, IndexError, KeyError):  # moto's parsing of a malformed header: no service named
            host = None
        if scope is not None and scope.group(1) not in _known_regions() and not allow_unknown_region():
            raise InvalidSignatureException(f"Credential should be scoped to a valid region, not '{scope.group(1)}'.")
        if host is not None:
            service = dispatcher.get_backend_for_host(host)
            if service is None:
                raise InvalidSignatureException(f"Credential should be scoped to a service moto serves; "
                                                f"no service answers at {host}.")
            if scope is not None and not _offered_in(str(service), scope.group(1)):
                raise InvalidSignatureException(f"Credential should be scoped to a region where {service} is "
                                                f"offered, not '{scope.group(1)}'.")
            return host
        if authorization.startswith("AWS ") or _SIGV2_OR_PRESIGNED.search(str(environ.get("QUERY_STRING", ""))):
            return None  # S3's SigV2 header or a presigned URL: moto's S3 fallback is the right service
        if authorization:
            raise InvalidSignatureException("The Authorization header is not a SigV4 signature naming a service.")
        raise StatusError(403, "MissingAuthenticationTokenException",
                          "Missing Authentication Token: the request names no AWS service "
                          "(sign it, or send it to the service's host name).")


@functools.cache
def _known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows."""
    import botocore.session

    endpoints = botocore.session.get_session().get_data("endpoints")
    return frozenset(region for partition in endpoints["partitions"] for region in partition["regions"])


def _offered_in(service: str, region: str) -> bool:
    """Whether moto's backend of ``service`` serves ``region``: moto holds a service's regions as
    botocore lists them (IoT is in no Chinese region but one, Cognito Identity in not every
    one), and fails on a request scoped to another with a KeyError, a 500. A global service
    (its backends are per partition: IAM, ...) serves every region; so does every service when
    moto is told to allow unknown regions."""
    regions = _service_regions(service)
    return regions is None or region in regions or allow_unknown_region()


@functools.cache
def _service_regions(service: str) -> frozenset[str] | None:
    """The regions moto's backend of ``service`` serves (None: any, for a global or unknown service)."""
    from moto.backends import get_backend
    from moto.core.base_backend import BackendDict
    from moto.utilities.utils import PARTITION_NAMES

    try:
        backends = get_backend(service)  # type: ignore[call-overload]
    except (ModuleNotFoundError, KeyError, ValueError):  # moto_api and the like: no regional backend
        return None
    if not isinstance(backends, BackendDict):
        return None
    regions = frozenset(backends[_any_account()].regions)
    return None if regions <= {*PARTITION_NAMES, "global"} else regions


def _any_account() -> str:
    from moto.core.models import DEFAULT_ACCOUNT_ID

    return str(DEFAULT_ACCOUNT_ID)


def _not_implemented(environ: WSGIEnvironment, error: NotImplementedError) -> StatusError:
    method, path = str(environ.get("REQUEST_METHOD", "")), str(environ.get("PATH_INFO", ""))
    operation = None
    if _IOT_SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", ""))) or \
            str(environ.get("HTTP_HOST", "")).startswith("iot."):
        operation = model_operation(method, path)
    if operation is None:
        found = _NOT_IMPLEMENTED.search(str(error))
        operation = "".join(part.title() for part in found.group(1).split("_")) if found else f"{method} {path}"
    return StatusError(501, "NotImplementedException",
                       f"{operation} is not implemented by iot-audit-fake or moto; it is not retried.",
                       operation=operation)


def _host_aware_dispatcher() -> Any:
    """moto's dispatcher, also recognising a service by an AWS host name in the Host header (moto's
    server goes by the signature only, so an unsigned request to ``iot.<region>.amazonaws.com`` would
    reach its S3 fallback), taking the host :meth:`MotoGateway.call` worked out, and remembering
    which backend answers at a host."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class HostAwareDispatcher(DomainDispatcherApplication):  # type: ignore[misc,unused-ignore]
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backends: dict[str, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            # moto looks a host up by listing its package directory (a stat per service, ~360 per
            # call) and then trying every service's URL patterns; the answer depends on the host
            # only, so it is kept (for a bounded number of hosts: they come from the clients).
            if host is None:
                return None
            try:
                return self._backends[host]
            except KeyError:
                pass
            backend = super().get_backend_for_host(host)
            if len(self._backends) < _REMEMBERED_HOSTS:
                self._backends[host] = backend
            return backend

        def infer_service_region_host(self, environ: dict[str, Any], path: str) -> str | None:
            if _SERVICE_HOST in environ:
                return cast("str | None", environ[_SERVICE_HOST])
            host: str | None = super().infer_service_region_host(environ, path)
            if host is None:
                named = str(environ.get("HTTP_HOST", "")).lower()
                if named.endswith((".amazonaws.com", ".amazonaws.com.cn")) or ".amazonaws.com:" in named:
                    return named.rsplit(":", 1)[0] if self.get_backend_for_host(named) is not None else None
            return host

    return HostAwareDispatcher()
