"""Tag, untag and list tags of IoT resources.

Scheduled audits and mitigation actions are the audit API's taggable resources.
The same three operations tag every other IoT resource (thing groups, thing
types, policies, ...). moto does not implement IoT tagging at all, so for an
ARN of a resource that moto holds the tags are kept here too, and tagging a
thing group keeps working under the mock. Any other ARN goes on to moto.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import NotAuditResource, ResourceNotFoundException
from ..pagination import decode_token, take_page
from ..state import AccountState

_IOT_ARN = re.compile(r"^arn:[^:]+:iot:([^:]*):([^:]*):([a-z]+)/(.+)$")
#: ARN resource type -> the moto IoTBackend attribute holding those resources.
_MOTO_COLLECTIONS = {
    "thing": "things", "thinggroup": "thing_groups", "thingtype": "thing_types", "billinggroup": "billing_groups",
    "policy": "policies", "rolealias": "role_aliases", "rule": "rules", "job": "jobs", "cacert": "ca_certificates",
    "cert": "certificates", "domainconfiguration": "domain_configurations",
}


class TaggingOperations(AccountState):
    def _taggable(self, resource_arn: str) -> str:
        found = _IOT_ARN.match(resource_arn)
        if found is None:
            raise NotAuditResource(resource_arn)
        region, account, kind, name = found.groups()
        if kind in ("scheduledaudit", "mitigationaction"):
            registry: dict[str, Any] = self.scheduled_audits if kind == "scheduledaudit" else self.mitigation_actions
            resource = registry.get(name)
            exists = resource is not None and resource.arn == resource_arn
        elif kind in _MOTO_COLLECTIONS and (region, account) == (self.region_name, self.account_id):
            exists = self._moto_holds(_MOTO_COLLECTIONS[kind], resource_arn, name)
        else:
            raise NotAuditResource(resource_arn)
        if not exists:
            raise ResourceNotFoundException(f"Resource {resource_arn} does not exist.")
        return resource_arn

    def _moto_holds(self, collection: str, arn: str, name: str) -> bool:
        from moto.iot.models import iot_backends

        resources: dict[Any, Any] = getattr(iot_backends[self.account_id][self.region_name], collection, {})
        return arn in resources or name in resources or any(
            getattr(resource, "arn", None) == arn for resource in resources.values()
        )

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> None:
        arn = self._taggable(resource_arn)
        current = self.tags.get(arn, {})
        self.validate_tags(tags, current)
        self.tags[arn] = {**current, **{t["Key"]: t.get("Value", "") for t in tags}}

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        arn = self._taggable(resource_arn)
        current = self.tags.get(arn, {})
        for key in tag_keys:
            current.pop(key, None)

    def list_tags_for_resource(self, resource_arn: str, next_token: str | None = None) -> dict[str, Any]:
        arn = self._taggable(resource_arn)
        items = list(self.tags.get(arn, {}).items())
        query = ["ListTagsForResource", arn]
        position = decode_token(next_token, query)
        start = position + 1 if position is not None else 0
        page, token = take_page(((i, items[i]) for i in range(start, len(items))), None, lambda p: p[0], query)
        return {"tags": [{"Key": k, "Value": v} for _, (k, v) in page], "nextToken": token}
