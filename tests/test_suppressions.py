"""Audit finding suppressions: CRUD, idempotency, order, paging and effect on audits (reference §6, §9, §14)."""

from __future__ import annotations

from typing import Any

from conftest import (
    BASE,
    DAY,
    EXPIRING,
    IRE,
    LOGGING,
    POLICY,
    RAE,
    RNF,
    assert_error,
    backend,
    cert,
    device,
    enable,
)

AGE = "DEVICE_CERTIFICATE_AGE_CHECK"


def create(iot: Any, n: int = 1, check: str = EXPIRING, **kwargs: Any) -> dict[str, Any]:
    """Create a suppression of ``check`` on device certificate ``n`` (a week by default)."""
    if "expirationDate" not in kwargs and "suppressIndefinitely" not in kwargs:
        kwargs["expirationDate"] = BASE + 7 * DAY
    return iot.create_audit_suppression(checkName=check, resourceIdentifier=device(n), **kwargs)


def state(iot: Any) -> list[dict[str, Any]]:
    """Every suppression, in the default order (read through the API)."""
    return [s for page in iot.get_paginator("list_audit_suppressions").paginate() for s in page["suppressions"]]


def refused(iot: Any, call: Any, code: str, status: int) -> None:
    """``call`` fails with ``code``/``status`` and leaves the suppressions exactly as they were."""
    before = state(iot)
    assert_error(call, code, status)
    assert state(iot) == before


def listed(iot: Any, **kwargs: Any) -> list[dict[str, Any]]:
    response = iot.list_audit_suppressions(**kwargs)
    assert "nextToken" not in response, response
    return response["suppressions"]


def keys(suppressions: list[dict[str, Any]]) -> list[str]:
    return [s["resourceIdentifier"]["deviceCertificateId"] for s in suppressions]


def run(iot: Any, *checks: str) -> str:
    enable(iot, *checks)
    task_id = iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"]
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    return task_id


# -- create and describe ----------------------------------------------------------------------------


def test_create_returns_an_empty_body(iot, frozen):
    response = create(iot, description="known issue")
    assert set(response) == {"ResponseMetadata"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_describe_echoes_the_fields(iot, frozen):
    create(iot, expirationDate=BASE + 30 * DAY, suppressIndefinitely=False, description="vendor fix pending")
    described = iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    described.pop("ResponseMetadata")
    assert described == {
        "checkName": EXPIRING,
        "resourceIdentifier": device(1),
        "expirationDate": BASE + 30 * DAY,
        "suppressIndefinitely": False,
        "description": "vendor fix pending",
    }
    assert state(iot) == [described]


def test_indefinite_suppression_needs_no_date(iot, frozen):
    create(iot, suppressIndefinitely=True)
    described = iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    assert described["suppressIndefinitely"] is True
    assert "expirationDate" not in described
    [item] = listed(iot)
    assert item["suppressIndefinitely"] is True
    assert "expirationDate" not in item


def test_key_is_check_name_and_resource_identifier(iot, frozen):
    create(iot, 1)
    create(iot, 2)  # another resource, same check
    create(iot, 1, check=AGE)  # same resource, another check
    assert len(state(iot)) == 3
    assert iot.describe_audit_suppression(checkName=AGE, resourceIdentifier=device(1))["checkName"] == AGE
    assert_error(lambda: iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(3)), *RNF)


def test_resource_identifier_is_compared_as_a_structure(iot, frozen):
    identifier = {"policyVersionIdentifier": {"policyName": "fleet-policy", "policyVersionId": "2"}}
    reordered = {"policyVersionIdentifier": {"policyVersionId": "2", "policyName": "fleet-policy"}}
    iot.create_audit_suppression(checkName=POLICY, resourceIdentifier=identifier, suppressIndefinitely=True)
    described = iot.describe_audit_suppression(checkName=POLICY, resourceIdentifier=reordered)
    assert described["resourceIdentifier"] == identifier
    refused(iot, lambda: iot.create_audit_suppression(checkName=POLICY, resourceIdentifier=reordered,
                                                      suppressIndefinitely=True), *RAE)
    other_version = {"policyVersionIdentifier": {"policyName": "fleet-policy", "policyVersionId": "3"}}
    iot.create_audit_suppression(checkName=POLICY, resourceIdentifier=other_version, suppressIndefinitely=True)
    assert len(listed(iot, checkName=POLICY, resourceIdentifier=reordered)) == 1
    assert len(state(iot)) == 2


def test_second_suppression_for_the_same_key_is_refused(iot, frozen):
    create(iot, description="first")
    before = state(iot)
    error = assert_error(lambda: create(iot, description="second", expirationDate=BASE + 9 * DAY), *RAE)
    assert error.response.get("resourceId")
    assert state(iot) == before
    assert before[0]["description"] == "first"


# -- clientRequestToken idempotency -----------------------------------------------------------------


def test_same_token_and_payload_is_a_retry(iot, frozen):
    create(iot, clientRequestToken="retry-1", description="once")
    response = create(iot, clientRequestToken="retry-1", description="once")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(state(iot)) == 1


def test_same_token_with_another_payload_is_refused(iot, frozen):
    create(iot, clientRequestToken="token-1", description="once")
    refused(iot, lambda: create(iot, clientRequestToken="token-1", description="changed"), *RAE)
    refused(iot, lambda: create(iot, 2, clientRequestToken="token-1", description="once"), *RAE)
    refused(iot, lambda: create(iot, clientRequestToken="token-1", suppressIndefinitely=True), *RAE)
    assert iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))["description"] == "once"


def test_a_token_of_a_refused_request_is_not_consumed(iot, frozen):
    refused(iot, lambda: create(iot, clientRequestToken="token-2", expirationDate=BASE - DAY), *IRE)
    create(iot, clientRequestToken="token-2")
    assert keys(state(iot)) == [cert(1)]


# -- create validation ------------------------------------------------------------------------------


def test_unknown_check_name_is_refused(iot, frozen):
    create(iot)
    refused(iot, lambda: create(iot, 2, check="NO_SUCH_CHECK"), *IRE)
    # Legacy names from the docs' tables are not API names (reference §4).
    refused(iot, lambda: create(iot, 2, check="DEVICE_CERT_APPROACHING_EXPIRATION_CHECK"), *IRE)


def test_identifier_member_must_match_the_check(iot, frozen):
    create(iot)
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=EXPIRING, resourceIdentifier={"clientId": "sensor-1"}, suppressIndefinitely=True), *IRE)
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=LOGGING, resourceIdentifier=device(2), suppressIndefinitely=True), *IRE)
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=EXPIRING, resourceIdentifier={**device(2), "clientId": "sensor-1"}, suppressIndefinitely=True),
        *IRE)
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=EXPIRING, resourceIdentifier={}, suppressIndefinitely=True), *IRE)


def test_malformed_identifier_value_is_refused(iot, frozen):
    # Values botocore lets through (it checks only ``min``) but the model forbids (pattern, ``max``).
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=EXPIRING, resourceIdentifier={"deviceCertificateId": "z" * 64}, suppressIndefinitely=True), *IRE)
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=LOGGING, resourceIdentifier={"account": "1234567890123"}, suppressIndefinitely=True), *IRE)


def test_expiration_date_in_the_past_is_refused(iot, frozen):
    create(iot)
    refused(iot, lambda: create(iot, 2, expirationDate=BASE - DAY), *IRE)
    refused(iot, lambda: create(iot, 2, expirationDate=BASE), *IRE)
    refused(iot, lambda: create(iot, 2, expirationDate=BASE - DAY, suppressIndefinitely=False), *IRE)


def test_neither_expiration_date_nor_indefinite_is_refused(iot, frozen):
    create(iot)
    refused(iot, lambda: iot.create_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(2)), *IRE)
    refused(iot, lambda: iot.create_audit_suppression(
        checkName=EXPIRING, resourceIdentifier=device(2), suppressIndefinitely=False), *IRE)


def test_description_of_more_than_1000_characters_is_refused(iot, frozen):
    refused(iot, lambda: create(iot, description="x" * 1001), *IRE)
    create(iot, description="x" * 1000)
    assert iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))["description"] == "x" * 1000


# -- describe, update, delete -----------------------------------------------------------------------


def test_describe_and_update_of_a_missing_suppression_are_not_found(iot, frozen):
    create(iot, 1)
    assert_error(lambda: iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(2)), *RNF)
    assert_error(lambda: iot.describe_audit_suppression(checkName=AGE, resourceIdentifier=device(1)), *RNF)
    refused(iot, lambda: iot.update_audit_suppression(
        checkName=EXPIRING, resourceIdentifier=device(2), description="nope"), *RNF)


def test_describe_with_an_unknown_check_name_is_refused(iot, frozen):
    assert_error(lambda: iot.describe_audit_suppression(checkName="NO_SUCH_CHECK", resourceIdentifier=device(1)),
                 *IRE)


def test_update_changes_expiration_indefinite_and_description(iot, frozen):
    create(iot, description="before")
    response = iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1),
                                            expirationDate=BASE + 60 * DAY)
    assert set(response) == {"ResponseMetadata"}

    def described() -> dict[str, Any]:
        found = iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
        found.pop("ResponseMetadata")
        return found

    assert described()["expirationDate"] == BASE + 60 * DAY
    assert described()["description"] == "before"  # fields left out keep their values

    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), description="after")
    assert described()["description"] == "after"
    assert described()["expirationDate"] == BASE + 60 * DAY

    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), suppressIndefinitely=True)
    assert described()["suppressIndefinitely"] is True
    assert "expirationDate" not in described()

    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), suppressIndefinitely=False,
                                 expirationDate=BASE + 2 * DAY)
    assert described() == {"checkName": EXPIRING, "resourceIdentifier": device(1), "expirationDate": BASE + 2 * DAY,
                           "suppressIndefinitely": False, "description": "after"}


def test_update_validates_the_merged_result(iot, frozen):
    create(iot, 1, suppressIndefinitely=True)
    create(iot, 2, expirationDate=BASE + 3 * DAY)
    # Indefinite without a stored date: turning indefinite off needs a new date.
    refused(iot, lambda: iot.update_audit_suppression(
        checkName=EXPIRING, resourceIdentifier=device(1), suppressIndefinitely=False), *IRE)
    refused(iot, lambda: iot.update_audit_suppression(
        checkName=EXPIRING, resourceIdentifier=device(2), expirationDate=BASE - DAY), *IRE)
    refused(iot, lambda: iot.update_audit_suppression(
        checkName=EXPIRING, resourceIdentifier=device(2), description="y" * 1001), *IRE)
    refused(iot, lambda: iot.update_audit_suppression(
        checkName=EXPIRING, resourceIdentifier={"clientId": "sensor-1"}, description="z"), *IRE)
    # A stored future date is kept when only the flag is given.
    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(2), suppressIndefinitely=False)
    assert iot.describe_audit_suppression(checkName=EXPIRING,
                                          resourceIdentifier=device(2))["expirationDate"] == BASE + 3 * DAY


def test_delete(iot, frozen):
    create(iot, 1)
    create(iot, 2)
    response = iot.delete_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    assert set(response) == {"ResponseMetadata"}
    assert keys(state(iot)) == [cert(2)]
    assert_error(lambda: iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1)), *RNF)
    # A new suppression for the deleted key can be made.
    create(iot, 1, suppressIndefinitely=True)
    assert len(state(iot)) == 2


def test_delete_of_a_missing_suppression_succeeds(iot, frozen):
    create(iot, 1)
    before = state(iot)
    response = iot.delete_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(2))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    iot.delete_audit_suppression(checkName=AGE, resourceIdentifier=device(1))
    assert state(iot) == before


def test_delete_with_an_unknown_check_name_is_refused(iot, frozen):
    create(iot, 1)
    refused(iot, lambda: iot.delete_audit_suppression(checkName="NO_SUCH_CHECK", resourceIdentifier=device(1)), *IRE)


# -- list -------------------------------------------------------------------------------------------


def mixed(iot: Any) -> None:
    """Suppressions ending in 3, 1 and 2 days, and an indefinite one, created out of order."""
    create(iot, 3, expirationDate=BASE + 3 * DAY)
    create(iot, 4, suppressIndefinitely=True)
    create(iot, 1, expirationDate=BASE + 1 * DAY)
    create(iot, 2, expirationDate=BASE + 2 * DAY)


def test_list_is_sorted_by_expiration_ascending_indefinite_last(iot, frozen):
    mixed(iot)
    ascending = [cert(1), cert(2), cert(3), cert(4)]
    assert keys(listed(iot)) == ascending
    assert keys(listed(iot, ascendingOrder=True)) == ascending
    assert keys(listed(iot, ascendingOrder=False)) == list(reversed(ascending))


def test_list_items_carry_the_suppression_fields(iot, frozen):
    create(iot, 1, expirationDate=BASE + DAY, description="one day")
    [item] = listed(iot)
    assert item == {"checkName": EXPIRING, "resourceIdentifier": device(1), "expirationDate": BASE + DAY,
                    "suppressIndefinitely": False, "description": "one day"}


def test_list_filters(iot, frozen):
    mixed(iot)
    create(iot, 1, check=AGE, suppressIndefinitely=True)
    assert keys(listed(iot, checkName=AGE)) == [cert(1)]
    assert keys(listed(iot, checkName=EXPIRING)) == [cert(1), cert(2), cert(3), cert(4)]
    by_resource = listed(iot, resourceIdentifier=device(1))
    assert [s["checkName"] for s in by_resource] == [EXPIRING, AGE]
    assert keys(listed(iot, checkName=AGE, resourceIdentifier=device(1))) == [cert(1)]
    assert listed(iot, checkName=AGE, resourceIdentifier=device(2)) == []
    assert listed(iot, checkName=LOGGING) == []


def test_empty_list_still_has_the_list_key(iot, frozen):
    response = iot.list_audit_suppressions()
    assert response["suppressions"] == []
    assert "nextToken" not in response


def collect(iot: Any, **kwargs: Any) -> list[list[dict[str, Any]]]:
    out = []
    while True:
        response = iot.list_audit_suppressions(**kwargs)
        out.append(response["suppressions"])
        if "nextToken" not in response:
            return out
        kwargs["nextToken"] = response["nextToken"]


def test_paging(iot, frozen):
    mixed(iot)
    create(iot, 5, expirationDate=BASE + 5 * DAY)
    got = collect(iot, maxResults=2)
    assert [len(p) for p in got] == [2, 2, 1]
    assert keys([s for p in got for s in p]) == [cert(1), cert(2), cert(3), cert(5), cert(4)]
    got = collect(iot, maxResults=2, ascendingOrder=False)
    assert keys([s for p in got for s in p]) == [cert(4), cert(5), cert(3), cert(2), cert(1)]
    got = collect(iot, maxResults=1, checkName=EXPIRING)
    assert len(got) == 5 and all(len(p) == 1 for p in got)


def test_paginator_returns_every_suppression_exactly_once(iot, frozen):
    for n in range(12):
        create(iot, n, expirationDate=BASE + (n % 4 + 1) * DAY)
    paginator = iot.get_paginator("list_audit_suppressions")
    found = [s for page in paginator.paginate(PaginationConfig={"PageSize": 5}) for s in page["suppressions"]]
    assert sorted(keys(found)) == [cert(n) for n in range(12)]
    assert [s["expirationDate"] for s in found] == sorted(s["expirationDate"] for s in found)


def test_tampered_or_foreign_token_is_refused(iot, frozen):
    mixed(iot)
    token = iot.list_audit_suppressions(maxResults=1)["nextToken"]
    assert_error(lambda: iot.list_audit_suppressions(nextToken=token[:-2]), *IRE)
    assert_error(lambda: iot.list_audit_suppressions(nextToken="garbage"), *IRE)
    assert_error(lambda: iot.list_audit_suppressions(nextToken=token, ascendingOrder=False), *IRE)
    assert_error(lambda: iot.list_audit_suppressions(nextToken=token, checkName=AGE), *IRE)
    assert len(iot.list_audit_suppressions(nextToken=token, maxResults=1)["suppressions"]) == 1


def test_max_results_above_250_is_refused(iot, frozen):
    assert_error(lambda: iot.list_audit_suppressions(maxResults=251), *IRE)


# -- effects on audits ------------------------------------------------------------------------------


def seed(*numbers: int) -> None:
    for n in numbers:
        backend().seed_observation(EXPIRING, device(n))


def test_suppressing_the_only_non_compliant_resource_makes_the_check_compliant(iot, frozen):
    seed(1)
    create(iot, 1, suppressIndefinitely=True)
    task_id = run(iot, EXPIRING)
    task = iot.describe_audit_task(taskId=task_id)
    details = task["auditDetails"][EXPIRING]
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT"
    assert details["checkCompliant"] is True
    assert details["nonCompliantResourcesCount"] == 1
    assert details["suppressedNonCompliantResourcesCount"] == 1
    assert task["taskStatistics"]["compliantChecks"] == 1
    assert task["taskStatistics"]["nonCompliantChecks"] == 0
    [finding] = iot.list_audit_findings(taskId=task_id)["findings"]
    assert finding["isSuppressed"] is True
    assert iot.list_audit_findings(taskId=task_id, listSuppressedFindings=True)["findings"] == [finding]
    assert iot.list_audit_findings(taskId=task_id, listSuppressedFindings=False)["findings"] == []
    assert iot.describe_audit_finding(findingId=finding["findingId"])["finding"]["isSuppressed"] is True


def test_an_unsuppressed_resource_keeps_the_check_non_compliant(iot, frozen):
    seed(1, 2)
    create(iot, 1, suppressIndefinitely=True)
    task_id = run(iot, EXPIRING)
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"][EXPIRING]
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert details["checkCompliant"] is False
    assert details["nonCompliantResourcesCount"] == 2
    assert details["suppressedNonCompliantResourcesCount"] == 1


def test_a_suppression_of_another_check_does_not_apply(iot, frozen):
    seed(1)
    create(iot, 1, check=AGE, suppressIndefinitely=True)
    task_id = run(iot, EXPIRING)
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"][EXPIRING]
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert details["suppressedNonCompliantResourcesCount"] == 0
    [finding] = iot.list_audit_findings(taskId=task_id)["findings"]
    assert finding["isSuppressed"] is False


def test_a_suppression_until_a_date_applies_before_it(iot, frozen):
    seed(1)
    create(iot, 1, expirationDate=BASE + DAY)
    frozen.tick(DAY / 2)
    task_id = run(iot, EXPIRING)
    [finding] = iot.list_audit_findings(taskId=task_id)["findings"]
    assert finding["isSuppressed"] is True


def test_an_expired_suppression_stops_applying_but_stays_listed(iot, frozen):
    seed(1)
    create(iot, 1, expirationDate=BASE + DAY, description="one day")
    before = state(iot)
    frozen.tick(2 * DAY)
    task_id = run(iot, EXPIRING)
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"][EXPIRING]
    assert details["checkRunStatus"] == "COMPLETED_NON_COMPLIANT"
    assert details["suppressedNonCompliantResourcesCount"] == 0
    [finding] = iot.list_audit_findings(taskId=task_id)["findings"]
    assert finding["isSuppressed"] is False
    assert state(iot) == before
    described = iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    assert described["expirationDate"] == BASE + DAY


def test_deleting_a_suppression_does_not_change_old_findings(iot, frozen):
    seed(1)
    create(iot, 1, suppressIndefinitely=True)
    old_task = run(iot, EXPIRING)
    [old] = iot.list_audit_findings(taskId=old_task)["findings"]
    assert old["isSuppressed"] is True
    iot.delete_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    assert iot.describe_audit_finding(findingId=old["findingId"])["finding"] == old
    assert iot.list_audit_findings(taskId=old_task, listSuppressedFindings=True)["findings"] == [old]
    old_details = iot.describe_audit_task(taskId=old_task)["auditDetails"][EXPIRING]
    assert old_details["suppressedNonCompliantResourcesCount"] == 1
    frozen.tick(60)
    new_task = run(iot, EXPIRING)
    [new] = iot.list_audit_findings(taskId=new_task)["findings"]
    assert new["isSuppressed"] is False


def test_creating_a_suppression_later_does_not_change_old_findings(iot, frozen):
    seed(1)
    old_task = run(iot, EXPIRING)
    [old] = iot.list_audit_findings(taskId=old_task)["findings"]
    create(iot, 1, suppressIndefinitely=True)
    assert iot.describe_audit_finding(findingId=old["findingId"])["finding"]["isSuppressed"] is False
    assert iot.list_audit_findings(taskId=old_task, listSuppressedFindings=True)["findings"] == []


# -- choices where AWS is silent [INF] ------------------------------------------------------------


def test_a_token_is_free_again_once_its_suppression_is_deleted(iot, frozen):
    create(iot, clientRequestToken="fixed-token")
    iot.delete_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    create(iot, clientRequestToken="fixed-token")
    assert iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))["checkName"] == EXPIRING


def test_an_expired_suppression_is_replaced_by_a_new_one(iot, frozen):
    create(iot, expirationDate=BASE + DAY)
    frozen.tick(2 * DAY)
    create(iot, suppressIndefinitely=True)
    [only] = state(iot)
    assert only["suppressIndefinitely"] is True


def test_a_description_update_of_an_expired_suppression_keeps_its_term(iot, frozen):
    create(iot, expirationDate=BASE + DAY)
    frozen.tick(2 * DAY)
    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), description="kept for the record")
    described = iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    assert described["description"] == "kept for the record"
    assert described["expirationDate"] == BASE + DAY


def test_a_new_expiration_date_ends_an_indefinite_suppression(iot, frozen):
    create(iot, suppressIndefinitely=True)
    iot.update_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1), expirationDate=BASE + 3 * DAY)
    described = iot.describe_audit_suppression(checkName=EXPIRING, resourceIdentifier=device(1))
    assert described["suppressIndefinitely"] is False
    assert described["expirationDate"] == BASE + 3 * DAY
