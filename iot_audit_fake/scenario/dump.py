"""Writing the current state back out as a scenario.

Certificates are written with their exact PEM (so their ids survive a round
trip) and labelled by their id, times as ISO-8601 in UTC, and every audit
resource in the scenario format, so that load -> dump -> load -> dump gives the
same dump. The order is stable: resources in creation order (which a load
reproduces), audit tasks by start time, mitigation tasks in the order they ran.
Tasks still in progress are left out: a scenario's history is finished tasks;
so are canceled mitigation tasks, since loading one would run all its actions. IAM roles are global to an account;
they are written once, with the account's first region (``us-east-1`` when it
has state there).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import yaml

from .. import moto_backends
from ..accounts import DEFAULT_REGION, default_account
from ..backend import AuditBackend, audit_backends
from ..clock import iso
from ..findings import Finding
from ..moto_dates import registered_at


def _iot(account: str, region: str) -> Any:
    return moto_backends.iot(account, region)


def _finding(finding: Finding) -> dict[str, Any]:
    obs = finding.observation
    out: dict[str, Any] = {"id": finding.finding_id, "check": obs.check_name, "resource": obs.identifier,
                           "reason_code": obs.reason_code, "reason": obs.reason}
    if obs.additional_info:
        out["additional_info"] = dict(obs.additional_info)
    if obs.related:
        out["related"] = list(obs.related)
    if finding.is_suppressed:
        out["suppressed"] = True
    return out


def _drop_empty(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if v is not None and not (isinstance(v, (list, dict)) and not v)}


def region_state(account: str, region: str) -> dict[str, Any]:
    backend: AuditBackend = audit_backends[account][region]
    backend.catch_up()
    iot = _iot(account, region)
    labels = {cert_id: cert_id for cert_id in list(iot.ca_certificates) + list(iot.certificates)}
    config = backend.state.configuration
    state: dict[str, Any] = {}
    if config.exists:
        sns = config.notification_targets.get("SNS")
        state["audit_configuration"] = _drop_empty({
            "role_arn": config.role_arn,
            "checks": {name: _drop_empty({"enabled": c["enabled"], "configuration": c.get("configuration"),
                                          "enabled_at": _when(config.enabled_at.get(name))})
                       for name, c in sorted(config.checks.items())},
            "sns": _drop_empty({"target_arn": sns.get("targetArn"), "role_arn": sns.get("roleArn"),
                                "enabled": sns.get("enabled")}) if sns else None,
        })
    if backend.state.logging.v2 is not None:
        v2 = backend.state.logging.v2
        state["logging"] = _drop_empty({"role_arn": v2.get("roleArn"), "level": v2.get("defaultLogLevel"),
                                        "disable_all_logs": v2.get("disableAllLogs")})
    groups_of: dict[str, list[str]] = defaultdict(list)
    state["thing_groups"] = []
    for group in iot.thing_groups.values():
        state["thing_groups"].append({"name": group.thing_group_name})
        for thing in group.things.values():
            groups_of[thing.thing_name].append(group.thing_group_name)
    state["things"] = [_drop_empty({"name": t.thing_name, "attributes": dict(t.attributes),
                                    "groups": groups_of.get(t.thing_name)}) for t in iot.things.values()]
    state["policies"] = [{"name": p.name, "document": _document(_default_version(p).document)}
                         for p in iot.policies.values()]
    state["ca_certificates"] = [{"name": labels[c.certificate_id], "pem": c.certificate_pem, "status": c.status,
                                 "registered": iso(registered_at(c))}
                                for c in iot.ca_certificates.values()]
    things_of: dict[str, list[str]] = defaultdict(list)
    for principal, thing_name in iot.principal_things:
        things_of[principal].append(thing_name)
    policies_of: dict[str, list[str]] = defaultdict(list)
    for principal, policy_name in iot.principal_policies:
        policies_of[principal].append(policy_name)
    state["certificates"] = [_drop_empty({
        "name": labels[cert.certificate_id], "pem": cert.certificate_pem, "status": cert.status,
        "registered": iso(registered_at(cert)),
        "issuer": labels.get(cert.ca_certificate_id) if cert.ca_certificate_id else None,
        "things": things_of.get(cert.arn), "policies": policies_of.get(cert.arn),
    }) for cert in iot.certificates.values()]
    # CRL entries as recorded (issuer text and serial), sorted: a set has no order of its own.
    state["revocations"] = [{"issuer": issuer, "serial": serial}
                            for issuer, serial in sorted(backend.state.revoked_serials)]
    state["role_aliases"] = [{"alias": a.role_alias, "role": a.role_arn} for a in iot.role_aliases.values()]
    state["service_usage"] = [{"role": role, "service": service, "last_accessed": iso(when)}
                              for role, usage in backend.state.service_usage.items() for service, when in usage.items()]
    state["connections"] = [_drop_empty({
        "client_id": c.client_id,
        "certificate": labels.get(c.certificate_id) if c.certificate_id else None,
        "thing": c.thing_name,
        "connected_at": iso(c.connected_at), "disconnected_at": iso(c.disconnected_at) if c.disconnected_at else None,
        "identity_pool": c.identity_pool_id,
    }) for c in backend.state.connections]
    state["suppressions"] = [_drop_empty({
        "check": s.check_name, "resource": dict(s.identifier),
        "expires": iso(s.expiration) if s.expiration else None,
        "indefinitely": s.indefinitely, "description": s.description,
    }) for s in backend.state.suppressions.values()]
    state["mitigation_actions"] = [_drop_empty({
        "name": a.name, "role_arn": a.role_arn, "params": a.params, "tags": backend.state.tags.get(a.arn),
    }) for a in backend.state.mitigation_actions.values()]
    state["scheduled_audits"] = [_drop_empty({
        "name": a.name, "frequency": a.frequency, "day_of_week": a.day_of_week, "day_of_month": a.day_of_month,
        "checks": list(a.check_names), "tags": backend.state.tags.get(a.arn),
    }) for a in backend.state.scheduled_audits.values()]
    state["seeded"] = [_drop_empty({
        "check": o.check_name, "resource": o.identifier, "reason_code": o.reason_code, "reason": o.reason,
        "additional_info": dict(o.additional_info), "related": list(o.related),
    }) for observations in backend.state.seeded_observations.values() for o in observations]
    finished = [t for t in backend.state.tasks.values() if t.final_status is not None]
    state["audit_tasks"] = [_drop_empty({
        "id": t.task_id, "time": iso(t.start_time), "type": t.task_type, "scheduled_audit": t.scheduled_audit_name,
        "status": t.task_status, "checks": list(t.check_names),
        "resources": {c: r.total for c, r in t.runs.items() if r.total},
        "findings": [_finding(f) for f in t.findings],
    }) for t in sorted(finished, key=lambda t: (t.start_time, t.task_id))]
    # In the order they ran (loading runs them again, in this order); canceled or unfinished
    # ones are left out, as their actions did not all run.
    state["mitigation_tasks"] = [
        {"id": t.task_id, "time": iso(t.start_time), "target": t.target, "actions": t.mapping}
        for t in backend.state.mitigation_tasks.values() if t.final_status in ("COMPLETED", "FAILED")
    ]
    return _ordered(_drop_empty(state))


def _when(moment: Any) -> str | None:
    return iso(moment) if moment is not None else None


def _default_version(policy: Any) -> Any:
    return next((v for v in policy.versions if v.is_default), policy.versions[-1])


def _document(document: Any) -> Any:
    try:
        return json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return document


def iam_roles(account: str) -> list[dict[str, Any]]:
    """The account's IAM roles with their inline policy documents (IAM is global to the account)."""
    backend = moto_backends.existing_iam(account, DEFAULT_REGION)
    if backend is None:
        return []
    return [_drop_empty({"name": role.name, "policies": [_document(d) for d in role.policies.values()]})
            for role in backend.roles.values()]


def dump() -> dict[str, Any]:
    """The state of every account and region the fake or moto's IoT holds, as a scenario mapping."""
    default_account_id = default_account()
    from moto.iam.models import iam_backends
    from moto.iot.models import iot_backends

    places = {(a, r) for a, rs in audit_backends.items() for r in rs}
    places |= {(a, r) for a, rs in iot_backends.items() for r in rs}
    states = {place: region_state(*place) for place in sorted(places)}
    states = {place: state for place, state in states.items() if state}
    for account in sorted(iam_backends):
        roles = iam_roles(account)
        if roles:
            mine = sorted(place for place in states if place[0] == account)
            home = (account, DEFAULT_REGION) if (account, DEFAULT_REGION) in mine or not mine else mine[0]
            states[home] = _ordered({**states.get(home, {}), "iam_roles": roles})
    top = (default_account_id, DEFAULT_REGION)
    out: dict[str, Any] = {"account": top[0], "region": top[1], **states.pop(top, {})}
    others = [{"account": a, "region": r, **state} for (a, r), state in sorted(states.items())]
    if others:
        out["accounts"] = others
    return out


def _ordered(state: dict[str, Any]) -> dict[str, Any]:
    """A region's keys in the schema's order."""
    from .source import schema

    order = list(schema()["$defs"]["region_state"]["properties"])
    return {key: state[key] for key in sorted(state, key=order.index)}


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings (PEMs) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(scenario: dict[str, Any]) -> str:
    """A dumped scenario as YAML text (safe YAML, PEMs as literal blocks, keys in the dump's order)."""
    return yaml.dump(scenario, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
