"""How a check is run: the evaluator registry and the context an evaluator reads.

An evaluator looks at the account's real resources (moto's IoT, IAM and Cognito
backends, and the audit backend's own logging options and connection log) and
reports how many resources it examined and which were non-compliant. Observations
that a test or scenario seeds for a check go through the same path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..state import AccountState


@dataclass(frozen=True)
class Observation:
    """One non-compliant resource, as a finding will report it."""

    check_name: str
    resource_type: str
    identifier: dict[str, Any]
    reason_code: str
    reason: str
    additional_info: dict[str, str] = field(default_factory=dict)
    related: tuple[dict[str, Any], ...] = ()


@dataclass
class Outcome:
    total: int = 0
    noncompliant: list[Observation] = field(default_factory=list)


@dataclass
class Context:
    backend: AccountState
    now: dt.datetime

    @property
    def account_id(self) -> str:
        return self.backend.account_id

    @property
    def region(self) -> str:
        return self.backend.region_name

    def setting(self, check: str, name: str) -> int:
        return self.backend.configuration.setting(check, name)

    # moto's backends for the same account and region: the resources the checks read.
    @property
    def iot(self) -> Any:
        from moto.iot.models import iot_backends

        return iot_backends[self.account_id][self.region]

    @property
    def iam(self) -> Any:
        from moto.iam.models import iam_backends

        return iam_backends[self.account_id][self.backend.partition]

    @property
    def cognito_identity(self) -> Any:
        from moto.cognitoidentity.models import cognitoidentity_backends

        return cognitoidentity_backends[self.account_id][self.region]


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
    """Evaluate one check: its evaluator over real resources, plus any seeded observations."""
    from . import families  # noqa: F401  (registers the evaluators)

    func = EVALUATORS.get(check)
    outcome = func(ctx, check) if func else Outcome()
    seeded = ctx.backend.seeded_observations.get(check, [])
    if seeded:
        outcome.noncompliant.extend(seeded)
        outcome.total += len(seeded)
    return outcome

