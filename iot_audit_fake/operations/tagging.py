"""Tag, untag and list tags of IoT resources.

Scheduled audits and mitigation actions are the audit API's taggable resources.
The same three operations tag every other IoT resource (thing groups, thing
types, policies, ...). moto does not implement IoT tagging at all, so for an
ARN of a resource that moto holds the tags are kept here too, and tagging a
thing group keeps working under the mock.
"""

from __future__ import annotations

import re
from typing import Any

from .. import moto_backends
from ..errors import InvalidRequestException, ResourceNotFoundException
from ..pagination import decode_token, take_page
from .base import OperationsBase

_IOT_ARN = re.compile(r"^arn:[^:]+:iot:([^:]*):([^:]*):([a-z]+)/(.+)$")
#: ARN resource type -> the moto IoTBackend attribute holding those resources.
_MOTO_COLLECTIONS = {
    "thing": "things", "thinggroup": "thing_groups", "thingtype": "thing_types", "billinggroup": "billing_groups",
    "policy": "policies", "rolealias": "role_aliases", "rule": "rules", "job": "jobs", "cacert": "ca_certificates",
    "cert": "certificates", "domainconfiguration": "domain_configurations",
}


class TaggingOperations(OperationsBase):
    def _taggable(self, resource_arn: str) -> str:
        """The ARN of an existing resource of this account and region, else the modeled error."""
        found = _IOT_ARN.match(resource_arn)
        if found is None:
            raise InvalidRequestException(f"{resource_arn} is not an AWS IoT resource ARN.")
        region, account, kind, name = found.groups()
        resource: Any = None
        if (region, account) == (self.state.region_name, self.state.account_id):
            if kind == "scheduledaudit":
                resource = self.state.scheduled_audits.get(name)
            elif kind == "mitigationaction":
                resource = self.state.mitigation_actions.get(name)
            elif kind in _MOTO_COLLECTIONS:
                resource = self._moto_resource(_MOTO_COLLECTIONS[kind], resource_arn, name)
                self.state.follow_moto_resource(resource_arn, resource)
        if resource is None or getattr(resource, "arn", resource_arn) != resource_arn:
            raise ResourceNotFoundException(f"Resource {resource_arn} does not exist.")
        return resource_arn

    def _moto_resource(self, collection: str, arn: str, name: str) -> Any:
        iot = moto_backends.iot(self.state.account_id, self.state.region_name)
        resources: dict[Any, Any] = getattr(iot, collection, {})
        found = resources.get(arn) or resources.get(name)
        return found or next((r for r in resources.values() if getattr(r, "arn", None) == arn), None)

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> None:
        self.state.tag(self._taggable(resource_arn), tags)

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        self.state.untag(self._taggable(resource_arn), tag_keys)

    def list_tags_for_resource(self, resource_arn: str, next_token: str | None = None) -> dict[str, Any]:
        arn = self._taggable(resource_arn)
        items = list(self.state.tags.get(arn, {}).items())
        query = ["ListTagsForResource", arn]
        position = decode_token(next_token, query)
        start = position + 1 if position is not None else 0
        page, token = take_page(((i, items[i]) for i in range(start, len(items))), None, lambda p: p[0], query)
        return {"tags": [{"Key": k, "Value": v} for _, (k, v) in page], "nextToken": token}
