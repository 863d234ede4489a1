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


def dispatch(method: str, url: str, headers: Mapping[str, Any], body: Any) -> Response | None:
    answer = router.handle(method, url, headers, body)
    if answer is None:
        answer = cognito_roles.handle(method, url, headers, body)
    return answer
