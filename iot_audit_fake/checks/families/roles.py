"""Checks over IAM roles that devices obtain credentials from: IoT role aliases and Cognito identity pools.

All four read the role's permissions from moto's IAM backend: inline policies and
the default versions of attached managed policies (:func:`..iam_documents.role_statements`).
A role that does not exist grants nothing, so it is compliant [INF]. A role in
another account cannot be read from this account's IAM: a role alias pointing to
one is skipped (not counted) [INF]; a Cognito pool's foreign role is compliant.
Each non-compliant resource gets one finding with the first reason code that
applies, in the priority order given below [INF: AWS does not say how several
reasons for one resource are reported]. Findings name the IAM role as a related
``IAM_ROLE`` resource.

IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK (audit-chk-iot-role-alias-permissive), over every
role alias in moto's IoT backend:

1. ALLOWS_BROAD_ACCESS_TO_USED_SERVICES: all actions (``*`` or ``svc:*``) on every
   resource of a service in :data:`DEVICE_SERVICES` ("used" services, see below).
2. ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES: any action of
   :data:`SECURITY_AUDITING_SERVICES` (the page names iam, cloudtrail, guardduty,
   inspector and trustedadvisor; inspector2 added [INF]).
3. ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS, 4. ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS,
   5. ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS, 6. ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS:
   the IoT action classes of the Cognito pages (see :mod:`..iam_documents`).

IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK (audit-chk-role-alias-unused-svcs):
AWS flags services the role alias's credentials have not used in the past year,
from IAM access-advisor data that moto does not keep. Here [INF] "used" means the
services devices typically call with role-alias credentials, :data:`DEVICE_SERVICES`;
access to any other service (including ``*`` or a wildcard service prefix) is
ALLOWS_ACCESS_TO_UNUSED_SERVICES.

AUTHENTICATED_/UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK
(audit-chk-auth/unauth-cognito-role-permissive), over every identity pool in moto's
Cognito Identity backend [INF: AWS audits pools used to connect to the broker in the
last 31 days; the fake has no such record]. The pool's role is read from the
``Roles`` map that SetIdentityPoolRoles sets (``authenticated``/``unauthenticated``),
which moto 5.2.1 neither implements nor stores: the fake reads it from the pool
model's ``roles`` attribute when present. A pool without that role is compliant.

* unauthenticated: 1. ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS (any thing write, thing read or
  non-thing IoT action, on any resource), 2. ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS.
* authenticated: 1. ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS,
  2. ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS, 3. ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS.
  The page also calls broad data-plane access too permissive but lists no reason code
  for it, so it is not reported [INF].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

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

#: Services devices typically use with role-alias credentials: the fake's stand-in [INF] for
#: "services used in the past year" (IAM service prefixes).
DEVICE_SERVICES: tuple[str, ...] = (
    "iot", "iotjobsdata", "greengrass", "s3", "kinesis", "firehose", "kinesisvideo", "dynamodb",
    "sns", "sqs", "lambda", "logs", "cloudwatch", "execute-api", "kms",
)
SECURITY_AUDITING_SERVICES: tuple[str, ...] = (
    "iam", "cloudtrail", "guardduty", "inspector", "inspector2", "trustedadvisor",
)

Finding = tuple[str, str]
Judge = Callable[[list[Statement]], "Finding | None"]


def _listed(items: list[str]) -> str:
    return f"[{', '.join(items)}]"


# -- the IoT action classes, shared by role aliases and Cognito roles --------------

def _non_thing_admin(statements: list[Statement]) -> Finding | None:
    patterns = granting_patterns(statements, non_thing_admin_actions())
    return ("ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS",
            f"Policy allows access to IoT non-thing administrative actions: {_listed(patterns)}.") if patterns else None


def _thing_admin_write(statements: list[Statement]) -> Finding | None:
    actions = granted(statements, THING_ADMIN_WRITE_ACTIONS)
    return ("ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS",
            f"Policy allows access to IoT thing administrative write actions: {_listed(actions)}.") if actions else None


def _broad_thing_admin_read(statements: list[Statement]) -> Finding | None:
    actions = broad_iot_actions(statements, THING_ADMIN_READ_ACTIONS, "thing")
    return ("ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS",
            f"Policy allows broad access to IoT thing administrative read actions: {_listed(actions)}."
            ) if actions else None


def _broad_data_plane(statements: list[Statement]) -> Finding | None:
    actions = broad_data_plane_actions(statements)
    return ("ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",
            f"Policy allows broad access to IoT data plane actions: {_listed(actions)}.") if actions else None


def _iot_admin(statements: list[Statement]) -> Finding | None:
    every = (*THING_ADMIN_WRITE_ACTIONS, *THING_ADMIN_READ_ACTIONS, *non_thing_admin_actions())
    patterns = granting_patterns(statements, every)
    return ("ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS",
            f"Policy allows access to IoT administrative actions: {_listed(patterns)}.") if patterns else None


# -- services ----------------------------------------------------------------------

def _broad_used_services(statements: list[Statement]) -> Finding | None:
    services = services_fully_granted(statements, DEVICE_SERVICES)
    return ("ALLOWS_BROAD_ACCESS_TO_USED_SERVICES",
            f"Policy allows broad access to used services: {_listed(services)}.") if services else None


def _security_auditing(statements: list[Statement]) -> Finding | None:
    accessed = services_accessed(statements)
    services = [s for s in SECURITY_AUDITING_SERVICES
                if any(service_matches(p, s) for p in accessed) and not service_denied(statements, s)]
    return ("ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES",
            f"Policy allows access to security auditing services: {_listed(services)}.") if services else None


def _unused_services(statements: list[Statement]) -> Finding | None:
    services = [s for s in services_accessed(statements) if has_wildcard(s) or s not in DEVICE_SERVICES]
    return ("ALLOWS_ACCESS_TO_UNUSED_SERVICES",
            f"Role alias allows access to services not used by devices: {_listed(services)}.") if services else None


def _first(judges: tuple[Judge, ...], statements: list[Statement]) -> Finding | None:
    for judge in judges:
        found = judge(statements)
        if found:
            return found
    return None


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
        found = _first(JUDGES[check], _statements(ctx, role_arn))
        if found:
            outcome.noncompliant.append(_observation(check, {"roleAliasArn": alias.arn}, role_arn, found))
    return outcome


def pool_roles(pool: Any) -> dict[str, str]:
    """The pool's SetIdentityPoolRoles map (keys lower-cased), from the model's ``roles`` attribute."""
    roles = getattr(pool, "roles", None)
    if not isinstance(roles, Mapping):
        return {}
    return {str(key).lower(): str(value) for key, value in roles.items() if value}


def _pools(ctx: Context) -> Iterator[Any]:
    yield from list(ctx.cognito_identity.identity_pools.values())


@evaluator(AUTHENTICATED_COGNITO, UNAUTHENTICATED_COGNITO)
def cognito_role(ctx: Context, check: str) -> Outcome:
    role_key = "authenticated" if check == AUTHENTICATED_COGNITO else "unauthenticated"
    outcome = Outcome()
    for pool in _pools(ctx):
        outcome.total += 1
        role_arn = pool_roles(pool).get(role_key)
        if not role_arn:
            continue
        found = _first(JUDGES[check], _statements(ctx, role_arn))
        if found:
            outcome.noncompliant.append(
                _observation(check, {"cognitoIdentityPoolId": pool.identity_pool_id}, role_arn, found))
    return outcome
