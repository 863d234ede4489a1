"""Walking a scenario's data as it was read, before it is known to be well formed.

Validation (references.py, api_values.py) runs beside the schema, so it reads whatever parts are
well formed and skips the rest: these give the regions, the entries of a section and the strings
of a list that are of the expected kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .source import Path_


def region_states(data: dict[str, Any]) -> Iterator[tuple[Path_, dict[str, Any]]]:
    yield (), data
    accounts = data.get("accounts")
    if isinstance(accounts, list):
        for i, entry in enumerate(accounts):
            if isinstance(entry, dict):
                yield ("accounts", i), entry


def entries(state: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = state.get(key)
    if isinstance(value, list):
        for i, entry in enumerate(value):
            if isinstance(entry, dict):
                yield i, entry


def strings(value: Any) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item
