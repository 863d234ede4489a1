"""Building the server's HTTP answers: JSON documents, AWS-shaped errors, the request as the router reads it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .. import clock as _clock
from .. import ids
from ..errors import AuditError
from ..wire import router

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_XML_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")


def base_headers(content_type: str = "application/json") -> dict[str, str]:
    return {"Content-Type": content_type, "x-amzn-RequestId": ids.uuid_like()}


def from_answer(answer: router.Response) -> Response:
    status, headers, body = answer
    return Response(body, status=status, headers=headers)


def json_response(status: int, document: Any) -> Response:
    return Response(json.dumps(document, default=json_default).encode(), status=status, headers=base_headers())


def error_response(error: AuditError) -> Response:
    """The error in AWS's restJson1 shape; a 413 also closes the connection (the body was not read)."""
    response = from_answer(router.error_response(error))
    if response.status_code == 413:
        response.headers["Connection"] = "close"
    return response


def error_code(response: Response) -> str | None:
    """The error code of an error answer (the fake's, or moto's JSON or XML one), for the log."""
    if response.status_code < 400:
        return None
    header = response.headers.get("x-amzn-ErrorType")
    if header:
        return header.split(":", 1)[0]
    body = response.get_data()[:4096] if not response.is_streamed else b""
    found = _XML_CODE.search(body)
    if found:
        return found.group(1).decode("utf-8", "replace")
    try:
        document = json.loads(body)
    except ValueError:
        return None
    code = document.get("__type") if isinstance(document, dict) else None
    return code.rsplit("#", 1)[-1] if isinstance(code, str) else None


class HeaderView(Mapping[str, str]):
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


def full_url(environ: WSGIEnvironment) -> str:
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


def json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _clock.iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
