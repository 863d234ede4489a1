"""The statements of an IAM-style policy document, read into :class:`Statement` values.

IoT policies and the IAM policies of roles share the IAM grammar: ``Statement`` is an
object or a list, and ``Action``/``NotAction`` and ``Resource``/``NotResource`` are each a
string or a list. A document may be JSON text, URL-encoded JSON (as IAM hands it back) or
an already-parsed mapping; one that cannot be read has no statements.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .iam_patterns import action_matches, matches


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


@dataclass(frozen=True)
class Statement:
    effect: str
    #: Action patterns, or the NotAction patterns when ``not_action``.
    actions: tuple[str, ...]
    not_action: bool
    #: Resource patterns, or the NotResource patterns when ``not_resource``.
    resources: tuple[str, ...]
    not_resource: bool
    condition: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def denies(self) -> bool:
        return self.effect == "Deny"

    @property
    def granted_resources(self) -> tuple[str, ...]:
        """Resources an Allow covers; NotResource counts as "*" (conservative)."""
        return ("*",) if self.not_resource else self.resources

    def matches_action(self, action: str) -> bool:
        hit = any(action_matches(p, action) for p in self.actions)
        return hit != self.not_action

    def denies_everywhere(self, action: str) -> bool:
        """An unconditional Deny of ``action`` on every resource."""
        return (self.denies and not self.condition and not self.not_resource and "*" in self.resources
                and self.matches_action(action))

    def service_patterns(self) -> tuple[str, ...]:
        """The service prefixes this statement's actions name ("*" for NotAction or a bare "*")."""
        if self.not_action:
            return ("*",)
        return tuple(dict.fromkeys(p.split(":", 1)[0].lower() if ":" in p else "*" for p in self.actions))

    def covers_whole_service(self, service: str) -> bool:
        """Whether the actions include every action of ``service`` (``*`` or ``service:*``)."""
        if self.not_action:
            return not any(_pattern_covers_service(p, service) or _pattern_in_service(p, service)
                           for p in self.actions)
        return any(_pattern_covers_service(p, service) for p in self.actions)

    @property
    def is_attached_condition(self) -> bool:
        """``iot:Connection.Thing.IsAttached`` is required to be true."""
        for block in self.condition.values():
            if isinstance(block, Mapping):
                for key, value in block.items():
                    if str(key).lower() == "iot:connection.thing.isattached" and _truthy(value):
                        return True
        return False


def _pattern_covers_service(pattern: str, service: str) -> bool:
    if ":" not in pattern:
        return pattern == "*"
    prefix, name = pattern.split(":", 1)
    return name == "*" and matches(prefix, service, ignore_case=True)


def _pattern_in_service(pattern: str, service: str) -> bool:
    return ":" in pattern and matches(pattern.split(":", 1)[0], service, ignore_case=True)


def _truthy(value: Any) -> bool:
    values = value if isinstance(value, (list, tuple)) else [value]
    return any(v is True or str(v).lower() == "true" for v in values)


def _load(document: Any) -> Any:
    if isinstance(document, (bytes, bytearray)):
        document = document.decode("utf-8", "replace")
    if not isinstance(document, str):
        return document
    for text in (document, unquote(document)):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return None


def parse_document(document: Any) -> list[Statement]:
    """The statements of a policy document (JSON text, URL-encoded JSON or a dict); [] if unreadable."""
    data = _load(document)
    if not isinstance(data, Mapping):
        return []
    raw = data.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    statements: list[Statement] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        effect = str(item.get("Effect", "")).capitalize()
        if effect not in ("Allow", "Deny"):
            continue
        not_action = "Action" not in item and "NotAction" in item
        not_resource = "Resource" not in item and "NotResource" in item
        condition = item.get("Condition")
        statements.append(Statement(
            effect=effect,
            actions=_strings(item.get("NotAction") if not_action else item.get("Action")),
            not_action=not_action,
            resources=_strings(item.get("NotResource") if not_resource else item.get("Resource")),
            not_resource=not_resource,
            condition=condition if isinstance(condition, Mapping) else {},
        ))
    return statements
