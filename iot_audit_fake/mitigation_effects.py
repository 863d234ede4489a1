"""What each mitigation action really does to the resources moto holds (reference §11).

Every effect acts in the account and region of the audit backend. When its target
cannot be acted on, it raises :class:`ActionFailed` with an errorCode and message;
the execution is then FAILED and the rest of the task goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .findings import Finding
from .wire.routes import SERVICE_MODEL
from .wire.shapes import writer

if TYPE_CHECKING:
    from .state import AccountState

#: The BLANK_POLICY template: a document that allows nothing.
BLANK_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
_write_finding = writer(SERVICE_MODEL.shape_for("AuditFinding"))


class ActionFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _iot(state: AccountState) -> Any:
    from moto.iot.models import iot_backends

    return iot_backends[state.account_id][state.region_name]


def _device_certificates(finding: Finding) -> list[str]:
    """The device certificates a finding is about: its resource, or its related resources."""
    ids = [finding.identifier["deviceCertificateId"]] if "deviceCertificateId" in finding.identifier else []
    ids += [r["resourceIdentifier"]["deviceCertificateId"] for r in finding.observation.related
            if "deviceCertificateId" in r.get("resourceIdentifier", {})]
    if not ids:
        raise ActionFailed("INVALID_TARGET", f"Finding {finding.finding_id} names no device certificate.")
    return ids


def _certificate(iot: Any, cert_id: str, ca: bool = False) -> Any:
    found = (iot.ca_certificates if ca else iot.certificates).get(cert_id)
    if found is None:
        kind = "CA certificate" if ca else "Certificate"
        raise ActionFailed("RESOURCE_NOT_FOUND", f"{kind} {cert_id} does not exist.")
    return found


def update_device_certificate(state: AccountState, finding: Finding, params: dict[str, Any]) -> None:
    iot = _iot(state)
    certificates = [_certificate(iot, cert_id) for cert_id in _device_certificates(finding)]
    for certificate in certificates:
        certificate.status = "INACTIVE"  # the only action modeled is DEACTIVATE


def update_ca_certificate(state: AccountState, finding: Finding, params: dict[str, Any]) -> None:
    cert_id = finding.identifier.get("caCertificateId")
    if cert_id is None:
        raise ActionFailed("INVALID_TARGET", f"Finding {finding.finding_id} names no CA certificate.")
    _certificate(_iot(state), cert_id, ca=True).status = "INACTIVE"


def add_things_to_thing_group(state: AccountState, finding: Finding, params: dict[str, Any]) -> None:
    """Put the things attached to the finding's certificates into every listed group.

    moto has no dynamic thing groups, so ``overrideDynamicGroups`` changes nothing here.
    """
    iot = _iot(state)
    groups = []
    for name in params["thingGroupNames"]:
        group = next((g for g in iot.thing_groups.values() if g.thing_group_name == name), None)
        if group is None:
            raise ActionFailed("RESOURCE_NOT_FOUND", f"Thing group {name} does not exist.")
        groups.append(group)
    things = []
    for cert_id in _device_certificates(finding):
        things += iot.list_principal_things(_certificate(iot, cert_id).arn)
    for group in groups:
        for thing in things:
            iot.add_thing_to_thing_group(group.thing_group_name, group.arn, thing, None)


def replace_default_policy_version(state: AccountState, finding: Finding, params: dict[str, Any]) -> None:
    from moto.iot.exceptions import IoTClientError

    policy_name = finding.identifier.get("policyVersionIdentifier", {}).get("policyName")
    if policy_name is None:
        raise ActionFailed("INVALID_TARGET", f"Finding {finding.finding_id} names no IoT policy.")
    try:
        _iot(state).create_policy_version(policy_name, json.dumps(BLANK_POLICY), set_as_default=True)
    except IoTClientError as error:
        raise ActionFailed(error.error_type, error.message) from None


def enable_iot_logging(state: AccountState, finding: Finding, params: dict[str, Any]) -> None:
    state.logging.set_v2(params["roleArnForLogging"], params["logLevel"], False)


def publish_finding_to_sns(state: AccountState, finding: Finding, params: dict[str, Any]) -> None:
    from moto.sns.models import sns_backends

    arn = params["topicArn"]
    region, account = arn.split(":")[3:5]
    topics = sns_backends[account][region].topics
    if arn not in topics:
        raise ActionFailed("RESOURCE_NOT_FOUND", f"SNS topic {arn} does not exist.")
    message = json.dumps({"accountId": state.account_id, "finding": _write_finding(finding.describe(None))})
    topics[arn].publish(message, subject=f"AWS IoT Device Defender audit finding: {finding.check_name}")


EFFECTS: dict[str, Callable[[AccountState, Finding, dict[str, Any]], None]] = {
    "UPDATE_DEVICE_CERTIFICATE": update_device_certificate,
    "UPDATE_CA_CERTIFICATE": update_ca_certificate,
    "ADD_THINGS_TO_THING_GROUP": add_things_to_thing_group,
    "REPLACE_DEFAULT_POLICY_VERSION": replace_default_policy_version,
    "ENABLE_IOT_LOGGING": enable_iot_logging,
    "PUBLISH_FINDING_TO_SNS": publish_finding_to_sns,
}
