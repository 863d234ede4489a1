"""Scheduled audits: their rules (reference §8) and when they run.

Schedules are in UTC and every run happens at 00:00 UTC on its day [INF: AWS
says only that "the start time of each audit is determined by the system"], so
daylight-saving changes never move a run and a year end is an ordinary day.

- DAILY runs every day;
- WEEKLY runs every ``dayOfWeek``;
- BIWEEKLY runs every other ``dayOfWeek``, the first being the first such day
  after the schedule was created or last changed;
- MONTHLY runs on ``dayOfMonth``; 29-31 fall back to the month's last day in a
  shorter month, and ``LAST`` is always the last day.

A run is due once its instant has passed; the first run is strictly after the
moment the schedule was created or changed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .clock import UTC
from .errors import InvalidRequestException

DAYS_OF_WEEK = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")  # datetime.weekday() order
DAY = dt.timedelta(days=1)


def validate_days(frequency: str, day_of_month: str | None, day_of_week: str | None) -> None:
    """The day fields must match the frequency [M-doc; mismatches refused, INF]."""
    if frequency == "MONTHLY":
        if day_of_month is None:
            raise InvalidRequestException("dayOfMonth is required when frequency is MONTHLY.")
        if day_of_week is not None:
            raise InvalidRequestException("dayOfWeek cannot be used when frequency is MONTHLY.")
    elif frequency in ("WEEKLY", "BIWEEKLY"):
        if day_of_week is None:
            raise InvalidRequestException(f"dayOfWeek is required when frequency is {frequency}.")
        if day_of_month is not None:
            raise InvalidRequestException(f"dayOfMonth cannot be used when frequency is {frequency}.")
    elif day_of_month is not None or day_of_week is not None:
        raise InvalidRequestException("dayOfMonth and dayOfWeek cannot be used when frequency is DAILY.")


def _midnight(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _monthly_day(year: int, month: int, day_of_month: str) -> dt.datetime:
    last = calendar.monthrange(year, month)[1]
    day = last if day_of_month == "LAST" else min(int(day_of_month), last)
    return dt.datetime(year, month, day, tzinfo=UTC)


@dataclass
class ScheduledAudit:
    name: str
    arn: str
    frequency: str
    day_of_month: str | None
    day_of_week: str | None
    check_names: list[str]
    #: The moment the schedule was created or its timing last changed; runs come after it.
    since: dt.datetime
    #: Creation order within the account (ties in ``created`` are common under a frozen clock).
    sequence: int = 0
    #: The instant of the last run materialised (or ``since``); the next run comes after it.
    cursor: dt.datetime = field(init=False)
    #: For BIWEEKLY: the first run, from which every run is a multiple of 14 days.
    anchor: dt.datetime | None = field(init=False, default=None)
    created: dt.datetime = field(init=False)
    #: The last run materialised: the next run's observation windows start there (check-triggers.md 5, 9).
    last_run: dt.datetime | None = field(init=False, default=None)
    #: The next run after ``cursor``, kept so that "is anything due?" costs one comparison.
    _next_due: dt.datetime | None = field(init=False, default=None, repr=False, compare=False)
    #: The same instant in epoch seconds (for the per-call upkeep check, which makes no datetime).
    _next_due_epoch: float | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.created = self.since
        self.restart(self.since)

    def restart(self, since: dt.datetime) -> None:
        """Start counting runs afresh after ``since`` (creation, or an update to the timing)."""
        self.since = self.cursor = since
        self._next_due = self._next_due_epoch = None
        self.anchor = None
        if self.frequency == "BIWEEKLY":
            self.anchor = self._next_weekday(since)

    def _next_weekday(self, after: dt.datetime) -> dt.datetime:
        assert self.day_of_week is not None
        day = _midnight(after) + DAY
        while DAYS_OF_WEEK[day.weekday()] != self.day_of_week:
            day += DAY
        return day

    def next_run(self, after: dt.datetime) -> dt.datetime:
        """The first run strictly after ``after``."""
        if self.frequency == "DAILY":
            return _midnight(after) + DAY
        if self.frequency == "WEEKLY":
            return self._next_weekday(after)
        if self.frequency == "BIWEEKLY":
            assert self.anchor is not None
            if after < self.anchor:
                return self.anchor
            periods = (after - self.anchor) // dt.timedelta(days=14) + 1
            return self.anchor + periods * dt.timedelta(days=14)
        assert self.day_of_month is not None
        year, month = after.year, after.month
        while True:
            candidate = _monthly_day(year, month, self.day_of_month)
            if candidate > after:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def next_due(self) -> dt.datetime:
        """The instant of the next run not yet materialised."""
        if self._next_due is None:
            self._next_due = self.next_run(self.cursor)
        return self._next_due

    def next_due_epoch(self) -> float:
        """:meth:`next_due` in epoch seconds."""
        if self._next_due_epoch is None:
            self._next_due_epoch = self.next_due().timestamp()
        return self._next_due_epoch

    def due_runs(self, now: dt.datetime, oldest: dt.datetime) -> list[tuple[dt.datetime, dt.datetime | None]]:
        """Runs that fell due up to ``now``, each with the run before it (None for the first ever),
        skipping any older than ``oldest`` (already expired).

        Catching up never costs more than the retention window holds: the search starts
        at ``oldest`` when the cursor is older than that. With nothing due it costs one comparison.
        """
        if self.next_due() > now:
            return []
        runs: list[tuple[dt.datetime, dt.datetime | None]] = []
        start = max(self.cursor, oldest - dt.timedelta(microseconds=1))  # a run exactly 90 days old is kept
        run = self.next_run(start)
        while run <= now:
            runs.append((run, self.last_run))
            self.last_run = run
            run = self.next_run(run)
        if runs:
            self.cursor = runs[-1][0]
        self._next_due, self._next_due_epoch = run, None
        return runs

    def signature(self, tags: list[dict[str, str]] | None) -> tuple[Any, ...]:
        """What makes a second Create with this name a retry rather than a clash."""
        return (self.frequency, self.day_of_month, self.day_of_week, sorted(self.check_names),
                sorted((t["Key"], t.get("Value", "")) for t in tags or []))

    def metadata(self) -> dict[str, Any]:
        return {"scheduledAuditName": self.name, "scheduledAuditArn": self.arn, "frequency": self.frequency,
                "dayOfMonth": self.day_of_month, "dayOfWeek": self.day_of_week}

    def describe(self) -> dict[str, Any]:
        return {**self.metadata(), "targetCheckNames": list(self.check_names)}
