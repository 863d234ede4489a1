"""moto's resource timestamps, read and written the same way on every moto 5.x the package supports.

moto 5.1.0 keeps a certificate's ``creation_date`` as epoch seconds; later releases keep a naive UTC
datetime. The checks read it (DEVICE_CERTIFICATE_AGE_CHECK counts from registration) and scenarios
write it (a certificate registered long ago).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import clock


def registered_at(resource: Any) -> dt.datetime:
    """The aware UTC instant of a moto resource's ``creation_date``."""
    created = resource.creation_date
    if isinstance(created, (int, float)):
        return dt.datetime.fromtimestamp(created, dt.timezone.utc)
    return clock.aware(created)


def set_registered_at(resource: Any, moment: dt.datetime) -> None:
    """Give a moto resource the ``creation_date`` (and ``last_modified_date``) ``moment``, in moto's own form."""
    if isinstance(resource.creation_date, (int, float)):
        value: Any = moment.timestamp()
    else:
        value = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    resource.creation_date = value
    if hasattr(resource, "last_modified_date"):
        resource.last_modified_date = value
