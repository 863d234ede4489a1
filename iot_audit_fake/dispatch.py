"""The fake's one entry point for a request, whatever carried it (botocore, ``requests``, the server).

It answers what the fake serves (the audit API and IoT logging options through
the restJson1 router, Cognito identity pool roles) and ``None`` for everything
else, which the caller hands to moto.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import cognito_roles
from .wire import router

Response = router.Response


def dispatch(method: str, url: str, headers: Mapping[str, Any], body: Any, any_host: bool = False) -> Response | None:
    """``any_host``: recognise requests by their SigV4 scope whatever host they name (server mode)."""
    answer = router.handle(method, url, headers, body, any_host)
    if answer is None:
        answer = cognito_roles.handle(method, url, headers, body, any_host)
    return answer
