"""The account's IoT logging options (v1 and v2), which moto does not model.

They are served here so that LOGGING_DISABLED_CHECK has real state to read and
the ENABLE_IOT_LOGGING mitigation real state to write.
"""

from __future__ import annotations

from typing import Any

from .errors import NotConfiguredException


class LoggingOptions:
    def __init__(self) -> None:
        self.v1: dict[str, Any] | None = None
        self.v2: dict[str, Any] | None = None

    @property
    def enabled(self) -> bool:
        """True when either logging generation sends logs at some level."""
        v2_on = self.v2 is not None and not self.v2.get("disableAllLogs") and (
            self.v2.get("defaultLogLevel", "ERROR") != "DISABLED"
        )
        v1_on = self.v1 is not None and self.v1.get("logLevel", "ERROR") != "DISABLED"
        return v2_on or v1_on

    def get_v2(self) -> dict[str, Any]:
        if self.v2 is None:
            raise NotConfiguredException("Logging options are not configured for this account.")
        return dict(self.v2)

    def set_v2(self, role_arn: str | None, default_log_level: str | None, disable_all_logs: bool | None,
               event_configurations: list[dict[str, Any]] | None = None) -> None:
        options: dict[str, Any] = {"disableAllLogs": bool(disable_all_logs)}
        if role_arn is not None:
            options["roleArn"] = role_arn
        if default_log_level is not None:
            options["defaultLogLevel"] = default_log_level
        if event_configurations:
            options["eventConfigurations"] = event_configurations
        self.v2 = options

    def get_v1(self) -> dict[str, Any]:
        return dict(self.v1 or {})

    def set_v1(self, payload: dict[str, Any]) -> None:
        self.v1 = dict(payload)
