"""Describe, Update and Delete the account audit configuration."""

from __future__ import annotations

from typing import Any

from .. import clock
from ..errors import InvalidRequestException, ResourceNotFoundException
from .base import OperationsBase


class ConfigurationOperations(OperationsBase):
    def describe_account_audit_configuration(self) -> dict[str, Any]:
        return self.state.configuration.describe()

    def update_account_audit_configuration(
        self,
        role_arn: str | None = None,
        audit_notification_target_configurations: dict[str, dict[str, Any]] | None = None,
        audit_check_configurations: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.state.configure(role_arn, audit_notification_target_configurations, audit_check_configurations,
                             clock.now())

    def delete_account_audit_configuration(self, delete_scheduled_audits: bool | None = None) -> None:
        if not self.state.configuration.exists:
            raise ResourceNotFoundException("No audit configuration exists for this account.")
        if self.state.checks_in_use() and not delete_scheduled_audits:
            # AWS documents no answer here; refusing matches "cannot disable a check a scheduled audit uses" [INF].
            raise InvalidRequestException(
                "Scheduled audits exist; pass deleteScheduledAudits=true to delete them with the configuration."
            )
        self.state.delete_configuration()
