"""Scenarios: a whole starting world in one YAML file (see docs/scenarios.md).

``load_scenario`` applies one inside an active mock, atomically; ``dump_scenario``
writes the current state back out; ``validate_scenario`` checks a file without
applying it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import apply, dump
from .source import ScenarioError, Source, read
from .validation import validate

DEMO_SCENARIO_PATH = Path(__file__).with_name("demo.yaml")

__all__ = ["DEMO_SCENARIO_PATH", "ScenarioError", "dump_scenario", "load_scenario", "validate_scenario"]


def validate_scenario(scenario: str | Path | Mapping[str, Any]) -> list[str]:
    """The problems in a scenario (empty when it is valid); nothing is applied."""
    try:
        return validate(read(scenario))
    except ScenarioError as error:
        return error.messages


def load_scenario(scenario: str | Path | Mapping[str, Any]) -> None:
    """Apply a scenario (a file path, YAML text or a mapping) to the active mock, all or nothing."""
    load_source(read(scenario))


def load_source(source: Source) -> None:
    """Validate (the schema, and every reference against the scenario and the mock's state) and
    apply a read scenario; every problem found is raised at once, before anything is applied."""
    from ..entry import LOCK
    from .existing import state_lookup

    # The one lock every request takes (iot_audit_fake.entry): the state the references are checked
    # against is the state the scenario is applied to, and no call interleaves with either.
    with LOCK:
        problems = validate(source, state_lookup())
        if problems:
            raise ScenarioError(problems)
        apply.apply(source)


def dump_scenario() -> dict[str, Any]:
    """The current state as a scenario mapping (``yaml.safe_dump`` it to get a file)."""
    return dump.dump()
