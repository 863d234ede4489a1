"""Reading IAM-style policy documents for the audit checks, in one place.

IoT policies (IOT_POLICY_* checks) and the IAM policies of roles (role alias and
Cognito checks) share the IAM grammar: ``Statement`` is an object or a list, and
``Action``/``NotAction`` and ``Resource``/``NotResource`` are each a string or a
list. Matching follows IAM:

* action names are case-insensitive; ``*`` matches any run of characters and ``?``
  one character (``[`` has no special meaning, unlike :mod:`fnmatch`);
* resources are case-sensitive with the same two wildcards; policy variables such
  as ``${iot:Connection.Thing.ThingName}`` are kept as literal text (they stand for
  one specific value at request time), and ``${*}``, ``${?}``, ``${$}`` stand for
  the literal character;
* MQTT wildcards ``+`` and ``#`` are literal characters in policies (which is what
  IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK is about).

The IoT action classes below come from the per-check AWS pages
(audit-chk-iot-policy-permissive, audit-chk-auth/unauth-cognito-role-permissive):
data-plane actions, the "manage or modify things" actions, the "read thing
administrative data" actions, and every other IoT action ("non-thing" admin),
the last taken from botocore's IoT service model.

Simplifications [INF], shared by every check that reads documents:

* ``Condition`` blocks are ignored (a conditional Allow still counts as granting),
  except ``iot:Connection.Thing.IsAttached: true``, which the AWS pages name as
  what makes ``client/${iot:ClientId}`` acceptable.
* A Deny subtracts an action only when it is unconditional and covers every
  resource (``Resource: "*"``); narrower Denies are not weighed against Allows.
* ``Allow`` + ``NotResource`` counts as an Allow on ``*``; ``Allow`` + ``NotAction``
  grants every action its patterns do not match.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

# -- IoT action classes -------------------------------------------------------

#: IoT data-plane actions that the checks judge for broad resources, in the order
#: their names appear in real reasons ("[iot:Subscribe, iot:Connect, iot:GetThingShadow,
#: iot:DeleteThingShadow, iot:UpdateThingShadow, iot:Publish]"), then the rest [INF],
#: each with the resource kind it is authorized on.
BROAD_CHECKED_DATA_PLANE: dict[str, str] = {
    "iot:Subscribe": "topicfilter",
    "iot:Connect": "client",
    "iot:GetThingShadow": "thing",
    "iot:DeleteThingShadow": "thing",
    "iot:UpdateThingShadow": "thing",
    "iot:Publish": "topic",
    "iot:RetainPublish": "topic",
    "iot:GetRetainedMessage": "topic",
    "iot:ListNamedShadowsForThing": "thing",
    "iot:DescribeJobExecution": "thing",
    "iot:GetPendingJobExecutions": "thing",
    "iot:StartNextPendingJobExecution": "thing",
    "iot:UpdateJobExecution": "thing",
}
#: Data-plane actions never judged broad: the pages call iot:Receive on topic/* compliant
#: (a device only receives what it may subscribe to); ListRetainedMessages only takes "*".
OTHER_DATA_PLANE = ("iot:Receive", "iot:ListRetainedMessages")
DATA_PLANE_ACTIONS: frozenset[str] = frozenset(BROAD_CHECKED_DATA_PLANE) | frozenset(OTHER_DATA_PLANE)

#: "Manage or modify things": granted on even a single resource is non-compliant.
THING_ADMIN_WRITE_ACTIONS: tuple[str, ...] = (
    "iot:AddThingToThingGroup", "iot:AttachThingPrincipal", "iot:CreateThing", "iot:DeleteThing",
    "iot:DetachThingPrincipal", "iot:ListThings", "iot:ListThingsInThingGroup", "iot:RegisterThing",
    "iot:RemoveThingFromThingGroup", "iot:UpdateThing", "iot:UpdateThingGroupsForThing",
)
#: "Read thing administrative data": fine on a few things, non-compliant on thing/*.
THING_ADMIN_READ_ACTIONS: tuple[str, ...] = (
    "iot:DescribeThing", "iot:ListJobExecutionsForThing", "iot:ListThingGroupsForThing", "iot:ListThingPrincipals",
)


@functools.cache
def iot_actions() -> frozenset[str]:
    """Every IoT action name the checks know: the IoT control plane (botocore's model) plus the data plane."""
    import botocore.session

    control = botocore.session.get_session().get_service_model("iot").operation_names
    return (frozenset(f"iot:{name}" for name in control) | DATA_PLANE_ACTIONS
            | frozenset(THING_ADMIN_WRITE_ACTIONS) | frozenset(THING_ADMIN_READ_ACTIONS))


@functools.cache
def non_thing_admin_actions() -> tuple[str, ...]:
    """IoT actions that are neither data plane nor thing administration ("manage non-things")."""
    excluded = DATA_PLANE_ACTIONS | frozenset(THING_ADMIN_WRITE_ACTIONS) | frozenset(THING_ADMIN_READ_ACTIONS)
    return tuple(sorted(iot_actions() - excluded))


# -- patterns -----------------------------------------------------------------

_SPECIAL_VARIABLES = {"${*}": "*", "${?}": "?", "${$}": "$"}


def _tokens(pattern: str) -> Iterable[tuple[str, bool]]:
    """(text, is_variable) pieces; a policy variable is one literal piece."""
    i = 0
    while i < len(pattern):
        if pattern.startswith("${", i):
            end = pattern.find("}", i)
            if end != -1:
                variable = pattern[i:end + 1]
                yield _SPECIAL_VARIABLES.get(variable, variable), True
                i = end + 1
                continue
        yield pattern[i], False
        i += 1


@functools.lru_cache(maxsize=4096)
def _regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = [
        re.escape(text) if variable or text not in "*?" else (".*" if text == "*" else ".")
        for text, variable in _tokens(pattern)
    ]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard match of ``value`` (taken literally) against ``pattern``."""
    return _regex(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    return matches(pattern, action, ignore_case=True)


def has_wildcard(pattern: str, wildcards: str = "*?") -> bool:
    return literal_prefix(pattern, wildcards) is not None


def literal_prefix(pattern: str, wildcards: str = "*?") -> str | None:
    """The text before the first wildcard (policy variables kept as written), or None without one."""
    prefix: list[str] = []
    for text, variable in _tokens(pattern):
        if not variable and text in wildcards:
            return "".join(prefix)
        prefix.append(text)
    return None


# -- statements ---------------------------------------------------------------

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


# -- IAM roles ------------------------------------------------------------------

def arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else None


def find_role(iam: Any, role_arn: str) -> Any | None:
    """moto's IAM role with this ARN, or None."""
    return next((role for role in list(iam.roles.values()) if role.arn == role_arn), None)


def role_statements(role: Any) -> list[Statement]:
    """Every statement of a role's permissions: inline policies and the default versions of attached
    managed policies (customer and AWS managed). Trust policy and permissions boundary are not read."""
    statements: list[Statement] = []
    for document in list(role.policies.values()):
        statements.extend(parse_document(document))
    for policy in list(role.managed_policies.values()):
        version = next((v for v in policy.versions if v.version_id == policy.default_version_id), None)
        if version is not None:
            statements.extend(parse_document(version.document))
    return statements


# -- questions the checks ask ----------------------------------------------------

def denied_everywhere(statements: list[Statement], action: str) -> bool:
    return any(st.denies_everywhere(action) for st in statements)


def granted(statements: list[Statement], actions: Iterable[str]) -> list[str]:
    """The given actions that some Allow grants (on any resource) and no blanket Deny takes away."""
    allows = [st for st in statements if st.allows]
    return [a for a in actions
            if any(st.matches_action(a) for st in allows) and not denied_everywhere(statements, a)]


def granting_patterns(statements: list[Statement], actions: Iterable[str]) -> list[str]:
    """The Action patterns (as written) through which Allows grant any of ``actions``; "*" for NotAction."""
    wanted = [a for a in actions if not denied_everywhere(statements, a)]
    found: list[str] = []
    for st in statements:
        if not st.allows:
            continue
        if st.not_action:
            if any(st.matches_action(a) for a in wanted):
                found.append("*")
            continue
        found.extend(p for p in st.actions if any(action_matches(p, a) for a in wanted))
    return list(dict.fromkeys(found))


def iot_resource_name(resource: str, kind: str) -> str | None:
    """The name pattern a resource gives for IoT resources of ``kind`` (client, topic, topicfilter,
    thing): "*" when the resource or its type is a wildcard, None when it cannot be of that kind."""
    if resource == "*":
        return "*"
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not matches(parts[2], "iot", ignore_case=True):
        return None
    rtype, _, name = parts[5].partition("/")
    if has_wildcard(rtype):
        return "*" if matches(rtype, kind) else None
    return name if rtype == kind else None


def is_broad_iot_resource(resource: str, kind: str, statement: Statement) -> bool:
    """Whether a resource lets an action reach a broad set of devices [INF, after the AWS pages]:

    * thing/client names: a wildcard with no fixed text before it (``thing/*``; ``thing/MyThing*``
      is compliant per the Cognito page); ``client/${iot:ClientId}`` unless the statement requires
      ``iot:Connection.Thing.IsAttached`` (the client picks its own id).
    * topics and topic filters: a wildcard that starts at or before the thing-name level of the
      reserved ``$aws/things/<thing>/...`` topics (``topic/*``, ``topic/$aws/things/*/shadow/update``),
      counting ``+``/``#`` as wildcards in topic filters; a policy variable before the wildcard
      (``$aws/things/${iot:Connection.Thing.ThingName}/shadow/*``) scopes it to one device.
    """
    name = iot_resource_name(resource, kind)
    if name is None:
        return False
    prefix = literal_prefix(name, "*?+#" if kind == "topicfilter" else "*?")
    if kind == "client" and name.lower().startswith("${iot:clientid}") and not statement.is_attached_condition:
        return True
    if prefix is None:
        return False
    if kind in ("thing", "client"):
        return prefix == ""
    return "$aws/things/".startswith(prefix)


def broad_iot_actions(statements: list[Statement], actions: Mapping[str, str] | Iterable[str],
                      kind: str | None = None) -> list[str]:
    """The actions (in the given order) that an Allow grants on a broad set of IoT resources.
    ``actions`` maps each action to its resource kind, or all share ``kind``."""
    kinds = dict(actions) if isinstance(actions, Mapping) else dict.fromkeys(actions, kind or "thing")
    found: list[str] = []
    for action, action_kind in kinds.items():
        if denied_everywhere(statements, action):
            continue
        if any(st.allows and st.matches_action(action)
               and any(is_broad_iot_resource(r, action_kind, st) for r in st.granted_resources)
               for st in statements):
            found.append(action)
    return found


def broad_data_plane_actions(statements: list[Statement]) -> list[str]:
    return broad_iot_actions(statements, BROAD_CHECKED_DATA_PLANE)


def services_accessed(statements: list[Statement]) -> list[str]:
    """Service prefixes Allows grant any action of, as written ("*" or a wildcard prefix when the
    policy names services by pattern); services a blanket Deny removes entirely are left out."""
    found: list[str] = []
    for st in statements:
        if st.allows:
            found.extend(st.service_patterns())
    return [s for s in dict.fromkeys(found) if has_wildcard(s) or not service_denied(statements, s)]


def service_denied(statements: list[Statement], service: str) -> bool:
    return any(st.denies and not st.condition and not st.not_resource and "*" in st.resources
               and st.covers_whole_service(service) for st in statements)


def unrestricted_resource(resource: str) -> bool:
    """``*``, or an ARN whose resource part is ``*`` (any resource of the service)."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and parts[5] == "*"


def services_fully_granted(statements: list[Statement], services: Iterable[str]) -> list[str]:
    """Of ``services``, those that an Allow grants every action of (``*``/``svc:*``) on every resource."""
    result: list[str] = []
    for service in services:
        if service_denied(statements, service):
            continue
        if any(st.allows and st.covers_whole_service(service)
               and any(unrestricted_resource(r) for r in st.granted_resources) for st in statements):
            result.append(service)
    return result


def service_matches(pattern: str, service: str) -> bool:
    return matches(pattern, service, ignore_case=True)
