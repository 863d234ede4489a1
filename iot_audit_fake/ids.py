"""Identifiers: unique, in the shapes AWS uses, and cheap (a uuid4 per finding shows in profiles).

Each process draws one random prefix, so ids differ between processes (pytest-xdist
workers, servers). The counter after it lives in a moto ``BackendDict``, so moto's reset
(a mock's start or end, ``/moto-api/reset``) restarts it with the state the ids name:
the ids a test sees do not depend on how many earlier tests drew ids, and within the
life of a state they never repeat.
"""

from __future__ import annotations

import itertools
import uuid

from moto.core.base_backend import BackendDict, BaseBackend

_PREFIX = uuid.uuid4().hex[:20]
_ACCOUNT, _PLACE = "000000000000", "ids"


class _Counter(BaseBackend):
    """The id counter since moto's last reset."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.counter = itertools.count(1)  # next() on it is atomic under the GIL


_counters: BackendDict[_Counter] = BackendDict(_Counter, "iot-audit-ids", use_boto3_regions=False,
                                               additional_regions=[_PLACE])


def _next() -> str:
    """32 lowercase hex characters: 20 from the process prefix, 12 from the counter."""
    account = dict.get(_counters, _ACCOUNT)  # the fast path: no lock once the counter exists
    found = dict.get(account, _PLACE) if account is not None else None
    counter = found if found is not None else _counters[_ACCOUNT][_PLACE]
    return f"{_PREFIX}{next(counter.counter):012x}"


def task_id() -> str:
    """Like AWS's audit task ids: 32 hex characters."""
    return _next()


def uuid_like() -> str:
    """Like AWS's finding, action and request ids: a UUID string."""
    raw = _next()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
