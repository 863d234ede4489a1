"""Scenario times: ISO-8601 instants or offsets (``-400d``, ``+10d``, ``-3h``) from the scenario clock."""

from __future__ import annotations

import datetime as dt
import re

from botocore.utils import parse_timestamp

from ..clock import aware

_OFFSET = re.compile(r"^([+-])(\d+)([dhms])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def resolve(value: str, now: dt.datetime) -> dt.datetime:
    """The instant ``value`` names; raises ValueError for anything else."""
    offset = _OFFSET.match(value)
    if offset:
        sign, amount, unit = offset.groups()
        try:
            delta = dt.timedelta(**{_UNITS[unit]: int(amount)})
            return now + delta if sign == "+" else now - delta
        except OverflowError:
            raise ValueError(f"the offset {value} is out of range") from None
    try:
        parsed: dt.datetime = parse_timestamp(value)
    except (OverflowError, TypeError) as error:
        raise ValueError(f"Invalid timestamp {value!r}: {error}") from None
    return aware(parsed)

