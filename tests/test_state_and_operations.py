"""How the audit state and its operations are put together (docs/architecture.md, "State and operations").

The operation mixins work on an explicit state object and inherit no behaviour; the tasks still
running change only through the state's lifecycle methods; a check's verdict is computed in one
place, so a live run and a task recorded into the history count the same observations alike.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from conftest import backend, enable
from moto.core.base_backend import BaseBackend

from iot_audit_fake import operations
from iot_audit_fake.backend import AuditBackend
from iot_audit_fake.operations.base import OperationsBase
from iot_audit_fake.state import AuditState

CHECK = "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK"
CODES = ("POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT", "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS")


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
    # The backend is the operations over the state, not a second way into its collections.
    for name in set(vars(state)) - {"account_id", "region_name", "partition"}:  # moto's backend has those too
        assert not hasattr(backend(), name), name


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


#: Methods that change a built-in collection (or SuppressionOrder / Timeline, which share the names).
MUTATORS = frozenset({"append", "add", "pop", "popitem", "setdefault", "clear", "update", "discard", "remove",
                      "extend", "insert", "reindex", "expire_before"})
OPERATIONS_DIR = Path(operations.__file__).parent


def _from_state(node: ast.AST, aliases: set[str]) -> bool:
    """Whether ``node`` is ``self.state`` followed by attributes, subscripts or calls, or a name bound to one."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return node.attr == "state"
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id in aliases


def direct_writes(source: str) -> list[str]:
    """Assignments, deletions and collection mutations reaching into ``self.state`` past its methods:
    ``self.state.x = ...``, ``self.state.x[k] = ...``, ``self.state.x.pop(k)``, and the same through a
    local name bound to something read from the state. Calls of the state's own methods
    (``self.state.add_task(...)``) are what an operation should make."""
    found = []
    for function in (n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        aliases: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and _from_state(node.value, set()):
                aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for node in ast.walk(function):
            targets: list[ast.AST] = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = list(node.targets)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)) and _from_state(target, aliases):
                    found.append(f"line {node.lineno}: {ast.unparse(target)}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS
                    and _from_state(node.func.value, aliases)):
                found.append(f"line {node.lineno}: {ast.unparse(node.func)}()")
    return found


@pytest.mark.parametrize("path", sorted(OPERATIONS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_operations_change_the_state_only_through_its_methods(path):
    assert direct_writes(path.read_text()) == []


@pytest.mark.parametrize("source", [
    "def f(self):\n    self.state.tags['a'] = {}\n",
    "def f(self):\n    self.state.configuration = None\n",
    "def f(self):\n    self.state.connections.append(1)\n",
    "def f(self):\n    self.state.configuration.enabled_at.pop('x', None)\n",
    "def f(self):\n    del self.state.suppressions[k]\n",
    "def f(self):\n    current = self.state.tags.get(arn, {})\n    current.pop(key, None)\n",
    "def f(self):\n    usage = self.state.service_usage.setdefault(arn, {})\n    usage['iot'] = 1\n",
])
def test_the_write_finder_finds_each_kind_of_direct_write(source):
    assert direct_writes(source)


def test_the_write_finder_lets_state_methods_and_model_methods_through():
    source = ("def f(self):\n    self.state.add_task(t)\n    task = self.state.tasks.get(i)\n    task.advance()\n"
              "    self.state.configuration.set_enabled_at('x', None)\n    out = {}\n    out['a'] = 1\n")
    assert direct_writes(source) == []
