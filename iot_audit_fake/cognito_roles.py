"""Cognito identity pool roles (SetIdentityPoolRoles / GetIdentityPoolRoles), which moto does not serve.

The two Cognito checks read a pool's authenticated and unauthenticated roles, so
the fake serves these two operations of moto's cognito-identity service (awsJson
1.1, read and written with the same model-driven shape functions as the audit
API) and keeps the map on moto's own pool object, where the checks find it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import botocore.session

from .wire.router import account_of, header_value
from .wire.shapes import reader, writer

_MODEL = botocore.session.get_session().get_service_model("cognito-identity")
_TARGET = "AWSCognitoIdentityService."
_OPERATIONS = {name: _MODEL.operation_model(name) for name in ("SetIdentityPoolRoles", "GetIdentityPoolRoles")}
_HOST = re.compile(r"^https?://cognito-identity\.([a-z0-9-]+)\.amazonaws\.com")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/cognito-identity/")

Response = tuple[int, dict[str, str], bytes]


def _error(code: str, message: str) -> Response:
    body = {"__type": code, "message": message}
    return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, json.dumps(body).encode()


def handle(method: str, url: str, headers: Mapping[str, Any], body: Any, any_host: bool = False) -> Response | None:
    """Serve the two role operations; ``None`` for every other request (moto answers those)."""
    target = header_value(headers, "X-Amz-Target")
    if not target.startswith(_TARGET) or target[len(_TARGET):] not in _OPERATIONS:
        return None
    host = _HOST.match(url)
    scope = _SCOPE.search(header_value(headers, "Authorization"))
    if host is None and not (any_host and scope is not None):
        return None
    region = host.group(1) if host else scope.group(1) if scope else "us-east-1"
    op = _OPERATIONS[target[len(_TARGET):]]
    from .errors import InvalidRequestException

    try:
        params = reader(op.input_shape)(json.loads(body.read() if hasattr(body, "read") else body or b"{}"), "")
    except (ValueError, InvalidRequestException) as error:
        return _error("InvalidParameterException", getattr(error, "message", str(error)))
    from moto.cognitoidentity.models import cognitoidentity_backends

    pool = cognitoidentity_backends[account_of(headers)][region].identity_pools.get(params["IdentityPoolId"])
    if pool is None:
        return _error("ResourceNotFoundException", f"IdentityPool '{params['IdentityPoolId']}' not found.")
    if op.name == "SetIdentityPoolRoles":
        # moto's pool model has no such fields; the Cognito checks read them from here.
        pool.roles = dict(params["Roles"])  # type: ignore[attr-defined]
        pool.role_mappings = dict(params.get("RoleMappings") or {})  # type: ignore[attr-defined]
        return 200, {"Content-Type": "application/x-amz-json-1.1"}, b"{}"
    result = {"IdentityPoolId": pool.identity_pool_id, "Roles": getattr(pool, "roles", {}),
              "RoleMappings": getattr(pool, "role_mappings", {})}
    return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(writer(op.output_shape)(result)).encode()
