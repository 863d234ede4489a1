"""``mock_iot_audit``: moto's ``mock_aws`` with the audit API served by this fake.

It starts a moto mock (so moto keeps serving the rest of IoT and every other
service, and moto's nesting count and reset rules apply unchanged) and turns on
the audit router in front of moto's request dispatcher. botocore's
``before-send`` hook and ``requests`` (through ``responses``) both reach moto's
dispatcher, so both reach the audit API too.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, overload

from moto.core.models import MockAWS, botocore_stubber

from .dispatch import dispatch

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_lock = threading.Lock()
_active = 0


def _install() -> None:
    """Put the audit router in front of moto's dispatcher, once per process."""
    if getattr(botocore_stubber, "_iot_audit_fake", False):
        return
    moto_process = botocore_stubber.process_request

    def process_request(request: Any) -> Any:
        if _active:
            answer = dispatch(request.method, request.url, request.headers, request.body)
            if answer is not None:
                return answer
        return moto_process(request)

    botocore_stubber.process_request = process_request  # type: ignore[method-assign]
    botocore_stubber._iot_audit_fake = True  # type: ignore[attr-defined]


_install()


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
    return _active > 0
