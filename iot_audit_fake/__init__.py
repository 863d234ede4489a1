"""A fake of the AWS IoT Device Defender Audit API for tests, living on moto.

Use :func:`mock_iot_audit` as a decorator, context manager or with start()/stop();
the state is in :data:`audit_backends`, ``audit_backends[account_id][region]``.
"""

from .backend import AuditBackend, audit_backends
from .mock import IoTAuditMock, mock_iot_audit

__all__ = ["AuditBackend", "IoTAuditMock", "audit_backends", "mock_iot_audit"]
__version__ = "0.1.0"
