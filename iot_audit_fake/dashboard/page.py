"""The dashboard document: the header with the clock controls, the live part, and the inlined assets.

The CSS and JavaScript are package data next to this module, inlined into the page:
no build step, no CDN, nothing for the browser to fetch but the page and its state.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from functools import cache
from importlib import resources

from ..clock import iso
from . import sections
from .data import Place, Query, Snapshot
from .markup import PAGE_PATH, count, e, href, when

#: Where the page polls for the state version (see :mod:`.routes`).
STATE_PATH = "/_iot_audit/dashboard/state"
CLOCK_PATH = "/_iot_audit/clock"
#: Milliseconds between polls of the state version.
POLL_MS = 1000
_CLOCK_STEPS = (("+1 hour", 3600), ("+1 day", 86400), ("+7 days", 7 * 86400))


@cache
def asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def content_security_policy() -> str:
    """Only the page's own inline style and script may apply, named by their hashes.

    Hashes rather than a per-response nonce: the live update parses a fresh copy of the page,
    and the browser checks that copy's inline style against the policy of the page in view.
    """
    def digest(name: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(asset(name).encode()).digest()).decode() + "'"

    return (f"default-src 'none'; script-src {digest('dashboard.js')}; style-src {digest('dashboard.css')};"
            " connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def render(snapshot: Snapshot, query: Query) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>IoT audit fake · dashboard</title><link rel='icon' href='data:,'>"
        f"<style>{asset('dashboard.css')}</style></head>"
        f"<body data-state-url='{e(STATE_PATH)}' data-clock-url='{e(CLOCK_PATH)}' data-poll-ms='{POLL_MS}'>"
        + header(snapshot) + live(snapshot, query)
        + f"<script>{asset('dashboard.js')}</script></body></html>"
    )


def header(snapshot: Snapshot) -> str:
    buttons = "".join(
        f"<button type='button' class='clock-button' data-advance='{seconds}'>{e(label)}</button>"
        for label, seconds in _CLOCK_STEPS
    )
    return (
        "<header class='top'><div class='brand'><a href='" + e(PAGE_PATH) + "'>IoT Device Defender Audit</a>"
        " <span class='muted'>fake · dashboard</span></div>"
        "<div class='clock'><span class='muted'>Fake clock (every account and region)</span> "
        f"<time id='clock' datetime='{e(iso(snapshot.now))}'>{e(when(snapshot.now))}</time>"
        f"<span class='clock-buttons'>{buttons}"
        "<button type='button' class='clock-button' data-reset='true'>Reset</button></span>"
        "<span id='clock-status' class='muted' role='status'></span></div>"
        "<div id='live-status' class='live' title='Polls the server for changes'>live</div></header>"
    )


def live(snapshot: Snapshot, query: Query) -> str:
    """The part the page replaces when the state version changes."""
    notices = "".join(f"<p class='notice'>{e(text)}</p>" for text in snapshot.notices)
    view = snapshot.view
    body = [f"<main id='live' data-version='{e(snapshot.version)}'>", notices, places(snapshot, query)]
    if view is None:
        body.append(
            "<section class='card'><p class='empty'>No audit state yet. Load a scenario (<code>POST "
            "/_iot_audit/scenario</code>) or call the audit API, and this page fills in by itself.</p></section>"
        )
    else:
        here = dataclasses.replace(query, account=view.place.account, region=view.place.region)
        if view.selected is not None:
            here = dataclasses.replace(here, task=view.selected.task["taskId"])
        body += [
            "<div class='grid'>", sections.configuration(view.configuration), sections.scheduled(view), "</div>",
            sections.tasks(view, here),
            sections.selected_task(view.selected, here) if view.selected is not None else "",
            sections.suppressions(view, here), sections.mitigations(view, here),
        ]
    body.append("</main>")
    return "".join(body)


def places(snapshot: Snapshot, query: Query) -> str:
    if not snapshot.places:
        return ""
    current = snapshot.view.place if snapshot.view else None
    links = "".join(
        f"<li><a class='place{' current' if _same(place, current) else ''}'"
        f" href='{href(Query(), account=place.account, region=place.region)}'>"
        f"<span class='mono'>{e(place.account)}</span> · {e(place.region)}"
        f" <span class='muted'>{count(place.tasks, 'task')} · {count(place.findings, 'finding')}</span></a></li>"
        for place in snapshot.places
    )
    return f"<nav class='places' aria-label='Accounts and regions'><ul>{links}</ul></nav>"


def _same(place: Place, other: Place | None) -> bool:
    return other is not None and (place.account, place.region) == (other.account, other.region)
