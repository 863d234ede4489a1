"""Identifiers: unique, in the shapes AWS uses, and cheap (a uuid4 per finding shows in profiles).

Each process draws one random prefix and counts from there, so ids never repeat
within a process and differ between processes (pytest-xdist workers, servers).
"""

from __future__ import annotations

import itertools
import uuid

_PREFIX = uuid.uuid4().hex
_COUNTER = itertools.count(1)


def _next() -> str:
    """32 lowercase hex characters: 20 from the process prefix, 12 from the counter."""
    return f"{_PREFIX[:20]}{next(_COUNTER):012x}"


def task_id() -> str:
    """Like AWS's audit task ids: 32 hex characters."""
    return _next()


def uuid_like() -> str:
    """Like AWS's finding, action and request ids: a UUID string."""
    raw = _next()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
