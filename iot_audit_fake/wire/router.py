"""The one restJson1 adapter: an HTTP request in, the backend called, an HTTP response out.

``handle`` is shared by every way a request arrives (botocore's ``before-send``
hook, ``requests`` through ``responses``, and the werkzeug server). On the IoT
control plane it also answers what no IoT operation is (an unknown path or method,
a region no partition has) with AWS's protocol-level errors (:mod:`.protocol`). It
answers ``None`` for anything else, so the caller can hand the request on to moto.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from moto.settings import allow_unknown_region

from ..accounts import account_of, credential_scope, region_of
from ..backend import AuditBackend, audit_backends
from ..errors import AuditError, InvalidRequestException
from ..replies import FinalReply
from .encoding import compact_encoder
from .protocol import InvalidSignatureException, ProtocolError, SerializationException, UnknownOperationException
from .routes import Operation, RouteTable, build_routes, error_status, model_operation, models_error

log = logging.getLogger("iot_audit_fake")

Response = tuple[int, dict[str, str], bytes]



@functools.cache
def _table() -> RouteTable:
    """The audit operations' routes, built from botocore's model on the first request (not at import)."""
    return RouteTable(build_routes())


def __getattr__(name: str) -> Any:
    # ``ROUTES`` and ``TABLE`` were module constants built at import; kept as names for callers outside.
    if name == "TABLE":
        return _table()
    if name == "ROUTES":
        return _table().routes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: ``urlsplit``, remembered for the URLs seen last: Python 3.10 recomputes it on every call (3.11 and
#: later cache it too), and a test calls the same few URLs again and again. A pure function of a string.
split_url = functools.lru_cache(maxsize=1024)(urlsplit)

_HOST = re.compile(r"^iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")
#: netloc -> the region its IoT host names, or None for another host; bounded, as hosts come from requests.
_HOST_REGIONS: dict[str, str | None] = {}
_HOST_CACHE_SIZE = 256

_ENCODE = compact_encoder()
_ENCODE_ERROR = compact_encoder(default=str)

#: Request ids: unique in this process (a counter that moto's reset does not restart) and between
#: processes (a random prefix), in the UUID layout AWS uses, without drawing a uuid4 per request.
_REQUEST_PREFIX = str(uuid.uuid4())[:24]
_requests = itertools.count(1)


def match(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The served operation that ``method`` and ``path`` call, with its path labels."""
    return _table().find(method, path)


def handle(method: str, url: str, headers: Mapping[str, str], body: Any, any_host: bool = False) -> Response | None:
    """Serve ``url`` if it is an audit operation on the IoT control plane, else ``None``.

    In-process, only requests to AWS's own IoT host are the fake's (a client pointed at
    another endpoint goes there, as with moto). The server is every client's endpoint,
    so with ``any_host`` a request signed for ``iot`` is recognised by its SigV4 scope.

    On the IoT control plane, a request naming no region of its partition, or a method and
    path that no IoT operation has, is answered here (AWS's protocol-level errors); an IoT
    operation the fake does not serve is left to moto (``None``).
    """
    parts = split_url(url)
    host_region = _HOST_REGIONS.get(parts.netloc, "")
    if host_region == "":
        host_region = _host_region(parts.netloc)
    scope = None  # read here only when the host names no region; account_of reads it when it needs it
    if host_region is None:
        if not any_host:
            return None
        scope = credential_scope(headers)
        if scope is None or scope.service != "iot":
            return None
    region = region_of(host_region, scope)
    account = account_of(headers, scope)
    found = _table().find(method, parts.path)
    # The common case, the account's backend for the region already made: two lookups, no lock.
    regions = dict.get(audit_backends, account)
    backend: AuditBackend | None = dict.get(regions, region) if regions is not None else None
    if backend is None or found is None:
        try:
            backends = _region_backends(account, region)
            if found is None:
                if model_operation(method, parts.path) is None:
                    raise UnknownOperationException(f"No IoT operation is {method} {parts.path}.")
                return None
        except AuditError as error:
            return error_response(error)
    op, labels = found
    try:
        params = _read(op, labels, parts.query, body)
        if backend is None:
            backend = backends[region]
        backend.catch_up()
        result = getattr(backend, op.method)(**params)
        if type(result) is FinalReply:  # written once: the same value, the same bytes
            if result.encoded is None:
                result.encoded = _body(op, result)
            return 200, _headers(), result.encoded
        return 200, _headers(), _body(op, result)
    except AuditError as error:
        return error_response(error)
    # Anything else is a bug in the fake: it propagates, and iot_audit_fake.entry turns it into FakeBug.


def _body(op: Operation, result: Any) -> bytes:
    payload = op.write_output(result or {}) if op.write_output else {}
    return _ENCODE(payload).encode()


def _host_region(netloc: str) -> str | None:
    """The region an IoT control-plane host names (a host name is case-insensitive), or None."""
    host = _HOST.match(netloc.lower())
    region = host.group(1) if host else None
    if len(_HOST_REGIONS) >= _HOST_CACHE_SIZE:
        _HOST_REGIONS.clear()
    _HOST_REGIONS[netloc] = region
    return region


def _region_backends(account: str, region: str) -> Any:
    """The account's audit backends, after checking that ``region`` is one of them (moto's list)."""
    backends = audit_backends[account]
    if region not in backends and not allow_unknown_region():
        raise InvalidSignatureException(f"Credential should be scoped to a valid region, not '{region}'.")
    return backends


def error_response(error: AuditError) -> Response:
    """AWS's restJson1 error: the code in ``x-amzn-ErrorType`` and ``__type``, the message, the shape's members."""
    headers = _headers()
    headers["x-amzn-ErrorType"] = f"{error.code}:"
    body = {"__type": error.code, "message": error.message, **error.members}
    status = error.status if isinstance(error, ProtocolError) else error_status(error.code)
    return status, headers, _ENCODE_ERROR(body).encode()


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": f"{_REQUEST_PREFIX}{next(_requests):012x}"}


def _read(op: Operation, labels: dict[str, str], query: str, body: Any) -> dict[str, Any]:
    """The backend method's keyword arguments from path, query and body, converted and validated.

    A refusal is the operation's InvalidRequestException, or a SerializationException for
    an operation that models none (GetV2LoggingOptions)."""
    try:
        return op.read_request(labels, query, body)
    except InvalidRequestException as error:
        if models_error(op.name, InvalidRequestException.code):
            raise
        raise SerializationException(error.message) from None

