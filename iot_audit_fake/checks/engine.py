"""How a check is run: the evaluator registry and the context an evaluator reads.

An evaluator looks at the account's real resources (moto's IoT, IAM and Cognito
backends, and the audit backend's own logging options and connection log) and
reports how many resources it examined and which were non-compliant. Observations
that a test or scenario seeds for a check go through the same path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import moto_backends
from .outcomes import Observation as Observation  # the evaluators' vocabulary, re-exported for them
from .outcomes import Outcome as Outcome

if TYPE_CHECKING:
    from .audited_account import AuditedAccount


#: How far back the data-driven checks look on demand (and on a scheduled audit's first run).
LOOK_BACK = dt.timedelta(days=31)


@dataclass
class Context:
    """What one check run reads.

    ``now`` is the instant the check runs *as of*: a scheduled run's own instant even when
    it is caught up later, so every time-based rule (expiry thresholds, ages, windows)
    must use it, never the clock. ``task_start`` is the task's start; ``previous_run`` the
    instant of the previous run of the same scheduled audit (None on demand or first).
    """

    audited: AuditedAccount
    now: dt.datetime
    task_start: dt.datetime | None = None
    scheduled: bool = False
    previous_run: dt.datetime | None = None

    @property
    def start(self) -> dt.datetime:
        return self.task_start or self.now

    def window(self, check: str, lag: dt.timedelta = dt.timedelta(0),
               since_previous: bool = True) -> tuple[dt.datetime, dt.datetime]:
        """The observation window of a data-driven check (check-triggers.md, checks 5 and 9):
        on demand, the 31 days before the task start, ending ``lag`` before the check runs;
        a scheduled run, from ``lag`` before the previous run to ``lag`` before its start (the
        first run as on demand, and every run when not ``since_previous``). Never before the
        check was last enabled."""
        from ..collection import collected_since

        if self.scheduled:
            end = self.start - lag
            previous = self.previous_run if since_previous else None
            start = previous - lag if previous is not None else self.start - LOOK_BACK
        else:
            end = min(self.start, self.now - lag)
            start = self.start - LOOK_BACK
        since = collected_since(self.audited, check)
        return (max(start, since) if since is not None else start), end

    @property
    def account_id(self) -> str:
        return self.audited.account_id

    @property
    def region(self) -> str:
        return self.audited.region_name

    def setting(self, check: str, name: str) -> int:
        return self.audited.configuration.setting(check, name)

    # moto's backends for the same account and region: the resources the checks read.
    @property
    def iot(self) -> Any:
        return moto_backends.iot(self.account_id, self.region)

    @property
    def iam(self) -> Any:
        return moto_backends.iam(self.account_id, self.region)

    @property
    def cognito_identity(self) -> Any:
        return moto_backends.cognito_identity(self.account_id, self.region)


#: (context, check name) -> outcome; one evaluator may serve several related checks.
Evaluator = Callable[[Context, str], Outcome]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(*checks: str) -> Callable[[Evaluator], Evaluator]:
    """Register ``func`` as the evaluator of ``checks``."""

    def register(func: Evaluator) -> Evaluator:
        for check in checks:
            EVALUATORS[check] = func
        return func

    return register


def run(check: str, ctx: Context) -> Outcome:
    """Evaluate one check: its evaluator over real resources, plus any seeded observations.
    The evaluators are registered by importing :mod:`.families` (state.py does)."""
    func = EVALUATORS.get(check)
    outcome = func(ctx, check) if func else Outcome()
    seeded = ctx.audited.seeded_observations.get(check, [])
    if seeded:
        outcome.noncompliant.extend(seeded)
        outcome.total += len(seeded)
    return outcome

