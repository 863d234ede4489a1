"""botocore's IoT service model, and the writer that turns domain values into the JSON it describes.

Both the wire (the router's responses) and the domain (a finding published to SNS by
a mitigation action) write values by the model's shapes, so the model and the writer
live here, below both: the domain never imports the wire to speak the API's format.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.model import ServiceModel, Shape

from .replies import FinalReply


@functools.cache
def model() -> ServiceModel:
    """botocore's IoT model, parsed on first use: importing the package (and so the pytest plugin's
    users, and ``from iot_audit_fake import mock_iot_audit``) does not pay for it (issue 14)."""
    return botocore.session.get_session().get_service_model("iot")


def __getattr__(name: str) -> Any:
    # ``SERVICE_MODEL``, the name the model had when it was loaded at import, for callers outside the package.
    if name == "SERVICE_MODEL":
        return model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

Writer = Callable[[Any], Any]


@functools.cache
def writer(shape: Shape) -> Writer:
    """A function that turns domain output into the JSON the model describes (timestamps as epoch floats)."""
    kind = shape.type_name
    if kind == "structure":
        # None for a member written as it is: no call per scalar (this runs on every API reply).
        members = tuple((name, _converting(writer(member))) for name, member in shape.members.items())

        def write_members(value: dict[str, Any]) -> dict[str, Any]:
            out = {}
            for name, write in members:
                item = value.get(name)
                if item is not None:
                    out[name] = item if write is None else write(item)
            return out

        def write_structure(value: dict[str, Any]) -> dict[str, Any]:
            if type(value) is FinalReply:  # a value that never changes is written once
                if value.written is None:
                    value.written = write_members(value)
                return value.written
            return write_members(value)

        return write_structure
    if kind == "list":
        write_item = writer(shape.member)
        if write_item is _identity:
            return list
        return lambda value: [write_item(item) for item in value]
    if kind == "map":
        write_value = writer(shape.value)
        if write_value is _identity:
            return dict
        return lambda value: {k: write_value(v) for k, v in value.items()}
    if kind == "timestamp":
        return lambda value: round(value.timestamp(), 3)
    return _identity


@functools.cache
def shape_writer(name: str) -> Writer:
    """The writer of the model's shape ``name`` (e.g. ``AuditFinding``)."""
    return writer(model().shape_for(name))


def _identity(value: Any) -> Any:
    return value


def _converting(write: Writer) -> Writer | None:
    return None if write is _identity else write
