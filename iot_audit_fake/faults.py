"""Injected faults: throttles, outages and modeled errors for testing retries and error handling.

``inject_fault("DescribeAuditTask", times=2)`` makes the next two DescribeAuditTask calls
answer ThrottlingException (400) before the operation runs, so nothing changes; botocore's
retry logic sees them exactly as it would see AWS's. ``"*"`` matches every operation the
fake serves. ``error`` is ThrottlingException (400), ServiceUnavailableException (503),
InternalFailureException (500), any error the operation models (its HTTP status from
botocore's model), or ``None`` for latency alone. ``latency`` seconds pass before the
answer, with or without an error; the fake's lock is not held meanwhile.

Faults live in a moto ``BackendDict``, so moto's reset (``/moto-api/reset``, the start of a
mock with ``reset=True``, the end of the outermost mock) clears them with everything else.

``probability`` below 1 draws from a generator per fault, seeded from the fault itself (its
operation, error and how many faults were injected before it since the last reset) and from
the environment variable ``IOT_AUDIT_FAKE_FAULT_SEED`` (default ``0``): the same test makes
the same draws on every run. Change the variable to see other draws.
"""

from __future__ import annotations

import math
import os
import random
import threading
from collections.abc import Mapping
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend

from .errors import AuditError, InvalidRequestException
from .service_model import model
from .wire.routes import OPERATIONS, error_status

#: Errors any operation can be made to answer, with their HTTP status (AWS's generic ones).
GENERIC_ERRORS: dict[str, int] = {
    "ThrottlingException": 400,
    "ServiceUnavailableException": 503,
    "InternalFailureException": 500,
}
EVERY_OPERATION = "*"
SEED_VARIABLE = "IOT_AUDIT_FAKE_FAULT_SEED"
_FIELDS = ("operation", "error", "times", "probability", "latency", "message")
#: Where the one fault store sits in its BackendDict (faults are process-wide, not per account).
_ACCOUNT, _PLACE = "000000000000", "faults"
_lock = threading.Lock()


def _modeled_errors(operation: str) -> set[str]:
    if operation == EVERY_OPERATION:  # what every served operation models
        sets = [_modeled_errors(name) for name in OPERATIONS]
        return set.intersection(*sets)
    return {shape.name for shape in model().operation_model(operation).error_shapes}


class Fault:
    """One injected fault, and the handle :func:`inject_fault` returns (``remove()`` ends it)."""

    def __init__(self, operation: str, error: str | None, times: int | None, probability: float,
                 latency: float, message: str | None, ordinal: int) -> None:
        self.id = f"fault-{ordinal}"
        self.operation, self.error, self.probability, self.latency = operation, error, probability, latency
        #: Answers still to give (None: until removed).
        self.remaining = times
        self.times = times
        #: How many calls it has answered (or delayed) so far.
        self.fired = 0
        target = "every audit operation" if operation == EVERY_OPERATION else operation
        self.message = message if message is not None else f"{error} injected by iot_audit_fake for {target}."
        self.status = (GENERIC_ERRORS.get(error) or error_status(error)) if error is not None else 200
        seed = os.environ.get(SEED_VARIABLE, "0")
        self._random = random.Random(f"{seed}:{operation}:{error}:{ordinal}")
        self._store: _FaultStore | None = None

    def matches(self, operation: str) -> bool:
        return self.operation in (EVERY_OPERATION, operation)

    def remove(self) -> None:
        """Stop this fault (nothing happens if it is already gone, e.g. after a reset)."""
        with _lock:
            if self._store is not None and self in self._store.faults:
                self._store.faults.remove(self)
            self._store = None

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "operation": self.operation, "error": self.error, "times": self.times,
                "remaining": self.remaining, "probability": self.probability, "latency": self.latency,
                "message": self.message, "fired": self.fired}

    def error_instance(self) -> AuditError:
        error = AuditError(self.message)
        error.code = self.error or ""
        return error

    def _draw(self) -> bool:
        """Whether this call is one the fault answers (called under the lock)."""
        if self.probability < 1.0 and self._random.random() >= self.probability:
            return False
        self.fired += 1
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def __repr__(self) -> str:
        return f"<Fault {self.id} {self.operation} {self.error} remaining={self.remaining}>"


class _FaultStore(BaseBackend):
    """The injected faults, as a moto backend so that moto's reset clears them."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.faults: list[Fault] = []
        self.injected = 0


fault_backends: BackendDict[_FaultStore] = BackendDict(
    _FaultStore, "iot-audit-faults", use_boto3_regions=False, additional_regions=[_PLACE])


def _store(create: bool) -> _FaultStore | None:
    if create:
        return fault_backends[_ACCOUNT][_PLACE]
    # dict.get: looking does not create (nor register the BackendDict with moto's reset).
    account = dict.get(fault_backends, _ACCOUNT)
    return None if account is None else dict.get(account, _PLACE)


def inject_fault(operation: str, error: str | None = "ThrottlingException", *, times: int | None = None,
                 probability: float = 1.0, latency: float = 0.0, message: str | None = None) -> Fault:
    """Make ``operation`` (an API name, or ``"*"`` for every audit operation) answer ``error``.

    ``times``: how many calls (None: until removed or cleared). ``probability``: the share of
    matching calls answered (seeded, see the module docstring). ``latency``: seconds to wait
    before answering, with or without an error. ``message``: the error's message. Raises
    ValueError at once for an unknown operation or error, or a value out of range.
    """
    check_fault(operation, error, times=times, probability=probability, latency=latency, message=message)
    with _lock:
        store = _store(create=True)
        assert store is not None
        fault = Fault(operation, error, times, float(probability), float(latency), message, store.injected + 1)
        store.injected += 1
        store.faults.append(fault)
        fault._store = store
    return fault


def check_fault(operation: str, error: str | None = "ThrottlingException", *, times: int | None = None,
                probability: float = 1.0, latency: float = 0.0, message: str | None = None) -> None:
    """Raise ValueError (or RuntimeError without an active mock) if :func:`inject_fault` would refuse these."""
    if not isinstance(operation, str) or (operation != EVERY_OPERATION and operation not in OPERATIONS):
        raise ValueError(f"Unknown operation {operation!r}: use one of the audit API's operations, e.g. "
                         f"'DescribeAuditTask', or '*' for all of them.")
    if error is not None:
        allowed = set(GENERIC_ERRORS) | _modeled_errors(operation)
        if error not in allowed:
            raise ValueError(f"{error!r} is not an error {operation} can answer; use one of "
                             f"{', '.join(sorted(allowed))}, or None for latency alone.")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(f"times must be a whole number of at least 1, or None; got {times!r}.")
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability <= 1:
        raise ValueError(f"probability must be a number above 0 and at most 1; got {probability!r}.")
    if (isinstance(latency, bool) or not isinstance(latency, (int, float)) or not math.isfinite(latency)
            or not 0 <= latency <= 300):
        raise ValueError(f"latency must be between 0 and 300 seconds; got {latency!r}.")
    if message is not None and not isinstance(message, str):
        raise ValueError(f"message must be text; got {message!r}.")
    if error is None and latency == 0:
        raise ValueError("A fault with no error needs a latency.")
    from moto.core.models import MockAWS

    if MockAWS._nested_count <= 0:
        # The next mock to start would reset it away unseen.
        raise RuntimeError("inject_fault needs an active mock (mock_iot_audit, moto's mock_aws, the iot_audit "
                           "fixture or a server); start one first.")


def clear_faults() -> None:
    """Remove every injected fault."""
    with _lock:
        store = _store(create=False)
        if store is not None:
            for fault in store.faults:
                fault._store = None
            store.faults.clear()


def list_faults() -> list[Fault]:
    store = _store(create=False)
    with _lock:
        return list(store.faults) if store is not None else []


def fault_for(operation: str) -> Fault | None:
    """The fault that answers this call of ``operation``, if any; spends one of its ``times``.
    The first injected fault that matches and fires wins; an exhausted one is dropped."""
    store = _store(create=False)
    if store is None or not store.faults:
        return None
    with _lock:
        for fault in list(store.faults):
            if fault.matches(operation) and fault._draw():
                if fault.remaining == 0:
                    store.faults.remove(fault)
                    fault._store = None
                return fault
    return None


# -- the server's control endpoint ----------------------------------------------------------------


def control(method: str, document: Any = None) -> dict[str, Any]:
    """``POST /_iot_audit/faults`` (``document``: the fields of :func:`inject_fault`), ``GET`` and
    ``DELETE``; bad input is an InvalidRequestException."""
    if method == "GET":
        return {"faults": [fault.describe() for fault in list_faults()]}
    if method == "DELETE":
        count = len(list_faults())
        clear_faults()
        return {"status": "ok", "removed": count}
    if not isinstance(document, Mapping):
        raise InvalidRequestException(f"A fault is a JSON object with the fields {', '.join(_FIELDS)}.")
    unknown = sorted(set(document) - set(_FIELDS))
    if unknown:
        raise InvalidRequestException(f"Unknown field(s) {', '.join(unknown)}; a fault has {', '.join(_FIELDS)}.")
    if "operation" not in document:
        raise InvalidRequestException('A fault needs an "operation" (an API name, or "*").')
    arguments = {name: document[name] for name in _FIELDS if name in document}
    try:
        fault = inject_fault(**arguments)
    except (ValueError, TypeError) as error:
        raise InvalidRequestException(str(error)) from None
    return fault.describe()
