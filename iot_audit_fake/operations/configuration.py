"""Describe, Update and Delete the account audit configuration."""

from __future__ import annotations

from typing import Any

from ..configuration import AuditConfiguration
from ..errors import InvalidRequestException, ResourceNotFoundException
from ..state import AccountState


class ConfigurationOperations(AccountState):
    def describe_account_audit_configuration(self) -> dict[str, Any]:
        return self.configuration.describe()

    def update_account_audit_configuration(
        self,
        role_arn: str | None = None,
        audit_notification_target_configurations: dict[str, dict[str, Any]] | None = None,
        audit_check_configurations: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        config = self.configuration
        config.validate_update(role_arn, audit_notification_target_configurations,
                               audit_check_configurations, self.checks_in_use())
        config.update(role_arn, audit_notification_target_configurations, audit_check_configurations)

    def delete_account_audit_configuration(self, delete_scheduled_audits: bool | None = None) -> None:
        if not self.configuration.exists:
            raise ResourceNotFoundException("No audit configuration exists for this account.")
        if self.checks_in_use() and not delete_scheduled_audits:
            # AWS documents no answer here; refusing matches "cannot disable a check a scheduled audit uses" [INF].
            raise InvalidRequestException(
                "Scheduled audits exist; pass deleteScheduledAudits=true to delete them with the configuration."
            )
        for name in list(self.scheduled_audits):
            self.tags.pop(self.scheduled_audits.pop(name).arn, None)
        self.configuration = AuditConfiguration()
