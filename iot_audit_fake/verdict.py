"""A check's verdict: its run's status and counts, from the non-compliant observations it reported.

The one place the verdict is computed, for a check that ran (``upkeep``) and for a finished
task recorded into the history (``operations/observations.record_audit_task``, scenarios).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .checks.outcomes import Observation
from .tasks import CheckRun


def check_run(pairs: Iterable[tuple[Observation, bool]], examined: int) -> CheckRun:
    """The run of a check that examined ``examined`` resources and reported these (observation,
    suppressed) pairs.

    A resource counts once, however many reason codes it has (one finding per code) [INF, reference §G];
    it counts as suppressed only when every finding on it is. The check is non-compliant while one
    non-compliant resource is not suppressed."""
    flagged: set[str] = set()
    shown: set[str] = set()
    for observation, suppressed in pairs:
        key = resource_key(observation)
        flagged.add(key)
        if not suppressed:
            shown.add(key)
    hidden = len(flagged) - len(shown)
    status = "COMPLETED_NON_COMPLIANT" if shown else "COMPLETED_COMPLIANT"
    return CheckRun(status, total=max(examined, len(flagged)), noncompliant=len(flagged), suppressed=hidden)


def disabled(check: str) -> CheckRun:
    """The run of a check disabled before the audit ran it."""
    return CheckRun("FAILED", error_code="AUDIT_CHECK_DISABLED", message=f"{check} was disabled before the audit ran.")


def resource_key(observation: Observation) -> str:
    return json.dumps(observation.identifier, sort_keys=True)
