"""What the policy and role checks ask of IAM-style policy documents, in one place.

IoT policies (IOT_POLICY_* checks) and the IAM policies of roles (role alias and
Cognito checks) are read the same way: the statements (:mod:`.iam_statements`), IAM's
wildcard matching (:mod:`.iam_patterns`) and the IoT action classes of the AWS pages
(:mod:`.iot_actions`). This module holds the questions asked of them (which actions are
granted, on how broad a set of resources, which services) and a role's statements; it
re-exports the names of those three modules, so a check imports from one place.

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

from collections.abc import Iterable, Mapping
from typing import Any

from .iam_patterns import action_matches as action_matches
from .iam_patterns import has_wildcard as has_wildcard
from .iam_patterns import literal_prefix as literal_prefix
from .iam_patterns import matches as matches
from .iam_statements import Statement as Statement
from .iam_statements import parse_document as parse_document
from .iot_actions import BROAD_CHECKED_DATA_PLANE as BROAD_CHECKED_DATA_PLANE
from .iot_actions import DATA_PLANE_ACTIONS as DATA_PLANE_ACTIONS
from .iot_actions import OTHER_DATA_PLANE as OTHER_DATA_PLANE
from .iot_actions import THING_ADMIN_READ_ACTIONS as THING_ADMIN_READ_ACTIONS
from .iot_actions import THING_ADMIN_WRITE_ACTIONS as THING_ADMIN_WRITE_ACTIONS
from .iot_actions import iot_actions as iot_actions
from .iot_actions import non_thing_admin_actions as non_thing_admin_actions


def arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else None


def find_role(iam: Any, role_arn: str) -> Any | None:
    """moto's IAM role with this ARN, or None."""
    from ..moto_errors import MOTO_ERRORS

    try:
        return iam.get_role_by_arn(role_arn)
    except MOTO_ERRORS:  # moto's NoSuchEntity (named differently across moto 5.x)
        return None


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
