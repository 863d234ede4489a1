"""Secondary indexes for the filtered list operations, so a filtered page costs O(log n + page).

- The fields the time-ordered timelines of tasks, findings and mitigation tasks are
  indexed by (see :class:`iot_audit_fake.timeline.Timeline`).
- Within one audit task (ListAuditFindings by taskId), the positions of its findings
  per filter value. A finished task's findings never change, so this index is built
  on the first filtered query of that task and combination of filters, then reused;
  it is cached beside the task (weakly), not in the account state.
- Within one mitigation task, the selection of each finding.
- Suppressions kept sorted in list order, overall and per filter value.
"""

from __future__ import annotations

import bisect
import json
import weakref
from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any

from .findings import Finding
from .mitigation_tasks import MitigationTask, Selection
from .suppressions import Key as SuppressionKey
from .suppressions import Suppression
from .tasks import AuditTask

# -- fields of the timelines --------------------------------------------------


def _task_type(task: AuditTask) -> tuple[str]:
    return (task.task_type,)


def _task_status(task: AuditTask) -> tuple[str]:
    return (task.task_status,)


def identifier_value(identifier: Mapping[str, Any]) -> str:
    """A resource identifier as an index value: compared as a structure, like AWS does."""
    return json.dumps(identifier, sort_keys=True)


def _finding_check(finding: Finding) -> tuple[str]:
    return (finding.check_name,)


def _finding_resource(finding: Finding) -> tuple[str]:
    return (identifier_value(finding.identifier),)


def _finding_suppressed(finding: Finding) -> tuple[bool]:
    return (finding.is_suppressed,)


def _mitigation_audit_task(task: MitigationTask) -> tuple[Any]:
    return (task.target.get("auditTaskId"),)


def _mitigation_findings(task: MitigationTask) -> Iterable[str]:
    return task.finding_ids()


def _mitigation_status(task: MitigationTask) -> tuple[str]:
    return (task.task_status,)


#: Status changes while a task is stored: callers reindex the task when it settles or is canceled.
TASK_FIELDS = {"type": _task_type, "status": _task_status}
FINDING_FIELDS = {"check": _finding_check, "resource": _finding_resource, "suppressed": _finding_suppressed}
MITIGATION_TASK_FIELDS = {"audit_task": _mitigation_audit_task, "finding": _mitigation_findings,
                          "status": _mitigation_status}
VOLATILE = ("status",)
#: Filter combinations indexed from the start; any other is served by walking its narrowest filter's
#: list while that is short, and indexed on first use otherwise (timeline.py). A finding is listed
#: under (check, suppressed) too, two lists per check; one list per resource and check for the
#: combinations with a resource would cost more than walking a resource's few findings.
TASK_COMBINATIONS = [("type", "status")]
FINDING_COMBINATIONS = [("check", "suppressed")]
MITIGATION_TASK_COMBINATIONS = [("audit_task", "status"), ("finding", "status"), ("audit_task", "finding"),
                                ("audit_task", "finding", "status")]


def finding_filter(check_name: str | None, identifier: Mapping[str, Any] | None,
                   suppressed: bool | None) -> dict[str, Hashable]:
    where: dict[str, Hashable] = {}
    if check_name is not None:
        where["check"] = check_name
    if identifier is not None:
        where["resource"] = identifier_value(identifier)
    if suppressed is not None:
        where["suppressed"] = suppressed
    return where


# -- findings of one task -------------------------------------------------------

_PositionIndex = dict[tuple[str, ...], dict[tuple[Hashable, ...], list[int]]]
_task_positions: weakref.WeakKeyDictionary[AuditTask, tuple[list[Finding], _PositionIndex]] = (
    weakref.WeakKeyDictionary())


def task_finding_positions(task: AuditTask, where: Mapping[str, Hashable]) -> list[int] | range:
    """Positions in ``task.findings`` of the findings that match ``where``, in order."""
    if not where:
        return range(len(task.findings))
    cached = _task_positions.get(task)
    if cached is None or cached[0] is not task.findings:  # built before the task finished: stale
        cached = _task_positions[task] = (task.findings, {})
    combo = tuple(sorted(where))
    index = cached[1].get(combo)
    if index is None:
        index = cached[1][combo] = {}
        for position, finding in enumerate(task.findings):
            group = tuple(FINDING_FIELDS[name](finding)[0] for name in combo)
            index.setdefault(group, []).append(position)
    return index.get(tuple(where[name] for name in combo), [])


# -- selections of one mitigation task ------------------------------------------

_selections: weakref.WeakKeyDictionary[MitigationTask, tuple[list[Selection], dict[str, Selection]]] = (
    weakref.WeakKeyDictionary())


def selection_for(task: MitigationTask, finding_id: str) -> Selection | None:
    """The selection a mitigation task made for one finding (a task selects a finding once)."""
    cached = _selections.get(task)
    if cached is None or cached[0] is not task.selections:
        cached = _selections[task] = (task.selections, {s.finding.finding_id: s for s in task.selections})
    return cached[1].get(finding_id)


# -- suppressions -----------------------------------------------------------------

SortKey = tuple[int, float, str, str]


class SuppressionOrder:
    """Suppressions' sort keys in list order: all of them, per check name and per resource."""

    def __init__(self) -> None:
        self.all: list[SortKey] = []
        self.by_check: dict[str, list[SortKey]] = {}
        self.by_resource: dict[str, list[SortKey]] = {}
        self._keys: dict[SuppressionKey, SortKey] = {}

    def clear(self) -> None:
        self.all.clear()
        self.by_check.clear()
        self.by_resource.clear()
        self._keys.clear()

    def __len__(self) -> int:
        return len(self.all)

    def add(self, suppression: Suppression) -> None:
        key = suppression.sort_key()
        self._keys[(key[2], key[3])] = key
        for keys in self._lists(key, create=True):
            bisect.insort(keys, key)

    def discard(self, check_name: str, identifier: Mapping[str, Any]) -> None:
        """Forget a suppression (call before changing its term, then add it again)."""
        key = self._keys.pop((check_name, identifier_value(identifier)), None)
        if key is None:
            return
        for keys in self._lists(key, create=False):
            i = bisect.bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                del keys[i]
        for mapping, value in ((self.by_check, key[2]), (self.by_resource, key[3])):
            if not mapping.get(value, True):
                del mapping[value]

    def rebuild(self, suppressions: Iterable[Suppression]) -> None:
        self.clear()
        for suppression in suppressions:
            self.add(suppression)

    def ordered(self, check_name: str | None, identifier: Mapping[str, Any] | None) -> list[SortKey]:
        """Sort keys of the suppressions that match the filters, ascending."""
        if identifier is not None:
            resource = identifier_value(identifier)
            if check_name is not None:  # the suppression's own key: one at most
                found = self._keys.get((check_name, resource))
                return [found] if found is not None else []
            return self.by_resource.get(resource, [])
        if check_name is not None:
            return self.by_check.get(check_name, [])
        return self.all

    def _lists(self, key: SortKey, create: bool) -> Iterator[list[SortKey]]:
        yield self.all
        for mapping, value in ((self.by_check, key[2]), (self.by_resource, key[3])):
            found = mapping.setdefault(value, []) if create else mapping.get(value)
            if found is not None:
                yield found


def after(keys: list[SortKey], position: Any, descending: bool) -> Iterator[SortKey]:
    """The keys that come after a page token's position, in list order."""
    if descending:
        end = len(keys) if position is None else bisect.bisect_left(keys, tuple(position))
        return (keys[i] for i in range(end - 1, -1, -1))
    begin = 0 if position is None else bisect.bisect_right(keys, tuple(position))
    return (keys[i] for i in range(begin, len(keys)))
