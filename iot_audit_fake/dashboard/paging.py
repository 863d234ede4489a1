"""Server-side pages of a list the dashboard shows: which slice, and how many pages there are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its 1-based number, and the size of the whole list."""

    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_index(self) -> int:
        """The 0-based position of the page's first item in the whole list."""
        return (self.number - 1) * self.size


def clamp(number: int, total: int, size: int) -> int:
    """A requested page number brought into 1..pages (a stale link past the end shows the last page)."""
    pages = max(1, -(-total // size))
    return min(max(number, 1), pages)


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    number = clamp(number, len(items), size)
    start = (number - 1) * size
    return Page(list(items[start:start + size]), number, size, len(items))
