"""Writing the current state back out as a scenario.

Certificates are written with their exact PEM (so their ids survive a round
trip), times as ISO-8601, and every audit resource in the scenario format, so
that load -> dump -> load -> dump gives the same dump. Tasks still in progress
are left out: a scenario's history is finished tasks.
"""

from __future__ import annotations

import json
from typing import Any

from ..backend import AuditBackend, audit_backends
from ..findings import Finding
from .times import iso


def _iot(account: str, region: str) -> Any:
    from moto.iot.models import iot_backends

    return iot_backends[account][region]


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
    return {k: v for k, v in state.items() if v not in (None, [], {})}


def region_state(account: str, region: str) -> dict[str, Any]:
    backend: AuditBackend = audit_backends[account][region]
    backend.refresh()
    iot = _iot(account, region)
    labels = {cert_id: cert_id for cert_id in list(iot.ca_certificates) + list(iot.certificates)}
    config = backend.configuration
    state: dict[str, Any] = {}
    if config.exists:
        state["audit_configuration"] = _drop_empty({
            "role_arn": config.role_arn,
            "checks": {name: _drop_empty({"enabled": c["enabled"], "configuration": c.get("configuration")})
                       for name, c in sorted(config.checks.items())},
            "sns": _drop_empty({"target_arn": config.notification_targets["SNS"].get("targetArn"),
                                "role_arn": config.notification_targets["SNS"].get("roleArn"),
                                "enabled": config.notification_targets["SNS"].get("enabled")})
            if "SNS" in config.notification_targets else None,
        })
    if backend.logging.v2 is not None:
        v2 = backend.logging.v2
        state["logging"] = _drop_empty({"role_arn": v2.get("roleArn"), "level": v2.get("defaultLogLevel"),
                                        "disable_all_logs": v2.get("disableAllLogs")})
    groups_of: dict[str, list[str]] = {}
    state["thing_groups"] = []
    for group in iot.thing_groups.values():
        state["thing_groups"].append({"name": group.thing_group_name})
        for thing in getattr(group, "things", {}).values():
            groups_of.setdefault(thing.thing_name, []).append(group.thing_group_name)
    state["things"] = [_drop_empty({"name": t.thing_name, "attributes": dict(t.attributes),
                                    "groups": groups_of.get(t.thing_name)}) for t in iot.things.values()]
    state["policies"] = [{"name": p.name, "document": _document(_default_version(p).document)}
                         for p in iot.policies.values()]
    state["ca_certificates"] = [{"name": labels[c.certificate_id], "pem": c.certificate_pem, "status": c.status}
                                for c in iot.ca_certificates.values()]
    state["certificates"] = []
    for cert in iot.certificates.values():
        principals = [(p, n) for (p, n) in iot.principal_things if p == cert.arn]
        policies = [n for (p, n) in iot.principal_policies if p == cert.arn]
        ca_id = getattr(cert, "ca_certificate_id", None)
        state["certificates"].append(_drop_empty({
            "name": labels[cert.certificate_id], "pem": cert.certificate_pem, "status": cert.status,
            "issuer": labels.get(ca_id) if ca_id else None,
            "things": [n for _, n in principals], "policies": policies,
        }))
    state["role_aliases"] = [{"alias": a.role_alias, "role": a.role_arn} for a in iot.role_aliases.values()]
    state["connections"] = [_drop_empty({
        "client_id": c.client_id, "certificate": labels.get(c.certificate_id or ""), "thing": c.thing_name,
        "connected_at": iso(c.connected_at), "disconnected_at": iso(c.disconnected_at) if c.disconnected_at else None,
    }) for c in backend.connections]
    state["suppressions"] = [_drop_empty({
        "check": s.check_name, "resource": s.identifier, "expires": iso(s.expiration) if s.expiration else None,
        "indefinitely": s.indefinitely, "description": s.description,
    }) for s in backend.suppressions.values()]
    state["mitigation_actions"] = [_drop_empty({
        "name": a.name, "role_arn": a.role_arn, "params": a.params, "tags": backend.tags.get(a.arn),
    }) for a in backend.mitigation_actions.values()]
    state["scheduled_audits"] = [_drop_empty({
        "name": a.name, "frequency": a.frequency, "day_of_week": a.day_of_week, "day_of_month": a.day_of_month,
        "checks": list(a.check_names), "tags": backend.tags.get(a.arn),
    }) for a in backend.scheduled_audits.values()]
    state["seeded"] = [_drop_empty({
        "check": o.check_name, "resource": o.identifier, "reason_code": o.reason_code, "reason": o.reason,
        "additional_info": dict(o.additional_info), "related": list(o.related),
    }) for observations in backend.seeded_observations.values() for o in observations]
    state["audit_tasks"] = [_drop_empty({
        "id": t.task_id, "time": iso(t.start_time), "type": t.task_type, "scheduled_audit": t.scheduled_audit_name,
        "status": t.task_status, "checks": list(t.check_names),
        "resources": {c: r.total for c, r in t.runs.items() if r.total},
        "findings": [_finding(f) for f in t.findings],
    }) for t in backend.tasks.values() if t.final_status is not None]
    state["mitigation_tasks"] = [{"id": t.task_id, "time": iso(t.start_time), "target": t.target,
                                  "actions": t.mapping} for t in backend.mitigation_tasks.values()]
    return _drop_empty(state)


def _default_version(policy: Any) -> Any:
    return next((v for v in policy.versions if v.is_default), policy.versions[-1])


def _document(document: Any) -> Any:
    try:
        return json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return document


def dump() -> dict[str, Any]:
    """The state of every account and region the fake or moto's IoT holds, as a scenario mapping."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.iot.models import iot_backends

    places = {(a, r) for a, rs in audit_backends.items() for r in rs}
    places |= {(a, r) for a, rs in iot_backends.items() for r in rs}
    states = {place: region_state(*place) for place in sorted(places)}
    states = {place: state for place, state in states.items() if state}
    top = (DEFAULT_ACCOUNT_ID, "us-east-1")
    out: dict[str, Any] = {"account": top[0], "region": top[1], **states.pop(top, {})}
    others = [{"account": a, "region": r, **state} for (a, r), state in states.items()]
    if others:
        out["accounts"] = others
    return out
