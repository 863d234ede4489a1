"""How the audit state and its operations are put together (docs/architecture.md, "State and operations").

The operation mixins work on an explicit state object and inherit no behaviour; the tasks still
running change only through the state's lifecycle methods; a check's verdict is computed in one
place, so a live run and a task recorded into the history count the same observations alike.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from conftest import ACCOUNT, REGION, enable
from moto.core.base_backend import BaseBackend

from iot_audit_fake import audit_backends, operations
from iot_audit_fake.backend import AuditBackend
from iot_audit_fake.operations.base import OperationsBase
from iot_audit_fake.state import AuditState

CHECK = "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK"
CODES = ("POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT", "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS")


def backend() -> AuditBackend:
    return audit_backends[ACCOUNT][REGION]


def policy(name: str) -> dict[str, Any]:
    return {"policyVersionIdentifier": {"policyName": name, "policyVersionId": "1"}}


def run_details(iot: Any, task_id: str) -> dict[str, Any]:
    detail = iot.describe_audit_task(taskId=task_id)["auditDetails"][CHECK]
    return {key: detail[key] for key in ("checkRunStatus", "nonCompliantResourcesCount",
                                         "suppressedNonCompliantResourcesCount")}


def test_a_resource_with_two_reason_codes_counts_once_in_a_run_and_in_recorded_history(iot):
    enable(iot, CHECK)
    state = backend()
    seeded = [state.seed_observation(CHECK, policy("both"), reason_code=CODES[0]),
              state.seed_observation(CHECK, policy("both"), reason_code=CODES[1]),
              state.seed_observation(CHECK, policy("one"), reason_code=CODES[0])]
    live = iot.start_on_demand_audit_task(targetCheckNames=[CHECK])["taskId"]
    assert len(iot.list_audit_findings(taskId=live)["findings"]) == 3
    recorded = state.record_audit_task(iot.describe_audit_task(taskId=live)["taskStartTime"], [CHECK],
                                       findings=[(o, False, None) for o in seeded]).task_id
    expected = {"checkRunStatus": "COMPLETED_NON_COMPLIANT", "nonCompliantResourcesCount": 2,
                "suppressedNonCompliantResourcesCount": 0}
    assert run_details(iot, live) == run_details(iot, recorded) == expected


def test_a_recorded_task_whose_findings_are_all_suppressed_is_compliant(iot):
    enable(iot, CHECK)
    state = backend()
    observations = [state.observation(CHECK, policy("both"), reason_code=code) for code in CODES]
    task = state.record_audit_task(dt.datetime.now(dt.timezone.utc), [CHECK],
                                   findings=[(o, True, None) for o in observations])
    assert run_details(iot, task.task_id) == {"checkRunStatus": "COMPLETED_COMPLIANT",
                                              "nonCompliantResourcesCount": 1,
                                              "suppressedNonCompliantResourcesCount": 1}


def test_the_state_is_a_plain_object_the_backend_holds(iot):
    state = backend().state
    assert isinstance(state, AuditState) and not isinstance(state, BaseBackend)
    assert backend().tasks is state.tasks and backend().configuration is state.configuration


def test_the_running_tasks_change_only_through_the_lifecycle(iot):
    enable(iot)
    state = backend().state
    with pytest.raises(TypeError):
        state.running["made-up"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        state.running_mitigations["made-up"] = None  # type: ignore[index]


def test_the_operation_mixins_inherit_no_behaviour():
    declared = {name: value for name, value in vars(OperationsBase).items() if not name.startswith("__")}
    assert declared == {}, "OperationsBase only declares attributes"
    assert set(inspect.get_annotations(OperationsBase)) == {"state"}
    mixins = []
    for info in pkgutil.iter_modules(operations.__path__):
        module = importlib.import_module(f"iot_audit_fake.operations.{info.name}")
        mixins += [cls for name, cls in vars(module).items()
                   if inspect.isclass(cls) and name.endswith("Operations") and cls.__module__ == module.__name__]
    assert len(mixins) >= 10
    for mixin in mixins:
        assert mixin.__bases__ == (OperationsBase,), mixin
        assert mixin in AuditBackend.__mro__, mixin
