"""ListAuditFindings, DescribeAuditFinding and ListRelatedResourcesForAuditFinding (reference §7, §13, §14).

Findings come from real audit tasks started through boto3; the non-compliant resources are either the account
itself (LOGGING_DISABLED_CHECK reports it while IoT logging is off) or observations seeded on the backend.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from conftest import (
    ACCOUNT,
    BASE,
    DAY,
    EXPIRING,
    IRE,
    LOGGING,
    MINUTE,
    POLICY,
    RNF,
    assert_error,
    backend,
    cert,
    device,
    enable,
    held_tasks,
)

FINDING_ID = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")


def seed(*numbers: int, **details: Any) -> None:
    """Make every later DEVICE_CERTIFICATE_EXPIRING_CHECK run report these certificates."""
    for n in numbers:
        backend().seed_observation(EXPIRING, device(n), **details)


def run(iot: Any, *checks: str) -> str:
    """Enable ``checks`` and run an on-demand audit of them (it completes at once); returns its taskId."""
    enable(iot, *checks)
    for check in checks:  # no wait for data collection here (test_data_collection.py covers it)
        backend().set_data_collection_delay(check, 0)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    return task_id


def listed(iot: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """One page of ListAuditFindings, checking it is the last one."""
    response = iot.list_audit_findings(**kwargs)
    assert "nextToken" not in response, response
    return response["findings"]


def certs_of(findings: list[dict[str, Any]]) -> list[str]:
    return [f["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"] for f in findings]


def window(start: dt.datetime, end: dt.datetime) -> dict[str, dt.datetime]:
    return {"startTime": start, "endTime": end}


WIDE = window(BASE - DAY, BASE + DAY)


# -- selecting by task ------------------------------------------------------------------------------


def test_list_by_task_returns_that_tasks_findings_only(iot, frozen):
    seed(1, 2)
    first = run(iot, EXPIRING)
    frozen.tick(MINUTE)
    seed(3)
    second = run(iot, EXPIRING)
    found = listed(iot, taskId=first)
    assert sorted(certs_of(found)) == [cert(1), cert(2)]
    assert {f["taskId"] for f in found} == {first}
    assert sorted(certs_of(listed(iot, taskId=second))) == [cert(1), cert(2), cert(3)]


def test_finding_fields(iot, frozen):
    task_id = run(iot, LOGGING)
    task = iot.describe_audit_task(taskId=task_id)
    [finding] = listed(iot, taskId=task_id)
    assert FINDING_ID.match(finding["findingId"])
    assert finding["taskId"] == task_id
    assert finding["checkName"] == LOGGING
    assert finding["taskStartTime"] == task["taskStartTime"] == BASE
    assert finding["findingTime"] == BASE
    assert finding["severity"] == "LOW"
    assert finding["nonCompliantResource"]["resourceType"] == "ACCOUNT_SETTINGS"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"account": ACCOUNT}
    # Empty additionalInfo and relatedResources are omitted, as in AWS's published outputs (check-triggers §G).
    assert "additionalInfo" not in finding["nonCompliantResource"]
    assert "relatedResources" not in finding
    assert finding["reasonForNonComplianceCode"] == "LOGGING_DISABLED"
    assert isinstance(finding["reasonForNonCompliance"], str) and finding["reasonForNonCompliance"]
    assert finding["isSuppressed"] is False


def test_finding_fields_of_a_seeded_device_finding(iot, frozen):
    related = [{"resourceType": "CLIENT_ID", "resourceIdentifier": {"clientId": "sensor-1"},
                "additionalInfo": {"CONNECTION_TIME": "1767225600000"}}]
    seed(7, reason_code="CERTIFICATE_PAST_EXPIRATION", reason="Certificate is past its expiration.",
         additional_info={"EXPIRATION_TIME": "1767225600000"}, related_resources=related)
    task_id = run(iot, EXPIRING)
    [finding] = listed(iot, taskId=task_id)
    assert finding["severity"] == "MEDIUM"
    assert finding["nonCompliantResource"] == {
        "resourceType": "DEVICE_CERTIFICATE",
        "resourceIdentifier": device(7),
        "additionalInfo": {"EXPIRATION_TIME": "1767225600000"},
    }
    assert finding["relatedResources"] == related
    assert finding["reasonForNonCompliance"] == "Certificate is past its expiration."
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_EXPIRATION"
    assert finding["isSuppressed"] is False


def test_every_finding_has_a_distinct_id(iot, frozen):
    seed(1, 2, 3)
    found = listed(iot, taskId=run(iot, EXPIRING, LOGGING))
    assert len(found) == 4
    assert len({f["findingId"] for f in found}) == 4


# -- selecting by time ------------------------------------------------------------------------------


def three_tasks(iot, frozen) -> list[tuple[str, dt.datetime]]:
    """One finding per task, one task a minute from BASE; (taskId, findingTime) oldest first."""
    seed(1)
    made = []
    for i in range(3):
        if i:
            frozen.tick(MINUTE)
        made.append((run(iot, EXPIRING), BASE + i * MINUTE))
    return made


def test_time_window_is_inclusive_and_newest_first_across_tasks(iot, frozen):
    made = three_tasks(iot, frozen)
    found = listed(iot, **window(BASE + MINUTE, BASE + 2 * MINUTE))
    assert [f["taskId"] for f in found] == [made[2][0], made[1][0]]
    assert [f["findingTime"] for f in found] == [BASE + 2 * MINUTE, BASE + MINUTE]
    assert [f["taskId"] for f in listed(iot, **WIDE)] == [t for t, _ in reversed(made)]
    assert [f["taskId"] for f in listed(iot, **window(BASE, BASE))] == [made[0][0]]


def test_time_window_between_findings_is_empty(iot, frozen):
    three_tasks(iot, frozen)
    response = iot.list_audit_findings(**window(BASE + dt.timedelta(seconds=1), BASE + dt.timedelta(seconds=59)))
    assert response["findings"] == []
    assert "nextToken" not in response


def test_time_window_with_filters(iot, frozen):
    made = three_tasks(iot, frozen)
    found = listed(iot, checkName=EXPIRING, resourceIdentifier=device(1), **WIDE)
    assert [f["taskId"] for f in found] == [t for t, _ in reversed(made)]
    assert listed(iot, checkName=LOGGING, **WIDE) == []


# -- the taskId xor (startTime and endTime) rule ----------------------------------------------------


def test_task_id_and_time_window_together_are_refused(iot, frozen):
    task_id = run(iot, LOGGING)
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, **WIDE), *IRE)
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, startTime=BASE - DAY), *IRE)
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, endTime=BASE + DAY), *IRE)


def test_neither_task_id_nor_time_window_is_refused(iot, frozen):
    run(iot, LOGGING)
    assert_error(lambda: iot.list_audit_findings(), *IRE)
    assert_error(lambda: iot.list_audit_findings(checkName=LOGGING), *IRE)


def test_half_a_time_window_is_refused(iot, frozen):
    # botocore does not require either time (the model requires neither), so these reach the fake.
    run(iot, LOGGING)
    assert_error(lambda: iot.list_audit_findings(startTime=BASE - DAY), *IRE)
    assert_error(lambda: iot.list_audit_findings(endTime=BASE + DAY), *IRE)


def test_unknown_task_id_is_refused_as_invalid_request(iot, frozen):
    run(iot, LOGGING)
    assert_error(lambda: iot.list_audit_findings(taskId="0" * 32), *IRE)


def test_malformed_task_id_is_refused(iot, frozen):
    assert_error(lambda: iot.list_audit_findings(taskId="not_a_task"), *IRE)
    assert_error(lambda: iot.list_audit_findings(taskId="a" * 41), *IRE)


def test_start_time_older_than_90_days_is_refused(iot, frozen):
    run(iot, LOGGING)
    assert_error(lambda: iot.list_audit_findings(**window(BASE - 91 * DAY, BASE)), *IRE)
    assert len(listed(iot, **window(BASE - 89 * DAY, BASE))) == 1


def test_start_time_after_end_time_is_refused(iot, frozen):
    assert_error(lambda: iot.list_audit_findings(**window(BASE, BASE - MINUTE)), *IRE)


# -- filters ----------------------------------------------------------------------------------------


def test_filter_by_check_name(iot, frozen):
    seed(1, 2)
    task_id = run(iot, EXPIRING, LOGGING)
    assert [f["checkName"] for f in listed(iot, taskId=task_id, checkName=LOGGING)] == [LOGGING]
    expiring = listed(iot, taskId=task_id, checkName=EXPIRING)
    assert sorted(certs_of(expiring)) == [cert(1), cert(2)]
    assert listed(iot, taskId=task_id, checkName="CA_CERTIFICATE_EXPIRING_CHECK") == []


def test_filter_by_resource_identifier(iot, frozen):
    seed(1, 2, 3)
    task_id = run(iot, EXPIRING, LOGGING)
    assert certs_of(listed(iot, taskId=task_id, resourceIdentifier=device(2))) == [cert(2)]
    assert listed(iot, taskId=task_id, resourceIdentifier=device(9)) == []
    [account] = listed(iot, taskId=task_id, resourceIdentifier={"account": ACCOUNT})
    assert account["checkName"] == LOGGING
    both = listed(iot, taskId=task_id, checkName=LOGGING, resourceIdentifier=device(2))
    assert both == []


def test_resource_identifier_filter_compares_structures(iot, frozen):
    identifier = {"policyVersionIdentifier": {"policyName": "fleet-policy", "policyVersionId": "3"}}
    backend().seed_observation(POLICY, identifier)
    backend().seed_observation(POLICY, {"policyVersionIdentifier": {"policyName": "fleet-policy",
                                                                    "policyVersionId": "4"}})
    task_id = run(iot, POLICY)
    reordered = {"policyVersionIdentifier": {"policyVersionId": "3", "policyName": "fleet-policy"}}
    [found] = listed(iot, taskId=task_id, resourceIdentifier=reordered)
    assert found["nonCompliantResource"]["resourceIdentifier"] == identifier
    partial = {"policyVersionIdentifier": {"policyName": "fleet-policy"}}
    assert listed(iot, taskId=task_id, resourceIdentifier=partial) == []


def test_filter_by_suppression(iot, frozen):
    seed(1, 2)
    iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), suppressIndefinitely=True)
    task_id = run(iot, EXPIRING)
    assert sorted(certs_of(listed(iot, taskId=task_id))) == [cert(1), cert(2)]
    suppressed = listed(iot, taskId=task_id, listSuppressedFindings=True)
    assert certs_of(suppressed) == [cert(1)]
    assert suppressed[0]["isSuppressed"] is True
    unsuppressed = listed(iot, taskId=task_id, listSuppressedFindings=False)
    assert certs_of(unsuppressed) == [cert(2)]
    assert unsuppressed[0]["isSuppressed"] is False
    assert certs_of(listed(iot, listSuppressedFindings=True, **WIDE)) == [cert(1)]
    assert certs_of(listed(iot, listSuppressedFindings=False, **WIDE)) == [cert(2)]


# -- paging -----------------------------------------------------------------------------------------


def pages(iot: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of ListAuditFindings, following nextToken by hand."""
    out = []
    while True:
        response = iot.list_audit_findings(**kwargs)
        out.append(response)
        if "nextToken" not in response:
            return out
        kwargs["nextToken"] = response["nextToken"]


def test_paging_by_task(iot, frozen):
    seed(*range(7))
    task_id = run(iot, EXPIRING)
    everything = listed(iot, taskId=task_id)
    got = pages(iot, taskId=task_id, maxResults=3)
    assert [len(p["findings"]) for p in got] == [3, 3, 1]
    assert all("nextToken" in p for p in got[:-1])
    assert [f for p in got for f in p["findings"]] == everything


def test_paging_by_time_window(iot, frozen):
    seed(1, 2)
    for i in range(3):
        if i:
            frozen.tick(MINUTE)
        run(iot, EXPIRING)
    everything = listed(iot, **WIDE)
    assert len(everything) == 6
    got = pages(iot, maxResults=4, **WIDE)
    assert [len(p["findings"]) for p in got] == [4, 2]
    assert [f for p in got for f in p["findings"]] == everything


def test_a_full_last_page_has_no_next_token(iot, frozen):
    seed(1, 2, 3, 4)
    task_id = run(iot, EXPIRING)
    got = pages(iot, taskId=task_id, maxResults=2)
    assert [len(p["findings"]) for p in got] == [2, 2]
    found = [f for p in got for f in p["findings"]]
    assert len({f["findingId"] for f in found}) == 4


def test_default_page_size_is_25(iot, frozen):
    seed(*range(30))
    task_id = run(iot, EXPIRING)
    first = iot.list_audit_findings(taskId=task_id)
    assert len(first["findings"]) == 25
    rest = iot.list_audit_findings(taskId=task_id, nextToken=first["nextToken"])
    assert len(rest["findings"]) == 5
    assert "nextToken" not in rest


def test_max_results_above_250_is_refused(iot, frozen):
    task_id = run(iot, LOGGING)
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, maxResults=251), *IRE)
    assert len(listed(iot, taskId=task_id, maxResults=250)) == 1


def test_empty_result_still_has_the_list_key(iot, frozen):
    task_id = run(iot, LOGGING)
    for kwargs in ({"taskId": task_id, "checkName": EXPIRING}, window(BASE + MINUTE, BASE + DAY)):
        response = iot.list_audit_findings(**kwargs)
        assert response["findings"] == []
        assert "nextToken" not in response


def test_tampered_next_token_is_refused(iot, frozen):
    seed(1, 2, 3)
    task_id = run(iot, EXPIRING)
    token = iot.list_audit_findings(taskId=task_id, maxResults=1)["nextToken"]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, maxResults=1, nextToken=flipped), *IRE)
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, nextToken="garbage"), *IRE)
    # A token belongs to its query: another filter or a time window cannot use it.
    assert_error(lambda: iot.list_audit_findings(taskId=task_id, checkName=LOGGING, nextToken=token), *IRE)
    assert_error(lambda: iot.list_audit_findings(nextToken=token, **WIDE), *IRE)
    # The genuine token still works.
    assert len(iot.list_audit_findings(taskId=task_id, maxResults=1, nextToken=token)["findings"]) == 1


def test_paginator_returns_every_finding_exactly_once(iot, frozen):
    seed(*range(11))
    first = run(iot, EXPIRING)
    frozen.tick(MINUTE)
    run(iot, EXPIRING)
    paginator = iot.get_paginator("list_audit_findings")
    by_task = [f for page in paginator.paginate(taskId=first, PaginationConfig={"PageSize": 4})
               for f in page["findings"]]
    assert len(by_task) == 11
    assert len({f["findingId"] for f in by_task}) == 11
    assert by_task == listed(iot, taskId=first)
    by_time = [f for page in paginator.paginate(PaginationConfig={"PageSize": 3}, **WIDE) for f in page["findings"]]
    assert len(by_time) == 22
    assert len({f["findingId"] for f in by_time}) == 22
    assert by_time == listed(iot, **WIDE)


# -- tasks that did not complete --------------------------------------------------------------------


def test_in_progress_task_has_no_findings_yet(iot, frozen):
    seed(1, 2)
    enable(iot, EXPIRING)
    with held_tasks(times=3):
        task_id = iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING])["taskId"]
        assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "IN_PROGRESS"
        response = iot.list_audit_findings(taskId=task_id)
        assert response["findings"] == []
        assert "nextToken" not in response
        assert listed(iot, **WIDE) == []
        frozen.tick(MINUTE)
        iot.describe_audit_task(taskId=task_id)
        assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
        found = listed(iot, taskId=task_id)
        assert sorted(certs_of(found)) == [cert(1), cert(2)]
        # Found when the task ran its checks; taskStartTime stays the task's.
        assert {f["taskStartTime"] for f in found} == {BASE}
        assert {f["findingTime"] for f in found} == {BASE + MINUTE}


def test_canceled_task_keeps_no_findings(iot, frozen):
    seed(1, 2)
    enable(iot, EXPIRING)
    with held_tasks(times=2):
        task_id = iot.start_on_demand_audit_task(targetCheckNames=[EXPIRING])["taskId"]
        iot.cancel_audit_task(taskId=task_id)
        for _ in range(3):
            assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "CANCELED"
        response = iot.list_audit_findings(taskId=task_id)
        assert response["findings"] == []
        assert "nextToken" not in response
        assert listed(iot, **WIDE) == []


# -- DescribeAuditFinding ---------------------------------------------------------------------------


def test_describe_returns_the_listed_finding(iot, frozen):
    seed(1, 2)
    task_id = run(iot, EXPIRING, LOGGING)
    for finding in listed(iot, taskId=task_id):
        response = iot.describe_audit_finding(findingId=finding["findingId"])
        assert response["finding"] == finding


def test_describe_unknown_finding_is_not_found(iot, frozen):
    run(iot, LOGGING)
    assert_error(lambda: iot.describe_audit_finding(findingId="0f0f0f0f-0000-0000-0000-000000000000"), *RNF)


def test_describe_malformed_finding_id_is_refused(iot):
    assert_error(lambda: iot.describe_audit_finding(findingId="bad!id"), *IRE)
    assert_error(lambda: iot.describe_audit_finding(findingId="a" * 129), *IRE)


# -- related resources ------------------------------------------------------------------------------


def client_ids(count: int) -> list[dict[str, Any]]:
    return [{"resourceType": "CLIENT_ID", "resourceIdentifier": {"clientId": f"client-{i:02d}"},
             "additionalInfo": {"CONNECTION_TIME": str(1767225600000 + i)}} for i in range(count)]


def test_describe_caps_related_resources_at_10_and_the_list_pages_through_all(iot, frozen):
    related = client_ids(13)
    backend().seed_observation("DEVICE_CERTIFICATE_SHARED_CHECK", device(1), related_resources=related)
    task_id = run(iot, "DEVICE_CERTIFICATE_SHARED_CHECK")
    [finding] = listed(iot, taskId=task_id)
    described = iot.describe_audit_finding(findingId=finding["findingId"])["finding"]
    assert described["relatedResources"] == related[:10]

    sizes, seen, token = [], [], None
    while True:
        kwargs = {"findingId": finding["findingId"], "maxResults": 5}
        if token:
            kwargs["nextToken"] = token
        page = iot.list_related_resources_for_audit_finding(**kwargs)
        sizes.append(len(page["relatedResources"]))
        seen.extend(page["relatedResources"])
        token = page.get("nextToken")
        if token is None:
            break
    assert sizes == [5, 5, 3]
    assert seen == related

    whole = iot.list_related_resources_for_audit_finding(findingId=finding["findingId"])
    assert whole["relatedResources"] == related
    assert "nextToken" not in whole
    paginator = iot.get_paginator("list_related_resources_for_audit_finding")
    paged = [r for p in paginator.paginate(findingId=finding["findingId"], PaginationConfig={"PageSize": 4})
             for r in p["relatedResources"]]
    assert paged == related


def test_related_resources_of_a_finding_without_any(iot, frozen):
    [finding] = listed(iot, taskId=run(iot, LOGGING))
    response = iot.list_related_resources_for_audit_finding(findingId=finding["findingId"])
    assert response["relatedResources"] == []
    assert "nextToken" not in response


def test_related_resources_of_unknown_finding_is_not_found(iot, frozen):
    run(iot, LOGGING)
    assert_error(lambda: iot.list_related_resources_for_audit_finding(
        findingId="0f0f0f0f-0000-0000-0000-000000000000"), *RNF)


def test_related_resources_tampered_token_is_refused(iot, frozen):
    backend().seed_observation("DEVICE_CERTIFICATE_SHARED_CHECK", device(1), related_resources=client_ids(3))
    [finding] = listed(iot, taskId=run(iot, "DEVICE_CERTIFICATE_SHARED_CHECK"))
    token = iot.list_related_resources_for_audit_finding(findingId=finding["findingId"], maxResults=1)["nextToken"]
    assert_error(lambda: iot.list_related_resources_for_audit_finding(
        findingId=finding["findingId"], nextToken=token + "x"), *IRE)


# -- snapshots and retention ------------------------------------------------------------------------


def test_findings_are_a_snapshot_of_their_task(iot, frozen):
    seed(1)
    old_task = run(iot, EXPIRING)
    before = listed(iot, taskId=old_task)
    frozen.tick(MINUTE)
    seed(2)
    new_task = run(iot, EXPIRING)
    assert listed(iot, taskId=old_task) == before
    assert certs_of(before) == [cert(1)]
    assert sorted(certs_of(listed(iot, taskId=new_task))) == [cert(1), cert(2)]
    backend().clear_seeded_observations()
    assert listed(iot, taskId=old_task) == before
    assert iot.describe_audit_finding(findingId=before[0]["findingId"])["finding"] == before[0]


def test_findings_older_than_90_days_disappear(iot, frozen):
    task_id = run(iot, LOGGING)
    [finding] = listed(iot, taskId=task_id)
    frozen.tick(89 * DAY)
    assert iot.describe_audit_finding(findingId=finding["findingId"])["finding"] == finding
    assert listed(iot, **window(BASE, BASE + 89 * DAY)) == [finding]
    frozen.tick(2 * DAY)
    now = BASE + 91 * DAY
    assert_error(lambda: iot.describe_audit_finding(findingId=finding["findingId"]), *RNF)
    assert_error(lambda: iot.list_related_resources_for_audit_finding(findingId=finding["findingId"]), *RNF)
    assert_error(lambda: iot.list_audit_findings(taskId=task_id), *IRE)
    assert listed(iot, **window(now - 89 * DAY, now)) == []


def test_describe_leaves_related_resources_empty_for_the_intermediate_ca_check(iot, frozen):
    check = "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK"
    identifier = {"issuerCertificateIdentifier": {"issuerCertificateSubject": "CN=intermediate",
                                                  "issuerId": "ab" * 8, "issuerCertificateSerialNumber": "0a:1b"}}
    related = [{"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": device(i)} for i in range(3)]
    backend().seed_observation(check, identifier, related_resources=related)
    [finding] = listed(iot, taskId=run(iot, check))
    described = iot.describe_audit_finding(findingId=finding["findingId"])["finding"]
    assert "relatedResources" not in described
    listed_related = iot.list_related_resources_for_audit_finding(findingId=finding["findingId"])
    assert listed_related["relatedResources"] == related
