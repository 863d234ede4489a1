"""The dashboard's sections for one account and region, each rendered from plain snapshot data."""

from __future__ import annotations

from typing import Any

from .chart import severity_chart
from .data import PlaceView, Query, SelectedTask, resource_text
from .markup import badge, compact_json, count, e, href, pager, status_badge, table, task_type, when

_STATISTICS = (  # TaskStatistics counters, in the order a reader cares about
    ("nonCompliantChecks", "non-compliant"), ("compliantChecks", "compliant"), ("failedChecks", "failed"),
    ("inProgressChecks", "in progress"), ("waitingForDataCollectionChecks", "waiting"),
    ("canceledChecks", "canceled"),
)
_OUTCOMES = (("succeededFindingsCount", "succeeded", "ok"), ("failedFindingsCount", "failed", "failed"),
             ("skippedFindingsCount", "skipped", "off"), ("canceledFindingsCount", "canceled", "canceled"))


def card(ident: str, title: str, body: str, extra: str = "") -> str:
    return (f'<section class="card" id="{e(ident)}"><header class="card-head"><h2>{e(title)}</h2>{extra}</header>'
            f"{body}</section>")


def configuration(config: dict[str, Any]) -> str:
    checks = config.get("auditCheckConfigurations") or {}
    enabled = {name: c for name, c in checks.items() if c.get("enabled")}
    chips = "".join(
        f'<li class="chip chip-on">{e(name)}'
        + (f' <span class="muted">{e(compact_json(c["configuration"]))}</span>' if c.get("configuration") else "")
        + "</li>" for name, c in sorted(enabled.items())
    )
    disabled = sorted(set(checks) - set(enabled))
    targets = config.get("auditNotificationTargetConfigurations") or {}
    target_rows = [
        f"<tr><td>{e(kind)}</td><td class='mono ident'>{e(t.get('targetArn'))}</td>"
        f"<td class='mono ident'>{e(t.get('roleArn'))}</td>"
        f"<td>{badge('enabled', 'ok') if t.get('enabled') else badge('disabled', 'off')}</td></tr>"
        for kind, t in sorted(targets.items())
    ]
    role = config.get("roleArn")
    return card("configuration", "Audit configuration", (
        f'<dl class="facts"><dt>Role</dt><dd class="mono ident">{e(role) if role else "<em>not set</em>"}</dd>'
        f"<dt>Checks enabled</dt><dd>{len(enabled)} of {len(checks)}</dd></dl>"
        + (f'<ul class="chips">{chips}</ul>' if chips else '<p class="empty">No check is enabled.</p>')
        + (f'<details class="disabled-checks" data-key="disabled-checks"><summary>{len(disabled)} disabled</summary>'
           '<ul class="chips">' + "".join(f'<li class="chip">{e(name)}</li>' for name in disabled)
           + "</ul></details>" if disabled else "")
        + "<h3>Notification targets</h3>"
        + table(["Type", "Target", "Role", ""], target_rows, "No notification target.")
    ))


def statistics(stats: dict[str, int]) -> str:
    parts = [badge(f"{stats[key]} {label}", key) for key, label in _STATISTICS if stats.get(key)]
    return " ".join(parts) or '<span class="muted">no checks</span>'


def per_check(task: dict[str, Any]) -> str:
    """Each check's run status and resource counts, folded away under the task's row."""
    items = []
    for check, run in task["auditDetails"].items():
        counts = ""
        if run.get("totalResourcesCount") is not None:
            counts = f"{run['nonCompliantResourcesCount']} of {run['totalResourcesCount']} non-compliant"
            if run.get("suppressedNonCompliantResourcesCount"):
                counts += f", {run['suppressedNonCompliantResourcesCount']} suppressed"
        items.append(f"<li><span class='mono'>{e(check)}</span> {status_badge(run['checkRunStatus'])}"
                     f" <span class='muted'>{e(counts)}</span></li>")
    return (f"<details class='per-check' data-key='checks-{e(task['taskId'])}'>"
            f"<summary>{len(items)} checks</summary><ul>{''.join(items)}</ul></details>")


def tasks(view: PlaceView, query: Query) -> str:
    selected = view.selected.task["taskId"] if view.selected else None
    rows = []
    for task in view.tasks.items:
        is_selected = task["taskId"] == selected
        rows.append(
            f"<tr class='task-row{' selected' if is_selected else ''}' data-task-id='{e(task['taskId'])}'"
            f" data-task-type='{e(task['taskType'])}' data-scheduled-audit='{e(task.get('scheduledAuditName'))}'>"
            f"<td class='nowrap'>{e(when(task['taskStartTime']))}</td>"
            f"<td><a class='mono' href='{href(query, 'task', task=task['taskId'], findings_page=1)}'>"
            f"{e(task['taskId'])}</a></td><td>{e(task_type(task))}</td>"
            f"<td>{status_badge(task['taskStatus'])}</td><td>{statistics(task['taskStatistics'])}{per_check(task)}</td>"
            f"<td class='num'>{task['findingsCount']}</td></tr>"
        )
    body = table(["Started", "Task", "Type", "Status", "Checks", "Findings"], rows,
                 "No audit task yet: start one with StartOnDemandAuditTask, or wait for a scheduled audit.",
                 "tasks")
    return card("tasks", "Audit tasks", body + pager(view.tasks, query, "tasks_page", "tasks", "Tasks"),
                f'<span class="muted">newest first · {view.tasks.total} retained</span>')


def selected_task(selected: SelectedTask, query: Query) -> str:
    task = selected.task
    errors = any(run.get("errorCode") for run in task["auditDetails"].values())
    check_rows = [
        f"<tr><td class='mono'>{e(check)}</td><td>{status_badge(run['checkRunStatus'])}</td>"
        f"<td class='num'>{e(run.get('totalResourcesCount'))}</td>"
        f"<td class='num'>{e(run.get('nonCompliantResourcesCount'))}</td>"
        f"<td class='num'>{e(run.get('suppressedNonCompliantResourcesCount'))}</td>"
        + (f"<td>{e(run.get('errorCode'))} {e(run.get('message'))}</td>" if errors else "") + "</tr>"
        for check, run in task["auditDetails"].items()
    ]
    summary = (
        f"<p class='task-summary'>{status_badge(task['taskStatus'])} {e(task_type(task))} · started "
        f"{e(when(task['taskStartTime']))} · {statistics(task['taskStatistics'])}</p>"
        f"<div class='split'><div><h3>Findings by severity</h3>{severity_chart(selected.severities)}</div>"
        f"<div><h3>Checks</h3>"
        + table(["Check", "Run", "Resources", "Non-compliant", "Suppressed", *(["Error"] if errors else [])],
                check_rows, "No checks.", "checks")
        + "</div></div>"
    )
    return card("task", f"Task {task['taskId']}", summary + "<h3>Findings</h3>" + findings(selected, query),
                f"<span class='muted'>{e(count(selected.findings.total, 'finding'))},"
                " grouped by severity and check</span>")


def findings(selected: SelectedTask, query: Query) -> str:
    """One table, a body per (severity, check) group, so the columns line up across groups."""
    page = selected.findings
    if not page.total:
        return '<p class="empty">This task has no findings.</p>'
    bodies: list[str] = []
    group: tuple[str, str] | None = None
    for finding in page.items:
        key = (finding["severity"], finding["checkName"])
        if key != group:
            if group is not None:
                bodies.append("</tbody>")
            group = key
            severity, check = key
            bodies.append(
                f"<tbody class='finding-group' data-severity='{e(severity)}' data-check='{e(check)}'>"
                f"<tr class='group-head'><th colspan='4'>{badge(severity, 'sev-' + severity)}"
                f" <span class='mono'>{e(check)}</span>"
                f" <span class='muted'>{e(count(selected.groups.get(key, 0), 'finding'))}</span></th></tr>"
            )
        resource = finding["nonCompliantResource"]
        suppressed = bool(finding["isSuppressed"])
        bodies.append(
            f"<tr class='finding{' suppressed' if suppressed else ''}' data-finding-id='{e(finding['findingId'])}'"
            f" data-suppressed='{'true' if suppressed else 'false'}'>"
            f"<td><span class='muted'>{e(resource['resourceType'])}</span><br>"
            f"<span class='mono ident'>{e(resource_text(finding))}</span></td>"
            f"<td>{e(finding.get('reasonForNonCompliance'))}<br>"
            f"<span class='muted mono'>{e(finding.get('reasonForNonComplianceCode'))}</span></td>"
            f"<td class='nowrap'>{e(when(finding['findingTime']))}</td>"
            f"<td>{badge('suppressed', 'suppressed') if suppressed else ''}</td></tr>"
        )
    bodies.append("</tbody>")
    head = "".join(f"<th>{e(h)}</th>" for h in ("Non-compliant resource", "Reason", "Found", ""))
    bar = pager(page, query, "findings_page", "task", "Findings")
    return f"{bar}<table class='findings'><thead><tr>{head}</tr></thead>{''.join(bodies)}</table>{bar}"


def scheduled(view: PlaceView) -> str:
    rows = [
        f"<tr data-scheduled='{e(audit['scheduledAuditName'])}'>"
        f"<td class='nowrap'>{e(audit['scheduledAuditName'])}</td>"
        f"<td>{e(_frequency(audit))}"
        f"</td><td class='mono small'>{'<br>'.join(e(c) for c in audit['targetCheckNames'])}</td>"
        f"<td class='nowrap next-run'>{e(when(audit['nextRun']))}</td></tr>"
        for audit in view.scheduled
    ]
    return card("scheduled", "Scheduled audits", table(["Name", "Frequency", "Checks", "Next run"], rows,
                                                       "No scheduled audit."))


def suppressions(view: PlaceView, query: Query) -> str:
    rows = [
        f"<tr><td class='mono'>{e(s['checkName'])}</td>"
        f"<td class='mono ident'>{e(_identifier(s['resourceIdentifier']))}</td>"
        f"<td class='nowrap'>{'never (indefinite)' if s['suppressIndefinitely'] else e(when(s['expirationDate']))}</td>"
        f"<td>{badge('active', 'ok') if s['active'] else badge('expired', 'off')}</td>"
        f"<td>{e(s.get('description'))}</td></tr>"
        for s in view.suppressions.items
    ]
    body = table(["Check", "Resource", "Expires", "", "Description"], rows, "No suppression.")
    return card("suppressions", "Suppressions",
                body + pager(view.suppressions, query, "suppressions_page", "suppressions", "Suppressions"))


def mitigations(view: PlaceView, query: Query) -> str:
    action_rows = [
        f"<tr><td>{e(a['actionName'])}</td><td>{e(a['actionType'])}</td>"
        f"<td class='mono small ident'>{e(a['roleArn'])}</td>"
        f"<td class='mono small ident'>{e(compact_json(a['actionParams']))}</td></tr>"
        for a in view.actions
    ]
    task_rows = []
    for task in view.mitigation_tasks.items:
        stats = "".join(f"<li><span class='mono'>{e(check)}</span> {_outcomes(counts)}</li>"
                        for check, counts in sorted(task["taskStatistics"].items()))
        task_rows.append(
            f"<tr><td class='mono'>{e(task['taskId'])}</td><td class='nowrap'>{e(when(task['startTime']))}</td>"
            f"<td>{status_badge(task['taskStatus'])}</td>"
            f"<td class='mono small ident'>{e(compact_json(task['target']))}</td>"
            f"<td><ul class='plain small'>{stats}</ul></td></tr>"
        )
    body = ("<h3>Actions</h3>" + table(["Name", "Type", "Role", "Parameters"], action_rows, "No mitigation action.")
            + "<h3>Tasks</h3>"
            + table(["Task", "Started", "Status", "Target", "Findings per check"], task_rows,
                    "No mitigation actions task.")
            + pager(view.mitigation_tasks, query, "mitigations_page", "mitigations", "Tasks"))
    return card("mitigations", "Mitigation", body)


def _outcomes(counts: dict[str, int]) -> str:
    """A check's execution statistics in a mitigation task: its findings, then each non-zero outcome."""
    total = counts.get("totalFindingsCount", 0)
    parts = [badge(f"{counts[key]} {label}", kind) for key, label, kind in _OUTCOMES if counts.get(key)]
    return f"<span class='muted'>{e(count(total, 'finding'))}</span> " + " ".join(parts)


def _frequency(audit: dict[str, Any]) -> str:
    day = audit.get("dayOfWeek") or audit.get("dayOfMonth")
    return str(audit["frequency"]).lower() + (f" · {day}" if day else "")


def _identifier(identifier: dict[str, Any]) -> str:
    return resource_text({"nonCompliantResource": {"resourceIdentifier": identifier}})
