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


def iso(moment: dt.datetime) -> str:
    """An instant as ISO-8601 in UTC, e.g. ``2026-03-01T00:00:00Z``, to the precision it has."""
    moment = moment.astimezone(dt.timezone.utc)
    micro = moment.microsecond
    text = moment.isoformat(timespec="seconds" if not micro else "milliseconds" if not micro % 1000 else "microseconds")
    return text.replace("+00:00", "Z")
