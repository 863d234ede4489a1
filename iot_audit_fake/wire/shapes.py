"""Read and write values by botocore shape: input conversion with validation, output serialization.

Everything here is driven by the shapes of botocore's own IoT service model.
Input checks include what botocore does not check on the client side (``max``
lengths and values, ``pattern``, ``enum``), so a raw HTTP caller and an SDK
caller get the same answers. Every failure is an InvalidRequestException whose
message names the member path, in AWS's "validation error detected" wording.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape
from botocore.utils import parse_timestamp

from ..clock import UTC
from ..errors import InvalidRequestException

# Re-exported: the writer lives below the wire, where the domain writes API-shaped values too.
from ..service_model import Writer as Writer
from ..service_model import writer as writer

Reader = Callable[[Any, str], Any]

#: The instants a timestamp member may name [INF]: AWS documents no range; epoch 0 up to the
#: end of 9998 keeps every date the fake computes from one (expirations, windows) representable.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=UTC)
LATEST = dt.datetime(9999, 1, 1, tzinfo=UTC)
_EARLIEST_EPOCH = EARLIEST.timestamp()
_LATEST_EPOCH = LATEST.timestamp()

# [INF] Shapes whose model maximum is narrower than the values AWS itself reports in them, so a
# finding's resourceIdentifier could not be given back to CreateAuditSuppression or
# ListAuditFindings. IssuerCertificateSerialNumber allows 20 characters of [a-fA-F0-9:], but
# RFC 5280 serials run to 20 octets: 40 hex digits, 59 with colons between the pairs. The
# 20 reads as the RFC's octet count; the fake accepts what it reports (checks/families/certificates.py).
_WIDENED_MAX = {"IssuerCertificateSerialNumber": 59}

# Java regex classes in the model that Python's ``re`` lacks. \p{Graph} is ASCII
# in Java; \p{L} and \p{N} are within \w; \p{Z} is the Unicode space separators.
_JAVA_CLASSES = {
    r"\p{Graph}": "!-~",
    r"\p{L}": r"\w",
    r"\p{N}": r"\w",
    r"\p{Z}": " \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
}


def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's pattern in Python's dialect; None (no check) for one ``re`` cannot express."""
    for java, python in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, python)
    pattern = re.sub(r"\\p\{\w+\}", r"\\S", pattern)  # other Unicode classes: any visible character
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _fail(path: str, value: Any, constraint: str) -> InvalidRequestException:
    shown = value if isinstance(value, (str, int, float)) else type(value).__name__
    return InvalidRequestException(
        f"1 validation error detected: Value '{shown}' at '{path}' failed to satisfy constraint: {constraint}"
    )


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@functools.cache
def reader(shape: Shape) -> Reader:
    """A function (value, path) -> converted value that raises on anything the model forbids."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        members = {name: reader(member) for name, member in shape.members.items()}
        required = tuple(shape.required_members)

        def read_structure(value: Any, path: str) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _fail(path or "body", value, "Member must be a structure")
            out = {}
            for name, item in value.items():
                read = members.get(name)
                if read is not None and item is not None:
                    out[name] = read(item, _child(path, name))
            for name in required:
                if name not in out:
                    raise _fail(_child(path, name), "null", "Member must not be null")
            return out

        return read_structure
    if kind == "list":
        read_item = reader(shape.member)
        lo, hi = meta.get("min"), meta.get("max")

        def read_list(value: Any, path: str) -> list[Any]:
            if not isinstance(value, list):
                raise _fail(path, value, "Member must be a list")
            _check_size(len(value), lo, hi, path, value)
            return [read_item(item, f"{path}.{i + 1}.member") for i, item in enumerate(value)]

        return read_list
    if kind == "map":
        read_key, read_value = reader(shape.key), reader(shape.value)
        lo, hi = meta.get("min"), meta.get("max")

        def read_map(value: Any, path: str) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _fail(path, value, "Member must be a map")
            _check_size(len(value), lo, hi, path, value)
            return {read_key(k, f"{path}.key"): read_value(v, f"{path}.{k}") for k, v in value.items()}

        return read_map
    if kind == "string":
        lo, hi = meta.get("min"), _WIDENED_MAX.get(shape.name, meta.get("max"))
        pattern = _compile_pattern(meta["pattern"]) if "pattern" in meta else None
        enum = frozenset(shape.enum) if shape.enum else None

        def read_string(value: Any, path: str) -> str:
            if not isinstance(value, str):
                raise _fail(path, value, "Member must be a string")
            if lo is not None and len(value) < lo:
                raise _fail(path, value, f"Member must have length greater than or equal to {lo}")
            if hi is not None and len(value) > hi:
                raise _fail(path, value, f"Member must have length less than or equal to {hi}")
            if pattern is not None and not pattern.fullmatch(value):
                raise _fail(path, value, f"Member must satisfy regular expression pattern: {meta['pattern']}")
            if enum is not None and value not in enum:
                raise _fail(path, value, f"Member must satisfy enum value set: [{', '.join(sorted(enum))}]")
            return value

        return read_string
    if kind in ("integer", "long"):
        lo, hi = meta.get("min"), meta.get("max")

        def read_integer(value: Any, path: str) -> int:
            if isinstance(value, str):
                try:
                    value = int(value)
                except ValueError:
                    raise _fail(path, value, "Member must be an integer") from None
            if isinstance(value, bool) or not isinstance(value, int):
                raise _fail(path, value, "Member must be an integer")
            if lo is not None and value < lo:
                raise _fail(path, value, f"Member must have value greater than or equal to {lo}")
            if hi is not None and value > hi:
                raise _fail(path, value, f"Member must have value less than or equal to {hi}")
            return int(value)

        return read_integer
    if kind == "boolean":

        def read_boolean(value: Any, path: str) -> bool:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if not isinstance(value, bool):
                raise _fail(path, value, "Member must be a boolean")
            return value

        return read_boolean
    if kind == "timestamp":
        return read_timestamp
    raise NotImplementedError(f"shape type {kind} is not used by the audit API")  # pragma: no cover


def read_timestamp(value: Any, path: str) -> dt.datetime:
    """Epoch seconds (int, float or numeric string) or ISO-8601 with or without a fraction,
    between :data:`EARLIEST` and :data:`LATEST`."""
    if isinstance(value, bool):
        raise _fail(path, value, "Member must be a timestamp")
    instant: dt.datetime | None = None
    if isinstance(value, str):
        try:
            value = float(value)  # epoch seconds as text (query strings): never handed to the ISO parser
        except ValueError:
            instant = _parse_iso(value)
    if isinstance(value, (int, float)) and math.isfinite(value) and _EARLIEST_EPOCH <= value <= _LATEST_EPOCH:
        instant = dt.datetime.fromtimestamp(value, UTC)
    if instant is None or not EARLIEST <= instant <= LATEST:
        raise _fail(path, value, "Member must be a timestamp (epoch seconds or ISO-8601) "
                                 f"between {EARLIEST.year} and {LATEST.year}")
    return instant


#: The form botocore and most clients write (``2026-03-01T12:00:00Z``, with up to 6 fraction digits):
#: read directly, as dateutil's general parser costs about a tenth of a millisecond per value.
_PLAIN_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z")


def _parse_iso(value: str) -> dt.datetime | None:
    plain = _PLAIN_ISO.fullmatch(value)
    if plain is not None:
        year, month, day, hour, minute, second, fraction = plain.groups()
        try:
            return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                               int((fraction or "0").ljust(6, "0")), tzinfo=UTC)
        except ValueError:
            pass  # no such day or time (a 13th month, a 60th second): the general parser has the last word
    if len(value) > 64:  # no instant is written in more; dateutil would try hard on any text
        return None
    try:
        parsed: dt.datetime = parse_timestamp(value)
    except (ValueError, OverflowError, OSError, RuntimeError):
        # RuntimeError: botocore's "Unable to calculate correct timezone offset" for an out-of-range instant
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _check_size(size: int, lo: int | None, hi: int | None, path: str, value: Any) -> None:
    if lo is not None and size < lo:
        raise _fail(path, value, f"Member must have length greater than or equal to {lo}")
    if hi is not None and size > hi:
        raise _fail(path, value, f"Member must have length less than or equal to {hi}")
