"""``mock_iot_audit``: moto's ``mock_aws`` with the audit API served by this fake.

Once :mod:`iot_audit_fake` is imported (the pytest plugin imports it), moto's own ``mock_aws``
serves the audit API too (see :mod:`iot_audit_fake.motohook`); ``mock_iot_audit`` is the explicit
name. It starts a moto mock (so moto keeps serving the rest of IoT and every other service, and
moto's nesting count and reset rules apply unchanged). botocore's ``before-send`` hook and
``requests`` (through ``responses``) both reach moto's dispatcher, and so
:func:`handle_request`, which passes every request through :func:`iot_audit_fake.entry.serve`.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, overload

from moto.core.models import MockAWS

from . import motohook
from .entry import serve
from .faults import clear_faults

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_lock = threading.Lock()
_active = 0


def handle_request(request: Any, moto_process: Callable[[Any], Any]) -> Any:
    """moto's ``process_request`` with the fake in front: the fake's answer, else moto's."""
    # moto >= 5.2.5 hands over a prepared request (``body``); older 5.x a werkzeug Request.
    body = request.body if hasattr(request, "body") else request.get_data()
    return serve(request.method, request.url, request.headers, body, lambda: moto_process(request))


motohook.install()


@overload
def mock_iot_audit(func: None = None) -> IoTAuditMock: ...
@overload
def mock_iot_audit(func: F) -> F: ...


def mock_iot_audit(func: Any = None) -> Any:
    """The fake, as moto's ``mock_aws`` is: ``@mock_iot_audit``, ``with mock_iot_audit():``, or
    ``m = mock_iot_audit(); m.start(); ...; m.stop()``. Decorates functions, async functions and
    test classes (unittest.TestCase included)."""
    mock = IoTAuditMock()
    return mock(func) if func is not None else mock


class IoTAuditMock:
    """One activation of the fake; nests with other activations and with moto's ``mock_aws``."""

    def __init__(self) -> None:
        self._moto = MockAWS()

    def start(self, reset: bool = True) -> None:
        global _active
        with _lock:
            self._moto.start(reset=reset)
            _active += 1

    def stop(self, remove_data: bool = True) -> None:
        global _active
        with _lock:
            if _active <= 0:
                raise RuntimeError("mock_iot_audit.stop() called before start().")
            _active -= 1
            self._moto.stop(remove_data=remove_data)
            if MockAWS._nested_count == 0:
                # The end of the outermost mock ends every fault, even when the data is kept.
                clear_faults()

    def __enter__(self) -> IoTAuditMock:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @overload
    def __call__(self, func: C) -> C: ...
    @overload
    def __call__(self, func: F, reset: bool = True, remove_data: bool = True) -> F: ...

    def __call__(self, func: Any, reset: bool = True, remove_data: bool = True) -> Any:
        if inspect.isclass(func):
            # moto's own class decoration: test methods, setUp/setup_method reset rules, unittest included.
            return MockAWS._decorate_class(self, func)  # type: ignore[arg-type]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                self.start(reset=reset)
                try:
                    return await func(*args, **kwargs)
                finally:
                    self.stop(remove_data=remove_data)

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper


def is_active() -> bool:
    """Whether a ``mock_iot_audit`` is active (moto's ``mock_aws`` alone is not counted)."""
    return _active > 0
