"""A time-ordered index: the structure behind every "list ... between startTime and endTime".

Items are kept sorted by ``(epoch seconds, id)``. A window query is two bisections
and then a walk over the page, so the first page of a list costs O(log n + page)
however many items are stored. Items arrive almost always in time order, so an
insert is an append in practice. Expired items are dropped from the old end.

A list filter (taskStatus, checkName, ...) must not turn that walk into a scan of
the window, so a timeline can also keep *secondary indexes*: for a filter field,
one sorted key list per value, holding exactly the keys of the items with that
value. A filtered query bisects that list instead of the main one. Each field's
index is kept in step with the main list on add, remove and expiry; a field
whose value changes while the item is stored (a task's status) is declared
*volatile*, its last indexed value is remembered, and :meth:`Timeline.reindex`
moves the item between lists when it changes. Filters on several fields at once
use an index over that combination of fields: the combinations a timeline names
are kept from the start; any other is built on its first use (one pass over the
timeline) and maintained from then on like the rest.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")
Key = tuple[float, str]
#: A field maps an item to the values it is listed under (one, or several for a many-valued field).
Field = Callable[[T], Iterable[Hashable]]
Combo = tuple[str, ...]
#: One sorted key list per combination of field values.
Index = dict[tuple[Hashable, ...], list[Key]]
#: A combination of filters not indexed yet is served by walking its narrowest filter's list, checking
#: the others, while that list is at most this long (a page then costs at most this many checks).
WALK_LIMIT = 512


class Timeline(Generic[T]):
    def __init__(self, fields: Mapping[str, Field[T]] | None = None, volatile: Collection[str] = (),
                 combinations: Iterable[Collection[str]] = ()) -> None:
        self._keys: list[Key] = []
        self._items: dict[str, tuple[Key, T]] = {}
        self._fields: dict[str, Field[T]] = dict(fields or {})
        self._volatile = tuple(name for name in self._fields if name in volatile)
        #: Last indexed values of the volatile fields, per item id.
        self._remembered: dict[str, tuple[tuple[Hashable, ...], ...]] = {}
        self._indexes: dict[Combo, Index] = {(name,): {} for name in self._fields}
        for combo in combinations:
            self._indexes[tuple(sorted(combo))] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._items

    def get(self, item_id: str) -> T | None:
        found = self._items.get(item_id)
        return found[1] if found is not None else None

    def add(self, when: dt.datetime, item_id: str, item: T) -> None:
        key = (when.timestamp(), item_id)
        _insert(self._keys, key)
        self._items[item_id] = (key, item)
        if self._fields:
            values = self._current(item)
            if self._volatile:
                self._remembered[item_id] = tuple(values[name] for name in self._volatile)
            for combo, index in self._indexes.items():
                for group in _groups(combo, values):
                    _insert(index.setdefault(group, []), key)

    def remove(self, when: dt.datetime, item_id: str) -> None:
        found = self._items.pop(item_id, None)
        # The key it was filed under (``when`` is the caller's copy of it).
        _delete(self._keys, found[0] if found is not None else (when.timestamp(), item_id))
        if found is not None and self._fields:
            values = self._indexed(item_id, found[1])
            self._remembered.pop(item_id, None)
            for combo, index in self._indexes.items():
                for group in _groups(combo, values):
                    _delete_from(index, group, found[0])

    def reindex(self, item_id: str) -> None:
        """Follow a change of an item's volatile fields (call after changing them)."""
        found = self._items.get(item_id)
        if found is None or not self._volatile:
            return
        key, item = found
        old, new = self._indexed(item_id, item), self._current(item)
        if all(old[name] == new[name] for name in self._volatile):
            return
        for combo, index in self._indexes.items():
            if any(name in self._volatile for name in combo):
                for group in _groups(combo, old):
                    _delete_from(index, group, key)
                for group in _groups(combo, new):
                    _insert(index.setdefault(group, []), key)
        self._remembered[item_id] = tuple(new[name] for name in self._volatile)

    def starts_before(self, limit: float) -> bool:
        """Whether the oldest item is older than ``limit`` (epoch seconds): one comparison."""
        return bool(self._keys) and self._keys[0][0] < limit

    def expire_before(self, cutoff: dt.datetime) -> list[T]:
        """Drop and return every item older than ``cutoff``."""
        mark = (cutoff.timestamp(), "")
        i = bisect.bisect_left(self._keys, mark)
        if not i:
            return []
        gone = [self._items.pop(item_id)[1] for _, item_id in self._keys[:i]]
        if self._fields:
            touched: set[tuple[Combo, tuple[Hashable, ...]]] = set()
            for (_, item_id), item in zip(self._keys[:i], gone, strict=True):
                values = self._indexed(item_id, item)
                self._remembered.pop(item_id, None)
                touched.update((combo, group) for combo in self._indexes for group in _groups(combo, values))
            for combo, group in touched:
                index = self._indexes[combo]
                keys = index.get(group)
                if keys is not None:
                    del keys[:bisect.bisect_left(keys, mark)]
                    if not keys:
                        del index[group]
        del self._keys[:i]
        return gone

    def newest_first(
        self, start: dt.datetime, end: dt.datetime, before: Key | None = None,
        where: Mapping[str, Hashable] | None = None,
    ) -> Iterator[tuple[Key, T]]:
        """Items with start <= time <= end, newest first, strictly older than ``before`` if given,
        and (``where``) whose indexed fields hold the given values."""
        keys, rest = (self._keys, {}) if not where else self._matching(where)
        lo = bisect.bisect_left(keys, (start.timestamp(), ""))
        hi = bisect.bisect_right(keys, (end.timestamp(), "\uffff"))
        if before is not None:
            hi = min(hi, bisect.bisect_left(keys, before))
        items = self._items
        for i in range(hi - 1, lo - 1, -1):
            key = keys[i]
            item = items[key[1]][1]
            if not rest or self._holds(key[1], item, rest):
                yield key, item

    def values(self) -> Iterator[T]:
        return (item for _, item in self._items.values())

    # -- indexes --------------------------------------------------------------

    def _matching(self, where: Mapping[str, Hashable]) -> tuple[list[Key], Mapping[str, Hashable]]:
        """The sorted keys to walk for ``where``, and the filters still to check on each item."""
        combo = tuple(sorted(where))
        index = self._indexes.get(combo)
        if index is None:
            missing = [name for name in combo if (name,) not in self._indexes]
            if missing:
                raise KeyError(f"not an indexed field: {', '.join(missing)}")
            # One filter alone may leave few items: walk those, checking the others, rather than
            # index the combination (a pass over the whole timeline) for a query that needs little.
            narrowest = min(combo, key=lambda name: len(self._indexes[(name,)].get((where[name],), ())))
            keys = self._indexes[(narrowest,)].get((where[narrowest],), [])
            if len(keys) <= WALK_LIMIT:
                return keys, {name: value for name, value in where.items() if name != narrowest}
            index = self._indexes[combo] = self._build(combo)
        return index.get(tuple(where[name] for name in combo), []), {}

    def _holds(self, item_id: str, item: T, where: Mapping[str, Hashable]) -> bool:
        known = self._remembered.get(item_id)
        for name, value in where.items():
            if name in self._volatile and known is not None:
                if value not in known[self._volatile.index(name)]:
                    return False
            elif value not in tuple(self._fields[name](item)):
                return False
        return True

    def _build(self, combo: Combo) -> Index:
        index: Index = {}
        # Walk the single-field index with the most values (the costliest field to compute, as a
        # resource's), so that field is never computed again; its lists are sorted, and each
        # combination's keys all come from one of them, so every new list comes out sorted too.
        lead = max(combo, key=lambda name: len(self._indexes[(name,)]))
        at = combo.index(lead)
        others = [name for name in combo if name != lead]
        fields = [self._fields[name] for name in others]
        volatile = [self._volatile.index(name) if name in self._volatile else -1 for name in others]
        remembered, items = self._remembered, self._items
        for (value,), keys in self._indexes[(lead,)].items():
            for key in keys:
                item_id = key[1]
                known = remembered.get(item_id)
                values = [known[v] if v >= 0 and known is not None else tuple(field(items[item_id][1]))
                          for field, v in zip(fields, volatile, strict=True)]
                for rest in itertools.product(*values):
                    index.setdefault((*rest[:at], value, *rest[at:]), []).append(key)
        return index

    def _current(self, item: T) -> dict[str, tuple[Hashable, ...]]:
        return {name: tuple(field(item)) for name, field in self._fields.items()}

    def _indexed(self, item_id: str, item: T) -> dict[str, tuple[Hashable, ...]]:
        """The values the item is indexed under now (volatile ones as last indexed)."""
        values = self._current(item)
        remembered = self._remembered.get(item_id)
        if remembered is not None:
            values.update(zip(self._volatile, remembered, strict=True))
        return values


def _groups(combo: Combo, values: Mapping[str, tuple[Hashable, ...]]) -> Iterator[tuple[Hashable, ...]]:
    if len(combo) == 1:
        return ((value,) for value in values[combo[0]])
    return itertools.product(*(values[name] for name in combo))


def _insert(keys: list[Key], key: Key) -> None:
    if not keys or key > keys[-1]:
        keys.append(key)
    else:
        bisect.insort(keys, key)


def _delete(keys: list[Key], key: Key) -> None:
    i = bisect.bisect_left(keys, key)
    if i < len(keys) and keys[i] == key:
        del keys[i]


def _delete_from(index: Index, group: tuple[Hashable, ...], key: Key) -> None:
    keys = index.get(group)
    if keys is not None:
        _delete(keys, key)
        if not keys:
            del index[group]
