"""The dashboard's two HTTP endpoints, as handlers the server registers under its control prefix.

``GET /_iot_audit/``
    the page (query: ``account``, ``region``, ``task``, ``tasks_page``, ``findings_page``,
    ``suppressions_page``, ``mitigations_page``).
``GET /_iot_audit/dashboard/state``
    ``{"version": ..., "now": ...}``: what the page polls. ``version`` changes whenever
    anything the page shows changes; it is also the ETag, so ``If-None-Match`` gets a 304.

Both read the state under the lock API requests take, and only while gathering: the
HTML is rendered from the copied data after the lock is released. Neither changes
anything a client can see (the clock buttons post to the server's clock endpoint).
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import clock, entry
from ..clock import iso
from . import data
from .markup import when
from .page import content_security_policy, render


def state_lock() -> AbstractContextManager[Any]:
    """The lock every API request takes (:data:`iot_audit_fake.entry.LOCK`): the dashboard's one call site.

    It is re-entrant, so this holds whether or not the server already took it around
    its control endpoints.
    """
    return entry.LOCK


def page(request: Request, body: bytes = b"") -> Response:
    query = data.Query.from_args(request.args)
    with state_lock():
        snapshot = data.snapshot(query)
    response = Response(render(snapshot, query), status=200, content_type="text/html; charset=utf-8")
    response.headers.update(_headers())
    # Injected markup could not run script or style: only the page's own inline assets may.
    response.headers["Content-Security-Policy"] = content_security_policy()
    return response


def state(request: Request, body: bytes = b"") -> Response:
    with state_lock():
        version = data.version(data.places())
        now = clock.now()
    if version in request.if_none_match:
        response = Response(status=304)
    else:
        document = {"version": version, "now": iso(now), "nowText": when(now)}
        response = Response(json.dumps(document), status=200, content_type="application/json")
    response.headers.update(_headers())
    response.set_etag(version)
    return response


def _headers() -> dict[str, str]:
    return {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
