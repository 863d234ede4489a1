"""Errors of the protocol layer: answers to requests that never reach an operation.

The operations' own errors are modeled in botocore's IoT model (their HTTP status is read
from there). These are the ones AWS's front end gives before an operation runs, which no
operation models: an unknown path or method, a body that cannot be read, a credential
scope naming no region. Each carries its HTTP status.
"""

from __future__ import annotations

from typing import Any

from ..errors import AuditError


class ProtocolError(AuditError):
    """An error of the protocol layer; ``status`` is its HTTP status."""

    status = 400


class UnknownOperationException(ProtocolError):
    """No operation of the service has this method and path (AWS's answer, 404)."""

    code = "UnknownOperationException"
    status = 404


class SerializationException(ProtocolError):
    """The request cannot be read: its framing, its body, or a value for an operation that models no
    InvalidRequestException."""

    code = "SerializationException"
    status = 400


class InvalidSignatureException(ProtocolError):
    """The credential scope or host names no region of the partition (AWS: 403, "Credential should
    be scoped to a valid region")."""

    code = "InvalidSignatureException"
    status = 403


class StatusError(ProtocolError):
    """A refusal whose code and status are set per instance (the server's own answers: 403, 413, 501)."""

    def __init__(self, status: int, code: str, message: str, **members: Any) -> None:
        super().__init__(message, **members)
        self.status = status
        self.code = code


#: The protocol-level error codes, beside the ones each operation models.
PROTOCOL_ERROR_CODES = frozenset({
    UnknownOperationException.code, SerializationException.code, InvalidSignatureException.code,
})
