"""IoT policy checks: IOT_POLICY_OVERLY_PERMISSIVE_CHECK and IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK.

Both read the **default version** of every IoT policy in moto's IoT backend (the
version devices are authorized by) and report it as
``policyVersionIdentifier{policyName, policyVersionId}``; totalResourcesCount is the
number of policies examined. A finding records the version that was default when
the audit ran, so later policy changes leave it as it was.

IOT_POLICY_OVERLY_PERMISSIVE_CHECK (audit-chk-iot-policy-permissive): an Allow that
grants an IoT data-plane action (connect, publish, subscribe, shadow and job
execution actions) on a broad set of devices: resource ``*``, ``client/*``,
``thing/*``, topics or topic filters whose wildcard reaches the thing-name level of
``$aws/things/...``, or ``client/${iot:ClientId}`` without the
``iot:Connection.Thing.IsAttached`` condition (see
:func:`..iam_documents.is_broad_iot_resource`). iot:Receive on any topic is compliant,
as the page says. The reason lists the actions, as real findings do: "Policy allows
broad access to IoT data plane actions: [iot:Subscribe, iot:Connect, iot:Publish]."

IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK (audit-chk-iot-misconfigured-policies,
check-triggers.md 12): one finding per reason code that applies, the policy counted once
(check-triggers.md §G [INF]):

* POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT: a Deny whose topic or topic filter
  resource contains ``+`` or ``#`` (literal characters in policies, so the Deny is
  narrower than it looks).
* TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS [INF, after the page's example]
  (denied filters holding ``+``/``#`` are left to the first code):
  a Deny of iot:Subscribe on ``topicfilter/D`` where an Allow of iot:Subscribe on a
  wildcard topic filter covers ``D`` (so a device can subscribe to an MQTT-wildcard
  filter such as ``building/#`` that takes in D's topics) and no Deny of iot:Receive
  covers ``topic/D`` (the page's fix). Whether iot:Receive is allowed at all is not
  considered; it may come from another policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..catalogue import CHECKS
from ..engine import Context, Observation, Outcome, evaluator
from ..iam_documents import (
    Statement,
    broad_data_plane_actions,
    has_wildcard,
    iot_resource_name,
    literal_prefix,
    matches,
    parse_document,
)

OVERLY_PERMISSIVE = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"
MISCONFIGURATION = "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK"


def _default_versions(ctx: Context) -> Iterator[tuple[str, str, list[Statement]]]:
    """(policy name, default version id, statements of that version) for every IoT policy."""
    for policy in list(ctx.iot.policies.values()):
        version_id = str(policy.default_version_id)
        version: Any = next((v for v in policy.versions if v.version_id == version_id), None)
        document = version.document if version is not None else policy.document
        yield policy.name, version_id, parse_document(document)


def _observation(check: str, name: str, version_id: str, code: str, reason: str) -> Observation:
    return Observation(
        check_name=check,
        resource_type=CHECKS[check].resource_type,
        identifier={"policyVersionIdentifier": {"policyName": name, "policyVersionId": version_id}},
        reason_code=code,
        reason=reason,
    )


@evaluator(OVERLY_PERMISSIVE)
def overly_permissive(ctx: Context, check: str) -> Outcome:
    outcome = Outcome()
    for name, version_id, statements in _default_versions(ctx):
        outcome.total += 1
        actions = broad_data_plane_actions(statements)
        if actions:
            outcome.noncompliant.append(_observation(
                check, name, version_id, "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",
                f"Policy allows broad access to IoT data plane actions: [{', '.join(actions)}].",
            ))
    return outcome


@evaluator(MISCONFIGURATION)
def potential_misconfiguration(ctx: Context, check: str) -> Outcome:
    outcome = Outcome()
    for name, version_id, statements in _default_versions(ctx):
        outcome.total += 1
        for found in _misconfigurations(statements):
            outcome.noncompliant.append(_observation(check, name, version_id, *found))
    return outcome


def _misconfigurations(statements: list[Statement]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    wildcard_denies = _mqtt_wildcards_in_denies(statements)
    if wildcard_denies:
        found.append(("POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT",
                      f"Policy contains MQTT wildcards in deny statement: [{', '.join(wildcard_denies)}]."))
    exposed = _denied_filters_allowed_by_wildcards(statements)
    if exposed:
        found.append(("TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS",
                      f"Topic filters intended to be denied are allowed using wildcards: [{', '.join(exposed)}]."))
    return found


def _mqtt_wildcards_in_denies(statements: list[Statement]) -> list[str]:
    found: list[str] = []
    for st in statements:
        if not st.denies or st.not_resource:
            continue
        for resource in st.resources:
            for kind in ("topic", "topicfilter"):
                name = iot_resource_name(resource, kind)
                if name is not None and name != "*" and literal_prefix(name, "+#") is not None:
                    found.append(resource)
                    break
    return list(dict.fromkeys(found))


def _denied_filters_allowed_by_wildcards(statements: list[Statement]) -> list[str]:
    found: list[str] = []
    for st in statements:
        if not (st.denies and not st.not_resource and st.matches_action("iot:Subscribe")):
            continue
        for resource in st.resources:
            denied = iot_resource_name(resource, "topicfilter")
            # A denied filter with MQTT wildcards is the first code's case (the page's first example) [INF].
            if denied is None or denied == "*" or literal_prefix(denied, "+#") is not None:
                continue
            if _allowed_through_wildcard(statements, denied) and not _receive_denied(statements, denied):
                found.append(resource)
    return list(dict.fromkeys(found))


def _allowed_through_wildcard(statements: list[Statement], denied: str) -> bool:
    """An Allow of iot:Subscribe on a wildcard topic filter that covers the denied filter."""
    for st in statements:
        if not (st.allows and st.matches_action("iot:Subscribe")):
            continue
        for resource in st.granted_resources:
            allowed = iot_resource_name(resource, "topicfilter")
            if allowed is not None and allowed != denied and has_wildcard(allowed) and matches(allowed, denied):
                return True
    return False


def _receive_denied(statements: list[Statement], denied: str) -> bool:
    """A Deny of iot:Receive on topics that cover the denied filter's topics."""
    for st in statements:
        if not (st.denies and not st.not_resource and st.matches_action("iot:Receive")):
            continue
        for resource in st.resources:
            topic = iot_resource_name(resource, "topic")
            if topic is not None and matches(topic, denied):
                return True
    return False
