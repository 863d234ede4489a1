"""Mitigation action definitions and their rules (reference §10)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRequestException

#: actionParams member -> the actionType it defines.
ACTION_TYPES = {
    "updateDeviceCertificateParams": "UPDATE_DEVICE_CERTIFICATE",
    "updateCACertificateParams": "UPDATE_CA_CERTIFICATE",
    "addThingsToThingGroupParams": "ADD_THINGS_TO_THING_GROUP",
    "replaceDefaultPolicyVersionParams": "REPLACE_DEFAULT_POLICY_VERSION",
    "enableIoTLoggingParams": "ENABLE_IOT_LOGGING",
    "publishFindingToSnsParams": "PUBLISH_FINDING_TO_SNS",
}
_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$")


def is_sns_topic_arn(arn: str) -> bool:
    return _SNS_TOPIC_ARN.match(arn) is not None


def action_type(params: dict[str, Any]) -> str:
    """The type an actionParams structure defines; it must hold exactly one kind of parameters."""
    given = [name for name in ACTION_TYPES if params.get(name) is not None]
    if len(given) != 1:
        raise InvalidRequestException(
            f"actionParams must contain exactly one of {', '.join(ACTION_TYPES)}; got {len(given)}."
        )
    name = given[0]
    if name == "enableIoTLoggingParams" and params[name]["logLevel"] == "DISABLED":
        raise InvalidRequestException("ENABLE_IOT_LOGGING cannot use logLevel DISABLED.")
    if name == "publishFindingToSnsParams" and not is_sns_topic_arn(params[name]["topicArn"]):
        raise InvalidRequestException(f"topicArn {params[name]['topicArn']} is not an SNS topic ARN.")
    return ACTION_TYPES[name]


def inner_params(params: dict[str, Any]) -> dict[str, Any]:
    """The one ``*Params`` structure inside an actionParams."""
    return next(value for name, value in params.items() if name in ACTION_TYPES and value is not None)


@dataclass
class MitigationAction:
    name: str
    arn: str
    action_id: str
    role_arn: str
    params: dict[str, Any]
    created: dt.datetime
    modified: dt.datetime
    #: Creation order within the account (ties in ``created`` are common under a frozen clock).
    sequence: int = 0

    @property
    def action_type(self) -> str:
        return action_type(self.params)

    def describe(self) -> dict[str, Any]:
        return {
            "actionName": self.name, "actionType": self.action_type, "actionArn": self.arn,
            "actionId": self.action_id, "roleArn": self.role_arn, "actionParams": self.params,
            "creationDate": self.created, "lastModifiedDate": self.modified,
        }

    def definition(self) -> dict[str, Any]:
        """The MitigationAction snapshot a mitigation task keeps in actionsDefinition."""
        return {"name": self.name, "id": self.action_id, "roleArn": self.role_arn, "actionParams": self.params}

    def identifier(self) -> dict[str, Any]:
        return {"actionName": self.name, "actionArn": self.arn, "creationDate": self.created}
