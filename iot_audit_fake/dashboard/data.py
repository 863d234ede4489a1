"""What the dashboard shows, read from the audit backends: plain data, copied while the lock is held.

There is no second source of truth: everything comes from ``audit_backends`` through
the backends' own listing and describe methods (the ones the API serves), or the
model objects' own ``describe()``. Calls that change what a client would see next
are avoided: ``describe_audit_task`` advances moto's state manager, so the page
reads a task's ``describe()`` instead. The one write is ``AuditBackend.catch_up``, the upkeep
every API call runs first, so the page shows what a ``List*`` call would answer now.

Every function here must run holding the state lock (see :mod:`.routes`); the
result is plain data, rendered after the lock is released.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import clock
from ..backend import AuditBackend, audit_backends
from ..suppressions import key_of as suppression_key
from .paging import Page, clamp, page_of

#: Severity order, worst first (AWS's AuditFinding severities).
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
TASKS_PER_PAGE = 20
FINDINGS_PER_PAGE = 50
SUPPRESSIONS_PER_PAGE = 50
MITIGATION_TASKS_PER_PAGE = 20
#: How far into the future the listings look: a clock reset back leaves tasks stamped "later" [INF].
_FUTURE = dt.timedelta(days=3660)
#: "Everything": the backend methods take any max_results (only the wire layer bounds it).
_ALL = 1 << 30
#: How many of the newest tasks the state version covers (older ones no longer change).
_VERSION_DEPTH = 100

Places = list[tuple[str, str, AuditBackend]]


@dataclass(frozen=True)
class Query:
    """What the page was asked to show (its query string)."""

    account: str | None = None
    region: str | None = None
    task: str | None = None
    tasks_page: int = 1
    findings_page: int = 1
    suppressions_page: int = 1
    mitigations_page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Query:
        def number(name: str) -> int:
            text = args.get(name, "")
            return int(text) if text.isdigit() and len(text) < 10 else 1

        return cls(args.get("account") or None, args.get("region") or None, args.get("task") or None,
                   number("tasks_page"), number("findings_page"), number("suppressions_page"),
                   number("mitigations_page"))


@dataclass(frozen=True)
class Place:
    account: str
    region: str
    tasks: int
    findings: int


@dataclass
class SelectedTask:
    task: dict[str, Any]
    findings: Page[dict[str, Any]]
    #: severity -> [not suppressed, suppressed], over all the task's findings.
    severities: dict[str, list[int]]
    #: (severity, check) -> findings in that group, over all the task's findings.
    groups: dict[tuple[str, str], int]


@dataclass
class PlaceView:
    place: Place
    configuration: dict[str, Any]
    tasks: Page[dict[str, Any]]
    selected: SelectedTask | None
    scheduled: list[dict[str, Any]]
    suppressions: Page[dict[str, Any]]
    actions: list[dict[str, Any]]
    mitigation_tasks: Page[dict[str, Any]]


@dataclass
class Snapshot:
    now: dt.datetime
    version: str
    places: list[Place]
    view: PlaceView | None
    notices: list[str] = field(default_factory=list)


def places() -> Places:
    """Every account and region that has audit state, brought up to the clock.

    Only backends that exist are read: indexing ``audit_backends`` would create one.
    """
    found: Places = []
    for account, regions in sorted(dict.items(audit_backends)):
        for region, backend in sorted(dict.items(regions)):
            backend.catch_up()
            found.append((account, region, backend))
    return found


def version(found: Places) -> str:
    """A short digest of everything the page shows except the findings of old tasks (which never change)."""
    now = clock.now()
    start, end = _window()
    parts: list[Any] = []
    for account, region, backend in found:
        tasks = backend.list_audit_tasks(start, end, max_results=_VERSION_DEPTH)["tasks"]
        # A running task's checks move on (waiting for data, then done) before its status does.
        running = [backend.get_task(t["taskId"]).statistics() for t in tasks if t["taskStatus"] == "IN_PROGRESS"]
        parts.append([
            account, region, backend.describe_account_audit_configuration(), len(backend.state.tasks), tasks, running,
            len(backend.state.findings), _scheduled(backend), _suppressions(backend, now),
            _actions(backend), len(backend.state.mitigation_tasks),
            backend.list_audit_mitigation_actions_tasks(start, end, max_results=_VERSION_DEPTH)["tasks"],
        ])
    text = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


def snapshot(query: Query) -> Snapshot:
    found = places()
    now = clock.now()
    listed = [Place(a, r, len(b.state.tasks), len(b.state.findings)) for a, r, b in found]
    result = Snapshot(now, version(found), listed, None)
    chosen = _choose(query, found, result.notices)
    if chosen is not None:
        index, backend = chosen
        result.view = _place_view(listed[index], backend, query, now, result.notices)
    return result


def _choose(query: Query, found: Places, notices: list[str]) -> tuple[int, AuditBackend] | None:
    if query.account or query.region:
        for index, (account, region, backend) in enumerate(found):
            if account == (query.account or account) and region == (query.region or region):
                return index, backend
        notices.append(f"No audit state in account {query.account or 'any'}, region {query.region or 'any'}.")
        return None
    for index, (_, _, backend) in enumerate(found):  # the first place anyone has used
        if len(backend.state.tasks) or backend.state.configuration.role_arn or backend.state.scheduled_audits:
            return index, backend
    return (0, found[0][2]) if found else None


def _place_view(place: Place, backend: AuditBackend, query: Query, now: dt.datetime,
                notices: list[str]) -> PlaceView:
    start, end = _window()
    tasks_page = clamp(query.tasks_page, place.tasks, TASKS_PER_PAGE)
    listed = backend.list_audit_tasks(start, end, max_results=tasks_page * TASKS_PER_PAGE)["tasks"]
    tasks = Page([_task(backend, meta["taskId"]) for meta in listed[(tasks_page - 1) * TASKS_PER_PAGE:]],
                 tasks_page, TASKS_PER_PAGE, max(place.tasks, len(listed)))
    selected_id = query.task or _default_task(tasks.items)
    selected = None
    if selected_id is not None:
        if backend.state.tasks.get(selected_id) is None:
            notices.append(f"Audit task {selected_id} does not exist (any more).")
        else:
            selected = _selected(backend, selected_id, query.findings_page)
    total = len(backend.state.mitigation_tasks)
    mitigations_page = clamp(query.mitigations_page, total, MITIGATION_TASKS_PER_PAGE)
    listed = backend.list_audit_mitigation_actions_tasks(
        start, end, max_results=mitigations_page * MITIGATION_TASKS_PER_PAGE)["tasks"]
    mitigations = Page([_mitigation_task(backend, meta["taskId"])
                        for meta in listed[(mitigations_page - 1) * MITIGATION_TASKS_PER_PAGE:]],
                       mitigations_page, MITIGATION_TASKS_PER_PAGE, max(total, len(listed)))
    return PlaceView(
        place, backend.describe_account_audit_configuration(), tasks, selected, _scheduled(backend),
        page_of(_suppressions(backend, now), query.suppressions_page, SUPPRESSIONS_PER_PAGE),
        _actions(backend), mitigations,
    )


def _window() -> tuple[dt.datetime, dt.datetime]:
    """The whole retention window. The clock is read here, right before the listing, because the
    listing refuses a start older than the retention it computes from its own reading."""
    now = clock.now()
    return clock.retention_cutoff(now), now + _FUTURE


def _task(backend: AuditBackend, task_id: str) -> dict[str, Any]:
    task = backend.get_task(task_id)
    return {"taskId": task_id, **task.describe(), "findingsCount": len(task.findings)}


def _default_task(tasks: list[dict[str, Any]]) -> str | None:
    """The newest finished task on the page (its findings are what there is to see), else the newest."""
    for task in tasks:
        if task["taskStatus"] != "IN_PROGRESS":
            return str(task["taskId"])
    return str(tasks[0]["taskId"]) if tasks else None


def _selected(backend: AuditBackend, task_id: str, page: int) -> SelectedTask:
    findings = backend.list_audit_findings(task_id=task_id, max_results=_ALL)["findings"]
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (rank.get(f["severity"], len(rank)), f["checkName"], resource_text(f),
                                 f["findingId"]))
    severities = {severity: [0, 0] for severity in SEVERITIES}
    for finding in findings:
        severities.setdefault(finding["severity"], [0, 0])[1 if finding["isSuppressed"] else 0] += 1
    groups = Counter((f["severity"], f["checkName"]) for f in findings)
    return SelectedTask(_task(backend, task_id), page_of(findings, page, FINDINGS_PER_PAGE), severities,
                        dict(groups))


def resource_text(finding: Mapping[str, Any]) -> str:
    """The non-compliant resource's identifier as ``name: value`` pairs (what a person reads)."""
    identifier = finding["nonCompliantResource"]["resourceIdentifier"]
    return ", ".join(f"{name}: {_plain(value)}" for name, value in sorted(identifier.items()))


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in sorted(value.items())) + "}"
    return str(value)


def _scheduled(backend: AuditBackend) -> list[dict[str, Any]]:
    listed = backend.list_scheduled_audits(max_results=_ALL)["scheduledAudits"]
    result = []
    for meta in listed:
        name = meta["scheduledAuditName"]
        audit = backend.state.scheduled_audits[name]
        # The run after the last one materialised: places() has just caught up to the clock.
        result.append({**backend.describe_scheduled_audit(name), "nextRun": audit.next_run(audit.cursor)})
    return result


def _suppressions(backend: AuditBackend, now: dt.datetime) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = backend.list_audit_suppressions(max_results=_ALL)["suppressions"]
    suppressions = backend.state.suppressions
    for described in listed:
        suppression = suppressions[suppression_key(described["checkName"], described["resourceIdentifier"])]
        described["active"] = suppression.active(now)
    return listed


def _actions(backend: AuditBackend) -> list[dict[str, Any]]:
    listed = backend.list_mitigation_actions(max_results=_ALL)["actionIdentifiers"]
    return [backend.describe_mitigation_action(meta["actionName"]) for meta in listed]


def _mitigation_task(backend: AuditBackend, task_id: str) -> dict[str, Any]:
    task = backend.state.mitigation_tasks.get(task_id)
    assert task is not None  # listed a moment ago under the same lock
    return {"taskId": task_id, **task.describe()}
