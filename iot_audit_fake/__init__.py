"""A fake of the AWS IoT Device Defender Audit API for tests, living on moto.

Use :func:`mock_iot_audit` as a decorator, context manager or with start()/stop();
the state is in :data:`audit_backends`, ``audit_backends[account_id][region]``.

The names below are imported on first use (PEP 562): pytest imports this package in every
run of every project that has it installed (the plugin lives in it), so importing the
package itself must not import moto, boto3, botocore, cryptography or the fake's core.
Anything added here that runs at import time must stay as cheap (see
benchmarks/bench_imports.py and tests/test_pytest_plugin.py's import test).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import motohook as _motohook

if TYPE_CHECKING:
    from .backend import AuditBackend, audit_backends
    from .errors import FakeBug
    from .faults import clear_faults, inject_fault
    from .mock import IoTAuditMock, mock_iot_audit
    from .scenario import ScenarioError, dump_scenario, load_scenario, validate_scenario

__all__ = [
    "AuditBackend",
    "FakeBug",
    "IoTAuditMock",
    "ScenarioError",
    "audit_backends",
    "clear_faults",
    "dump_scenario",
    "inject_fault",
    "load_scenario",
    "mock_iot_audit",
    "validate_scenario",
]
__version__ = "0.1.0"

#: public name -> the module that defines it
_LAZY = {
    "AuditBackend": ".backend", "audit_backends": ".backend",
    "IoTAuditMock": ".mock", "mock_iot_audit": ".mock",
    "FakeBug": ".errors", "inject_fault": ".faults", "clear_faults": ".faults",
    "ScenarioError": ".scenario", "dump_scenario": ".scenario", "load_scenario": ".scenario",
    "validate_scenario": ".scenario",
}


# moto's own mock_aws serves the audit API from now on; imports nothing of moto (see motohook).
_motohook.install()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
