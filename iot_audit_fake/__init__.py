"""A fake of the AWS IoT Device Defender Audit API for tests, living on moto.

Use :func:`mock_iot_audit` as a decorator, context manager or with start()/stop();
the state is in :data:`audit_backends`, ``audit_backends[account_id][region]``.
"""

from .backend import AuditBackend, audit_backends
from .mock import IoTAuditMock, mock_iot_audit
from .scenario import ScenarioError, dump_scenario, load_scenario, validate_scenario

__all__ = [
    "AuditBackend",
    "IoTAuditMock",
    "ScenarioError",
    "audit_backends",
    "dump_scenario",
    "load_scenario",
    "mock_iot_audit",
    "validate_scenario",
]
__version__ = "0.1.0"
