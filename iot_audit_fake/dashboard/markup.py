"""Small HTML building blocks for the dashboard: escaping, times, links, badges and pagers.

Everything that came from state (names, ARNs, identifiers, reasons, descriptions) is
user input as far as the page is concerned: it goes through :func:`e` on its way out.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Any
from urllib.parse import urlencode

from .. import clock
from .data import Query
from .paging import Page

#: The dashboard's own address, under the server's control prefix.
PAGE_PATH = "/_iot_audit/"


def e(value: Any) -> str:
    """``value`` as HTML text (attribute-safe too)."""
    return escape("" if value is None else str(value), quote=True)


def count(number: int, noun: str) -> str:
    """``1 finding``, ``2 findings``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def when(value: Any) -> str:
    """A timestamp the way the page shows it: UTC, to the second."""
    if value is None:
        return "—"
    if isinstance(value, (int, float)):
        value = dt.datetime.fromtimestamp(value, clock.UTC)
    if isinstance(value, dt.datetime):
        return clock.aware(value).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def compact_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)


def href(query: Query, fragment: str = "", **changes: Any) -> str:
    """A link to the page showing ``query`` with ``changes``; defaults are left out of the URL."""
    values = {
        "account": query.account, "region": query.region, "task": query.task,
        "tasks_page": query.tasks_page, "findings_page": query.findings_page,
        "suppressions_page": query.suppressions_page, "mitigations_page": query.mitigations_page,
    }
    values.update(changes)
    kept = {name: value for name, value in values.items() if value not in (None, "", 1)}
    target = PAGE_PATH + ("?" + urlencode(kept) if kept else "")
    return e(target + (f"#{fragment}" if fragment else ""))


def badge(text: str, kind: str) -> str:
    return f'<span class="badge badge-{e(kind.lower().replace("_", "-"))}">{e(text)}</span>'


def status_badge(status: str) -> str:
    return badge(status.replace("_", " ").lower(), status)


def pager(page: Page[Any], query: Query, parameter: str, fragment: str, noun: str) -> str:
    """Links to the first, previous, next and last page, and where this page sits in the list."""
    if page.total == 0:
        return ""
    first, last = page.first_index + 1, page.first_index + len(page.items)
    where = f"{e(noun)} {first}&ndash;{last} of {page.total}"
    if page.pages == 1:
        return f'<div class="pager"><span class="pager-where">{where}</span></div>'

    def link(label_html: str, number: int, rel: str) -> str:
        if number == page.number or not 1 <= number <= page.pages:
            return f'<span class="pager-off">{label_html}</span>'
        return f'<a rel="{rel}" href="{href(query, fragment, **{parameter: number})}">{label_html}</a>'

    return (
        f'<nav class="pager" aria-label="{e(noun)} pages">'
        + link("&laquo; first", 1, "first") + link("&lsaquo; previous", page.number - 1, "prev")
        + f'<span class="pager-where">{where} · page {page.number} of {page.pages}</span>'
        + link("next &rsaquo;", page.number + 1, "next") + link("last &raquo;", page.pages, "last")
        + "</nav>"
    )


def table(headers: list[str], rows: list[str], empty: str, cls: str = "") -> str:
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return f'<table class="{e(cls)}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def task_type(task: dict[str, Any]) -> str:
    if task.get("taskType") == "SCHEDULED_AUDIT_TASK":
        return "scheduled" + (f" · {task['scheduledAuditName']}" if task.get("scheduledAuditName") else "")
    return "on demand"
