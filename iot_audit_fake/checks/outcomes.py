"""What a check run finds: an :class:`Observation` per non-compliant resource, and the :class:`Outcome`.

The lowest module of the checks: the evaluators (checks/families) produce these, and the audit's
findings, tasks and state (findings.py, tasks.py, state.py) keep them, so they import this
module and not the engine that runs the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
