"""Create, describe, update, delete and list mitigation actions."""

from __future__ import annotations

from typing import Any

from .. import clock, ids, tagged
from ..errors import LimitExceededException, ResourceAlreadyExistsException, ResourceNotFoundException
from ..mitigation_actions import MitigationAction, action_type
from ..pagination import after_position, decode_token, take_page
from .base import OperationsBase

#: Mitigation actions per account and region, not adjustable [D-quota].
MAX_MITIGATION_ACTIONS = 100


class MitigationActionOperations(OperationsBase):
    def get_mitigation_action(self, name: str) -> MitigationAction:
        action = self.state.mitigation_actions.get(name)
        if action is None:
            raise ResourceNotFoundException(f"Mitigation action {name} does not exist.")
        return action

    def create_mitigation_action(
        self, action_name: str, role_arn: str, action_params: dict[str, Any],
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        action_type(action_params)
        self.state.validate_tags(tags or [])
        existing = self.state.mitigation_actions.get(action_name)
        arn = self.state.arn(f"mitigationaction/{action_name}")
        if existing is not None:
            same_tags = self.state.tags.get(arn, {}) == tagged.as_dict(tags)
            if (existing.role_arn, existing.params) == (role_arn, action_params) and same_tags:
                return {"actionArn": existing.arn, "actionId": existing.action_id}  # a retry
            raise ResourceAlreadyExistsException(
                f"Mitigation action {action_name} already exists with different settings.", action_name, arn
            )
        if len(self.state.mitigation_actions) >= MAX_MITIGATION_ACTIONS:
            raise LimitExceededException(f"At most {MAX_MITIGATION_ACTIONS} mitigation actions are allowed.")
        now = clock.now()
        action = MitigationAction(action_name, arn, ids.uuid_like(), role_arn, action_params, now, now,
                                  self.state.next_sequence())
        self.state.add_mitigation_action(action, tags)
        return {"actionArn": arn, "actionId": action.action_id}

    def describe_mitigation_action(self, action_name: str) -> dict[str, Any]:
        return self.get_mitigation_action(action_name).describe()

    def update_mitigation_action(
        self, action_name: str, role_arn: str | None = None, action_params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        action = self.get_mitigation_action(action_name)
        if action_params is not None:
            action_type(action_params)  # the type may change; it is derived from the params [INF]
            action.params = action_params
        if role_arn is not None:
            action.role_arn = role_arn
        action.modified = clock.now()
        return {"actionArn": action.arn, "actionId": action.action_id}

    def delete_mitigation_action(self, action_name: str) -> None:
        self.state.remove_mitigation_action(action_name)  # idempotent, as AWS documents

    def list_mitigation_actions(
        self, action_type: str | None = None, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        query = ["ListMitigationActions", action_type]
        position = decode_token(next_token, query)
        ordered = sorted(
            (a for a in self.state.mitigation_actions.values() if action_type is None or a.action_type == action_type),
            key=_newest_first,
        )
        page, token = take_page(after_position(ordered, position, _newest_first), max_results, _newest_first, query)
        return {"actionIdentifiers": [a.identifier() for a in page], "nextToken": token}


def _newest_first(action: MitigationAction) -> tuple[float, int]:
    return -action.created.timestamp(), -action.sequence
