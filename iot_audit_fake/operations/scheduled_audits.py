"""Create, describe, update, delete and list scheduled audits."""

from __future__ import annotations

from typing import Any

from .. import clock
from ..errors import LimitExceededException, ResourceAlreadyExistsException, ResourceNotFoundException
from ..pagination import after_position, decode_token, take_page
from ..schedules import ScheduledAudit, validate_days
from .base import OperationsBase

#: Scheduled audits per account and region [D-quota].
MAX_SCHEDULED_AUDITS = 5


class ScheduledAuditOperations(OperationsBase):
    def _scheduled(self, name: str) -> ScheduledAudit:
        audit = self.state.scheduled_audits.get(name)
        if audit is None:
            raise ResourceNotFoundException(f"Scheduled audit {name} does not exist.")
        return audit

    def create_scheduled_audit(
        self,
        scheduled_audit_name: str,
        frequency: str,
        target_check_names: list[str],
        day_of_month: str | None = None,
        day_of_week: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        validate_days(frequency, day_of_month, day_of_week)
        checks = self.state.validate_target_checks(target_check_names)
        self.state.validate_tags(tags or [])
        arn = self.state.arn(f"scheduledaudit/{scheduled_audit_name}")
        audit = ScheduledAudit(scheduled_audit_name, arn, frequency, day_of_month, day_of_week, checks, clock.now(),
                               self.state.next_sequence())
        existing = self.state.scheduled_audits.get(scheduled_audit_name)
        if existing is not None:
            stored_tags = [{"Key": k, "Value": v} for k, v in self.state.tags.get(arn, {}).items()]
            if existing.signature(stored_tags) == audit.signature(tags):
                return {"scheduledAuditArn": arn}  # the same request again: AWS treats it as a retry
            raise ResourceAlreadyExistsException(
                f"Scheduled audit {scheduled_audit_name} already exists with different settings.",
                scheduled_audit_name, arn,
            )
        if len(self.state.scheduled_audits) >= MAX_SCHEDULED_AUDITS:
            raise LimitExceededException(f"At most {MAX_SCHEDULED_AUDITS} scheduled audits are allowed.")
        self.state.add_scheduled_audit(audit, tags)
        return {"scheduledAuditArn": arn}

    def describe_scheduled_audit(self, scheduled_audit_name: str) -> dict[str, Any]:
        return self._scheduled(scheduled_audit_name).describe()

    def update_scheduled_audit(
        self,
        scheduled_audit_name: str,
        frequency: str | None = None,
        day_of_month: str | None = None,
        day_of_week: str | None = None,
        target_check_names: list[str] | None = None,
    ) -> dict[str, Any]:
        audit = self._scheduled(scheduled_audit_name)
        new_frequency = frequency or audit.frequency
        changing_frequency = frequency is not None and frequency != audit.frequency
        # A new frequency drops day fields that no longer apply unless they are given again.
        keep_month = not changing_frequency or new_frequency == "MONTHLY"
        keep_week = not changing_frequency or new_frequency in ("WEEKLY", "BIWEEKLY")
        new_month = day_of_month if day_of_month is not None else (audit.day_of_month if keep_month else None)
        new_week = day_of_week if day_of_week is not None else (audit.day_of_week if keep_week else None)
        validate_days(new_frequency, new_month, new_week)
        checks = self.state.validate_target_checks(target_check_names) if target_check_names is not None else None
        timing = (new_frequency, new_month, new_week)
        if timing != (audit.frequency, audit.day_of_month, audit.day_of_week):
            audit.frequency, audit.day_of_month, audit.day_of_week = timing
            audit.restart(clock.now())
        if checks is not None:
            audit.check_names = checks
        return {"scheduledAuditArn": audit.arn}

    def delete_scheduled_audit(self, scheduled_audit_name: str) -> None:
        self._scheduled(scheduled_audit_name)  # not idempotent: unknown name is RNF
        self.state.remove_scheduled_audit(scheduled_audit_name)

    def list_scheduled_audits(self, next_token: str | None = None, max_results: int | None = None) -> dict[str, Any]:
        query = ["ListScheduledAudits"]
        position = decode_token(next_token, query)
        ordered = sorted(self.state.scheduled_audits.values(), key=_creation_order)
        page, token = take_page(after_position(ordered, position, _creation_order), max_results,
                                _creation_order, query)
        return {"scheduledAudits": [audit.metadata() for audit in page], "nextToken": token}


def _creation_order(audit: ScheduledAudit) -> int:
    return audit.sequence
