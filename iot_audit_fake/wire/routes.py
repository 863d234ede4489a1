"""The operations this fake serves and how a request finds one, from botocore's IoT model.

Each operation's HTTP method and ``requestUri`` come from the model, and each
input member's location (path label, query string, JSON body) from its
serialization; nothing here is written per operation.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name
from botocore.model import OperationModel, Shape

from ..service_model import Writer, model, writer
from .inputs import RequestReader, request_reader

#: The audit API, plus the IoT logging options that moto does not serve and the
#: LOGGING_DISABLED check and ENABLE_IOT_LOGGING action need.
OPERATIONS: tuple[str, ...] = (
    "UpdateAccountAuditConfiguration",
    "DescribeAccountAuditConfiguration",
    "DeleteAccountAuditConfiguration",
    "StartOnDemandAuditTask",
    "DescribeAuditTask",
    "ListAuditTasks",
    "CancelAuditTask",
    "ListAuditFindings",
    "DescribeAuditFinding",
    "ListRelatedResourcesForAuditFinding",
    "CreateAuditSuppression",
    "DescribeAuditSuppression",
    "UpdateAuditSuppression",
    "DeleteAuditSuppression",
    "ListAuditSuppressions",
    "CreateScheduledAudit",
    "DescribeScheduledAudit",
    "UpdateScheduledAudit",
    "DeleteScheduledAudit",
    "ListScheduledAudits",
    "CreateMitigationAction",
    "DescribeMitigationAction",
    "UpdateMitigationAction",
    "DeleteMitigationAction",
    "ListMitigationActions",
    "StartAuditMitigationActionsTask",
    "DescribeAuditMitigationActionsTask",
    "ListAuditMitigationActionsTasks",
    "CancelAuditMitigationActionsTask",
    "ListAuditMitigationActionsExecutions",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "GetV2LoggingOptions",
    "SetV2LoggingOptions",
    "GetLoggingOptions",
    "SetLoggingOptions",
)


@dataclass(frozen=True)
class Operation:
    name: str
    #: The backend method that serves it, e.g. ``describe_audit_task``.
    method: str
    model: OperationModel
    pattern: re.Pattern[str]
    #: (path labels, query, body) -> the backend method's keyword arguments, validated.
    read_request: RequestReader
    write_output: Writer | None
    #: member name -> (location, wire name, python keyword)
    members: dict[str, tuple[str | None, str, str]] = field(default_factory=dict)


def _uri_pattern(request_uri: str) -> re.Pattern[str]:
    """The path part of a ``requestUri`` as a regex: a label is one segment, a greedy ``{name+}`` any."""
    path = request_uri.split("?", 1)[0]
    parts = re.split(r"\{([^}]+)\}", path)
    regex = "".join(
        re.escape(p) if i % 2 == 0 else f"(?P<{p[:-1]}>.+)" if p.endswith("+") else f"(?P<{p}>[^/]+)"
        for i, p in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


def _operation(name: str) -> Operation:
    operation_model = model().operation_model(name)
    shape: Shape | None = operation_model.input_shape
    members = {}
    if shape is not None:
        for member_name, member in shape.members.items():
            members[member_name] = (
                member.serialization.get("location"),
                member.serialization.get("name", member_name),
                xform_name(member_name),
            )
    return Operation(
        name=name,
        method=xform_name(name),
        model=operation_model,
        pattern=_uri_pattern(operation_model.http["requestUri"]),
        read_request=request_reader(shape),
        write_output=(writer(operation_model.output_shape)
                      if operation_model.output_shape is not None else None),
        members=members,
    )


def build_routes(names: tuple[str, ...] = OPERATIONS) -> dict[str, list[Operation]]:
    """HTTP method -> operations, literal paths first so ``/audit/tasks`` never reads as a label."""
    routes: dict[str, list[Operation]] = {}
    for name in names:
        op = _operation(name)
        routes.setdefault(op.model.http["method"], []).append(op)
    for ops in routes.values():
        ops.sort(key=lambda op: op.pattern.pattern.count("(?P<"))
    return routes


class RouteTable:
    """Finds the operation that a method and path call, with the answers of trying each operation's
    pattern in turn, literal paths first, but without the regex scan: a literal path is one dict
    lookup, and a path with labels is tried only against the operations that share its method and
    first two segments (every audit path with labels starts with two literal ones). Paths with
    labels found lately are remembered (clients poll the same task or finding)."""

    #: How many paths with labels are remembered before the memory starts afresh.
    REMEMBERED = 1024

    def __init__(self, routes: dict[str, list[Operation]]) -> None:
        self.routes = routes
        self._remembered: dict[tuple[str, str], tuple[Operation, dict[str, str]]] = {}
        self._literal: dict[str, dict[str, Operation]] = {}
        self._labelled: dict[str, dict[tuple[str, str], list[Operation]]] = {}
        #: Methods with a path whose first two segments are not both literal: scanned in order.
        self._scanned: dict[str, list[Operation]] = {}
        for method, ops in routes.items():
            literal = self._literal.setdefault(method, {})
            labelled = self._labelled.setdefault(method, {})
            for op in ops:  # in the order they are tried: literal paths first
                path = op.model.http["requestUri"].split("?", 1)[0]
                segments = path.split("/", 3)
                if "{" not in path:
                    literal.setdefault(path, op)
                elif len(segments) == 4 and not segments[0] and "{" not in segments[1] + segments[2]:
                    labelled.setdefault((segments[1], segments[2]), []).append(op)
                else:
                    self._scanned[method] = ops

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation and its path labels (not to be changed: they may be remembered), or None
        when no served operation has this method and path."""
        scanned = self._scanned.get(method)
        if scanned is not None:
            return _scan(scanned, path)
        literal = self._literal.get(method)
        if literal is None:
            return None
        op = literal.get(path)
        if op is not None:
            return op, {}
        remembered = self._remembered.get((method, path))
        if remembered is not None:
            return remembered
        segments = path.split("/", 3)
        if len(segments) == 4 and not segments[0]:
            for op in self._labelled[method].get((segments[1], segments[2]), ()):
                found = op.pattern.match(path)
                if found:
                    if len(self._remembered) >= self.REMEMBERED:
                        self._remembered.clear()
                    answer = self._remembered[method, path] = op, found.groupdict()
                    return answer
        return None


def _scan(ops: list[Operation], path: str) -> tuple[Operation, dict[str, str]] | None:
    for op in ops:
        found = op.pattern.match(path)
        if found:
            return op, found.groupdict()
    return None


@functools.cache
def _model_routes() -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """HTTP method -> (path pattern, operation name) for every operation of the IoT model, literal paths first."""
    routes: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for name in model().operation_names:
        http = model().operation_model(name).http
        routes.setdefault(http["method"], []).append((_uri_pattern(http["requestUri"]), name))
    for entries in routes.values():
        entries.sort(key=lambda entry: entry[0].pattern.count("(?P<"))
    return routes


def model_operation(method: str, path: str) -> str | None:
    """The IoT operation (served here or by moto, or by neither) that ``method`` and ``path`` call, if any."""
    for pattern, name in _model_routes().get(method, ()):
        if pattern.match(path):
            return name
    return None


def models_error(operation: str, code: str) -> bool:
    """Whether the IoT model lists ``code`` among ``operation``'s errors."""
    return code in _modeled_errors(operation)


@functools.cache
def _modeled_errors(operation: str) -> frozenset[str]:
    return frozenset(shape.name for shape in model().operation_model(operation).error_shapes)


@functools.cache
def error_status(code: str) -> int:
    """The HTTP status the model gives an error shape."""
    try:
        return int(model().shape_for(code).metadata["error"]["httpStatusCode"])
    except Exception:  # an error name the model does not know: treat as a server fault
        return 500


def __getattr__(name: str) -> Any:
    # ``SERVICE_MODEL`` was re-exported here when the model was loaded at import.
    if name == "SERVICE_MODEL":
        return model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
