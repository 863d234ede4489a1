"""Applying a validated scenario: moto's resources through boto3, audit state through the backend.

Loading is atomic: the moto and audit backends are snapshotted first and put back
if anything fails, so a scenario with an error changes nothing. Errors raised
while applying name the entry that caused them, with its file position.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .. import clock
from ..backend import AuditBackend, audit_backends
from ..errors import AuditError
from ..tasks import ON_DEMAND
from . import certgen
from .source import ScenarioError, Source
from .times import resolve

DEFAULT_REGION = "us-east-1"


def regions(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, str, dict[str, Any]]]:
    """(key path, account, region, state) for the top level and every entry of ``accounts``."""
    from moto.core.models import DEFAULT_ACCOUNT_ID

    yield (), data.get("account", DEFAULT_ACCOUNT_ID), data.get("region", DEFAULT_REGION), data
    for i, entry in enumerate(data.get("accounts", [])):
        yield ("accounts", i), entry["account"], entry.get("region", DEFAULT_REGION), entry


class Step(Exception):
    """A failure while applying one entry, with the entry's key path."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


class RegionLoader:
    """Applies one account/region's part of a scenario."""

    def __init__(self, path: tuple[str | int, ...], account: str, region: str, now: dt.datetime) -> None:
        self.path, self.account, self.region, self.now = path, account, region, now
        self.backend: AuditBackend = audit_backends[account][region]
        self.certificates: dict[str, str] = {}  # label -> certificate id (device and CA)
        self.issuers: dict[str, tuple[Any, Any, str]] = {}  # CA label -> (certificate, key, pem)
        self.roles: dict[str, str] = {}  # IAM role name -> ARN
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = boto3.client(service, region_name=self.region, aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
            account = self.account

            def add_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-sign", add_account)
            self._clients[service] = client
        return self._clients[service]

    def time(self, value: str | None, default: dt.datetime | None = None) -> dt.datetime | None:
        return resolve(value, self.now) if value is not None else default

    def each(self, state: dict[str, Any], key: str, apply: Callable[[dict[str, Any]], None]) -> None:
        for i, entry in enumerate(state.get(key, [])):
            try:
                apply(entry)
            except Step:
                raise
            except ClientError as error:
                raise Step((*self.path, key, i), error.response["Error"].get("Message") or str(error)) from None
            except (AuditError, ValueError, KeyError) as error:
                message = error.message if isinstance(error, AuditError) else str(error)
                raise Step((*self.path, key, i), message) from None

    def resource(self, given: dict[str, Any]) -> dict[str, Any]:
        """A resource identifier, with certificate labels resolved to ids."""
        if "certificate" in given:
            return {"deviceCertificateId": self.label(given["certificate"])}
        if "ca_certificate" in given:
            return {"caCertificateId": self.label(given["ca_certificate"])}
        return dict(given)

    def label(self, name: str) -> str:
        if name not in self.certificates:
            raise KeyError(f"no certificate labelled {name!r} in this scenario")
        return self.certificates[name]

    # -- the sections, in dependency order ------------------------------------

    def apply(self, state: dict[str, Any]) -> None:
        for key, method in (
            ("audit_configuration", self.audit_configuration), ("logging", self.logging),
        ):
            if key in state:
                try:
                    method(state[key])
                except AuditError as error:
                    raise Step((*self.path, key), error.message) from None
        self.each(state, "thing_groups", self.thing_group)
        self.each(state, "things", self.thing)
        self.each(state, "policies", self.policy)
        self.each(state, "ca_certificates", lambda e: self.certificate(e, ca=True))
        self.each(state, "certificates", lambda e: self.certificate(e, ca=False))
        self.each(state, "iam_roles", self.iam_role)
        self.each(state, "role_aliases", self.role_alias)
        self.each(state, "connections", self.connection)
        self.each(state, "suppressions", self.suppression)
        self.each(state, "mitigation_actions", self.mitigation_action)
        self.each(state, "scheduled_audits", self.scheduled_audit)
        self.each(state, "seeded", self.seeded)
        self.each(state, "audit_tasks", self.audit_task)
        self.each(state, "mitigation_tasks", self.mitigation_task)

    def audit_configuration(self, entry: dict[str, Any]) -> None:
        checks = {
            name: {"enabled": config.get("enabled", True),
                   **({"configuration": {k: str(v) for k, v in config["configuration"].items()}}
                      if config.get("configuration") else {})}
            for name, config in entry.get("checks", {}).items()
        }
        sns = entry.get("sns")
        targets = {"SNS": {"targetArn": sns["target_arn"], "roleArn": sns["role_arn"],
                           "enabled": sns.get("enabled", True)}} if sns else None
        self.backend.update_account_audit_configuration(entry.get("role_arn"), targets, checks)

    def logging(self, entry: dict[str, Any]) -> None:
        self.backend.set_v2_logging_options(entry.get("role_arn"), entry.get("level"), entry.get("disable_all_logs"))

    def thing_group(self, entry: dict[str, Any]) -> None:
        self.client("iot").create_thing_group(thingGroupName=entry["name"])

    def thing(self, entry: dict[str, Any]) -> None:
        iot = self.client("iot")
        attributes = {"attributePayload": {"attributes": entry["attributes"]}} if entry.get("attributes") else {}
        iot.create_thing(thingName=entry["name"], **attributes)
        for group in entry.get("groups", []):
            iot.add_thing_to_thing_group(thingGroupName=group, thingName=entry["name"])

    def policy(self, entry: dict[str, Any]) -> None:
        document = entry["document"]
        text = document if isinstance(document, str) else json.dumps(document)
        self.client("iot").create_policy(policyName=entry["name"], policyDocument=text)

    def certificate(self, entry: dict[str, Any], ca: bool) -> None:
        iot = self.client("iot")
        issuer = self.issuers.get(entry["issuer"]) if entry.get("issuer") else None
        if entry.get("issuer") and issuer is None:
            raise KeyError(f"issuer {entry['issuer']!r} is not a CA certificate of this scenario")
        if entry.get("pem"):
            text, cert, key = entry["pem"], None, None
        else:
            key = certgen.key_for(entry.get("key"))
            not_before = self.time(entry.get("not_before"), self.now - dt.timedelta(days=1))
            not_after = self.time(entry.get("not_after"), self.now + dt.timedelta(days=365))
            assert not_before is not None and not_after is not None
            cert = certgen.build(entry.get("subject", entry["name"]), key, not_before, not_after,
                                 (issuer[0], issuer[1]) if issuer else None, ca=ca)
            text = certgen.pem(cert)
        status = entry.get("status", "ACTIVE")
        if ca:
            cert_id = iot.register_ca_certificate(caCertificate=text, verificationCertificate=text,
                                                  setAsActive=status == "ACTIVE")["certificateId"]
            if cert is not None:
                self.issuers[entry["name"]] = (cert, key, text)
            self._set_status("ca_certificates", cert_id, status)
        else:
            registered = (iot.register_certificate(certificatePem=text, caCertificatePem=issuer[2], status="ACTIVE")
                          if issuer else iot.register_certificate_without_ca(certificatePem=text, status="ACTIVE"))
            cert_id = registered["certificateId"]
            self._set_status("certificates", cert_id, status)
            arn = registered["certificateArn"]
            for thing in entry.get("things", []):
                iot.attach_thing_principal(thingName=thing, principal=arn)
            for policy in entry.get("policies", []):
                iot.attach_policy(policyName=policy, target=arn)
        self.certificates[entry["name"]] = cert_id

    def _set_status(self, collection: str, cert_id: str, status: str) -> None:
        # The API cannot set every status (REVOKED, PENDING_TRANSFER); the scenario can.
        from moto.iot.models import iot_backends

        getattr(iot_backends[self.account][self.region], collection)[cert_id].status = status

    def iam_role(self, entry: dict[str, Any]) -> None:
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "credentials.iot.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=entry["name"], AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for i, document in enumerate(entry.get("policies", [])):
            iam.put_role_policy(RoleName=entry["name"], PolicyName=f"{entry['name']}-{i + 1}",
                                PolicyDocument=json.dumps(document))
        self.roles[entry["name"]] = arn

    def role_alias(self, entry: dict[str, Any]) -> None:
        role = self.roles.get(entry["role"], entry["role"])
        self.client("iot").create_role_alias(roleAlias=entry["alias"], roleArn=role)

    def connection(self, entry: dict[str, Any]) -> None:
        certificate = self.label(entry["certificate"]) if entry.get("certificate") else None
        self.backend.record_connection(entry["client_id"], certificate, entry.get("thing"),
                                       self.time(entry.get("connected_at"), self.now),
                                       self.time(entry.get("disconnected_at")))

    def suppression(self, entry: dict[str, Any]) -> None:
        self.backend.create_audit_suppression(
            entry["check"], self.resource(entry["resource"]), f"scenario-{len(self.backend.suppression_tokens)}",
            self.time(entry.get("expires")), entry.get("indefinitely", "expires" not in entry),
            entry.get("description"),
        )

    def mitigation_action(self, entry: dict[str, Any]) -> None:
        tags = [{"Key": k, "Value": v} for k, v in entry.get("tags", {}).items()]
        self.backend.create_mitigation_action(entry["name"], entry["role_arn"], entry["params"], tags or None)

    def scheduled_audit(self, entry: dict[str, Any]) -> None:
        tags = [{"Key": k, "Value": v} for k, v in entry.get("tags", {}).items()]
        self.backend.create_scheduled_audit(entry["name"], entry["frequency"], entry["checks"],
                                            entry.get("day_of_month"), entry.get("day_of_week"), tags or None)

    def _observation(self, entry: dict[str, Any]) -> Any:
        return self.backend.observation(entry["check"], self.resource(entry["resource"]), entry.get("reason_code"),
                                        entry.get("reason"), entry.get("additional_info"), entry.get("related"))

    def seeded(self, entry: dict[str, Any]) -> None:
        self.backend.seeded_observations.setdefault(entry["check"], []).append(self._observation(entry))

    def audit_task(self, entry: dict[str, Any]) -> None:
        findings = [(self._observation(f), f.get("suppressed", False), f.get("id")) for f in entry.get("findings", [])]
        start = self.time(entry["time"])
        assert start is not None
        self.backend.record_audit_task(
            start, entry["checks"], findings, entry.get("status", "COMPLETED"), entry.get("type", ON_DEMAND),
            entry.get("scheduled_audit"), entry.get("id"), entry.get("resources"),
        )

    def mitigation_task(self, entry: dict[str, Any]) -> None:
        backend = self.backend
        backend.start_audit_mitigation_actions_task(entry["id"], entry["target"], entry["actions"],
                                                    f"scenario-{entry['id']}")
        task = backend.mitigation_tasks.get(entry["id"])
        when = self.time(entry.get("time"))
        if task is not None and when is not None:
            backend.mitigation_tasks.remove(task.start_time, task.task_id)
            task.start_time = when
            if task.end_time is not None:
                task.end_time = when
            backend.mitigation_tasks.add(when, task.task_id, task)


def apply(source: Source) -> None:
    """Apply every region's state; on any failure restore what was there and raise ScenarioError."""
    data = source.data
    try:
        now = resolve(data["clock"], clock.now()) if "clock" in data else clock.now()
    except ValueError as error:
        raise ScenarioError([source.error(("clock",), str(error))]) from None
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
