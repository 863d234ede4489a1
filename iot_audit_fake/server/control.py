"""The fake's control endpoints, ``/_iot_audit/<name>``: a registry, the guard in front of it, the built-in ones.

Adding an endpoint is one registration: ``register("POST", "faults", handler)``, where
``handler(call)`` gets a :class:`ControlCall` and returns a werkzeug Response (see
:func:`json_endpoint` for the common JSON-in, JSON-out case). Every endpoint sits behind
:func:`iot_audit_fake.server.guard.guard`, which refuses cross-origin requests the way local
development servers do (403). Errors are modeled ``InvalidRequestException`` (400).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from werkzeug.wrappers import Request, Response

from .. import clock as _clock
from ..clock import iso
from ..errors import InvalidRequestException
from ..wire.json_body import read_json
from ..wire.protocol import StatusError
from .clock import ServerClock, parse_instant
from .responses import base_headers, json_response

#: The path prefix of the fake's own control endpoints.
CONTROL_PREFIX = "/_iot_audit/"

#: The deepest nesting a control request body (JSON or YAML) may have [INF]: a scenario nests
#: about eight levels deep; parsers recurse per level.
MAX_CONTROL_NESTING = 32

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


@dataclass(frozen=True)
class ControlCall:
    """One request to a control endpoint."""

    request: Request
    body: bytes
    clock: ServerClock

    def json(self) -> Any:
        """The body as a JSON document (bounded nesting, strict JSON), or InvalidRequestException."""
        if not self.body.strip():
            raise InvalidRequestException("The request body is empty; a JSON document was expected.")
        return read_json(self.body, InvalidRequestException, MAX_CONTROL_NESTING)

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``?replace=true``); anything but true/false is refused."""
        value = self.request.args.get(name)
        if value is None or value.lower() == "false":
            return False
        if value.lower() == "true":
            return True
        raise InvalidRequestException(f'"{name}" must be true or false, not {value[:32]!r}.')


ControlHandler = Callable[[ControlCall], Response]

#: (method, endpoint name) -> handler; the name is the path after the prefix, without slashes.
ENDPOINTS: dict[tuple[str, str], ControlHandler] = {}


def register(method: str, name: str, handler: ControlHandler) -> None:
    """Serve ``method /_iot_audit/<name>`` with ``handler`` (``name`` "" is ``/_iot_audit/`` itself)."""
    ENDPOINTS[(method.upper(), name.strip("/"))] = handler


def json_endpoint(function: Callable[[Any], Any], *, body: bool = True) -> ControlHandler:
    """A handler from ``function(document) -> JSON-able``: the body read as JSON when ``body``, else None."""

    def handler(call: ControlCall) -> Response:
        return json_response(200, function(call.json() if body else None))

    return handler


def is_control(path: str) -> bool:
    return path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/")


def serve(call: ControlCall) -> Response:
    """Answer a control request (the guard has let it through)."""
    request = call.request
    name = request.path[len(CONTROL_PREFIX):].strip("/") if request.path.startswith(CONTROL_PREFIX) else ""
    handler = ENDPOINTS.get((request.method, name))
    if handler is None:
        allowed = sorted(method for method, known in ENDPOINTS if known == name)
        if allowed:
            raise StatusError(405, "MethodNotAllowedException",
                              f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}.")
        raise StatusError(404, "ResourceNotFoundException", f"No control endpoint {request.path}.")
    return handler(call)


# -- the built-in endpoints -----------------------------------------------------------------------


def _reset(call: ControlCall) -> Response:
    _reset_state()
    return json_response(200, {"status": "ok"})


def _reset_state() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _load_scenario(call: ControlCall) -> Response:
    """Load a scenario on top of the state, or with ``?replace=true`` instead of it (a reset first).
    A scenario refused by validation changes nothing, the reset included; one that validation passes
    but applying it refuses (a rare reference problem) leaves the state reset, and says so."""
    from ..scenario import ScenarioError, load_scenario, validate_scenario

    replace = call.flag("replace")
    scenario = _scenario_body(call)
    if replace:
        problems = validate_scenario(scenario)
        if problems:
            raise _invalid_scenario(problems)
        _reset_state()
    try:
        load_scenario(scenario)
    except ScenarioError as error:
        messages = [str(message) for message in error.messages] or [str(error)]
        if replace:
            messages[0] += " (the state was reset before this was found)"
        raise _invalid_scenario(messages) from None
    return json_response(200, {"status": "ok", "replaced": replace})


def _scenario_body(call: ControlCall) -> str | Mapping[str, Any]:
    if call.request.mimetype == "application/json":
        document = call.json()
        if not isinstance(document, dict):
            raise InvalidRequestException("A scenario must be a JSON object at the top level.")
        return document
    if not call.body.strip():
        raise InvalidRequestException("The request body is empty; a YAML or JSON scenario was expected.")
    try:
        text = call.body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestException("The request body is not UTF-8 text.") from None
    if _yaml_nesting(text) > MAX_CONTROL_NESTING:
        raise InvalidRequestException(f"The scenario is nested deeper than {MAX_CONTROL_NESTING} levels.")
    # Always text, never a file name on the server (load_scenario reads a one-line "x.yaml" as a path).
    return text if text.endswith("\n") else text + "\n"


def _yaml_nesting(text: str) -> int:
    """How deep collections nest in YAML ``text``, from the scanner's tokens (the scanner does not
    recurse; the composer does, once per level). Malformed YAML counts as 0: the loader reports it."""
    opening = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
               yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
    closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    depth = deepest = 0
    try:  # (older types-PyYAML leave scan untyped)
        for token in yaml.scan(text, Loader=yaml.SafeLoader):  # type: ignore[no-untyped-call,unused-ignore]
            if isinstance(token, opening):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_CONTROL_NESTING:  # enough to refuse: the rest need not be scanned
                    break
            elif isinstance(token, closing):
                depth -= 1
    except yaml.YAMLError:
        pass
    return deepest


def _invalid_scenario(messages: list[str]) -> InvalidRequestException:
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return InvalidRequestException(f"The scenario is not valid: {messages[0]}{more}", errors=messages)


def _dump_scenario(call: ControlCall) -> Response:
    from ..scenario import dump_scenario

    document = dump_scenario()
    accept = call.request.headers.get("Accept", "")
    if any(kind in accept for kind in _YAML_TYPES):
        from ..scenario.dump import to_yaml

        return Response(to_yaml(document).encode(), status=200, headers=base_headers("application/yaml"))
    return json_response(200, document)


def _set_clock(call: ControlCall) -> Response:
    document = call.json()
    if not isinstance(document, dict) or len(document) != 1 or not {"set", "advance", "reset"} >= set(document):
        raise InvalidRequestException(
            'The clock body must be exactly one of {"set": "<ISO-8601 instant>"}, {"advance": <seconds>}'
            ' or {"reset": true}.'
        )
    (key, value), = document.items()
    if key == "set":
        if not isinstance(value, str):
            raise InvalidRequestException('"set" must be an ISO-8601 instant, e.g. "2026-03-01T00:00:00Z".')
        call.clock.set(parse_instant(value))
    elif key == "advance":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidRequestException('"advance" must be a number of seconds.')
        try:
            seconds = float(value)
        except OverflowError:  # an integer too large for a float
            raise InvalidRequestException('"advance" is out of range.') from None
        call.clock.advance(seconds)
    else:
        if value is not True:
            raise InvalidRequestException('"reset" must be true.')
        call.clock.reset()
    return _get_clock(call)


def _get_clock(call: ControlCall) -> Response:
    return json_response(200, {"now": iso(_clock.now()), "travelling": call.clock.travelling})


def _faults(call: ControlCall) -> Response:
    from .. import faults

    document = call.json() if call.request.method == "POST" else None
    return json_response(200, faults.control(call.request.method, document))


def _dashboard(name: str) -> ControlHandler:
    def handler(call: ControlCall) -> Response:
        from .. import dashboard  # imported on use: the page is nothing the API needs

        page: Callable[[Request, bytes], Response] = getattr(dashboard, name)
        return page(call.request, call.body)

    return handler


register("POST", "reset", _reset)
register("POST", "scenario", _load_scenario)
register("GET", "scenario", _dump_scenario)
register("POST", "clock", _set_clock)
register("GET", "clock", _get_clock)
for _method in ("GET", "POST", "DELETE"):
    register(_method, "faults", _faults)
register("GET", "", _dashboard("page"))  # the dashboard (iot_audit_fake.dashboard)
register("GET", "dashboard/state", _dashboard("state"))

