"""The one restJson1 adapter: an HTTP request in, the backend called, an HTTP response out.

``handle`` is shared by every way a request arrives (botocore's ``before-send``
hook, ``requests`` through ``responses``, and the werkzeug server). It answers
``None`` for anything that is not an audit operation, so the caller can hand
the request on to moto.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from

from .. import ids
from ..backend import audit_backends
from ..errors import AuditError, InternalFailureException, InvalidRequestException
from .routes import Operation, build_routes, error_status

log = logging.getLogger("iot_audit_fake")

Response = tuple[int, dict[str, str], bytes]

ROUTES = build_routes()
_HOST = re.compile(r"^iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/")
DEFAULT_REGION = "us-east-1"


def match(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    for op in ROUTES.get(method, ()):
        found = op.pattern.match(path)
        if found:
            return op, found.groupdict()
    return None


def handle(method: str, url: str, headers: Mapping[str, str], body: Any, any_host: bool = False) -> Response | None:
    """Serve ``url`` if it is an audit operation on the IoT control plane, else ``None``.

    In-process, only requests to AWS's own IoT host are the fake's (a client pointed at
    another endpoint goes there, as with moto). The server is every client's endpoint,
    so with ``any_host`` a request signed for ``iot`` is recognised by its SigV4 scope.
    """
    parts = urlsplit(url)
    host = _HOST.match(parts.netloc)
    if host is None and not any_host:
        return None
    found = match(method, parts.path)
    if found is None:
        return None
    scope = _SCOPE.search(header_value(headers, "Authorization"))
    if host is None and (scope is None or scope.group(3) != "iot"):
        return None
    op, labels = found
    region = host.group(1) if host else scope.group(2) if scope else DEFAULT_REGION
    account = account_of(headers, scope)
    try:
        params = _read(op, labels, parts.query, body)
        backend = audit_backends[account][region]
        backend.refresh()
        result = getattr(backend, op.method)(**params)
        payload = op.write_output(result or {}) if op.write_output else {}
        return 200, _headers(), json.dumps(payload).encode()
    except AuditError as error:
        return error_response(error)
    except Exception as error:  # a bug in the fake: answer like AWS would, keep the traceback in the log
        log.exception("iot_audit_fake failed on %s %s", method, url)
        return error_response(InternalFailureException(f"Internal failure: {type(error).__name__}"))


def error_response(error: AuditError) -> Response:
    headers = _headers()
    headers["x-amzn-ErrorType"] = f"{error.code}:"
    body = {"__type": error.code, "message": error.message, **error.members}
    return error_status(error.code), headers, json.dumps(body).encode()


def header_value(headers: Mapping[str, Any], name: str) -> str:
    value = headers.get(name) or ""
    return value.decode() if isinstance(value, bytes) else str(value)


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": ids.uuid_like()}


def default_account() -> str:
    """The account moto files a request under when it names none: MOTO_ACCOUNT_ID or moto's default."""
    return os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID


def account_of(headers: Mapping[str, Any], scope: re.Match[str] | None = None) -> str:
    """The account moto would pick: MOTO_ACCOUNT_ID, then x-moto-account-id, then the access key
    (from the SigV4 ``scope`` when the caller has already matched it)."""
    env = os.environ.get("MOTO_ACCOUNT_ID")
    if env:
        return env
    explicit = header_value(headers, "x-moto-account-id")
    if explicit:
        return explicit
    scope = scope or _SCOPE.search(header_value(headers, "Authorization"))
    return get_account_id_from(scope.group(1)) if scope else DEFAULT_ACCOUNT_ID


def _read(op: Operation, labels: dict[str, str], query: str, body: Any) -> dict[str, Any]:
    """Gather the input members from path, query and body, then convert and validate them."""
    raw: dict[str, Any] = {}
    document: dict[str, Any] | None = None
    multi = parse_qs(query, keep_blank_values=True) if query else {}
    for name, (location, wire_name, _) in op.members.items():
        if location == "uri":
            if wire_name in labels:
                raw[name] = unquote(labels[wire_name])
        elif location == "querystring":
            if wire_name in multi:
                values = multi[wire_name]
                is_list = op.model.input_shape.members[name].type_name == "list"  # type: ignore[union-attr]
                raw[name] = values if is_list else values[0]
        elif location is None:
            if document is None:
                document = _json_body(body)
            if name == op.payload:
                raw[name] = document
            elif name in document:
                raw[name] = document[name]
    values = op.read_input(raw, "")
    keywords = {name: keyword for name, (_, _, keyword) in op.members.items()}
    return {keywords[name]: value for name, value in values.items()}


def _json_body(body: Any) -> dict[str, Any]:
    if hasattr(body, "read"):
        body = body.read()
    if not body:
        return {}
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestException("The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise InvalidRequestException("The request body must be a JSON object.")
    return document
