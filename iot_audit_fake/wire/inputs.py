"""Per-operation request readers, built once from botocore's model: path, query and body in, keywords out.

A reader takes the path labels, the query string and the body of a request and gives the
keyword arguments of the backend method, each member converted and validated by its shape's
reader (:mod:`.shapes`). Which members sit where (path label, query string, JSON body), their
keywords and their readers are worked out when the reader is built, not on every call.

The answers are those of reading the gathered members as one input structure: a malformed
body is refused before any member is checked, members are checked in the model's order, then
the required ones are checked for presence (a JSON ``null`` counts as absent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from botocore import xform_name
from botocore.model import Shape

from ..errors import InvalidRequestException
from .json_body import read_json
from .shapes import Reader, _fail, reader

#: (path labels, query string, body) -> the backend method's keyword arguments.
RequestReader = Callable[[Mapping[str, str], str, Any], dict[str, Any]]

_URI, _QUERY, _BODY, _PAYLOAD = range(4)


def request_reader(shape: Shape | None) -> RequestReader:
    """The reader of requests whose input is ``shape`` (None: the operation takes no input)."""
    if shape is None or not shape.members:
        return _no_input
    payload = shape.serialization.get("payload")
    # (where, wire name, member name, keyword, reader, is a list)
    plan: list[tuple[int, str, str, str, Reader, bool]] = []
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "uri":
            where = _URI
        elif location == "querystring":
            where = _QUERY
        elif location is None:
            where = _PAYLOAD if name == payload else _BODY
        else:  # headers: no audit operation has one, and the fake reads none
            continue
        wire = member.serialization.get("name", name)
        plan.append((where, wire, name, xform_name(name), reader(member), member.type_name == "list"))
    steps = tuple(plan)
    required = tuple((name, xform_name(name)) for name in shape.required_members)
    reads_query = any(step[0] == _QUERY for step in steps)
    reads_body = any(step[0] in (_BODY, _PAYLOAD) for step in steps)

    def read_request(labels: Mapping[str, str], query: str, body: Any) -> dict[str, Any]:
        document = json_body(body) if reads_body else {}
        multi = parse_qs(query, keep_blank_values=True) if reads_query and query else {}
        out: dict[str, Any] = {}
        for where, wire, name, keyword, read, is_list in steps:
            if where == _URI:
                if wire not in labels:
                    continue
                value: Any = unquote(labels[wire])
            elif where == _QUERY:
                if wire not in multi:
                    continue
                values = multi[wire]
                value = values if is_list else values[0]
            elif where == _BODY:
                value = document.get(name)
            else:
                value = document
            if value is not None:
                out[keyword] = read(value, name)
        for name, keyword in required:
            if keyword not in out:
                raise _fail(name, "null", "Member must not be null")
        return out

    return read_request


def _no_input(labels: Mapping[str, str], query: str, body: Any) -> dict[str, Any]:
    return {}


def json_body(body: Any) -> dict[str, Any]:
    """The request body as a JSON object ({} for none), or InvalidRequestException."""
    if hasattr(body, "read"):
        body = body.read()
    if not body:
        return {}
    document = read_json(body, InvalidRequestException)
    if not isinstance(document, dict):
        raise InvalidRequestException("The request body must be a JSON object.")
    return document
