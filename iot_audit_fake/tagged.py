"""Tags of one account's audit resources and of the IoT resources moto holds but cannot tag, with their rules.

:class:`TaggedResources` holds the tags by ARN and is the only code that changes them:
at most :data:`MAX_TAGS` per resource, a create request's tags set with its resource, tags
merged and removed by key, and a moto resource deleted and created again under the same
ARN starting without tags. :class:`iot_audit_fake.state.AuditState` is one.
"""

from __future__ import annotations

from typing import Any

from .errors import LimitExceededException

#: Tags per resource (CloudFormation's documented maximum for both audit resource types).
MAX_TAGS = 50


def as_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """The API's ``[{"Key": ..., "Value": ...}]`` as key -> value (a missing Value is "")."""
    return {t["Key"]: t.get("Value", "") for t in tags or []}


class TaggedResources:
    """Tags by ARN: scheduled audits, mitigation actions, and the IoT resources moto holds but cannot tag."""

    def __init__(self) -> None:
        self.tags: dict[str, dict[str, str]] = {}
        #: The moto object each moto-held ARN's tags belong to (a recreated resource starts untagged).
        self.moto_tag_owners: dict[str, Any] = {}

    def validate_tags(self, tags: list[dict[str, str]], existing: dict[str, str] | None = None) -> None:
        keys = set(existing or {}) | {t["Key"] for t in tags}
        if len(keys) > MAX_TAGS:
            raise LimitExceededException(f"A resource can have at most {MAX_TAGS} tags.")

    def add_tagged(self, arn: str, tags: list[dict[str, str]] | None) -> None:
        """The tags a create request gave a scheduled audit or mitigation action."""
        if tags:
            self.tags[arn] = as_dict(tags)

    def tag(self, arn: str, tags: list[dict[str, str]]) -> None:
        """Add or replace tags by key (LimitExceededException past :data:`MAX_TAGS`)."""
        current = self.tags.get(arn, {})
        self.validate_tags(tags, current)
        self.tags[arn] = {**current, **as_dict(tags)}

    def untag(self, arn: str, keys: list[str]) -> None:
        """Remove tags by key; a key the resource lacks is ignored, as AWS does."""
        current = self.tags.get(arn)
        if current is not None:
            for key in keys:
                current.pop(key, None)

    def follow_moto_resource(self, arn: str, resource: Any) -> None:
        """Tags of a moto-held ARN belong to the object found there now (None: none is): a resource
        deleted, or deleted and created again under the same ARN, has no tags any more."""
        if self.moto_tag_owners.get(arn) is not resource:
            self.tags.pop(arn, None)
            self.moto_tag_owners[arn] = resource
