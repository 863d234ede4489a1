"""A time-ordered index: the structure behind every "list ... between startTime and endTime".

Items are kept sorted by ``(epoch seconds, id)``. A window query is two bisections
and then a walk over the page, so the first page of a list costs O(log n + page)
however many items are stored. Items arrive almost always in time order, so an
insert is an append in practice. Expired items are dropped from the old end.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
Key = tuple[float, str]


class Timeline(Generic[T]):
    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._items: dict[str, T] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._items

    def get(self, item_id: str) -> T | None:
        return self._items.get(item_id)

    def add(self, when: dt.datetime, item_id: str, item: T) -> None:
        key = (when.timestamp(), item_id)
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)
        else:
            bisect.insort(self._keys, key)
        self._items[item_id] = item

    def remove(self, when: dt.datetime, item_id: str) -> None:
        key = (when.timestamp(), item_id)
        i = bisect.bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            del self._keys[i]
        self._items.pop(item_id, None)

    def expire_before(self, cutoff: dt.datetime) -> list[T]:
        """Drop and return every item older than ``cutoff``."""
        i = bisect.bisect_left(self._keys, (cutoff.timestamp(), ""))
        if not i:
            return []
        gone = [self._items.pop(item_id) for _, item_id in self._keys[:i]]
        del self._keys[:i]
        return gone

    def newest_first(self, start: dt.datetime, end: dt.datetime, before: Key | None = None) -> Iterator[tuple[Key, T]]:
        """Items with start <= time <= end, newest first, strictly older than ``before`` if given."""
        lo = bisect.bisect_left(self._keys, (start.timestamp(), ""))
        hi = bisect.bisect_right(self._keys, (end.timestamp(), "\uffff"))
        if before is not None:
            hi = min(hi, bisect.bisect_left(self._keys, before))
        keys, items = self._keys, self._items
        for i in range(hi - 1, lo - 1, -1):
            key = keys[i]
            yield key, items[key[1]]

    def values(self) -> Iterator[T]:
        return iter(self._items.values())
