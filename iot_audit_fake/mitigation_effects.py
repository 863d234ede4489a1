"""What each mitigation action really does to the resources moto holds (reference §11).

Every effect acts in the account and region of the audit backend, through moto's
public backend methods (``update_certificate``, ``describe_thing_group``,
``add_thing_to_thing_group``, ``create_policy_version``, SNS ``publish``), so moto's
own rules hold. When its target cannot be acted on, an effect raises
:class:`ActionFailed` with an errorCode and message; the execution is then FAILED
and the rest of the task goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from . import moto_backends
from .findings import Finding
from .logging_options import LoggingOptions
from .moto_errors import MOTO_ERRORS, code_of, message_of
from .service_model import shape_writer


class MitigatedAccount(Protocol):
    """The account an effect acts in, as the effect reads the audit state (``state.AuditState`` is
    one): declared here so that this module does not import the state that runs it."""

    account_id: str
    region_name: str
    logging: LoggingOptions

#: The BLANK_POLICY template: a document that allows nothing.
BLANK_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}


class ActionFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _iot(state: MitigatedAccount) -> Any:
    return moto_backends.iot(state.account_id, state.region_name)


def _device_certificates(finding: Finding) -> list[str]:
    """The device certificates a finding is about: its resource, or its related resources."""
    ids = [finding.identifier["deviceCertificateId"]] if "deviceCertificateId" in finding.identifier else []
    ids += [r["resourceIdentifier"]["deviceCertificateId"] for r in finding.observation.related
            if "deviceCertificateId" in r.get("resourceIdentifier", {})]
    if not ids:
        raise ActionFailed("INVALID_TARGET", f"Finding {finding.finding_id} names no device certificate.")
    return ids


def _certificate(iot: Any, cert_id: str, ca: bool = False) -> Any:
    """moto's (CA) certificate ``cert_id``.

    Read by key from the collection moto keys by certificate id: moto's describe_certificate
    scans every certificate, which a task over a fleet would pay once per finding (changes
    still go through moto's update methods).
    """
    found = (iot.ca_certificates if ca else iot.certificates).get(cert_id)
    if found is None:
        kind = "CA certificate" if ca else "Certificate"
        raise ActionFailed("RESOURCE_NOT_FOUND", f"{kind} {cert_id} does not exist.")
    return found


def update_device_certificate(state: MitigatedAccount, finding: Finding, params: dict[str, Any]) -> None:
    iot = _iot(state)
    cert_ids = _device_certificates(finding)
    for cert_id in cert_ids:  # every target first: a missing one fails the execution before any change
        _certificate(iot, cert_id)
    for cert_id in cert_ids:
        iot.update_certificate(cert_id, "INACTIVE")  # the only action modeled is DEACTIVATE


def update_ca_certificate(state: MitigatedAccount, finding: Finding, params: dict[str, Any]) -> None:
    cert_id = finding.identifier.get("caCertificateId")
    if cert_id is None:
        raise ActionFailed("INVALID_TARGET", f"Finding {finding.finding_id} names no CA certificate.")
    iot = _iot(state)
    _certificate(iot, cert_id, ca=True)
    iot.update_ca_certificate(cert_id, "INACTIVE", None)


def add_things_to_thing_group(state: MitigatedAccount, finding: Finding, params: dict[str, Any]) -> None:
    """Put the things attached to the finding's certificates into every listed group.

    moto has no dynamic thing groups, so ``overrideDynamicGroups`` changes nothing here.
    """
    from moto.iot.exceptions import ResourceNotFoundException

    iot = _iot(state)
    for name in params["thingGroupNames"]:
        try:
            iot.describe_thing_group(name)
        except ResourceNotFoundException:
            raise ActionFailed("RESOURCE_NOT_FOUND", f"Thing group {name} does not exist.") from None
    things = []
    for cert_id in _device_certificates(finding):
        things += iot.list_principal_things(_certificate(iot, cert_id).arn)
    for name in params["thingGroupNames"]:
        for thing in things:
            iot.add_thing_to_thing_group(name, None, thing, None)


def replace_default_policy_version(state: MitigatedAccount, finding: Finding, params: dict[str, Any]) -> None:
    from moto.iot.exceptions import IoTClientError

    policy_name = finding.identifier.get("policyVersionIdentifier", {}).get("policyName")
    if policy_name is None:
        raise ActionFailed("INVALID_TARGET", f"Finding {finding.finding_id} names no IoT policy.")
    try:
        _iot(state).create_policy_version(policy_name, json.dumps(BLANK_POLICY), set_as_default=True)
    except IoTClientError as error:
        raise ActionFailed(error.error_type, error.message) from None


def enable_iot_logging(state: MitigatedAccount, finding: Finding, params: dict[str, Any]) -> None:
    state.logging.set_v2(params["roleArnForLogging"], params["logLevel"], False)


def publish_finding_to_sns(state: MitigatedAccount, finding: Finding, params: dict[str, Any]) -> None:
    from moto.sns.exceptions import TopicNotFound

    arn = params["topicArn"]
    region, account = arn.split(":")[3:5]
    sns = moto_backends.sns(account, region)
    try:
        sns.get_topic(arn)
    except TopicNotFound:
        raise ActionFailed("RESOURCE_NOT_FOUND", f"SNS topic {arn} does not exist.") from None
    written = shape_writer("AuditFinding")(finding.describe(None))
    message = json.dumps({"accountId": state.account_id, "finding": written})
    try:
        sns.publish(message, arn, subject=f"AWS IoT Device Defender audit finding: {finding.check_name}")
    except MOTO_ERRORS as error:  # moto refusing the message (e.g. a FIFO topic needs a message group)
        raise ActionFailed(code_of(error), message_of(error)) from None


EFFECTS: dict[str, Callable[[MitigatedAccount, Finding, dict[str, Any]], None]] = {
    "UPDATE_DEVICE_CERTIFICATE": update_device_certificate,
    "UPDATE_CA_CERTIFICATE": update_ca_certificate,
    "ADD_THINGS_TO_THING_GROUP": add_things_to_thing_group,
    "REPLACE_DEFAULT_POLICY_VERSION": replace_default_policy_version,
    "ENABLE_IOT_LOGGING": enable_iot_logging,
    "PUBLISH_FINDING_TO_SNS": publish_finding_to_sns,
}
