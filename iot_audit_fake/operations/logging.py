"""IoT logging options (v1 and v2), served here because moto does not implement them."""

from __future__ import annotations

from typing import Any

from .base import OperationsBase


class LoggingOperations(OperationsBase):
    def get_v2_logging_options(self, verbose: bool | None = None) -> dict[str, Any]:
        return self.state.logging.get_v2()

    def set_v2_logging_options(
        self,
        role_arn: str | None = None,
        default_log_level: str | None = None,
        disable_all_logs: bool | None = None,
        event_configurations: list[dict[str, Any]] | None = None,
    ) -> None:
        self.state.logging.set_v2(role_arn, default_log_level, disable_all_logs, event_configurations)

    def get_logging_options(self) -> dict[str, Any]:
        return self.state.logging.get_v1()

    def set_logging_options(self, logging_options_payload: dict[str, Any]) -> None:
        self.state.logging.set_v1(logging_options_payload)
