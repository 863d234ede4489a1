"""Scenario sections of the audit's history: seeded observations, past audit tasks with their findings,
and past mitigation-actions tasks (run when the scenario loads, then dated back to when they ran).
"""

from __future__ import annotations

import uuid
from typing import Any

from .. import clock, upkeep
from ..tasks import ON_DEMAND
from .loader import KeyPath, SectionLoader, Step
from .times import resolve


class HistorySections(SectionLoader):
    """Seeded observations, past audit tasks and past mitigation-actions tasks."""

    def _observation(self, entry: dict[str, Any], path: KeyPath) -> Any:
        resource = self.resource(entry["resource"], (*path, "resource"))
        return self.backend.observation(entry["check"], resource, entry.get("reason_code"),
                                        entry.get("reason"), entry.get("additional_info"), entry.get("related"))

    def seeded(self, entry: dict[str, Any], path: KeyPath) -> None:
        observation = self._observation(entry, path)
        self.backend.state.seed(observation)

    def audit_task(self, entry: dict[str, Any], path: KeyPath) -> None:
        checks = entry["checks"]
        self.checks(checks, (*path, "checks"))
        with self.at((*path, "time")):
            start = resolve(entry["time"], self.now)
        if start < clock.retention_cutoff():
            raise Step((*path, "time"), "the task is older than the 90 days audit tasks are kept; it would be "
                                        "gone at once")
        for check in entry.get("resources", {}):
            if check not in checks:
                raise Step((*path, "resources", check), f"{check} is not among the task's checks")
        if entry.get("id") is not None and entry["id"] in self.backend.state.tasks:
            raise Step((*path, "id"), f"an audit task {entry['id']!r} already exists")
        findings: list[tuple[Any, bool, str | None]] = []
        for j, given in enumerate(entry.get("findings", [])):
            where = (*path, "findings", j)
            with self.at(where):
                observation = self._observation(given, where)
            if given["check"] not in checks:
                raise Step((*where, "check"), f"{given['check']} is not among the task's checks")
            if given.get("id") is not None and (self.backend.state.findings.get(given["id"]) is not None
                                                or given["id"] in {f[2] for f in findings}):
                raise Step((*where, "id"), f"a finding {given['id']!r} already exists")
            findings.append((observation, given.get("suppressed", False), given.get("id")))
        self.backend.record_audit_task(
            start, checks, findings, entry.get("status", "COMPLETED"), entry.get("type", ON_DEMAND),
            entry.get("scheduled_audit"), entry.get("id"), entry.get("resources"),
        )

    def mitigation_task(self, entry: dict[str, Any], path: KeyPath) -> None:
        backend = self.backend
        self.checks(list(entry["actions"]), (*path, "actions"))
        with self.at((*path, "time")):
            when = self.time(entry.get("time"), self.now)
        if when < clock.retention_cutoff():
            raise Step((*path, "time"), "the task is older than the 90 days mitigation tasks are kept; it would "
                                        "be gone at once")
        backend.start_audit_mitigation_actions_task(entry["id"], entry["target"], entry["actions"],
                                                    f"scenario-{uuid.uuid4()}")
        task = backend.state.mitigation_tasks.get(entry["id"])
        assert task is not None
        if task.final_status is None:  # held by a state-manager transition: a past task has finished
            task.status = "COMPLETED"
            upkeep.settle_mitigation(backend.state, task, clock.now())
        backend.state.backdate_mitigation_task(task, when)
