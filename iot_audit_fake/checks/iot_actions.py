"""The classes of IoT actions the policy and role checks judge.

They come from the per-check AWS pages (audit-chk-iot-policy-permissive,
audit-chk-auth/unauth-cognito-role-permissive): data-plane actions, the "manage or modify
things" actions, the "read thing administrative data" actions, and every other IoT action
("non-thing" admin), the last taken from botocore's IoT service model.
"""

from __future__ import annotations

import functools

#: IoT data-plane actions that the checks judge for broad resources, in the order
#: their names appear in real reasons ("[iot:Subscribe, iot:Connect, iot:GetThingShadow,
#: iot:DeleteThingShadow, iot:UpdateThingShadow, iot:Publish]"), then the rest [INF],
#: each with the resource kind it is authorized on.
BROAD_CHECKED_DATA_PLANE: dict[str, str] = {
    "iot:Subscribe": "topicfilter",
    "iot:Connect": "client",
    "iot:GetThingShadow": "thing",
    "iot:DeleteThingShadow": "thing",
    "iot:UpdateThingShadow": "thing",
    "iot:Publish": "topic",
    "iot:RetainPublish": "topic",
    "iot:GetRetainedMessage": "topic",
    "iot:ListNamedShadowsForThing": "thing",
    "iot:DescribeJobExecution": "thing",
    "iot:GetPendingJobExecutions": "thing",
    "iot:StartNextPendingJobExecution": "thing",
    "iot:UpdateJobExecution": "thing",
}
#: Data-plane actions never judged broad: the pages call iot:Receive on topic/* compliant
#: (a device only receives what it may subscribe to); ListRetainedMessages only takes "*".
OTHER_DATA_PLANE = ("iot:Receive", "iot:ListRetainedMessages")
DATA_PLANE_ACTIONS: frozenset[str] = frozenset(BROAD_CHECKED_DATA_PLANE) | frozenset(OTHER_DATA_PLANE)

#: "Manage or modify things": granted on even a single resource is non-compliant.
THING_ADMIN_WRITE_ACTIONS: tuple[str, ...] = (
    "iot:AddThingToThingGroup", "iot:AttachThingPrincipal", "iot:CreateThing", "iot:DeleteThing",
    "iot:DetachThingPrincipal", "iot:ListThings", "iot:ListThingsInThingGroup", "iot:RegisterThing",
    "iot:RemoveThingFromThingGroup", "iot:UpdateThing", "iot:UpdateThingGroupsForThing",
)
#: "Read thing administrative data": fine on a few things, non-compliant on thing/*.
THING_ADMIN_READ_ACTIONS: tuple[str, ...] = (
    "iot:DescribeThing", "iot:ListJobExecutionsForThing", "iot:ListThingGroupsForThing", "iot:ListThingPrincipals",
)


@functools.cache
def iot_actions() -> frozenset[str]:
    """Every IoT action name the checks know: the IoT control plane (botocore's model) plus the data plane."""
    import botocore.session

    control = botocore.session.get_session().get_service_model("iot").operation_names
    return (frozenset(f"iot:{name}" for name in control) | DATA_PLANE_ACTIONS
            | frozenset(THING_ADMIN_WRITE_ACTIONS) | frozenset(THING_ADMIN_READ_ACTIONS))


@functools.cache
def non_thing_admin_actions() -> tuple[str, ...]:
    """IoT actions that are neither data plane nor thing administration ("manage non-things")."""
    excluded = DATA_PLANE_ACTIONS | frozenset(THING_ADMIN_WRITE_ACTIONS) | frozenset(THING_ADMIN_READ_ACTIONS)
    return tuple(sorted(iot_actions() - excluded))
