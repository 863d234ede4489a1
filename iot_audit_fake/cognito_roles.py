"""Cognito identity pool roles over the wire (SetIdentityPoolRoles / GetIdentityPoolRoles), which moto does not serve.

The two Cognito checks read a pool's authenticated and unauthenticated roles, so
the fake serves these two operations of moto's cognito-identity service (awsJson
1.1, read and written with the same model-driven shape functions as the audit
API). The pool must exist in moto; the map itself is kept by
:mod:`.identity_pool_roles`, where the checks find it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.model import OperationModel

from . import identity_pool_roles, moto_backends
from .accounts import account_of, credential_scope, header_value, region_of
from .errors import InvalidRequestException
from .wire.json_body import read_json
from .wire.shapes import reader, writer

_TARGET = "AWSCognitoIdentityService."
_NAMES = ("SetIdentityPoolRoles", "GetIdentityPoolRoles")


@functools.cache
def _operations() -> dict[str, OperationModel]:
    """The two operations' models, parsed on the first Cognito request rather than at import."""
    cognito = botocore.session.get_session().get_service_model("cognito-identity")
    return {name: cognito.operation_model(name) for name in _NAMES}
_HOST = re.compile(r"^https?://cognito-identity\.([a-z0-9-]+)\.amazonaws\.com")
_CONTENT_TYPE = {"Content-Type": "application/x-amz-json-1.1"}

Response = tuple[int, dict[str, str], bytes]


def _error(code: str, message: str) -> Response:
    body = {"__type": code, "message": message}
    return 400, {**_CONTENT_TYPE, "x-amzn-ErrorType": code}, json.dumps(body).encode()


def handle(method: str, url: str, headers: Mapping[str, Any], body: Any, any_host: bool = False) -> Response | None:
    """Serve the two role operations; ``None`` for every other request (moto answers those)."""
    target = header_value(headers, "X-Amz-Target")
    if not target.startswith(_TARGET) or target[len(_TARGET):] not in _NAMES:
        return None
    host = _HOST.match(url)
    scope = credential_scope(headers)
    if scope is not None and scope.service != "cognito-identity":
        scope = None
    if host is None and not (any_host and scope is not None):
        return None
    region = region_of(host.group(1) if host else None, scope)
    account = account_of(headers, scope)
    op = _operations()[target[len(_TARGET):]]
    try:
        params = reader(op.input_shape)(read_json(body.read() if hasattr(body, "read") else body or b"{}",
                                                  InvalidRequestException), "")
    except (ValueError, InvalidRequestException) as error:
        return _error("InvalidParameterException", getattr(error, "message", str(error)))
    pool_id = params["IdentityPoolId"]
    if pool_id not in moto_backends.cognito_identity(account, region).identity_pools:
        return _error("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
    if op.name == "SetIdentityPoolRoles":
        identity_pool_roles.set_roles(account, region, pool_id, params["Roles"], params.get("RoleMappings") or {})
        return 200, dict(_CONTENT_TYPE), b"{}"
    held = identity_pool_roles.roles_of(account, region, pool_id)
    result = {"IdentityPoolId": pool_id, "Roles": held.roles, "RoleMappings": held.role_mappings}
    return 200, dict(_CONTENT_TYPE), json.dumps(writer(op.output_shape)(result)).encode()
