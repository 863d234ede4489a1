"""The fake's clock in server mode, and real time for the server's log.

The clock is real time until a control request moves it; from then on it is
time-machine travel that keeps ticking. Every move is checked first: a
destination outside :data:`EARLIEST` .. :data:`LATEST`, or an advance that is
not a finite number, is refused and leaves the clock where it was.

time-machine moves ``time.time()`` for the whole process, the ``logging``
module's record times included; :class:`RealTimeLogFilter` puts real time back
on the server's records.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from typing import Any

from .. import clock as _clock
from ..errors import InvalidRequestException

#: The instants the clock may be moved to [INF]: AWS has no such control; the fake computes windows
#: and expirations around "now" (days to years), which stay representable and meaningful here.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


class ServerClock:
    """The fake's clock in server mode: real time until moved, then time-machine travel (ticking)."""

    def __init__(self) -> None:
        self._travel: Any = None
        self._traveller: Any = None
        self._lock = threading.Lock()

    @property
    def travelling(self) -> bool:
        return self._travel is not None

    def set(self, destination: dt.datetime) -> None:
        """Move to ``destination`` (an aware instant in range), or refuse without moving."""
        _check_range(destination, "set")
        with self._lock:
            if self._traveller is not None:
                self._traveller.move_to(destination)
            else:
                self._start(destination)

    def advance(self, seconds: float) -> None:
        """Move by ``seconds`` (finite; may be negative) if the clock stays in range, or refuse."""
        if not math.isfinite(seconds) or abs(seconds) > (LATEST - EARLIEST).total_seconds():
            raise InvalidRequestException(f'"advance" must be a finite number of seconds within the clock\'s '
                                          f"range ({EARLIEST.year}..{LATEST.year}), not {seconds!r}.")
        with self._lock:
            destination = _clock.now() + dt.timedelta(seconds=seconds)
            _check_range(destination, "advance")
            if self._traveller is not None:
                self._traveller.shift(seconds)
            else:
                self._start(destination)

    def reset(self) -> None:
        with self._lock:
            if self._travel is not None:
                self._travel.stop()
            self._travel = self._traveller = None

    def _start(self, destination: dt.datetime) -> None:
        import time_machine  # a dependency; imported on first use, as it patches the C clock

        travel = time_machine.travel(destination, tick=True)
        self._traveller = travel.start()
        self._travel = travel


def _check_range(destination: dt.datetime, key: str) -> None:
    if not EARLIEST <= destination < LATEST:
        raise InvalidRequestException(
            f'"{key}" would move the clock to {destination.isoformat()}; the clock stays between '
            f"{EARLIEST.date().isoformat()} and {LATEST.date().isoformat()}."
        )


def parse_instant(value: str) -> dt.datetime:
    """An ISO-8601 instant (``Z`` or an offset; naive reads as UTC), or InvalidRequestException."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        instant = dt.datetime.fromisoformat(text)
        return _clock.aware(instant).astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidRequestException(f'"set" is not an ISO-8601 instant: {value[:64]!r}.') from None


def real_time() -> float:
    """Seconds since the epoch by the wall clock, whether or not time-machine is travelling."""
    from time_machine import escape_hatch

    return float(escape_hatch.time.time()) if escape_hatch.is_travelling() else time.time()


class RealTimeLogFilter(logging.Filter):
    """Stamps a record with real time (its ``asctime``), not the time the fake's clock was moved to."""

    def filter(self, record: logging.LogRecord) -> bool:
        real = real_time()
        if abs(real - record.created) > 0.001:
            record.created = real
            record.msecs = (real - int(real)) * 1000
        return True
