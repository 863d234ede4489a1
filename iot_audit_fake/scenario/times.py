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
        delta = dt.timedelta(**{_UNITS[unit]: int(amount)})
        return now + delta if sign == "+" else now - delta
    parsed: dt.datetime = parse_timestamp(value)
    return aware(parsed)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
