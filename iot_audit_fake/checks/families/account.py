"""Account-level checks: LOGGING_DISABLED_CHECK reads the account's IoT logging options."""

from __future__ import annotations

from ..catalogue import CHECKS
from ..engine import Context, Observation, Outcome, evaluator


@evaluator("LOGGING_DISABLED_CHECK")
def logging_disabled(ctx: Context, check: str) -> Outcome:
    outcome = Outcome(total=1)
    if not ctx.audited.logging.enabled:
        spec = CHECKS[check]
        outcome.noncompliant.append(Observation(
            check_name=check,
            resource_type=spec.resource_type,
            identifier={"account": ctx.account_id},
            reason_code="LOGGING_DISABLED",
            reason="AWS IoT logging is disabled for this account.",
        ))
    return outcome
