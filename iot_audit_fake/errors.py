"""The errors the audit API can raise, one class per modeled error shape.

The domain core raises these; it knows their names and messages but not their
HTTP status, which the wire layer reads from botocore's service model (the
error shape's ``httpStatusCode``), so the status lives in one place only.
"""

from __future__ import annotations

from typing import Any


class AuditError(Exception):
    """Base class: ``code`` is the modeled error shape name."""

    code = "InternalFailureException"

    def __init__(self, message: str, **members: Any) -> None:
        super().__init__(message)
        self.message = message
        # Extra modeled members of the error shape (e.g. resourceId, resourceArn).
        self.members = {k: v for k, v in members.items() if v is not None}


class InvalidRequestException(AuditError):
    code = "InvalidRequestException"


class ResourceNotFoundException(AuditError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExistsException(AuditError):
    code = "ResourceAlreadyExistsException"

    def __init__(self, message: str, resource_id: str, resource_arn: str | None = None) -> None:
        super().__init__(message, resourceId=resource_id, resourceArn=resource_arn)


class LimitExceededException(AuditError):
    code = "LimitExceededException"


class TaskAlreadyExistsException(AuditError):
    code = "TaskAlreadyExistsException"


class ThrottlingException(AuditError):
    code = "ThrottlingException"


class InternalFailureException(AuditError):
    code = "InternalFailureException"


class NotConfiguredException(AuditError):
    """GetV2LoggingOptions before any SetV2LoggingOptions."""

    code = "NotConfiguredException"



class FakeBug(Exception):
    """A bug in iot_audit_fake itself, never an AWS answer.

    In-process it reaches the caller through botocore (which does not retry it), carrying the
    original exception as ``__cause__``, so a test fails loudly and points at the fake rather
    than passing on a believable error. The server answers it 500 InternalFailureException and
    logs the traceback once. Deliberately not an :class:`AuditError`: nothing turns it into a
    modeled error.
    """
