"""The fake's one clock.

Every timestamp the fake produces or compares comes from :func:`now`. It reads
``time.time`` through the ``time`` module at call time, so freezegun (which
swaps the module's function) and time-machine (which patches the C clock) both
control it, as does the real clock when neither is active. ``time.time`` rather
than ``datetime.now(UTC)``: freezegun adds its ``tz_offset`` to an aware
``now(tz)`` too, which would move a UTC clock.
"""

from __future__ import annotations

import datetime as _dt
import time as _time

UTC = _dt.timezone.utc

#: How long AWS keeps audit tasks, findings and mitigation tasks.
RETENTION = _dt.timedelta(days=90)
RETENTION_SECONDS = RETENTION.total_seconds()


def now() -> _dt.datetime:
    """The current instant, timezone-aware, in UTC, to the millisecond.

    The wire carries milliseconds; keeping no finer precision means a time a
    client read back (say a taskStartTime) selects exactly what it named.
    """
    return _dt.datetime.fromtimestamp(epoch(), UTC)


def epoch() -> float:
    """:func:`now` as epoch seconds, for comparisons that need no datetime (the per-call upkeep check)."""
    return int(_time.time() * 1000) / 1000


def retention_cutoff(at: _dt.datetime | None = None) -> _dt.datetime:
    """The oldest instant whose data is still retained."""
    return (at or now()) - RETENTION


def instant(value: _dt.datetime) -> _dt.datetime:
    """A time a test hands the fake (a connection, a service's last use), as the clock keeps time:
    aware, UTC, to the millisecond. Otherwise "now" taken by the test a microsecond after the
    fake's own (millisecond) now would lie in the fake's future."""
    moment = aware(value)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def aware(value: _dt.datetime) -> _dt.datetime:
    """Treat a naive datetime as UTC (what botocore and moto mean by it)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(moment: _dt.datetime) -> str:
    """An instant as ISO-8601 in UTC, e.g. ``2026-03-01T00:00:00Z``, to the precision it has
    (how scenarios, the server's control endpoints and the dashboard all write times)."""
    moment = aware(moment)
    micro = moment.microsecond
    text = moment.isoformat(timespec="seconds" if not micro else "milliseconds" if not micro % 1000 else "microseconds")
    return text.replace("+00:00", "Z")
