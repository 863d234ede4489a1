"""Scenario sections of the audit's settings: the audit configuration, logging options, suppressions,
scheduled audits and mitigation actions, each applied through the backend method of its API operation.

Their API-shaped values were read by the API's own reader before anything was applied (api_values.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from ..errors import AuditError
from .loader import KeyPath, SectionLoader, Step
from .times import resolve


class AuditSections(SectionLoader):
    """The audit configuration, logging, suppressions, scheduled audits and mitigation actions."""

    def audit_configuration(self, entry: dict[str, Any], path: KeyPath) -> None:
        given = entry.get("checks", {})
        checks = {
            name: {"enabled": config.get("enabled", True),
                   **({"configuration": {k: str(v) for k, v in config["configuration"].items()}}
                      if config.get("configuration") else {})}
            for name, config in given.items()
        }
        sns = entry.get("sns")
        targets = {"SNS": {"targetArn": sns["target_arn"], "roleArn": sns["role_arn"],
                           "enabled": sns.get("enabled", True)}} if sns else None
        try:
            self.backend.update_account_audit_configuration(entry.get("role_arn"), targets, checks)
        except AuditError as error:
            # The backend decides (as UpdateAccountAuditConfiguration does); point at the check it names.
            named = [name for name in given if name in error.message]
            raise Step((*path, "checks", named[0]) if named else path, error.message) from None
        # A scenario's checks were enabled long ago unless it says when (collection.py).
        configuration = self.backend.state.configuration
        for name, config in given.items():
            configuration.set_enabled_at(name, None)
            if config.get("enabled_at") is not None:
                where = (*path, "checks", name, "enabled_at")
                if not configuration.is_enabled(name):
                    raise Step(where, f"{name} is not enabled, so it has no enable time")
                with self.at(where):
                    configuration.set_enabled_at(name, resolve(config["enabled_at"], self.now))

    def logging(self, entry: dict[str, Any], path: KeyPath) -> None:
        self.backend.set_v2_logging_options(entry.get("role_arn"), entry.get("level"), entry.get("disable_all_logs"))

    def suppression(self, entry: dict[str, Any], path: KeyPath) -> None:
        with self.at((*path, "expires")):
            expires = resolve(entry["expires"], self.now) if entry.get("expires") else None
        self.backend.create_audit_suppression(
            entry["check"], self.resource(entry["resource"], (*path, "resource")), f"scenario-{uuid.uuid4()}",
            expires, entry.get("indefinitely", "expires" not in entry), entry.get("description"),
        )

    def scheduled_audit(self, entry: dict[str, Any], path: KeyPath) -> None:
        if entry["name"] in self.backend.state.scheduled_audits:
            raise Step((*path, "name"), f"a scheduled audit named {entry['name']!r} already exists")
        tags = [{"Key": k, "Value": v} for k, v in entry.get("tags", {}).items()]
        self.backend.create_scheduled_audit(entry["name"], entry["frequency"], entry["checks"],
                                            entry.get("day_of_month"), entry.get("day_of_week"), tags or None)

    def mitigation_action(self, entry: dict[str, Any], path: KeyPath) -> None:
        if entry["name"] in self.backend.state.mitigation_actions:
            raise Step((*path, "name"), f"a mitigation action named {entry['name']!r} already exists")
        tags = [{"Key": k, "Value": v} for k, v in entry.get("tags", {}).items()]
        with self.at((*path, "params")):
            self.backend.create_mitigation_action(entry["name"], entry["role_arn"], entry["params"], tags or None)
