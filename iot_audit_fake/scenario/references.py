"""The scenario's references and names, checked before anything is applied.

The schema sees one value at a time; this sees the whole scenario: a certificate naming an
unknown CA, a thing in an unknown group, an unknown check name, a name or a PEM listed twice.
It reads whatever parts are well formed, so it runs beside the schema and one run reports
both kinds of problem. Unknown names get a "did you mean" from the names nearby; a name or
PEM used twice points at its first use.

Without ``existing`` the scenario stands alone (``validate``). With it (loading into a
running mock), things, groups, policies, roles, audit tasks and mitigation actions that are
already there count as known, and names already taken count as duplicates.
"""

from __future__ import annotations

import re
from typing import Any

from ..accounts import DEFAULT_REGION
from .existing import Existing
from .source import Path_, Source, did_you_mean
from .walk import entries, region_states, strings

_CHECK_SHAPE = re.compile(r"^[A-Z0-9_]+_CHECK$")


def check(source: Source, existing: Existing | None = None) -> list[tuple[Path_, str, bool]]:
    """(key path, message, point at the key) for every reference or name problem."""
    data = source.data
    if not isinstance(data, dict):
        return []
    found: list[tuple[Path_, str, bool]] = []
    for path, state in region_states(data):
        given_account, given_region = state.get("account"), state.get("region")
        account = given_account if isinstance(given_account, str) else None
        region = given_region if isinstance(given_region, str) else DEFAULT_REGION
        _Region(source, path, state, found, existing, account, region).run()
    return found


class _Region:
    """One account and region's part of a scenario (the top level or an ``accounts`` entry)."""

    def __init__(self, source: Source, path: Path_, state: dict[str, Any], found: list[tuple[Path_, str, bool]],
                 existing: Existing | None, account: str | None, region: str) -> None:
        self.source, self.path, self.state, self.found = source, path, state, found
        self.existing, self.account, self.region = existing, account, region

    def problem(self, path: Path_, message: str, at_key: bool = False) -> None:
        self.found.append((path, message, at_key))

    def exists(self, kind: str, name: str) -> bool:
        return self.existing is not None and self.existing.has(kind, self.account, self.region, name)

    def names(self, section: str, key: str, kind: str, noun: str) -> dict[str, Path_]:
        """Each entry's name -> where it is first given; a second use is reported with the first's place."""
        seen: dict[str, Path_] = {}
        for i, entry in entries(self.state, section):
            name = entry.get(key)
            if not isinstance(name, str):
                continue
            at = (*self.path, section, i, key)
            if name in seen:
                self.problem(at, f"{noun} {name!r} is listed twice; first at {self.source.where(seen[name])}")
                continue
            if kind and self.exists(kind, name):
                self.problem(at, f"{noun} {name!r} already exists")
            seen[name] = at
        return seen

    def reference(self, at: Path_, name: str, known: dict[str, Path_], kind: str, message: str) -> None:
        if name not in known and not self.exists(kind, name):
            self.problem(at, message + did_you_mean(name, known))

    def checks(self, at: Path_, name: str, at_key: bool = False) -> None:
        from ..checks.catalogue import CHECK_NAMES, CHECKS

        if name not in CHECKS and _CHECK_SHAPE.match(name):  # other shapes: the schema says so
            self.problem(at, f"unknown audit check {name!r}{did_you_mean(name, CHECK_NAMES)}", at_key)

    def run(self) -> None:
        p, state = self.path, self.state
        config = state.get("audit_configuration")
        if isinstance(config, dict) and isinstance(config.get("checks"), dict):
            for name in config["checks"]:
                if isinstance(name, str):
                    self.checks((*p, "audit_configuration", "checks", name), name, at_key=True)
        groups = self.names("thing_groups", "name", "thing_group", "a thing group named")
        things = self.names("things", "name", "thing", "a thing named")
        for i, thing in entries(state, "things"):
            for j, group in strings(thing.get("groups")):
                self.reference((*p, "things", i, "groups", j), group, groups, "thing_group",
                               f"no thing group named {group!r} (in thing_groups or the account)")
        policies = self.names("policies", "name", "policy", "a policy named")
        self.certificates(things, policies)
        roles = self.names("iam_roles", "name", "iam_role", "an IAM role named")
        self.names("role_aliases", "alias", "role_alias", "a role alias named")
        for i, alias in entries(state, "role_aliases"):
            role = alias.get("role")
            if isinstance(role, str) and not role.startswith("arn:"):
                self.reference((*p, "role_aliases", i, "role"), role, roles, "iam_role",
                               f"no IAM role named {role!r} (in iam_roles or the account); give a role name or "
                               "a role ARN")
        for i, connection in entries(state, "connections"):
            if isinstance(connection.get("certificate"), str):
                self.label((*p, "connections", i, "certificate"), connection["certificate"], ca=False)
        for section in ("suppressions", "seeded"):
            for i, entry in entries(state, section):
                self.observation((*p, section, i), entry)
        self.names("scheduled_audits", "name", "scheduled_audit", "a scheduled audit named")
        for i, audit in entries(state, "scheduled_audits"):
            for j, name in strings(audit.get("checks")):
                self.checks((*p, "scheduled_audits", i, "checks", j), name)
        actions = self.names("mitigation_actions", "name", "mitigation_action", "a mitigation action named")
        tasks = self.audit_tasks()
        self.mitigation_tasks(tasks, actions)

    # -- certificates -------------------------------------------------------------------------

    def certificates(self, things: dict[str, Path_], policies: dict[str, Path_]) -> None:
        p = self.path
        self.labels: dict[str, tuple[Path_, bool]] = {}  # label -> (where, is a CA)
        self.pem_keys: dict[str, bool] = {}  # CA label -> has a key (generated, not a PEM)
        pems: dict[str, Path_] = {}
        for section, ca in (("ca_certificates", True), ("certificates", False)):
            for i, cert in entries(self.state, section):
                at = (*p, section, i)
                label = cert.get("name")
                if isinstance(label, str):
                    if label in self.labels:
                        first = self.source.where(self.labels[label][0])
                        self.problem((*at, "name"), f"the certificate label {label!r} is used twice; first at {first}")
                    else:
                        self.labels[label] = ((*at, "name"), ca)
                        if ca:
                            self.pem_keys[label] = not cert.get("pem")
                pem = cert.get("pem")
                if isinstance(pem, str) and pem.strip():
                    text = "".join(pem.split())
                    if text in pems:
                        self.problem((*at, "pem"), "the same certificate PEM is given twice; first at "
                                                   f"{self.source.where(pems[text])}")
                    else:
                        pems[text] = (*at, "pem")
                    for generated in ("subject", "key", "not_before", "not_after"):
                        if generated in cert:
                            self.problem((*at, generated), "cannot be combined with pem (the PEM says it already)")
                self.issuer(at, cert, ca)
                if ca:
                    for attached in ("things", "policies"):
                        if cert.get(attached):
                            self.problem((*at, attached), "a CA certificate cannot be attached to things or policies")
                    continue
                for j, thing in strings(cert.get("things")):
                    self.reference((*at, "things", j), thing, things, "thing", f"no thing named {thing!r}")
                for j, policy in strings(cert.get("policies")):
                    self.reference((*at, "policies", j), policy, policies, "policy", f"no policy named {policy!r}")

    def issuer(self, at: Path_, cert: dict[str, Any], ca: bool) -> None:
        issuer = cert.get("issuer")
        if not isinstance(issuer, str):
            return
        cas = {label: where for label, (where, is_ca) in self.labels.items() if is_ca}
        if issuer not in cas:
            where = "listed before this certificate" if ca else "of this account and region"
            self.problem((*at, "issuer"), f"no CA certificate labelled {issuer!r} in ca_certificates ({where})"
                                          + did_you_mean(issuer, cas))
        elif not cert.get("pem") and not self.pem_keys.get(issuer, True):
            self.problem((*at, "issuer"), f"the CA {issuer!r} is given as a PEM, so there is no key to sign a "
                                          "generated certificate with; give this one as a PEM too")

    def label(self, at: Path_, name: str, ca: bool) -> None:
        mine = {label: where for label, (where, is_ca) in self.labels.items() if is_ca == ca}
        if name not in mine:
            section = "ca_certificates" if ca else "certificates"
            self.problem(at, f"no certificate labelled {name!r} in {section} (of this account and region)"
                             + did_you_mean(name, mine))

    def observation(self, at: Path_, entry: dict[str, Any]) -> None:
        if isinstance(entry.get("check"), str):
            self.checks((*at, "check"), entry["check"])
        resource = entry.get("resource")
        if isinstance(resource, dict):
            for key, ca in (("certificate", False), ("ca_certificate", True)):
                if isinstance(resource.get(key), str):
                    self.label((*at, "resource", key), resource[key], ca)

    # -- history ------------------------------------------------------------------------------

    def audit_tasks(self) -> dict[str, Path_]:
        tasks = self.names("audit_tasks", "id", "audit_task", "an audit task with id")
        findings: dict[str, Path_] = {}
        for i, task in entries(self.state, "audit_tasks"):
            at = (*self.path, "audit_tasks", i)
            checks = [name for _, name in strings(task.get("checks"))]
            for j, name in strings(task.get("checks")):
                self.checks((*at, "checks", j), name)
            resources = task.get("resources")
            if isinstance(resources, dict):
                for name in resources:
                    if name not in checks:
                        self.problem((*at, "resources", name), f"{name} is not among the task's checks", True)
            for j, finding in entries(task, "findings"):
                where = (*at, "findings", j)
                self.observation(where, finding)
                check = finding.get("check")
                if isinstance(check, str) and check not in checks:
                    self.problem((*where, "check"), f"{check} is not among the task's checks ({', '.join(checks)})")
                finding_id = finding.get("id")
                if isinstance(finding_id, str):
                    if finding_id in findings:
                        self.problem((*where, "id"), f"a finding with id {finding_id!r} is listed twice; first at "
                                                     f"{self.source.where(findings[finding_id])}")
                    else:
                        findings[finding_id] = (*where, "id")
        return tasks

    def mitigation_tasks(self, tasks: dict[str, Path_], actions: dict[str, Path_]) -> None:
        self.names("mitigation_tasks", "id", "mitigation_task", "a mitigation task with id")
        for i, task in entries(self.state, "mitigation_tasks"):
            at = (*self.path, "mitigation_tasks", i)
            target = task.get("target")
            if isinstance(target, dict) and isinstance(target.get("auditTaskId"), str):
                task_id = target["auditTaskId"]
                self.reference((*at, "target", "auditTaskId"), task_id, tasks, "audit_task",
                               f"no audit task with id {task_id!r} (in audit_tasks or the account)")
            mapping = task.get("actions")
            if not isinstance(mapping, dict):
                continue
            for check, names in mapping.items():
                if isinstance(check, str):
                    self.checks((*at, "actions", check), check, at_key=True)
                for j, name in strings(names):
                    self.reference((*at, "actions", check, j), name, actions, "mitigation_action",
                                   f"no mitigation action named {name!r} (in mitigation_actions or the account)")
