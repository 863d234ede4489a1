"""Seeded requests for the fuzz test (tests/test_fuzz.py), derived from botocore's IoT model.

Each :class:`FuzzRequest` is one raw HTTP request to the IoT control plane with the error
codes its answer may carry: those its operation models, plus the protocol-level ones.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from botocore.model import Shape

from iot_audit_fake.wire.protocol import PROTOCOL_ERROR_CODES
from iot_audit_fake.wire.router import ROUTES
from iot_audit_fake.wire.routes import SERVICE_MODEL, Operation, model_operation
from iot_audit_fake.wire.shapes import _compile_pattern

#: Protocol-level codes: the router's, and the server's answer to a request naming no service.
PROTOCOL = PROTOCOL_ERROR_CODES | {"MissingAuthenticationTokenException"}
REGION = "eu-west-1"
AUDIT_OPERATIONS = [op for ops in ROUTES.values() for op in ops]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_CANDIDATES = ("a", "abc-123", "a3aea009955e501a31b764abe1bebd3d", "arn:aws:iam::123456789012:role/Audit",
               "arn:aws:sns:eu-west-1:123456789012:topic", "thing_1", "2026-03-01T00:00:00Z", "1")
_ABSURD: tuple[Any, ...] = (10**30, -1, 0, 1e400, -1e400, 2**63, 1.5, "", "x" * 5000, "\u0000\U0001f600", True, None,
           [], {}, [[[]]], {"a": {"b": {}}})
_RAW_BODIES = (b"{bad", b"[1, 2", b"\xff\xfe", b"null", b"[]", b'"text"', b'{"a": NaN}', b'{"a": Infinity}',
               b"[" * 5000, b'{"a":' * 3000, b"{" * 70 + b"}" * 70, b"1e400", b"{}" * 3)


@dataclass(frozen=True)
class FuzzRequest:
    method: str
    path: str  # with the query string
    body: bytes
    headers: dict[str, str]
    allowed: frozenset[str]
    what: str


def requests(seed: int, count: int) -> Iterator[FuzzRequest]:
    """``count`` requests, the same ones for the same seed."""
    rng = random.Random(seed)
    kinds = (_valid, _valid, _mutated, _mutated, _mutated, _raw_body, _near_miss_path, _wrong_method,
             _bad_target)
    for _ in range(count):
        yield rng.choice(kinds)(rng, rng.choice(AUDIT_OPERATIONS))


# -- values from shapes -----------------------------------------------------------------------------


def value(rng: random.Random, shape: Shape, depth: int = 0) -> Any:
    """A value the shape accepts, most of the time (patterns are met from a few candidates)."""
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        members = shape.members
        names = set(shape.required_members) | {n for n in members if rng.random() < 0.5 and depth < 4}
        return {name: value(rng, members[name], depth + 1) for name in names}
    if kind == "list":
        return [value(rng, shape.member, depth + 1) for _ in range(rng.randint(meta.get("min", 0), 2))]
    if kind == "map":
        return {value(rng, shape.key, depth + 1): value(rng, shape.value, depth + 1)
                for _ in range(rng.randint(meta.get("min", 0), 2))}
    if kind == "string":
        if shape.enum:
            return rng.choice(shape.enum)
        pattern = _compile_pattern(meta["pattern"]) if "pattern" in meta else None
        fitting = [c for c in _CANDIDATES if pattern is None or pattern.fullmatch(c)]
        text = rng.choice(fitting) if fitting else "a"
        return text.ljust(meta.get("min", 0), "a")[: meta.get("max", 10_000)]
    if kind in ("integer", "long"):
        return rng.randint(int(meta.get("min", 0)), int(min(meta.get("max", 1000), 1000)))
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "timestamp":
        return rng.choice((1_700_000_000, 1_700_000_000.5, "2026-03-01T00:00:00Z", 0, "9998-12-31T23:59:59Z"))
    return "x"


def _mutate(rng: random.Random, params: dict[str, Any], op: Operation) -> dict[str, Any]:
    params = dict(params)
    names = list(op.members) or ["unknownMember"]
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.15 and params:
            params.pop(rng.choice(list(params)))  # a required member may go
        elif choice < 0.25:
            params[rng.choice(("junk", "__type", "ROLEARN"))] = rng.choice(_ABSURD)
        else:
            params[rng.choice(names)] = rng.choice(_ABSURD)
    return params


# -- requests -------------------------------------------------------------------------------------


def _build(op: Operation, params: dict[str, Any], method: str | None = None) -> tuple[str, str, bytes]:
    path = op.model.http["requestUri"].split("?", 1)[0]
    query: list[tuple[str, str]] = []
    body: dict[str, Any] = {}
    for name, item in params.items():
        location, wire, _ = op.members.get(name, (None, name, name))
        text = item if isinstance(item, str) else json.dumps(item)
        if location == "uri":
            path = path.replace("{" + wire + "}", quote(text, safe="") or "%20")
        elif location == "querystring":
            for entry in item if isinstance(item, list) else [item]:
                query.append((wire, entry if isinstance(entry, str) else json.dumps(entry)))
        else:
            body[name] = item
    for label in op.members.values():  # a label left unfilled: a required one was dropped
        path = path.replace("{" + label[1] + "}", "x")
    target = path + ("?" + urlencode(query) if query else "")
    return method or op.model.http["method"], target, json.dumps(body).encode() if body else b""


def _allowed(method: str, path: str) -> frozenset[str]:
    name = model_operation(method, path.split("?", 1)[0])
    modeled = {s.name for s in SERVICE_MODEL.operation_model(name).error_shapes} if name else set()
    return frozenset(modeled | PROTOCOL)


def _request(method: str, target: str, body: bytes, what: str, headers: dict[str, str] | None = None) -> FuzzRequest:
    return FuzzRequest(method, target, body, dict(headers or {}), _allowed(method, target), what)


def _valid(rng: random.Random, op: Operation) -> FuzzRequest:
    params = value(rng, op.model.input_shape) if op.model.input_shape is not None else {}
    return _request(*_build(op, params), what=f"valid {op.name}")


def _mutated(rng: random.Random, op: Operation) -> FuzzRequest:
    params = value(rng, op.model.input_shape) if op.model.input_shape is not None else {}
    return _request(*_build(op, _mutate(rng, params, op)), what=f"mutated {op.name}")


def _raw_body(rng: random.Random, op: Operation) -> FuzzRequest:
    method, target, _ = _build(op, {})
    return _request(method, target, rng.choice(_RAW_BODIES), what=f"raw body {op.name}",
                    headers={"Content-Type": "application/json"})


def _near_miss_path(rng: random.Random, op: Operation) -> FuzzRequest:
    method, target, body = _build(op, value(rng, op.model.input_shape) if op.model.input_shape else {})
    path, _, query = target.partition("?")
    mutated = rng.choice((path + "/", path + "/x", path.upper(), "//".join(path.rsplit("/", 1)), path[:-1],
                          "/audit/" + "x" * rng.randint(1, 9), path + "%2F", path + "/..", ""))
    mutated = "/" + mutated.lstrip("/")  # Python's HTTP server collapses leading slashes (open-redirect guard)
    if model_operation(method, mutated) not in (None, op.name):  # another (moto) operation: not a miss
        mutated = path + "/x/y/z"
    return _request(method, mutated + ("?" + query if query else ""), body, what=f"near-miss path {op.name}")


def _wrong_method(rng: random.Random, op: Operation) -> FuzzRequest:
    method, target, body = _build(op, {})
    path = target.split("?", 1)[0]
    wrong = [m for m in METHODS if m != method and model_operation(m, path) is None]
    return _request(rng.choice(wrong), target, body, what=f"wrong method {op.name}")


def _bad_target(rng: random.Random, op: Operation) -> FuzzRequest:
    """A region no partition has, in the Host or the SigV4 scope, or a malformed scope."""
    method, target, body = _build(op, value(rng, op.model.input_shape) if op.model.input_shape else {})
    region = rng.choice(("xx-nowhere-1", "us-east-1x", "EU-WEST-1", "a" * 40))
    scope = rng.choice((f"testing/20260301/{region}/iot/aws4_request", "garbage", "a/b/c", ""))
    headers = rng.choice(({"Host": f"iot.{region}.amazonaws.com"},
                          {"Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"},
                          {"Authorization": rng.choice(("garbage", "AWS4-HMAC-SHA256", "Bearer x"))}))
    return _request(method, target, body, what=f"bad host or scope {op.name}", headers=headers)
