"""Opaque, tamper-evident ``nextToken`` values and the page loop every list shares.

A token carries the sort key of the last item returned and a fingerprint of the
query it belongs to, signed with a per-process secret. A token that was edited,
truncated, or replayed against a different query is refused with
InvalidRequestException, as AWS does for a garbage token. Because the token holds
a position (not an offset), a page costs the same wherever it starts.

moto's ``paginate`` decorator re-sorts and slices the whole collection on every
call (O(n) per page); the time-ordered lists here must stay O(log n + page), so
this module replaces it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import InvalidRequestException

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 25
_SECRET = secrets.token_bytes(16)


def _fingerprint(query: Any) -> str:
    return hashlib.blake2s(json.dumps(query, sort_keys=True, default=str).encode(), digest_size=6).hexdigest()


def encode_token(position: Any, query: Any) -> str:
    payload = json.dumps([position, _fingerprint(query)], separators=(",", ":")).encode()
    mac = hmac.new(_SECRET, payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode_token(token: str | None, query: Any) -> Any:
    """The position stored in ``token`` (None for the first page)."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        mac, payload = raw[:12], raw[12:]
        valid = hmac.compare_digest(mac, hmac.new(_SECRET, payload, hashlib.sha256).digest()[:12])
        position, fingerprint = json.loads(payload) if valid else (None, None)
    except (ValueError, TypeError):
        valid, fingerprint = False, None
    if not valid or fingerprint != _fingerprint(query):
        raise InvalidRequestException("The nextToken is invalid or does not belong to this request.")
    return position


def take_page(
    items: Iterable[T], max_results: int | None, position_of: Callable[[T], Any], query: Any
) -> tuple[list[T], str | None]:
    """Take one page from ``items`` (already positioned after the token) and the token for the next."""
    size = max_results or DEFAULT_PAGE_SIZE
    page: list[T] = []
    iterator: Iterator[T] = iter(items)
    for item in iterator:
        if len(page) == size:
            return page, encode_token(position_of(page[-1]), query)
        page.append(item)
    return page, None


def after_position(
    items: Iterable[T], position: Any, key: Callable[[T], Any], descending: bool = False
) -> Iterator[T]:
    """For small collections sorted by ``key``: the items that come after ``position``.

    Comparing keys (rather than looking for the last item) keeps paging right
    when that item was deleted between two pages.
    """
    if position is None:
        yield from items
        return
    mark = _normalise(position)
    for item in items:
        k = _normalise(key(item))
        if (k < mark) if descending else (k > mark):
            yield item


def _normalise(value: Any) -> Any:
    # Positions round-trip through JSON, so tuples come back as lists.
    return list(value) if isinstance(value, tuple) else value
