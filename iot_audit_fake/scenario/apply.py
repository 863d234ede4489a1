"""Applying a validated scenario: moto's IoT resources through its backend, audit state through ours.

Loading is atomic: the moto and audit backends are snapshotted first and put back
if anything fails, so a scenario with an error changes nothing. Errors raised
while applying name the entry (or the reference inside it) that caused them,
with its file position.

IoT resources go to moto's IoT backend directly rather than through boto3: a
request through botocore and moto's dispatcher costs milliseconds, which made a
fleet of 1,000 devices take over ten seconds. moto's own rules still hold (a
policy or role alias name, a certificate registered twice are refused), and the
loader adds the ones moto lacks (a thing, group or certificate label listed
twice, a reference to a thing, group, policy, CA or role that does not exist).
IAM roles, which are few, still go through boto3 and moto's IAM validation.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from botocore.validate import ParamValidator
from cryptography import x509

from .. import clock
from ..backend import AuditBackend, audit_backends
from ..checks.catalogue import unknown_checks
from ..errors import AuditError
from ..tasks import ON_DEMAND
from . import certgen
from .source import ScenarioError, Source, key_path, schema
from .times import resolve

DEFAULT_REGION = "us-east-1"

KeyPath = tuple[str | int, ...]


def regions(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str, str, dict[str, Any]]]:
    """(key path, account, region, state) for the top level (when it holds any state) and every
    entry of ``accounts``."""
    from ..wire.router import default_account

    default_account_id = default_account()

    if any(key in data for key in schema()["$defs"]["region_state"]["properties"]):
        yield (), data.get("account", default_account_id), data.get("region", DEFAULT_REGION), data
    for i, entry in enumerate(data.get("accounts", [])):
        yield ("accounts", i), entry["account"], entry.get("region", DEFAULT_REGION), entry


class Step(Exception):
    """A failure while applying one entry, with the key path of what caused it."""

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


@dataclass
class Issuer:
    """A CA certificate of the scenario: its parsed certificate, its key (unknown when given as a PEM)."""

    certificate: x509.Certificate
    key: certgen.PrivateKey | None
    pem: str


def _api_shape(name: str) -> Any:
    from ..wire.routes import SERVICE_MODEL

    return SERVICE_MODEL.shape_for(name)


def _check_shape(value: Any, shape_name: str, path: KeyPath) -> None:
    """Validate ``value`` as botocore validates the API's input structure ``shape_name``."""
    report = ParamValidator().validate(value, _api_shape(shape_name))
    if report.has_errors():
        raise Step(path, "; ".join(line.strip() for line in report.generate_report().splitlines()))


class RegionLoader:
    """Applies one account/region's part of a scenario."""

    def __init__(self, path: KeyPath, account: str, region: str, now: dt.datetime) -> None:
        from moto.iot.models import iot_backends

        self.path, self.account, self.region, self.now = path, account, region, now
        self.backend: AuditBackend = audit_backends[account][region]
        self.iot: Any = iot_backends[account][region]
        self.device_ids: dict[str, str] = {}  # device certificate label -> certificate id
        self.ca_ids: dict[str, str] = {}  # CA certificate label -> certificate id
        self.issuers: dict[str, Issuer] = {}  # CA certificate label -> what signs with it
        self.roles: dict[str, str] = {}  # IAM role name -> ARN
        self._things: dict[str, Any] | None = None
        self._groups: dict[str, Any] | None = None
        self._iam: Any = None

    # -- helpers ----------------------------------------------------------------------------------

    @contextmanager
    def at(self, path: KeyPath) -> Iterator[None]:
        """Report any refusal inside the block at ``path`` (an inner ``at`` or Step wins)."""
        from moto.core.exceptions import _RESTError

        try:
            yield
        except Step:
            raise
        except ClientError as error:
            raise Step(path, error.response["Error"].get("Message") or str(error)) from None
        except AuditError as error:
            raise Step(path, error.message) from None
        except _RESTError as error:  # moto refusing, as its API would
            raise Step(path, f"{error.error_type}: {error.message}") from None
        except ValueError as error:
            raise Step(path, str(error)) from None

    def each(self, state: dict[str, Any], key: str, apply: Callable[[dict[str, Any], KeyPath], None]) -> None:
        for i, entry in enumerate(state.get(key, [])):
            path = (*self.path, key, i)
            with self.at(path):
                apply(entry, path)

    def time(self, value: str | None, default: dt.datetime) -> dt.datetime:
        return resolve(value, self.now) if value is not None else default

    @property
    def things(self) -> dict[str, Any]:
        """Thing name -> moto's thing (moto keys them by ARN)."""
        if self._things is None:
            self._things = {thing.thing_name: thing for thing in self.iot.things.values()}
        return self._things

    @property
    def groups(self) -> dict[str, Any]:
        if self._groups is None:
            self._groups = {group.thing_group_name: group for group in self.iot.thing_groups.values()}
        return self._groups

    def iam(self) -> Any:
        if self._iam is None:
            import boto3

            client = boto3.client("iam", region_name=self.region, aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
            account = self.account

            def add_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-sign", add_account)
            self._iam = client
        return self._iam

    def resource(self, given: dict[str, Any], path: KeyPath) -> dict[str, Any]:
        """A resource identifier, with certificate labels resolved to ids."""
        if "certificate" in given:
            return {"deviceCertificateId": self.label(given["certificate"], (*path, "certificate"))}
        if "ca_certificate" in given:
            return {"caCertificateId": self.label(given["ca_certificate"], (*path, "ca_certificate"), ca=True)}
        return dict(given)

    def label(self, name: Any, path: KeyPath, ca: bool = False) -> str:
        labels = self.ca_ids if ca else self.device_ids
        if name not in labels:
            section = "ca_certificates" if ca else "certificates"
            raise Step(path, f"no certificate labelled {name!r} in {section} (of this account and region)")
        return labels[name]

    def checks(self, names: list[str], path: KeyPath) -> None:
        for i, name in enumerate(names):
            if unknown_checks([name]):
                raise Step((*path, i), f"unknown audit check {name!r}")

    # -- the sections, in dependency order --------------------------------------------------------

    def sections(self) -> dict[str, Callable[[Any, KeyPath], None]]:
        """Section key -> what applies one entry of it (the whole value, for the two mappings)."""
        return {
            "audit_configuration": self.audit_configuration, "logging": self.logging,
            "thing_groups": self.thing_group, "things": self.thing, "policies": self.policy,
            "ca_certificates": lambda entry, path: self.certificate(entry, path, ca=True),
            "certificates": lambda entry, path: self.certificate(entry, path, ca=False),
            "iam_roles": self.iam_role, "role_aliases": self.role_alias, "connections": self.connection,
            "suppressions": self.suppression, "scheduled_audits": self.scheduled_audit,
            "mitigation_actions": self.mitigation_action, "seeded": self.seeded, "audit_tasks": self.audit_task,
            "mitigation_tasks": self.mitigation_task,
        }

    def apply(self, state: dict[str, Any]) -> None:
        """Apply the sections in the schema's order (the documented one: dependencies first)."""
        sections = self.sections()
        for key, node in schema()["$defs"]["region_state"]["properties"].items():
            if key not in state:
                continue
            if node.get("type") == "array":
                self.each(state, key, sections[key])
            else:
                path = (*self.path, key)
                with self.at(path):
                    sections[key](state[key], path)

    def audit_configuration(self, entry: dict[str, Any], path: KeyPath) -> None:
        given = entry.get("checks", {})
        checks = {
            name: {"enabled": config.get("enabled", True),
                   **({"configuration": {k: str(v) for k, v in config["configuration"].items()}}
                      if config.get("configuration") else {})}
            for name, config in given.items()
        }
        sns = entry.get("sns")
        targets = {"SNS": {"targetArn": sns["target_arn"], "roleArn": sns["role_arn"],
                           "enabled": sns.get("enabled", True)}} if sns else None
        try:
            self.backend.update_account_audit_configuration(entry.get("role_arn"), targets, checks)
        except AuditError as error:
            # The backend decides (as UpdateAccountAuditConfiguration does); point at the check it names.
            named = [name for name in given if name in error.message]
            raise Step((*path, "checks", named[0]) if named else path, error.message) from None

    def logging(self, entry: dict[str, Any], path: KeyPath) -> None:
        self.backend.set_v2_logging_options(entry.get("role_arn"), entry.get("level"), entry.get("disable_all_logs"))

    def thing_group(self, entry: dict[str, Any], path: KeyPath) -> None:
        name = entry["name"]
        if name in self.groups:
            raise Step((*path, "name"), f"a thing group named {name!r} already exists")
        _, arn, _ = self.iot.create_thing_group(name, None, {})
        self.groups[name] = self.iot.thing_groups[arn]

    def thing(self, entry: dict[str, Any], path: KeyPath) -> None:
        name = entry["name"]
        if name in self.things:
            raise Step((*path, "name"), f"a thing named {name!r} already exists")
        payload = {"attributes": dict(entry["attributes"])} if entry.get("attributes") else None
        thing = self.iot.create_thing(name, None, payload)
        self.things[name] = thing
        for j, group_name in enumerate(entry.get("groups", [])):
            group = self.groups.get(group_name)
            if group is None:
                raise Step((*path, "groups", j), f"no thing group named {group_name!r}")
            self.iot.add_thing_to_thing_group(group.thing_group_name, group.arn, None, thing.arn)

    def policy(self, entry: dict[str, Any], path: KeyPath) -> None:
        document = entry["document"]
        if isinstance(document, str):
            try:
                json.loads(document)
            except ValueError as error:
                raise Step((*path, "document"), f"the policy document is not valid JSON: {error}") from None
            text = document
        else:
            text = json.dumps(document)
        self.iot.create_policy(entry["name"], text)

    def certificate(self, entry: dict[str, Any], path: KeyPath, ca: bool) -> None:
        label = entry["name"]
        if label in self.ca_ids or label in self.device_ids:
            raise Step((*path, "name"), f"the certificate label {label!r} is used twice")
        issuer = None
        if entry.get("issuer") is not None:
            issuer = self.issuers.get(entry["issuer"])
            if issuer is None:
                raise Step((*path, "issuer"), f"no CA certificate labelled {entry['issuer']!r} in ca_certificates "
                                              "(of this account and region, listed before this certificate)")
        if ca:
            for attached in ("things", "policies"):
                if entry.get(attached):
                    raise Step((*path, attached), "a CA certificate cannot be attached to things or policies")
        key: certgen.PrivateKey | None = None
        cert: x509.Certificate
        if entry.get("pem"):
            for generated in ("subject", "key", "not_before", "not_after"):
                if generated in entry:
                    raise Step((*path, generated), "cannot be combined with pem (the PEM says it already)")
            text = entry["pem"]
            try:
                cert = x509.load_pem_x509_certificate(text.encode())
            except ValueError as error:
                raise Step((*path, "pem"), f"not a PEM certificate: {error}") from None
        else:
            if issuer is not None and issuer.key is None:
                raise Step((*path, "issuer"), f"the CA {entry['issuer']!r} is given as a PEM, so there is no key "
                                              "to sign a generated certificate with; give this one as a PEM too")
            key = certgen.key_for(entry.get("key"))
            with self.at((*path, "not_before")):
                not_before = self.time(entry.get("not_before"), self.now - dt.timedelta(days=1))
            with self.at((*path, "not_after")):
                not_after = self.time(entry.get("not_after"), self.now + dt.timedelta(days=365))
            if not_after <= not_before:
                raise Step((*path, "not_after"), "not_after must be later than not_before")
            cert = certgen.build(entry.get("subject", label), key, not_before, not_after,
                                 (issuer.certificate, issuer.key) if issuer else None, ca=ca)
            text = certgen.pem(cert)
        status = entry.get("status", "ACTIVE")
        if ca:
            if any(existing.certificate_pem == text for existing in self.iot.ca_certificates.values()):
                raise Step(path, "this CA certificate is already registered")
            registered = self.iot.register_ca_certificate(text, status == "ACTIVE", {})
            registered.status = status  # the API cannot set every status (REVOKED); a scenario can
            self.issuers[label] = Issuer(cert, key, text)
            self.ca_ids[label] = registered.certificate_id
            return
        if issuer is not None:
            registered = self.iot.register_certificate(text, issuer.pem, False, status)
        else:
            registered = self.iot.register_certificate_without_ca(text, status)
        self.device_ids[label] = registered.certificate_id
        # moto's attach_thing_principal / attach_policy, without their scans over every certificate.
        for j, thing_name in enumerate(entry.get("things", [])):
            thing = self.things.get(thing_name)
            if thing is None:
                raise Step((*path, "things", j), f"no thing named {thing_name!r}")
            self.iot.principal_things.setdefault((registered.arn, thing_name), (registered, thing))
        for j, policy_name in enumerate(entry.get("policies", [])):
            policy = self.iot.policies.get(policy_name)
            if policy is None:
                raise Step((*path, "policies", j), f"no policy named {policy_name!r}")
            self.iot.principal_policies.setdefault((registered.arn, policy_name), (registered, policy))

    def iam_role(self, entry: dict[str, Any], path: KeyPath) -> None:
        iam = self.iam()
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "credentials.iot.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=entry["name"], AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for i, document in enumerate(entry.get("policies", [])):
            with self.at((*path, "policies", i)):
                iam.put_role_policy(RoleName=entry["name"], PolicyName=f"{entry['name']}-{i + 1}",
                                    PolicyDocument=json.dumps(document))
        self.roles[entry["name"]] = arn

    def _existing_role(self, name: str) -> str | None:
        from moto.iam.models import iam_backends

        roles = iam_backends[self.account]["global"].roles.values()
        return next((role.arn for role in roles if role.name == name), None)

    def role_alias(self, entry: dict[str, Any], path: KeyPath) -> None:
        role = entry["role"]
        arn = self.roles.get(role) or (role if role.startswith("arn:") else self._existing_role(role))
        if arn is None:
            raise Step((*path, "role"), f"no IAM role named {role!r} (in iam_roles or the account); "
                                        "give a role name or a role ARN")
        self.iot.create_role_alias(entry["alias"], arn, 3600)

    def connection(self, entry: dict[str, Any], path: KeyPath) -> None:
        certificate = self.label(entry["certificate"], (*path, "certificate")) if entry.get("certificate") else None
        with self.at((*path, "connected_at")):
            start = self.time(entry.get("connected_at"), self.now)
        with self.at((*path, "disconnected_at")):
            end = resolve(entry["disconnected_at"], self.now) if entry.get("disconnected_at") else None
        self.backend.record_connection(entry["client_id"], certificate, entry.get("thing"), start, end)

    def suppression(self, entry: dict[str, Any], path: KeyPath) -> None:
        with self.at((*path, "expires")):
            expires = resolve(entry["expires"], self.now) if entry.get("expires") else None
        self.backend.create_audit_suppression(
            entry["check"], self.resource(entry["resource"], (*path, "resource")), f"scenario-{uuid.uuid4()}",
            expires, entry.get("indefinitely", "expires" not in entry), entry.get("description"),
        )

    def mitigation_action(self, entry: dict[str, Any], path: KeyPath) -> None:
        if entry["name"] in self.backend.mitigation_actions:
            raise Step((*path, "name"), f"a mitigation action named {entry['name']!r} already exists")
        _check_shape(entry["params"], "MitigationActionParams", (*path, "params"))
        tags = [{"Key": k, "Value": v} for k, v in entry.get("tags", {}).items()]
        with self.at((*path, "params")):
            self.backend.create_mitigation_action(entry["name"], entry["role_arn"], entry["params"], tags or None)

    def scheduled_audit(self, entry: dict[str, Any], path: KeyPath) -> None:
        if entry["name"] in self.backend.scheduled_audits:
            raise Step((*path, "name"), f"a scheduled audit named {entry['name']!r} already exists")
        tags = [{"Key": k, "Value": v} for k, v in entry.get("tags", {}).items()]
        self.backend.create_scheduled_audit(entry["name"], entry["frequency"], entry["checks"],
                                            entry.get("day_of_month"), entry.get("day_of_week"), tags or None)

    def _observation(self, entry: dict[str, Any], path: KeyPath) -> Any:
        resource = self.resource(entry["resource"], (*path, "resource"))
        return self.backend.observation(entry["check"], resource, entry.get("reason_code"),
                                        entry.get("reason"), entry.get("additional_info"), entry.get("related"))

    def seeded(self, entry: dict[str, Any], path: KeyPath) -> None:
        observation = self._observation(entry, path)
        self.backend.seeded_observations.setdefault(entry["check"], []).append(observation)

    def audit_task(self, entry: dict[str, Any], path: KeyPath) -> None:
        checks = entry["checks"]
        self.checks(checks, (*path, "checks"))
        with self.at((*path, "time")):
            start = resolve(entry["time"], self.now)
        if start < clock.retention_cutoff():
            raise Step((*path, "time"), "the task is older than the 90 days audit tasks are kept; it would be "
                                        "gone at once")
        for check in entry.get("resources", {}):
            if check not in checks:
                raise Step((*path, "resources", check), f"{check} is not among the task's checks")
        if entry.get("id") is not None and entry["id"] in self.backend.tasks:
            raise Step((*path, "id"), f"an audit task {entry['id']!r} already exists")
        findings: list[tuple[Any, bool, str | None]] = []
        for j, given in enumerate(entry.get("findings", [])):
            where = (*path, "findings", j)
            with self.at(where):
                observation = self._observation(given, where)
            if given["check"] not in checks:
                raise Step((*where, "check"), f"{given['check']} is not among the task's checks")
            if given.get("id") is not None and (self.backend.findings.get(given["id"]) is not None
                                                or given["id"] in {f[2] for f in findings}):
                raise Step((*where, "id"), f"a finding {given['id']!r} already exists")
            findings.append((observation, given.get("suppressed", False), given.get("id")))
        self.backend.record_audit_task(
            start, checks, findings, entry.get("status", "COMPLETED"), entry.get("type", ON_DEMAND),
            entry.get("scheduled_audit"), entry.get("id"), entry.get("resources"),
        )

    def mitigation_task(self, entry: dict[str, Any], path: KeyPath) -> None:
        backend = self.backend
        _check_shape(entry["target"], "AuditMitigationActionsTaskTarget", (*path, "target"))
        self.checks(list(entry["actions"]), (*path, "actions"))
        with self.at((*path, "time")):
            when = self.time(entry.get("time"), self.now)
        if when < clock.retention_cutoff():
            raise Step((*path, "time"), "the task is older than the 90 days mitigation tasks are kept; it would "
                                        "be gone at once")
        backend.start_audit_mitigation_actions_task(entry["id"], entry["target"], entry["actions"],
                                                    f"scenario-{uuid.uuid4()}")
        task = backend.mitigation_tasks.get(entry["id"])
        assert task is not None
        if task.final_status is None:  # held by a state-manager transition: a past task has finished
            task.status = "COMPLETED"
            backend.settle_mitigation(task)
        backend.mitigation_tasks.remove(task.start_time, task.task_id)
        task.start_time = task.end_time = when
        for execution in task.executions():
            execution.start_time = when if execution.start_time else None
            execution.end_time = when if execution.end_time else None
        backend.mitigation_tasks.add(when, task.task_id, task)


def apply(source: Source) -> None:
    """Apply every region's state; on any failure restore what was there and raise ScenarioError."""
    data = source.data
    try:
        now = resolve(data["clock"], clock.now()) if "clock" in data else clock.now()
    except ValueError as error:
        raise ScenarioError([source.error(("clock",), str(error))]) from None
    places: dict[tuple[str, str], KeyPath] = {}
    for path, account, region, _ in regions(data):
        if (account, region) in places:
            other = key_path(places[account, region]) if places[account, region] else "the top level"
            raise ScenarioError([source.error(path, f"account {account} in {region} is already described "
                                                    f"by {other}; describe each account and region once")])
        places[account, region] = path
    with snapshot():
        try:
            for path, account, region, state in regions(data):
                loader = RegionLoader(path, account, region, now)
                loader.backend.refresh()
                loader.apply(state)
        except Step as step:
            raise ScenarioError([source.error(step.path, step.message)]) from None


@contextmanager
def snapshot() -> Iterator[None]:
    """Put every backend the loader touches back as it was if the block raises."""
    from moto.cognitoidentity.models import cognitoidentity_backends
    from moto.iam.models import iam_backends
    from moto.iot.models import iot_backends
    from moto.sns.models import sns_backends

    dicts: list[Any] = [iot_backends, iam_backends, cognitoidentity_backends, sns_backends, audit_backends]
    saved = [{account: copy.deepcopy(dict(backends)) for account, backends in d.items()} for d in dicts]
    try:
        yield
    except BaseException:
        for backend_dict, before in zip(dicts, saved, strict=True):
            for account in list(backend_dict):
                regions_now = backend_dict[account]
                dict.clear(regions_now)
                dict.update(regions_now, before.get(account, {}))
        raise
