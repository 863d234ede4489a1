"""Audit finding suppressions and their rules (reference §9).

A suppression is keyed by check name and resource identifier (compared as a
structure). It applies while it is indefinite or its expirationDate is in the
future; an expired one stays visible in Describe and List but no longer
suppresses new findings [INF: AWS does not say whether it disappears].
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from .checks.catalogue import resource_spec
from .errors import InvalidRequestException

Key = tuple[str, str]


def key_of(check_name: str, identifier: dict[str, Any]) -> Key:
    return check_name, json.dumps(identifier, sort_keys=True)


def validate_key(check_name: str, identifier: dict[str, Any]) -> None:
    resource_spec(check_name, identifier)


@dataclass
class Suppression:
    check_name: str
    identifier: dict[str, Any]
    expiration: dt.datetime | None
    indefinitely: bool
    description: str | None

    def active(self, at: dt.datetime) -> bool:
        return self.indefinitely or (self.expiration is not None and self.expiration > at)

    def sort_key(self) -> tuple[int, float, str, str]:
        # Indefinite suppressions have no expirationDate; they sort last in ascending order [INF].
        expires = self.expiration.timestamp() if self.expiration and not self.indefinitely else 0.0
        return (1 if self.indefinitely else 0, expires, *key_of(self.check_name, self.identifier))

    def describe(self) -> dict[str, Any]:
        return {
            "checkName": self.check_name,
            "resourceIdentifier": self.identifier,
            "expirationDate": None if self.indefinitely else self.expiration,
            "suppressIndefinitely": self.indefinitely,
            "description": self.description,
        }


def validate_term(expiration: dt.datetime | None, indefinitely: bool, now: dt.datetime) -> None:
    """Indefinite, or ending at a future expirationDate [INF: the combination rules are undocumented]."""
    if indefinitely:
        return
    if expiration is None:
        raise InvalidRequestException("Give an expirationDate or set suppressIndefinitely to true.")
    if expiration <= now:
        raise InvalidRequestException("expirationDate must be in the future.")
