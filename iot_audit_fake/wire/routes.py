"""The operations this fake serves and how a request finds one, from botocore's IoT model.

Each operation's HTTP method and ``requestUri`` come from the model, and each
input member's location (path label, query string, JSON body) from its
serialization; nothing here is written per operation.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import botocore.session
from botocore import xform_name
from botocore.model import OperationModel, ServiceModel, Shape

from .shapes import Reader, Writer, reader, writer

SERVICE_MODEL: ServiceModel = botocore.session.get_session().get_service_model("iot")

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
    read_input: Reader
    write_output: Writer | None
    #: The member that is the whole JSON body (restJson ``payload``), if any.
    payload: str | None = None
    #: member name -> (location, wire name, python keyword)
    members: dict[str, tuple[str | None, str, str]] = field(default_factory=dict)


def _uri_pattern(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0]
    parts = re.split(r"\{([^}]+)\}", path)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p.rstrip('+')}>[^/]+)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


def _operation(name: str) -> Operation:
    model = SERVICE_MODEL.operation_model(name)
    shape: Shape | None = model.input_shape
    members = {}
    if shape is not None:
        for member_name, member in shape.members.items():
            members[member_name] = (
                member.serialization.get("location"),
                member.serialization.get("name", member_name),
                xform_name(member_name),
            )
    empty = {"type": "structure", "members": {}}
    return Operation(
        name=name,
        method=xform_name(name),
        model=model,
        pattern=_uri_pattern(model.http["requestUri"]),
        read_input=reader(shape) if shape is not None else reader(Shape("Empty", empty)),
        write_output=writer(model.output_shape) if model.output_shape is not None else None,
        members=members,
        payload=shape.serialization.get("payload") if shape is not None else None,
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


@functools.cache
def error_status(code: str) -> int:
    """The HTTP status the model gives an error shape."""
    try:
        return int(SERVICE_MODEL.shape_for(code).metadata["error"]["httpStatusCode"])
    except Exception:  # an error name the model does not know: treat as a server fault
        return 500
