"""moto's refusals, named the same way on every moto release the package supports.

moto 5.1.0 calls its HTTP error base ``RESTError``; later 5.x releases rename it ``_RESTError`` and add
``ServiceException`` for the services ported to its new error style. Code that turns a moto refusal
into a message catches :data:`MOTO_ERRORS` and reads it with :func:`describe`.
"""

from __future__ import annotations

from moto.core import exceptions as _moto

_rest_base: type[Exception] = getattr(_moto, "_RESTError", None) or _moto.RESTError  # type: ignore[attr-defined]
_service_base: type[Exception] | None = getattr(_moto, "ServiceException", None)

#: Every exception type moto raises for a request its API refuses.
MOTO_ERRORS: tuple[type[Exception], ...] = tuple(c for c in (_rest_base, _service_base) if c is not None)


def describe(error: Exception) -> str:
    """``Code: message`` of a moto refusal, whichever base it comes from."""
    return f"{code_of(error)}: {message_of(error)}"


def code_of(error: Exception) -> str:
    """The error code of a moto refusal (``error_type`` on RESTError, ``code`` on ServiceException)."""
    return str(getattr(error, "error_type", None) or getattr(error, "code", None) or type(error).__name__)


def message_of(error: Exception) -> str:
    return str(getattr(error, "message", None) or error)
