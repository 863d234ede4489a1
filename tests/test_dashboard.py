"""The dashboard page (``GET /_iot_audit/``) and its state endpoint, rendered through werkzeug's test client.

State is made through real boto3 clients (the in-process fake, the same backends the
server serves); the page is fetched from the server's WSGI application.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import (
    ACCOUNT,
    EXPIRING,
    LOGGING,
    POLICY,
    REGION,
    ROLE,
    SNS_TOPIC,
    backend,
    client,
    device,
    enable,
    held_tasks,
)
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request

from iot_audit_fake import audit_backends, dashboard, entry, mock_iot_audit
from iot_audit_fake.dashboard import data
from iot_audit_fake.server import ServerApplication

# Check severities the tests rely on: EXPIRING is MEDIUM, POLICY CRITICAL, LOGGING LOW.
PAGE = "/_iot_audit/"
STATE = "/_iot_audit/dashboard/state"
FINDING_ROW = re.compile(r"data-finding-id='([^']+)' data-suppressed='(true|false)'")
TASK_ROW = re.compile(r"data-task-id='([^']+)'")


@pytest.fixture
def iot() -> Iterator[Any]:
    with mock_iot_audit():
        yield client()


@pytest.fixture
def web() -> Client:
    return Client(ServerApplication())


def page(web: Client, query: str = "") -> str:
    response = web.get(PAGE + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def run_audit(iot: Any, *checks: str) -> str:
    task_id: str = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    return task_id


def all_findings(iot: Any, task_id: str) -> list[dict[str, Any]]:
    pages = iot.get_paginator("list_audit_findings").paginate(taskId=task_id)
    return [finding for page in pages for finding in page["findings"]]


def test_empty_server_says_so_and_serves_everything_itself(iot, web):
    response = web.get(PAGE)
    html = response.get_data(as_text=True)
    assert "No audit state yet" in html
    # No CDN, no build: the only script and style are inline, and the policy allows nothing else.
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*stylesheet", html)
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert response.headers["Cache-Control"] == "no-store"


def test_configuration_schedules_suppressions_and_mitigations_are_shown(iot, web):
    client("sns").create_topic(Name=SNS_TOPIC.rsplit(":", 1)[1])
    iot.update_account_audit_configuration(
        roleArn=ROLE, auditCheckConfigurations={EXPIRING: {"enabled": True}, LOGGING: {"enabled": True}},
        auditNotificationTargetConfigurations={"SNS": {"targetArn": SNS_TOPIC, "roleArn": ROLE, "enabled": True}},
    )
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[LOGGING])
    expires = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=3)
    iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(7), expirationDate=expires,
                                 description="known", clientRequestToken="s-1")
    iot.create_mitigation_action(actionName="disable-cert", roleArn=ROLE,
                                 actionParams={"updateDeviceCertificateParams": {"action": "DEACTIVATE"}})
    html = page(web)
    assert ROLE in html and SNS_TOPIC in html
    assert "2 of 17" in html
    nightly = re.search(r"<tr data-scheduled='nightly'>.*?class='nowrap next-run'>([^<]+)<", html)
    assert nightly is not None
    tomorrow = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).date()
    assert nightly.group(1) == f"{tomorrow.isoformat()} 00:00:00 UTC"
    assert f"{7:064x}" in html and expires.strftime("%Y-%m-%d %H:%M:%S UTC") in html
    assert "disable-cert" in html and "UPDATE_DEVICE_CERTIFICATE" in html


def test_tasks_are_newest_first_with_per_check_counts(iot, web):
    enable(iot, EXPIRING, LOGGING)
    backend().seed_observation(EXPIRING, device(1))
    first = run_audit(iot, EXPIRING, LOGGING)
    second = run_audit(iot, LOGGING)
    html = page(web)
    listed = [task["taskId"] for task in iot.list_audit_tasks(
        startTime=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1),
        endTime=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))["tasks"]]
    assert TASK_ROW.findall(html) == listed == [second, first]
    html = page(web, f"?task={first}")
    checks = re.search(r"<table class=\"checks\">.*?</table>", html, re.S)
    assert checks is not None
    details = iot.describe_audit_task(taskId=first)["auditDetails"]
    row = re.search(rf"{EXPIRING}</td>.*?</tr>", checks.group(0), re.S)
    assert row is not None
    numbers = re.findall(r"class='num'>(\d*)<", row.group(0))
    expiring = details[EXPIRING]
    assert numbers == [str(expiring["totalResourcesCount"]), "1", "0"]


def test_findings_are_grouped_by_severity_and_check_and_suppressed_ones_marked(iot, web):
    enable(iot, EXPIRING, POLICY, LOGGING)
    for n in range(3):
        backend().seed_observation(EXPIRING, device(n))
    backend().seed_observation(POLICY, {"policyVersionIdentifier": {"policyName": "p", "policyVersionId": "1"}})
    iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), suppressIndefinitely=True,
                                 clientRequestToken="s-1")
    task_id = run_audit(iot, EXPIRING, POLICY, LOGGING)
    html = page(web, f"?task={task_id}")
    groups = re.findall(r"<tbody class='finding-group' data-severity='(\w+)' data-check='(\w+)'>", html)
    assert groups == [("CRITICAL", POLICY), ("MEDIUM", EXPIRING), ("LOW", LOGGING)]
    rows = dict(FINDING_ROW.findall(html))
    findings = all_findings(iot, task_id)
    assert rows == {f["findingId"]: "true" if f["isSuppressed"] else "false" for f in findings}
    suppressed = [f for f in findings if f["isSuppressed"]]
    assert [f["nonCompliantResource"]["resourceIdentifier"] for f in suppressed] == [device(1)]
    row = re.search(rf"data-finding-id='{suppressed[0]['findingId']}'.*?</tr>", html, re.S)
    assert row is not None and "badge-suppressed" in row.group(0) and f"{1:064x}" in row.group(0)
    assert all(f["reasonForNonCompliance"] in html for f in findings)


def test_ten_thousand_findings_are_paged(iot, web):
    enable(iot, EXPIRING)
    for n in range(10_000):
        backend().seed_observation(EXPIRING, device(n))
    task_id = run_audit(iot, EXPIRING)
    expected = {f["findingId"] for f in all_findings(iot, task_id)}
    assert len(expected) == 10_000
    seen: list[str] = []
    for number in (1, 2, 100, 200):
        html = page(web, f"?task={task_id}&findings_page={number}")
        ids = [finding_id for finding_id, _ in FINDING_ROW.findall(html)]
        assert len(ids) == data.FINDINGS_PER_PAGE
        seen += ids
        assert f"page {number} of 200" in html
        assert len(html) < 200_000  # one page, not the whole task
    assert len(set(seen)) == len(seen) and set(seen) <= expected
    # Each page begins where the one before ended: page 2 follows page 1 in the same order.
    html = page(web, f"?task={task_id}&findings_page=3")
    assert "rel=\"prev\" href=\"/_iot_audit/?account=" in html and "findings_page=2#task" in html
    # A stale link past the end shows the last page.
    beyond = page(web, f"?task={task_id}&findings_page=999999")
    assert FINDING_ROW.findall(beyond) and "page 200 of 200" in beyond


def test_everything_from_state_is_escaped(iot, web):
    enable(iot, EXPIRING)
    hostile = "<script>alert('x')</script>\"&"
    iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), suppressIndefinitely=True,
                                 description=hostile, clientRequestToken="s-1")
    html = page(web)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&amp;" in html
    html = page(web, "?account=%3Cimg%20src%3Dx%3E&region=r")
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html


def test_severity_chart_is_inline_svg_with_the_counts(iot, web):
    enable(iot, EXPIRING, POLICY)
    for n in range(4):
        backend().seed_observation(EXPIRING, device(n))
    backend().seed_observation(POLICY, {"policyVersionIdentifier": {"policyName": "p", "policyVersionId": "1"}})
    iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(0), suppressIndefinitely=True,
                                 clientRequestToken="s-1")
    task_id = run_audit(iot, EXPIRING, POLICY)
    html = page(web, f"?task={task_id}")
    svg = re.search(r"<svg class=\"severity-chart\".*?</svg>", html, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(0))  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    rows = {g.get("data-severity"): g for g in root.iter(f"{ns}g")}
    assert list(rows) == ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
    counts = {severity: "".join(g.find(f"{ns}text[@class='sev-count']").itertext()) for severity, g in rows.items()}
    assert counts == {"CRITICAL": "1 active", "HIGH": "0 active", "MEDIUM": "3 active, 1 suppressed",
                      "LOW": "0 active"}
    assert root.get("aria-label") == "Findings by severity: 5 in total"


def test_state_version_changes_with_the_state_and_answers_304_when_unchanged(iot, web):
    enable(iot, LOGGING)
    first = web.get(STATE)
    document = json.loads(first.get_data(as_text=True))
    assert first.headers["ETag"] == f'"{document["version"]}"'
    assert json.loads(web.get(STATE).get_data(as_text=True))["version"] == document["version"]
    assert web.get(STATE, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert f"data-version='{document['version']}'" in page(web)
    run_audit(iot, LOGGING)
    after_task = json.loads(web.get(STATE).get_data(as_text=True))["version"]
    assert after_task != document["version"]
    iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=[LOGGING])
    scheduled = json.loads(web.get(STATE).get_data(as_text=True))["version"]
    assert scheduled != after_task
    # The clock endpoint the page's buttons use: a day later the scheduled run has happened.
    moved = web.post("/_iot_audit/clock", json={"advance": 86400}, headers={"Origin": "http://localhost"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    try:
        assert json.loads(web.get(STATE).get_data(as_text=True))["version"] != scheduled
        assert "scheduled · nightly" in page(web)
    finally:
        web.post("/_iot_audit/clock", json={"reset": True})


def test_clock_buttons_post_to_the_clock_endpoint(iot, web):
    html = page(web)
    assert re.findall(r"data-advance='(\d+)'", html) == ["3600", "86400", "604800"]
    assert "data-reset='true'" in html and "data-clock-url='/_iot_audit/clock'" in html
    assert web.post(PAGE).status_code == 405  # the page itself is read-only


def test_viewing_changes_nothing_a_client_sees(iot, web):
    enable(iot, LOGGING)
    with held_tasks(times=3):
        task_id = iot.start_on_demand_audit_task(targetCheckNames=[LOGGING])["taskId"]
        for _ in range(5):
            page(web, f"?task={task_id}")
            web.get(STATE)
        # Still three describes away from finishing: the page never advanced the state manager.
        statuses = [iot.describe_audit_task(taskId=task_id)["taskStatus"] for _ in range(3)]
        assert statuses[:2] == ["IN_PROGRESS", "IN_PROGRESS"]
    accounts = set(dict.keys(audit_backends))
    page(web, "?account=999999999999&region=ap-south-1")
    assert set(dict.keys(audit_backends)) == accounts  # no backend created by looking


def test_unknown_task_and_place_are_reported(iot, web):
    enable(iot, LOGGING)
    html = page(web, "?task=no-such-task")
    assert "Audit task no-such-task does not exist" in html
    html = page(web, "?account=999999999999&region=ap-south-1")
    assert "No audit state in account 999999999999, region ap-south-1." in html


def test_every_account_and_region_is_listed_and_selectable(iot, web):
    enable(iot, LOGGING)
    other = client(region="us-west-2")
    enable(other, EXPIRING)
    html = page(web)
    assert re.findall(r"<span class='mono'>(\d+)</span> · ([a-z0-9-]+)", html) == [
        (ACCOUNT, REGION), (ACCOUNT, "us-west-2")]
    html = page(web, f"?account={ACCOUNT}&region=us-west-2")
    enabled = re.search(r"<ul class=\"chips\">(.*?)</ul>", html, re.S)
    assert enabled is not None and EXPIRING in enabled.group(1) and LOGGING not in enabled.group(1)


def test_the_page_reads_the_state_holding_the_request_lock(iot, web, monkeypatch):
    enable(iot, LOGGING)
    held = threading.local()
    real = entry.LOCK

    class Watched:
        def __enter__(self) -> None:
            real.acquire()
            held.depth = getattr(held, "depth", 0) + 1

        def __exit__(self, *exc: object) -> None:
            held.depth -= 1
            real.release()

    reads: list[int] = []
    original = data.places

    def places() -> Any:
        reads.append(getattr(held, "depth", 0))
        return original()

    monkeypatch.setattr(entry, "LOCK", Watched())
    monkeypatch.setattr(data, "places", places)
    # The handlers themselves, not through the server (which holds the lock around every control endpoint).
    assert dashboard.page(Request(EnvironBuilder(path=PAGE).get_environ())).status_code == 200
    assert dashboard.state(Request(EnvironBuilder(path=STATE).get_environ())).status_code == 200
    assert len(reads) == 2 and all(depth > 0 for depth in reads)
