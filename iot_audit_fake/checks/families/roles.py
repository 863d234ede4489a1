"""Checks over IAM roles that devices obtain credentials from: IoT role aliases and Cognito identity pools.

All four read the role's permissions from moto's IAM backend: inline policies and
the default versions of attached managed policies (:func:`..iam_documents.role_statements`).
A role that does not exist grants nothing, so it is compliant [INF]. A role in
another account cannot be read from this account's IAM: a role alias pointing to
one is skipped (not counted) [INF]; a Cognito pool's foreign role is compliant.
A non-compliant resource is counted once and gets one finding per reason code
that applies (check-triggers.md §G [INF]). Findings name the IAM role as a related
``IAM_ROLE`` resource.

Service usage is the role's IAM "service last accessed" data, which moto does not
keep: tests record it with ``record_service_usage(role_arn, service, last_accessed)``.
A service is *used* when the role accessed it in the 365 days up to the run
(inclusive [INF]); usage is per role, so aliases sharing a role share it. A service
pattern with a wildcard (``*``, ``iot*``) always takes in some unused service [INF].

IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK (audit-chk-iot-role-alias-permissive), over every
role alias in moto's IoT backend (check-triggers.md 14):

* ALLOWS_BROAD_ACCESS_TO_USED_SERVICES: all actions (``*`` or ``svc:*``) on every
  resource of a service the role used in the past year;
* ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES: any action of iam, cloudtrail, guardduty,
  inspector or trustedadvisor (inspector2 added [INF]);
* ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS, ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS,
  ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS, ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS:
  the IoT action classes of the Cognito pages (see :mod:`..iam_documents`).

IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK (audit-chk-role-alias-unused-svcs,
check-triggers.md 13): ALLOWS_ACCESS_TO_UNUSED_SERVICES when the policies grant any
access to a service the role has not used in the past year. There is no fixed list of
services: whatever the policies name is judged against the recorded usage.

AUTHENTICATED_/UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK
(audit-chk-auth/unauth-cognito-role-permissive, check-triggers.md 1-2) examine only the
identity pools devices connected through in the 31 days before the audit (the
``identity_pool_id`` of recorded connections) that still exist in moto's Cognito
Identity backend; totalResourcesCount counts those. The pool's role is read from the
``Roles`` map that SetIdentityPoolRoles sets (``authenticated``/``unauthenticated``),
which moto does not store: the fake keeps it on the pool model's ``roles`` attribute.
A pool without that role is compliant.

* unauthenticated: ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS (any thing write, thing read or
  non-thing IoT action, on any resource), ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS.
* authenticated: ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS,
  ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS, ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS.
  The page also calls broad data-plane access too permissive but lists no reason code
  for it, so it is not reported [INF, as the reference recommends].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ... import identity_pool_roles
from ..catalogue import CHECKS
from ..engine import Context, Observation, Outcome, evaluator
from ..iam_documents import (
    THING_ADMIN_READ_ACTIONS,
    THING_ADMIN_WRITE_ACTIONS,
    Statement,
    arn_account,
    broad_data_plane_actions,
    broad_iot_actions,
    find_role,
    granted,
    granting_patterns,
    has_wildcard,
    non_thing_admin_actions,
    role_statements,
    service_denied,
    service_matches,
    services_accessed,
    services_fully_granted,
)

ROLE_ALIAS_OVERLY_PERMISSIVE = "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK"
ROLE_ALIAS_UNUSED_SERVICES = "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK"
AUTHENTICATED_COGNITO = "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
UNAUTHENTICATED_COGNITO = "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"

SECURITY_AUDITING_SERVICES: tuple[str, ...] = (
    "iam", "cloudtrail", "guardduty", "inspector", "inspector2", "trustedadvisor",
)

Finding = tuple[str, str]
#: (the role's statements, the services it used in the past year) -> a reason code and text, or None.
Judge = Callable[[list[Statement], frozenset[str]], "Finding | None"]
#: "Used" means accessed within this long before the run (check-triggers.md 13 [INF]).
USAGE_WINDOW = dt.timedelta(days=365)


def _listed(items: list[str]) -> str:
    return f"[{', '.join(items)}]"


# -- the IoT action classes, shared by role aliases and Cognito roles --------------

def _non_thing_admin(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    patterns = granting_patterns(statements, non_thing_admin_actions())
    return ("ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS",
            f"Policy allows access to IoT non-thing administrative actions: {_listed(patterns)}.") if patterns else None


def _thing_admin_write(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    actions = granted(statements, THING_ADMIN_WRITE_ACTIONS)
    return ("ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS",
            f"Policy allows access to IoT thing administrative write actions: {_listed(actions)}.") if actions else None


def _broad_thing_admin_read(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    actions = broad_iot_actions(statements, THING_ADMIN_READ_ACTIONS, "thing")
    return ("ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS",
            f"Policy allows broad access to IoT thing administrative read actions: {_listed(actions)}."
            ) if actions else None


def _broad_data_plane(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    actions = broad_data_plane_actions(statements)
    return ("ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",
            f"Policy allows broad access to IoT data plane actions: {_listed(actions)}.") if actions else None


def _iot_admin(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    every = (*THING_ADMIN_WRITE_ACTIONS, *THING_ADMIN_READ_ACTIONS, *non_thing_admin_actions())
    patterns = granting_patterns(statements, every)
    return ("ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS",
            f"Policy allows access to IoT administrative actions: {_listed(patterns)}.") if patterns else None


# -- services ----------------------------------------------------------------------

def _broad_used_services(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    services = services_fully_granted(statements, sorted(used))
    return ("ALLOWS_BROAD_ACCESS_TO_USED_SERVICES",
            f"Policy allows broad access to used services: {_listed(services)}.") if services else None


def _security_auditing(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    accessed = services_accessed(statements)
    services = [s for s in SECURITY_AUDITING_SERVICES
                if any(service_matches(p, s) for p in accessed) and not service_denied(statements, s)]
    return ("ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES",
            f"Policy allows access to security auditing services: {_listed(services)}.") if services else None


def _unused_services(statements: list[Statement], used: frozenset[str]) -> Finding | None:
    services = [s for s in services_accessed(statements) if has_wildcard(s) or s not in used]
    return ("ALLOWS_ACCESS_TO_UNUSED_SERVICES",
            f"Role alias allows access to services not used in the past year: {_listed(services)}."
            ) if services else None


def _all(judges: tuple[Judge, ...], statements: list[Statement], used: frozenset[str]) -> list[Finding]:
    return [found for found in (judge(statements, used) for judge in judges) if found]


JUDGES: dict[str, tuple[Judge, ...]] = {
    ROLE_ALIAS_OVERLY_PERMISSIVE: (_broad_used_services, _security_auditing, _non_thing_admin,
                                   _thing_admin_write, _broad_thing_admin_read, _broad_data_plane),
    ROLE_ALIAS_UNUSED_SERVICES: (_unused_services,),
    AUTHENTICATED_COGNITO: (_non_thing_admin, _thing_admin_write, _broad_thing_admin_read),
    UNAUTHENTICATED_COGNITO: (_iot_admin, _broad_data_plane),
}


# -- evaluators ----------------------------------------------------------------------

def _statements(ctx: Context, role_arn: str) -> list[Statement]:
    role = find_role(ctx.iam, role_arn) if arn_account(role_arn) == ctx.account_id else None
    return role_statements(role) if role is not None else []


def used_services(ctx: Context, role_arn: str) -> frozenset[str]:
    """Services the role accessed in the year up to the run. IAM keeps this data itself, so a
    usage recorded before the check was enabled counts [INF]; disabling both role-alias checks
    deletes it (collection.py)."""
    oldest = ctx.now - USAGE_WINDOW
    usage = ctx.audited.service_usage.get(role_arn, {})
    return frozenset(service for service, last in usage.items() if oldest <= last <= ctx.now)


def _observation(check: str, identifier: dict[str, Any], role_arn: str, found: Finding) -> Observation:
    return Observation(
        check_name=check,
        resource_type=CHECKS[check].resource_type,
        identifier=identifier,
        reason_code=found[0],
        reason=found[1],
        related=({"resourceType": "IAM_ROLE", "resourceIdentifier": {"iamRoleArn": role_arn}},),
    )


@evaluator(ROLE_ALIAS_OVERLY_PERMISSIVE, ROLE_ALIAS_UNUSED_SERVICES)
def role_alias(ctx: Context, check: str) -> Outcome:
    outcome = Outcome()
    for alias in list(ctx.iot.role_aliases.values()):
        role_arn = str(alias.role_arn)
        if arn_account(role_arn) not in (None, ctx.account_id):
            continue  # another account's role: not readable here [INF]
        outcome.total += 1
        for found in _all(JUDGES[check], _statements(ctx, role_arn), used_services(ctx, role_arn)):
            outcome.noncompliant.append(_observation(check, {"roleAliasArn": alias.arn}, role_arn, found))
    return outcome


def pool_roles(ctx: Context, pool: Any) -> dict[str, str]:
    """The pool's SetIdentityPoolRoles map (keys lower-cased), as identity_pool_roles holds it."""
    roles = identity_pool_roles.roles_of(ctx.account_id, ctx.region, pool.identity_pool_id).roles
    return {str(key).lower(): str(value) for key, value in roles.items() if value}


def used_pools(ctx: Context, check: str) -> list[Any]:
    """The existing identity pools that devices connected through in the 31 days before the audit."""
    start, end = ctx.window(check, since_previous=False)
    used: set[str] = set()
    for recorded in ctx.audited.connections:
        seen = recorded.as_of(ctx.now) if recorded.identity_pool_id else None
        if seen is not None and seen.open_during(start, end):
            used.add(recorded.identity_pool_id or "")
    pools = ctx.cognito_identity.identity_pools
    return [pools[pool_id] for pool_id in sorted(used) if pool_id in pools]


@evaluator(AUTHENTICATED_COGNITO, UNAUTHENTICATED_COGNITO)
def cognito_role(ctx: Context, check: str) -> Outcome:
    role_key = "authenticated" if check == AUTHENTICATED_COGNITO else "unauthenticated"
    outcome = Outcome()
    for pool in used_pools(ctx, check):
        outcome.total += 1
        role_arn = pool_roles(ctx, pool).get(role_key)
        if not role_arn:
            continue
        for found in _all(JUDGES[check], _statements(ctx, role_arn), frozenset()):
            outcome.noncompliant.append(
                _observation(check, {"cognitoIdentityPoolId": pool.identity_pool_id}, role_arn, found))
    return outcome
