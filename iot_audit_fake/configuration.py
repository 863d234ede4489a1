"""The account audit configuration and its rules (reference §5).

Describe never fails and lists every known check; Update is a per-check patch
whose first call needs a role and an enabled check; Delete resets everything.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from .checks.catalogue import CHECK_NAMES, CHECKS, unknown_checks
from .errors import InvalidRequestException
from .mitigation_actions import is_sns_topic_arn


class AuditConfiguration:
    def __init__(self) -> None:
        self.role_arn: str | None = None
        self.notification_targets: dict[str, dict[str, Any]] = {}
        #: check name -> {"enabled": bool, "configuration": {...}?}; only checks ever configured.
        self.checks: dict[str, dict[str, Any]] = {}
        #: When each check was last enabled (absent: long ago, e.g. enabled by a scenario); see collection.py.
        self.enabled_at: dict[str, dt.datetime] = {}

    @property
    def exists(self) -> bool:
        # AWS's own CloudFormation handlers decide "configured" by a non-empty roleArn.
        return self.role_arn is not None

    def is_enabled(self, check: str) -> bool:
        return bool(self.checks.get(check, {}).get("enabled"))

    def setting(self, check: str, name: str) -> int:
        """A custom setting's value, or the catalogue default."""
        spec = CHECKS[check].config_spec(name)
        assert spec is not None, f"{check} has no setting {name}"
        value = self.checks.get(check, {}).get("configuration", {}).get(name)
        return int(value) if value is not None else spec.default

    def describe(self) -> dict[str, Any]:
        return {
            "roleArn": self.role_arn,
            "auditNotificationTargetConfigurations": copy.deepcopy(self.notification_targets) or None,
            "auditCheckConfigurations": {
                name: copy.deepcopy(self.checks.get(name, {"enabled": False})) for name in CHECK_NAMES
            },
        }

    def validate_update(
        self,
        role_arn: str | None,
        targets: dict[str, dict[str, Any]] | None,
        checks: dict[str, dict[str, Any]] | None,
        checks_in_use: set[str],
    ) -> None:
        checks = checks or {}
        unknown = unknown_checks(list(checks))
        if unknown:
            raise InvalidRequestException(f"Unknown audit check name(s): {', '.join(unknown)}.")
        for name, config in checks.items():
            _validate_settings(name, config.get("configuration") or {})
        for kind, target in (targets or {}).items():
            if "targetArn" in target and not is_sns_topic_arn(target["targetArn"]):
                raise InvalidRequestException(f"The {kind} targetArn {target['targetArn']} is not an SNS topic ARN.")
        if not self.exists:
            if role_arn is None:
                raise InvalidRequestException("roleArn is required the first time the audit configuration is set.")
            if not any(config.get("enabled") for config in checks.values()):
                raise InvalidRequestException(
                    "At least one audit check must be enabled the first time the audit configuration is set."
                )
        disabling = sorted(name for name, config in checks.items() if config.get("enabled") is False)
        blocked = [name for name in disabling if name in checks_in_use]
        if blocked:
            raise InvalidRequestException(
                f"Cannot disable check(s) used by a scheduled audit: {', '.join(blocked)}."
            )

    def set_enabled_at(self, check: str, when: dt.datetime | None) -> None:
        """Treat the enabled ``check`` as enabled at ``when`` (None: long ago, as a scenario's check
        without ``enabled_at``)."""
        if when is None:
            self.enabled_at.pop(check, None)
        else:
            self.enabled_at[check] = when

    def update(
        self,
        role_arn: str | None,
        targets: dict[str, dict[str, Any]] | None,
        checks: dict[str, dict[str, Any]] | None,
        now: dt.datetime | None = None,
    ) -> set[str]:
        """Apply a patch that :meth:`validate_update` accepted; returns the checks it disabled.

        A check that goes from disabled to enabled records ``now`` as its enable time."""
        was_enabled = {name for name in (checks or {}) if self.is_enabled(name)}
        if role_arn is not None:
            self.role_arn = role_arn
        for kind, target in (targets or {}).items():
            self.notification_targets[kind] = {**self.notification_targets.get(kind, {}), **target}
        for name, config in (checks or {}).items():
            entry: dict[str, Any] = {"enabled": bool(config.get("enabled", self.is_enabled(name)))}
            settings = config.get("configuration", self.checks.get(name, {}).get("configuration"))
            if settings:
                entry["configuration"] = dict(settings)
            self.checks[name] = entry
            if entry["enabled"] and name not in was_enabled and now is not None:
                self.enabled_at[name] = now
            elif not entry["enabled"]:
                self.enabled_at.pop(name, None)
        return {name for name in was_enabled if not self.is_enabled(name)}


def _validate_settings(check: str, settings: dict[str, str]) -> None:
    spec = CHECKS[check]
    for name, value in settings.items():
        config = spec.config_spec(name)
        if config is None:
            raise InvalidRequestException(f"{check} does not accept the configuration {name}.")
        if not value.isdigit() or not config.minimum <= int(value) <= config.maximum:
            raise InvalidRequestException(
                f"{check} configuration {name} must be a whole number of days from "
                f"{config.minimum} to {config.maximum}, got '{value}'."
            )
