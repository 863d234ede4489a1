"""Server mode: the fake, moto behind it, over HTTP for any SDK or the AWS CLI.

:class:`ServerApplication` (``app.py``) is a WSGI application. Per request it reads
the body (refusing one over :data:`MAX_BODY_BYTES` with 413, unread), answers the
``/_iot_audit/...`` control endpoints (``control.py``), serves the audit API, and
hands everything else to moto's own server application (``moto_gateway.py``), so the
rest of IoT, IAM, Cognito Identity, SNS, SQS, ... and moto's ``/moto-api/`` keep
working on the same endpoint. What the fake serves goes through
:func:`iot_audit_fake.dispatch.dispatch` (the audit API, and the few operations of
other services it serves because moto does not), exactly as in-process. An IoT
request is recognised by its host (``iot.<region>.amazonaws.com``) or by its SigV4
credential scope; the region comes from the same place, the account the way moto
decides it.

The state is moto's backends in this process: the server runs
:func:`~iot_audit_fake.mock.mock_iot_audit` for its lifetime, exactly the state the
in-process API uses. The clock (``clock.py``) is real time until a control request
moves it. :class:`ThreadedServer` (``threaded.py``) runs the application on a
werkzeug server in a daemon thread, keeping HTTP/1.1 connections open between requests
(``handler.py``). The control endpoints, the errors and the log are described in
docs/server.md.
"""

from __future__ import annotations

from ..wire.protocol import StatusError
from .app import MAX_BODY_BYTES, ServerApplication
from .clock import ServerClock
from .control import CONTROL_PREFIX, ControlCall, json_endpoint, register
from .threaded import ThreadedServer

#: The server's own refusals (status set per instance); the name it had before the split.
ServerError = StatusError

__all__ = [
    "CONTROL_PREFIX",
    "MAX_BODY_BYTES",
    "ControlCall",
    "ServerApplication",
    "ServerClock",
    "ServerError",
    "ThreadedServer",
    "json_endpoint",
    "register",
]
